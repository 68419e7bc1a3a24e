"""Grouped categories in the app: a CSV with a text column, grouped mode on the Data page, one colour
per group in Explore's paths, a factor-0 feature kept; Compare with the grouped penalty; no exception."""

import numpy as np
import pytest
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
    assert any("Grouped" in c.value and "city" in c.value and "enter or leave the model together" in c.value
               for c in at.caption)  # Explore says the penalty is grouped, and which columns
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


def test_group_norms_draw_one_line_per_column_and_fall_back_on_data_without_groups():
    import json

    at = open_page("pages/1_data.py")
    frame = upload_grouped(at)
    next(t for t in at.toggle if t.label == "Penalize each text column as a group").set_value(True).run()
    at.switch_page("pages/2_explore.py").run()
    next(r for r in at.radio if r.label == "Coefficients").set_value("group norms ‖w_g‖").run()
    assert not at.exception and not at.error
    import pyarrow as pa

    chart = at.get("vega_lite_chart")[0]
    spec = json.loads(chart.proto.spec)
    drawn = {}
    for dataset in chart.proto.datasets:
        table = pa.ipc.open_stream(dataset.data.data).read_all()
        if {"feature", "lambda", "value"} <= set(table.column_names):
            for row in table.to_pylist():
                drawn[(row["feature"], round(float(np.log(row["lambda"])), 9))] = row["value"]
    assert {name for name, _ in drawn} >= {"size", "age", "city"}
    assert not any(name.startswith("city_") or "=" in name for name, _ in drawn)  # groups, not dummies
    # independently: the group path's weights, the city dummies' Euclidean norm by hand
    prepared = reglab.preprocess(frame, "price", test_size=0.25, seed=0, group_categories=True)
    path = reglab.path(prepared.X_train, prepared.y_train, "l1", groups=prepared.feature_groups)
    city = [j for j, source in enumerate(prepared.feature_sources) if source == "city"]
    assert len(city) == 4
    for i in (0, 30, 60, len(path.lambdas) - 1):
        key = round(np.log(path.lambdas[i]), 9)
        assert drawn[("city", key)] == pytest.approx(np.sqrt(np.sum(path.weights[i, city] ** 2)), rel=1e-6, abs=1e-12)
        assert drawn[("size", key)] == pytest.approx(abs(path.weights[i, prepared.feature_names.index("size")]),
                                                     rel=1e-6, abs=1e-12)
    assert "group norm" in json.dumps(spec)
    # a data set without groups does not offer the choice, and the stored one falls back
    at.switch_page("pages/1_data.py").run()
    at.segmented_control[0].set_value("builtin").run()
    at.switch_page("pages/2_explore.py").run()
    assert not at.exception and not at.error
    choice = next(r for r in at.radio if r.label == "Coefficients")
    assert choice.value == "standardized" and "group norms ‖w_g‖" not in choice.options


def test_a_two_class_target_with_a_text_column_in_grouped_mode_is_a_grouped_logistic_model():
    rng = np.random.default_rng(2)
    n = 160
    frame = pd.DataFrame({"tenure": rng.normal(size=n), "calls": rng.normal(size=n),
                          "plan": rng.choice(["basic", "plus", "pro"], n)})
    eta = 1.5 * frame["tenure"] + frame["plan"].map({"basic": -1.0, "plus": 0.0, "pro": 1.0})
    frame["churned"] = np.where(rng.uniform(size=n) < 1 / (1 + np.exp(-eta)), "yes", "no")
    at = open_page("pages/1_data.py")
    at.segmented_control[0].set_value("upload").run()
    at.file_uploader[0].upload("churn.csv", frame.to_csv(index=False).encode(), "text/csv").run()
    next(s for s in at.selectbox if s.label.startswith("Target")).set_value("churned").run()
    assert next(s for s in at.segmented_control if s.label == "Task").value == "classification"
    next(t for t in at.toggle if t.label == "Penalize each text column as a group").set_value(True).run()
    assert not at.exception and not at.error
    assert not any("offered for" in w.value for w in at.warning)
    at.switch_page("pages/2_explore.py").run()
    assert not at.exception and not at.error, [e.value for e in at.exception]
    assert "feature group" in at.get("vega_lite_chart")[0].proto.spec
    # the model on screen is the grouped logistic model at λ: the plan's levels in or out together
    prepared = reglab.preprocess(frame, "churned", task="classification", test_size=0.25, seed=0, group_categories=True)
    lam = at.session_state[state.LAMBDA]
    fit = reglab.fit(prepared.X_train, prepared.y_train, "l1", lam, family="binomial", groups=prepared.feature_groups)
    assert next(m.value for m in at.metric if m.label == "Non-zero coefficients") == f"{fit.n_nonzero} of 5"
    plan = [i for i, s in enumerate(prepared.feature_sources) if s == "plan"]
    assert fit.nonzero[plan].all() or not fit.nonzero[plan].any()
    next(r for r in at.radio if r.label == "Coefficients").set_value("group norms ‖w_g‖").run()
    assert not at.exception and not at.error
    for tab in [t.label for t in at.tabs]:  # CV, bias–variance, classification, code: every view of this model
        at.session_state[state.EXPLORE_TAB] = tab
        at.run()
        assert not at.exception and not at.error, (tab, [e.value for e in at.exception])
    assert any("no group lasso" in c.value for c in at.code)  # the scripts say they fit the ungrouped model
    at.switch_page("pages/3_compare.py").run()
    assert not at.exception and not at.error


def test_a_count_target_with_a_text_column_in_grouped_mode_is_a_grouped_poisson_model():
    rng = np.random.default_rng(3)
    n = 160
    frame = pd.DataFrame({"traffic": rng.normal(size=n), "rain": rng.normal(size=n),
                          "road": rng.choice(["urban", "rural", "motorway"], n)})
    eta = 0.5 + 0.6 * frame["traffic"] + frame["road"].map({"urban": 0.5, "rural": 0.0, "motorway": -0.7})
    frame["accidents"] = rng.poisson(np.exp(eta))
    at = open_page("pages/1_data.py")
    at.segmented_control[0].set_value("upload").run()
    at.file_uploader[0].upload("accidents.csv", frame.to_csv(index=False).encode(), "text/csv").run()
    next(s for s in at.selectbox if s.label.startswith("Target")).set_value("accidents").run()
    assert next(s for s in at.segmented_control if s.label == "Task").value == "counts"
    next(t for t in at.toggle if t.label == "Penalize each text column as a group").set_value(True).run()
    assert not at.exception and not at.error
    assert not any("offered for" in w.value for w in at.warning)
    at.switch_page("pages/2_explore.py").run()
    assert not at.exception and not at.error, [e.value for e in at.exception]
    prepared = reglab.preprocess(frame, "accidents", task="counts", test_size=0.25, seed=0, group_categories=True)
    lam = at.session_state[state.LAMBDA]
    fit = reglab.fit(prepared.X_train, prepared.y_train, "l1", lam, family="poisson", groups=prepared.feature_groups)
    assert next(m.value for m in at.metric if m.label == "Non-zero coefficients") == f"{fit.n_nonzero} of 5"
    road = [i for i, s in enumerate(prepared.feature_sources) if s == "road"]
    assert fit.nonzero[road].all() or not fit.nonzero[road].any()
    # the view a grouped count model adds to the ones every family has: its relaxed refits, by the likelihood
    at.session_state[state.EXPLORE_TAB] = next(t.label for t in at.tabs if "Relaxed" in t.label)
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.exception]
