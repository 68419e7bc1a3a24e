"""Explore's What-if tab (AppTest) on uploaded CSVs: a row of the table fills the form, the prediction is the
fit's on that row, a hostile column name stays text; classifiers with text labels and codes, 2 and 6
classes, and counts; no exception."""

import numpy as np
import pandas as pd
import pytest
from conftest import open_page

import reglab
from reglab.ui import md, state

HOSTILE = '[x](http://e) **b** "]]; q <- 1'


def upload(frame, name="rows.csv", target=None, task=None):
    at = open_page("pages/1_data.py")
    at.segmented_control[0].set_value("upload").run()
    at.file_uploader[0].upload(name, frame.to_csv(index=False).encode(), "text/csv").run()
    if target:
        next(s for s in at.selectbox if s.label.startswith("Target")).set_value(target).run()
    if task:
        next(s for s in at.segmented_control if s.label == "Task").set_value(task).run()
    at.switch_page("pages/2_explore.py").run()
    at.session_state[state.EXPLORE_TAB] = next(t.label for t in at.tabs if "What-if" in t.label)
    return at.run()


def test_a_row_of_the_table_fills_the_form_and_the_prediction_is_the_fits():
    rng = np.random.default_rng(0)
    n = 150
    frame = pd.DataFrame({"size": rng.normal(50, 10, n), HOSTILE: rng.normal(size=n),
                          "city": rng.choice(["north", "south", "east"], n)})
    frame["price"] = 0.3 * frame["size"] + 2 * frame[HOSTILE] + frame["city"].map({"north": 2.0, "south": -1.0,
                                                                                    "east": 0.0}) + rng.normal(size=n)
    at = upload(frame)
    assert not at.exception and not at.error, [e.value for e in at.exception]
    labels = [w.label for w in [*at.number_input, *at.selectbox]]
    assert md(HOSTILE) in labels and HOSTILE not in labels  # the name as text (escaped), never a link or bold
    prepared = reglab.preprocess(frame, "price", test_size=0.25, seed=0)
    row = int(prepared.test_rows[2])
    next(w for w in at.number_input if w.label == "Start from row of the table").set_value(row + 1).run()
    assert any(f"Row {row + 1} is a test row" in c.value for c in at.caption)  # the row fills the form by itself
    assert not at.exception
    fit = reglab.fit(prepared.X_train, prepared.y_train, "l1", at.session_state[state.LAMBDA],
                     feature_names=prepared.feature_names)
    expected = fit.predict(prepared.X_test[2][None, :])[0]
    assert next(m.value for m in at.metric if m.label.startswith("Predicted")) == f"{expected:.4g}"
    # a new value moves the prediction by that column's coefficient
    size = next(w for w in at.number_input if w.label == "size")
    size.set_value(float(prepared.X_test[2][0]) + 10.0).run()
    moved = fit.predict((prepared.X_test[2] + np.eye(len(prepared.feature_names))[0] * 10.0)[None, :])[0]
    assert next(m.value for m in at.metric if m.label.startswith("Predicted")) == f"{moved:.4g}"
    next(b for b in at.button if b.label == "Medians").click().run()
    assert size.key and at.session_state[size.key] == pytest.approx(np.median(prepared.X_train[:, 0]))
    next(b for b in at.button if b.label == "Use this row").click().run()  # the same row again, after edits
    assert next(m.value for m in at.metric if m.label.startswith("Predicted")) == f"{expected:.4g}"


@pytest.mark.parametrize("labels", [["no", "yes"], [0, 1], ["c0", "c1", "c2", "c3", "c4", "c5"], [0, 1, 2, 3, 4, 5]])
def test_classifiers_show_class_probabilities(labels):
    rng = np.random.default_rng(2)
    frame = pd.DataFrame(rng.normal(size=(240, 3)), columns=["a", "b", "c"])
    frame["label"] = np.array(labels, dtype=object)[np.argmax(frame[["a", "b"]].to_numpy() @ rng.normal(size=(2, len(labels)))
                                                              + rng.gumbel(size=(240, len(labels))), axis=1)]
    at = upload(frame, target="label", task="classification")
    assert not at.exception and not at.error, [e.value for e in at.exception]
    if len(labels) == 2:
        assert any(m.label.startswith("P(") for m in at.metric)
    else:
        assert any(len(df.value) == 6 for df in at.dataframe)  # one probability per class


def test_counts_show_the_expected_count():
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(rng.normal(size=(200, 3)), columns=["a", "b", "c"])
    frame["events"] = rng.poisson(np.exp(0.5 + 0.6 * frame["a"]))
    at = upload(frame, target="events")
    assert not at.exception and not at.error
    assert any(m.label.startswith("Expected") for m in at.metric)
