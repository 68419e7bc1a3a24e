"""Poisson regression (counts) through the app: the Data page's task rule, Explore's tabs, the
translator and the generated R script run for real, the KKT check of the stated objective."""

from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest

from conftest import each_explore_tab, open_page

import reglab
import reglab.biasvariance
import reglab.ui.state
from reglab.objective import kkt_residual
from reglab.preprocess import guess_task, preprocess
from reglab.reproduce import poisson_r_snippet, relaxed_r_snippet


def count_table(n: int = 240, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 4))
    frame = pd.DataFrame(X * [1.0, 3.0, 0.5, 2.0] + [0.0, 10.0, -1.0, 4.0], columns=["age", "traffic", "rain", "slope"])
    frame["accidents"] = rng.poisson(np.exp(0.8 + 0.5 * X[:, 0] - 0.3 * X[:, 1]))
    return frame


def test_whole_numbers_with_zeros_are_counts_and_others_are_not():
    counts = count_table()["accidents"]
    assert counts.nunique() > 10 or counts.value_counts().min() < 7  # not the class rule's case
    assert guess_task(counts) == "counts"
    assert guess_task(counts + 1) == "regression"  # no zero: e.g. a size or a score
    assert guess_task(counts + 0.5) == "regression"
    assert guess_task(pd.Series([0, 1] * 20)) == "classification"


@pytest.mark.parametrize("values, words", [([-1, 0, 2, 3] * 10, "negative values"), ([0, 1.5, 2, 3] * 10, "fractions"),
                                           ([0] * 40, "Every value")])
def test_a_count_task_on_other_numbers_gets_a_clear_word(values, words):
    frame = pd.DataFrame({"x": np.arange(40.0), "y": values})
    with pytest.raises(reglab.DataError, match=words):
        preprocess(frame, "y", ["x"], task="counts")


def test_poisson_fit_meets_the_kkt_standard_of_the_stated_objective():
    frame = count_table()
    X, y = frame[["age", "traffic", "rain", "slope"]].to_numpy(), frame["accidents"].to_numpy(dtype=float)
    offset = np.log(np.linspace(0.5, 2.0, len(y)))
    for penalty in ("l1", "elasticnet", "l2"):
        fit = reglab.fit(X, y, penalty, lam=0.02, family="poisson", offset=offset)
        design = reglab.prepare(X, y, family="poisson", offset=offset)
        w = design.to_solver_scale(fit.coef)
        b = fit.intercept + fit.coef @ design.x_mean  # the solver's intercept on centred features
        residual = kkt_residual(design.Zt.T, y, b + offset, w, 0.02, design_penalty(penalty), reglab.objective.Poisson())
        assert residual <= 1e-8 * design.lambda_max(design_penalty(penalty)), penalty
        assert np.all(fit.predict(X, offset) > 0)


def design_penalty(name: str) -> reglab.Penalty:
    return reglab.Penalty.of(name, 0.5)


def uploaded_counts_explore():
    at = open_page("pages/1_data.py")
    at.segmented_control[0].set_value("upload").run()
    at.file_uploader[0].upload("counts.csv", count_table().to_csv(index=False).encode(), "text/csv").run()
    target = next(s for s in at.selectbox if s.label.startswith("Target"))
    if target.value != "accidents":
        target.set_value("accidents").run()
    assert next(s for s in at.segmented_control if s.label == "Task").value == "counts"
    assert not at.exception and not at.error, [e.value for e in at.error]
    at.switch_page("pages/2_explore.py").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    return at


