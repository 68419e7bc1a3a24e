"""The information criteria beside the CV curve (AppTest): the λ each picks is reglab's on the same rows,
its button moves λ there; a count model and a wide table get their own words; no exception."""

import numpy as np
import pandas as pd
import pytest
from conftest import open_page

import reglab
from reglab.ui import state


def cv_tab(at):
    at.session_state[state.EXPLORE_TAB] = next(t.label for t in at.tabs if "Cross-validation" in t.label)
    return at.run()


def test_the_criteria_buttons_move_lambda_to_the_criteria_minimum():
    at = cv_tab(open_page("pages/2_explore.py", penalty="elasticnet"))
    assert not at.exception and not at.error
    data = reglab.load_builtin("diabetes")
    prepared = reglab.preprocess(data.frame, data.target, test_size=0.25, seed=0)
    path = reglab.path(prepared.X_train, prepared.y_train, "elasticnet", l1_ratio=0.5)
    criteria = reglab.information_criteria(path, prepared.X_train, prepared.y_train)
    assert criteria.shown == ("aic", "bic")  # 10 features, 331 rows: no extended BIC
    for name, label in (("aic", "AIC"), ("bic", "BIC")):
        button = next(b for b in at.button if b.label.startswith(f"λ by {label}"))
        button.click().run()
        assert not at.exception
        assert at.session_state[state.LAMBDA] == pytest.approx(criteria.lambda_of(name), rel=1e-12)
    assert any("σ² = " in c.value and "least-squares fit on all 10 features" in c.value for c in at.caption)


def upload(at, name, frame):
    at.segmented_control[0].set_value("upload").run()
    at.file_uploader[0].upload(name, frame.to_csv(index=False).encode(), "text/csv").run()


def test_a_wide_table_says_sigma_is_needed_and_counts_and_classes_get_their_deviance():
    rng = np.random.default_rng(1)
    wide = pd.DataFrame(rng.normal(size=(40, 60)), columns=[f"g{j}" for j in range(60)])
    wide["y"] = wide["g0"] * 2 + rng.normal(size=40)
    at = open_page("pages/1_data.py")
    upload(at, "wide.csv", wide)
    at.switch_page("pages/2_explore.py").run()
    cv_tab(at)
    assert not at.exception and not at.error
    assert any("noise variance cannot be estimated" in c.value for c in at.caption)

    frame = pd.DataFrame(rng.normal(size=(200, 3)), columns=["a", "b", "c"])
    frame["events"] = rng.poisson(np.exp(0.5 + 0.6 * frame["a"]))
    at = open_page("pages/1_data.py")
    upload(at, "events.csv", frame)
    next(s for s in at.selectbox if s.label.startswith("Target")).set_value("events").run()
    at.switch_page("pages/2_explore.py").run()
    cv_tab(at)
    assert not at.exception and not at.error
    assert any("Poisson regression deviance" in c.value for c in at.caption)
    assert any(b.label.startswith("λ by BIC") for b in at.button)

    for labels in (["no", "yes"], ["c0", "c1", "c2", "c3", "c4", "c5"], [0, 1], [0, 1, 2, 3, 4, 5]):
        classes = pd.DataFrame(rng.normal(size=(240, 3)), columns=["a", "b", "c"])
        classes["label"] = np.array(labels, dtype=object)[np.arange(240) % len(labels)]
        at = open_page("pages/1_data.py")
        upload(at, "classes.csv", classes)
        next(s for s in at.selectbox if s.label.startswith("Target")).set_value("label").run()
        next(s for s in at.segmented_control if s.label == "Task").set_value("classification").run()
        at.switch_page("pages/2_explore.py").run()
        cv_tab(at)
        assert not at.exception and not at.error, labels
        assert any("deviance" in c.value and "AIC" in c.value for c in at.caption), labels
