"""Grouped categories in the app: a CSV with a text column, grouped mode on the Data page, one colour
per group in Explore's paths, a factor-0 feature kept; Compare with the grouped penalty; no exception."""

import numpy as np
import pandas as pd

from conftest import open_page

import reglab
from reglab.ui import state


def upload_grouped(at):
    rng = np.random.default_rng(0)
    n = 120
    frame = pd.DataFrame({"size": rng.normal(size=n), "age": rng.normal(size=n),
                          "city": rng.choice(["north", "south", "east", "west"], n)})
    frame["price"] = 2 * frame["size"] + frame["city"].map({"north": 1.0, "south": -1.0, "east": 0.5, "west": 0.0}) \
        + rng.normal(size=n)
    at.segmented_control[0].set_value("upload").run()
    at.file_uploader[0].upload("homes.csv", frame.to_csv(index=False).encode(), "text/csv").run()
    return frame


def test_grouped_mode_colours_a_categorys_dummies_alike_and_keeps_a_factor_0_feature():
    at = open_page("pages/1_data.py")
    frame = upload_grouped(at)
    next(t for t in at.toggle if t.label == "Penalize each text column as a group").set_value(True).run()
    assert not at.exception and not at.error
    assert any("penalized as one group" in t.value for t in at.text)
    settings = dict(at.session_state[state.PREP])
    at.session_state[state.PREP] = {**settings, "factors": {"age": 0.0}}  # as the factor table would store it
    at.switch_page("pages/2_explore.py").run()
    assert not at.exception and not at.error, [e.value for e in at.exception]
    spec = at.get("vega_lite_chart")[0]
    assert "feature group" in spec.proto.spec
    import json

    def domains(node):
        if isinstance(node, dict):
            if node.get("field") == "series" and "scale" in node:
                yield node["scale"].get("domain")
            for value in node.values():
                yield from domains(value)
        elif isinstance(node, list):
            for value in node:
                yield from domains(value)

    legend = next(d for d in domains(json.loads(spec.proto.spec)) if d)
    assert legend == ["size", "age", "city"]  # the four city dummies: one entry, one colour
    prepared = reglab.preprocess(frame, "price", test_size=0.25, seed=0, group_categories=True,
                                 penalty_factors={"age": 0.0})
    assert prepared.feature_groups is not None
    path = reglab.path(prepared.X_train, prepared.y_train, "l1", groups=prepared.feature_groups,
                       penalty_factor=prepared.penalty_factors)
    next(w for w in at.number_input if w.label == "λ (exact)").set_value(float(path.lambdas[0])).run()
    assert next(m.value for m in at.metric if m.label == "Non-zero coefficients") == "1 of 6"  # age, unpenalized
    at.switch_page("pages/3_compare.py").run()
    assert not at.exception and not at.error
