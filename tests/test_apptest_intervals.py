"""Bootstrap intervals on Explore's coefficient bars (AppTest): off by default; when on, drawn with the
selection frequency and the caveat; a costly request asks first; 2 and 6 classes, text and codes."""

import json

import numpy as np
import pandas as pd
import pytest
from conftest import open_page

from reglab import limits
from reglab.ui import state


def sparsity(at):
    at.session_state[state.EXPLORE_TAB] = next(t.label for t in at.tabs if "Sparsity" in t.label)
    return at.run()


def test_intervals_are_drawn_on_the_bars_with_their_caveat():
    at = sparsity(open_page("pages/2_explore.py"))
    assert not any("Grey whiskers" in c.value for c in at.caption)
    next(t for t in at.toggle if t.label == "Bootstrap intervals").set_value(True).run()
    assert not at.exception and not at.error
    assert any("not classical confidence intervals" in c.value for c in at.caption)
    bars = next(c for c in at.get("vega_lite_chart") if "coefficient (standardized units)" in c.proto.spec)
    spec = json.loads(bars.proto.spec)
    assert "interval from" in json.dumps(spec) and "selected in resamples" in json.dumps(spec)


def test_costly_intervals_ask_first(monkeypatch):
    monkeypatch.setattr(limits, "SECONDS_PER_RESAMPLE_GRAM_CELL", 1.0)  # any request now costs hours
    at = sparsity(open_page("pages/2_explore.py"))
    next(t for t in at.toggle if t.label == "Bootstrap intervals").set_value(True).run()
    assert not at.exception
    assert any(b.label.startswith("Run: bootstrap intervals") for b in at.button)
    assert not any("Grey whiskers" in c.value for c in at.caption)


@pytest.mark.parametrize("labels", [["no", "yes"], [0, 1], ["c0", "c1", "c2", "c3", "c4", "c5"], [0, 1, 2, 3, 4, 5]])
def test_classifiers_get_intervals_per_class(labels):
    rng = np.random.default_rng(2)
    frame = pd.DataFrame(rng.normal(size=(180, 3)), columns=["a", "b", "c"])
    frame["label"] = np.array(labels, dtype=object)[np.arange(180) % len(labels)]
    at = open_page("pages/1_data.py")
    at.segmented_control[0].set_value("upload").run()
    at.file_uploader[0].upload("c.csv", frame.to_csv(index=False).encode(), "text/csv").run()
    next(s for s in at.selectbox if s.label.startswith("Target")).set_value("label").run()
    next(s for s in at.segmented_control if s.label == "Task").set_value("classification").run()
    at.switch_page("pages/2_explore.py").run()
    sparsity(at)
    at.session_state[state.INTERVAL_RESAMPLES] = 20
    next(t for t in at.toggle if t.label == "Bootstrap intervals").set_value(True).run()
    assert not at.exception and not at.error, labels
    assert any("Grey whiskers" in c.value for c in at.caption), labels
