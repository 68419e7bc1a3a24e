"""Every view that depends on the family, with text labels and with codes, for 2 and for 6 classes:
Explore's tabs (paths and bars per class drawn with data, the Reproduce scripts), Compare (scores,
per-class bars, stability), saved scenarios. Six text classes once drew empty charts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from conftest import each_explore_tab, open_page

from reglab.ui import state

TEXT6 = ["Con", "Head", "Tabl", "Veh", "WinF", "WinNF"]


def class_table(labels: list, seed: int = 0, n: int = 240) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 4))
    scores = X @ rng.standard_normal((4, len(labels))) * 1.5 + rng.standard_normal((n, len(labels)))
    frame = pd.DataFrame(X, columns=["ri", "na", "mg", "al"])
    frame["kind"] = np.asarray(labels, dtype=object)[np.argmax(scores, axis=1)]
    return frame


def rows_drawn(chart) -> int:
    """Data rows a drawn chart holds, the moving λ rule and the click targets aside."""
    total = 0
    for dataset in chart.proto.datasets:
        table = pa.ipc.open_stream(dataset.data.data).read_all()
        if "value" in table.column_names or "coef" in table.column_names:
            total += table.num_rows
    return total


def uploaded_explore(frame: pd.DataFrame):
    at = open_page("pages/1_data.py")
    at.segmented_control[0].set_value("upload").run()
    at.file_uploader[0].upload("classes.csv", frame.to_csv(index=False).encode(), "text/csv").run()
    target = next(s for s in at.selectbox if s.label.startswith("Target"))
    if target.value != "kind":
        target.set_value("kind").run()
    assert next(s for s in at.segmented_control if s.label == "Task").value == "classification"
    assert not at.exception and not at.error, [e.value for e in at.error]
    at.switch_page("pages/2_explore.py").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    return at


@pytest.mark.parametrize("labels", [TEXT6, list(range(6)), ["no", "yes"], [0, 1]],
                         ids=["6 text", "6 codes", "2 text", "2 codes"])
def test_every_family_view_works_with_text_labels_and_codes(labels):
    at = uploaded_explore(class_table(labels))
    shown = [str(label) for label in labels]
    paths = at.get("vega_lite_chart")[0]
    assert rows_drawn(paths) > 0  # lines drawn (six text classes drew none)
    if len(labels) > 2:
        picker = next(s for s in at.segmented_control if s.label == "Class")
        assert picker.options == shown
        picker.set_value(shown[-1]).run()
        assert rows_drawn(at.get("vega_lite_chart")[0]) > 0
    for tab in each_explore_tab(at):
        assert not at.exception and not at.error, (tab, [e.value for e in at.error])
        if "Sparsity" in tab:
            assert sum(rows_drawn(c) for c in at.get("vega_lite_chart")) >= 4  # the bars of the shown class
        if "Reproduce" in tab:
            scripts = " ".join(c.value for c in at.code)
            assert "glmnet(" in scripts and "LogisticRegression" in scripts
            if len(labels) > 2:
                assert "lambda = lambdas" in scripts  # warm-started along a sequence
    next(b for b in at.button if b.label.startswith("Save this fit")).click().run()
    saved = at.session_state[state.SCENARIOS]
    names = set(saved[-1].coefficients)
    if len(labels) > 2:  # one coefficient per (feature, class), named by the class's label
        assert {f"ri [{label}]" for label in shown} <= names
    at.switch_page("pages/3_compare.py").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    table = at.dataframe[0].value
    assert {"test log-loss", "test accuracy"} <= set(table.columns) and len(table) == 3
    assert at.get("vega_lite_chart")  # coefficients by model, paths, stability, heatmap