def test_a_count_csv_is_a_poisson_model_on_every_explore_tab():
    at = uploaded_counts_explore()
    assert any("Poisson regression" in c.value and "expected count" in c.value for c in at.caption)
    seen_measures = seen_counts = seen_relaxed = seen_code = False
    for label in each_explore_tab(at):
        assert not at.exception, (label, at.exception)
        assert not at.error, (label, [e.value for e in at.error])
        if "Counts" in label:  # predicted against observed counts, binned
            assert any("mean observed count of accidents" in chart.proto.spec for chart in at.get("vega_lite_chart"))
            seen_counts = True
        measures = [s for s in at.segmented_control if s.label == "CV measure"]
        if measures:  # cv.glmnet's three measures for counts, the deviance first
            assert list(measures[0].options) == ["deviance", "mean squared error", "mean absolute error"]
            seen_measures = True
        if "Relaxed" in label:  # glmnet's relax = TRUE for counts: the blend's test deviance and its R script
            assert any(m.label.startswith("Test deviance") for m in at.metric)
            assert any('family = "poisson"' in c.value and "relax = TRUE" in c.value for c in at.code)
            seen_relaxed = True
        if "Reproduce" in label:
            code = "\n".join(c.value for c in at.code)
            assert 'family = "poisson"' in code and "PoissonRegressor" in code
            seen_code = True
    assert seen_measures and seen_counts and seen_relaxed and seen_code


def assert_script_prints(tmp_path, script: str, fit) -> None:
    """Run a generated R script for real: it prints β₀ and the four β (a coefficient of exactly 0 as
    ``0``), which equal ``fit``'s to 1e-6."""
    (tmp_path / "script.R").write_text(script)
    run = subprocess.run(["Rscript", "script.R"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    printed = [float(v) for v in re.findall(r"-?\d+\.\d+(?:e[-+]?\d+)?|(?<![\w.])0(?![\w.])", run.stdout)]
    assert len(printed) == 5, run.stdout
    np.testing.assert_allclose(printed[1:], fit.coef, rtol=1e-6, atol=1e-6 * np.abs(fit.coef).max())
    assert printed[0] == pytest.approx(fit.intercept, rel=1e-6)


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="needs R (installed by .ci/run)")
def test_the_generated_r_script_reproduces_the_poisson_fit(tmp_path):
    frame = count_table()
    names = ("age", "traffic", "rain", "slope")
    frame.to_csv(tmp_path / "counts.csv", index=False)
    X, y = frame[list(names)].to_numpy(), frame["accidents"].to_numpy(dtype=float)
    for penalty, ratio in (("l1", 1.0), ("elasticnet", 0.5)):
        path = reglab.path(X, y, penalty, l1_ratio=ratio, family="poisson", feature_names=names)
        lam = float(path.lambdas[-1])
        fit = path.fit_at(lam)
        script = poisson_r_snippet(reglab.Penalty.of(penalty, ratio), lam, names, "accidents",
                                                    "counts.csv", lambda_start=path.lambdas[0])
        assert_script_prints(tmp_path, script, fit)


def test_a_count_model_saves_a_scenario_and_compares_three_penalties():
    at = uploaded_counts_explore()
    next(b for b in at.button if b.label.startswith("Save this fit")).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    saved = at.session_state[reglab.ui.state.SCENARIOS]
    assert set(saved[-1].coefficients) == {"age", "traffic", "rain", "slope"}
    at.switch_page("pages/3_compare.py").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    table = at.dataframe[0].value
    assert len(table) == 3 and "test deviance" in table.columns  # counts are scored by their deviance
    assert at.get("vega_lite_chart")


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="needs R (installed by .ci/run)")
def test_the_relaxed_r_script_reproduces_the_relaxed_poisson_blend(tmp_path):
    frame = count_table()
    names = ("age", "traffic", "rain", "slope")
    frame.to_csv(tmp_path / "counts.csv", index=False)
    X, y = frame[list(names)].to_numpy(), frame["accidents"].to_numpy(dtype=float)
    path = reglab.path(X, y, "l1", family="poisson", feature_names=names)
    lam, gamma = float(path.lambdas[30]), 0.25
    blend = reglab.fit(X, y, "l1", lam, family="poisson", feature_names=names, relax=True, gamma=gamma)
    script = relaxed_r_snippet(reglab.Penalty.of("l1"), lam, gamma, names, "accidents", "counts.csv",
                                                counts_from=path.lambdas[0])
    assert_script_prints(tmp_path, script, blend)


