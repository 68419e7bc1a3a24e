"""Work bounded by its estimated cost, not only its shape: links under the size limits whose
classifier would take minutes ask first; a costly tab asks on its own; a stopped study stays stopped."""

import time

import pytest

from conftest import open_page

from reglab import limits


@pytest.mark.parametrize("query", [
    {"dataset": "logistic", "n": "10000", "p": "500", "k": "500"},           # 152 s of CPU, asked nothing
    {"dataset": "logistic", "classes": "5", "n": "2000", "p": "50", "seed": "7"},  # 89 s
    {"dataset": "counts", "n": "10000", "p": "500", "k": "50"},  # a Poisson model: priced as a two-class one
])
def test_a_costly_classifier_link_asks_before_it_starts(query):
    start = time.monotonic()
    at = open_page("pages/2_explore.py", **query)
    assert not at.exception
    warning = " ".join(w.value for w in at.warning).replace("\\", "")
    assert "waits for your go-ahead" in warning and "estimated" in warning
    assert any(b.label == "Run the analysis" for b in at.button)
    assert not at.get("vega_lite_chart")  # nothing was computed
    assert time.monotonic() - start < 60  # generating the data and asking, not fitting


def test_the_estimates_rise_with_classes_and_rows():
    assert limits.estimated_seconds(2000, 50, 5) > limits.WORK_BUDGET_SECONDS  # measured 53 s
    assert limits.estimated_seconds(10_000, 500, 2) > limits.WORK_BUDGET_SECONDS  # measured 152 s
    assert limits.estimated_seconds(442, 10, 0) == 0.0  # least squares: bounded by the size limits
    assert limits.estimated_seconds(178, 13, 3) < 5  # wine: runs at once (path + CV measured ~2.4 s)
    assert limits.is_heavy(19_000, 249, 50) and not limits.is_heavy(178, 13, 3)
    assert limits.estimated_seconds(10_000, 500, relaxed=True) > limits.WORK_BUDGET_SECONDS  # 63 s


def test_a_costly_bias_variance_study_asks_and_a_stopped_one_stays_stopped():
    from reglab.ui import state

    at = open_page("pages/2_explore.py", dataset="logistic", classes="4", n="1500", p="20", seed="3")
    assert not at.exception and not at.warning  # path and CV are within budget
    at.session_state[state.BV_REPEATS] = 200
    at.session_state[state.EXPLORE_TAB] = next(t.label for t in at.tabs if "Bias" in t.label)
    at.run()
    assert not at.exception
    info = " ".join(i.value for i in at.info)
    assert "The bias–variance study (200 refitted paths) is estimated at" in info
    assert any(b.label.startswith("Run: the bias–variance study") for b in at.button)
