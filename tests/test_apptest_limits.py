"""Coefficient limits in the app (glmnet's lower.limits / upper.limits): set on the Data page's table or
in a link, used by Explore (fit, every tab), the translator and both scripts, links and scenarios; a bad
link value is named; limits are refused where they are not offered (6 classes) with a clear word."""

import json

import numpy as np
import pandas as pd
import pytest
from conftest import open_page

import reglab
from reglab import scenarios
from reglab.ui import state
from reglab.ui.explore import TRANSLATOR

BMI_NONPOSITIVE = '{"bmi": [null, 0]}'


def diabetes_prepared():
    data = reglab.load_builtin("diabetes")
    return reglab.preprocess(data.frame, data.target, test_size=0.25, seed=0)


def test_a_link_limit_bounds_the_fit_on_explore_and_reaches_the_scripts():
    at = open_page("pages/2_explore.py", lim=BMI_NONPOSITIVE, lam="0.5")
    assert not at.exception and not at.error, [e.value for e in at.exception]
    prepared = diabetes_prepared()
    upper = [0.0 if name == "bmi" else np.inf for name in prepared.feature_names]
    fit = reglab.fit(prepared.X_train, prepared.y_train, "l1", 0.5, upper_limits=upper)
    assert fit.coef[prepared.feature_names.index("bmi")] == 0.0  # bmi's effect is positive: held at its bound
    assert next(m.value for m in at.metric if m.label == "Non-zero coefficients") == f"{fit.n_nonzero} of 10"
    link = at.query_params["lim"]
    assert json.loads(link[0] if isinstance(link, list) else link) == {"bmi": [None, 0.0]}
    at.session_state[TRANSLATOR] = True
    at.run()
    code = "\n".join(c.value for c in at.code)
    assert "upper.limits = c(" in code and "subject to lower ≤ β ≤ upper" in code
    at.session_state[state.EXPLORE_TAB] = next(t.label for t in at.tabs if "Reproduce" in t.label)
    at.run()
    code = "\n".join(c.value for c in at.code)
    assert "upper.limits = c(Inf, Inf, 0.0" in code and "no per-coefficient limits" in code
    assert not any("Relaxed" in t.label for t in at.tabs)  # its refits would ignore the limits
    for label in [t.label for t in at.tabs]:
        at.session_state[state.EXPLORE_TAB] = label
        at.run()
        assert not at.exception and not at.error, label
    next(b for b in at.button if b.label == "Save this fit as a scenario").click().run()
    saved = at.session_state[state.SCENARIOS][-1]
    assert saved.preprocessing["limits"] == {"bmi": [None, 0.0]}
    again = scenarios.from_json(scenarios.to_json([saved]))[0]
    assert again.preprocessing["limits"] == {"bmi": [None, 0.0]} and "(bounded)" in scenarios.penalty_label(again)


def test_stored_limits_are_reported_on_the_data_page_and_a_bad_link_is_named():
    at = open_page("pages/1_data.py")
    settings = dict(at.session_state[state.PREP])
    at.session_state[state.PREP] = {**settings, "limits": {"bmi": [0.0, None], "s5": [-1.0, 2.0]}}  # as the table stores
    at.run()
    assert not at.exception and not at.error
    assert any("'bmi' ≥ 0, 's5' in [-1, 2]" in t.value for t in at.text)
    for bad in ('{"bmi": [1, 2]}', '{"nope": [null, 0]}', '{"bmi": 3}', "[1"):
        at = open_page("app.py", lim=bad)  # a link's problems are said on the page it opens
        assert not at.exception
        assert any("coefficient limits (lim) are not usable" in w.value.replace("\\", "") for w in at.warning), bad
        assert not at.session_state[state.PREP].get("limits")


@pytest.mark.parametrize("labels", [["c0", "c1", "c2", "c3", "c4", "c5"], [0, 1, 2, 3, 4, 5]])
def test_six_classes_take_limits_on_every_class_and_groups_give_way(labels):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(180, 3)), columns=["a", "b", "c"])
    frame["label"] = np.array(labels, dtype=object)[np.arange(180) % 6]
    prepared = reglab.preprocess(frame, "label", task="classification", coefficient_limits={"a": [0.0, None]})
    assert prepared.lower_limits == (0.0, -np.inf, -np.inf)
    path = reglab.path(prepared.X_train, prepared.y_train, "l1", family=prepared.datafit,
                       lower_limits=prepared.lower_limits, n_lambdas=20)
    assert path.kkt.max() <= 1e-8 and np.all(path.coefs[:, :, 0] >= 0.0)
    at = open_page("pages/1_data.py")
    at.segmented_control[0].set_value("upload").run()
    at.file_uploader[0].upload("six.csv", frame.to_csv(index=False).encode(), "text/csv").run()
    next(s for s in at.selectbox if s.label.startswith("Target")).set_value("label").run()
    next(s for s in at.segmented_control if s.label == "Task").set_value("classification").run()
    settings = dict(at.session_state[state.PREP])
    at.session_state[state.PREP] = {**settings, "limits": {"a": [0.0, None]}}
    at.switch_page("pages/2_explore.py").run()
    assert not at.exception and not at.error, [e.value for e in at.exception]
    two = frame.assign(label=np.where(frame["a"] > 0, "yes", "no"))
    bounded = reglab.preprocess(two, "label", task="classification", coefficient_limits={"b": [None, 0.0]},
                                group_categories=True)
    assert bounded.upper_limits == (np.inf, 0.0, np.inf)
    with pytest.raises(reglab.DataError, match="keep 0 allowed"):
        reglab.preprocess(two, "label", task="classification", coefficient_limits={"b": [0.5, None]})