def test_synthetic_counts_keep_their_truth_and_the_bias_variance_identity_holds():
    data = reglab.make_synthetic("counts", n=400, p=10, k=3, seed=2)
    assert data.task == "counts" and data.truth.family == "poisson" and guess_task(data.frame["y"]) == "counts"
    again = reglab.make_synthetic("counts", n=400, p=10, k=3, seed=2, draw=3)
    np.testing.assert_array_equal(data.truth.coef, again.truth.coef)  # another draw, the same model
    assert not data.frame.equals(again.frame)
    big = reglab.make_synthetic("counts", n=40_000, p=10, k=3, seed=2)
    fit = reglab.path(big.frame[big.feature_names], big.frame["y"], "l1", family="poisson",
                      lambdas=[1e-4]).fit_at(1e-4)
    np.testing.assert_allclose(fit.coef, big.truth.coef, atol=0.03)  # the MLE finds the generating model
    bv = reglab.biasvariance.for_synthetic(data, data.feature_names, 200, reglab.Penalty.of("l1"),
                                           np.geomspace(0.3, 0.003, 6), repeats=8)
    np.testing.assert_allclose(bv.decomposed_total, bv.test_error, rtol=1e-10)  # bias² + variance + noise
    # the noise of counts is their Poisson variance, the mean true count at the test points (draw 1,000,000)
    test = reglab.make_synthetic("counts", n=500, p=10, k=3, seed=2, draw=1_000_000).frame
    assert bv.labels["noise"] == "noise μ"
    assert bv.noise == pytest.approx(data.truth.mean_response(test, data.feature_names).mean(), rel=1e-12)


def test_a_link_to_synthetic_counts_opens_a_poisson_model_on_every_tab():
    at = open_page("pages/2_explore.py", dataset="counts", n="300", p="8", k="3", seed="1", penalty="elasticnet")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("Poisson regression" in c.value for c in at.caption)
    labels = []
    for label in each_explore_tab(at):
        assert not at.exception and not at.error, (label, [e.value for e in at.error])
        labels.append(label)
        if "Bias" in label:  # the exact decomposition against the known model
            assert any("Exact decomposition" in c.value and "Poisson variance μ" in c.value for c in at.caption)
    assert any("Truth" in label for label in labels) and any("Counts" in label for label in labels)


def test_a_bad_offset_is_named_when_fitting_and_when_predicting():
    frame = count_table()
    X, y = frame[["age", "traffic", "rain", "slope"]].to_numpy(), frame["accidents"].to_numpy(dtype=float)
    with pytest.raises(reglab.DataError, match="offset has 3 values for 240 rows"):
        reglab.fit(X, y, "l1", 0.05, family="poisson", offset=[0.0, 1.0, 2.0])
    with pytest.raises(reglab.DataError, match="offset values must be finite"):
        reglab.fit(X, y, "l1", 0.05, family="poisson", offset=np.where(np.arange(len(y)) == 7, np.nan, 0.0))
    fit = reglab.fit(X, y, "l1", 0.05, family="poisson", offset=np.zeros(len(y)))
    with pytest.raises(reglab.DataError, match="offset has 2 values for 5 rows"):
        fit.predict(X[:5], offset=[0.0, 0.0])
    with pytest.raises(ValueError, match="offset is offered for Poisson regression"):
        reglab.fit(X, y, "l1", 0.05, offset=np.zeros(len(y)))  # least squares has none


def test_many_informative_features_keep_the_generated_counts_moderate():
    # 500 informative coefficients once gave counts of 10¹²; the linear predictor's sd is capped at 1.5
    data = reglab.make_synthetic("counts", n=2000, p=500, k=500)
    eta = np.log(data.truth.mean_response(data.frame, data.feature_names))
    assert eta.std() < 2.0 and data.frame["y"].max() < 1_000
    assert np.count_nonzero(data.truth.coef) == 500
