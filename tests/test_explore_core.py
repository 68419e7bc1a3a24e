"""Explore's core: bias–variance identity, degrees of freedom, support recovery, exports, snippets."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import reglab
from reglab import biasvariance
from reglab.data import make_polynomial, make_sparse_linear
from reglab.diagnostics import effective_df, error_curves, support_recovery
from reglab.export import neutralize, safe_csv
from reglab.objective import Penalty
from reglab.reproduce import python_snippet, translate

from conftest import make_problem, standardize


def sparse_setup(n=80, p=8):
    data = make_sparse_linear(n=n, p=p, n_informative=3, noise_sd=1.0, rho=0.3, seed=5)
    X, y = data.frame[data.feature_names].to_numpy(), data.frame["y"].to_numpy()
    return data, X, y


@pytest.mark.parametrize("penalty", ["l2", "l1"])
def test_known_truth_decomposition_sums_to_the_measured_test_error(penalty):
    data, X, y = sparse_setup()
    grid = reglab.path(X, y, penalty=penalty, n_lambdas=12).lambdas
    bv = biasvariance.for_synthetic(data, data.feature_names, 80, Penalty.of(penalty), grid, repeats=15)
    np.testing.assert_allclose(bv.bias_sq + bv.variance + bv.noise, bv.test_error, rtol=1e-8, atol=1e-12)
    assert bv.noise == pytest.approx(1.0)
    # The Monte-Carlo test error on noisy targets agrees in expectation only.
    np.testing.assert_allclose(bv.simulated_test_error, bv.test_error, rtol=0.25)


def test_ridge_variance_falls_and_bias_rises_with_lambda():
    data = make_polynomial(n=30, degree=9, noise_sd=0.3, seed=0)
    ridge = Penalty.of("l2")
    # End to end over seven decades: the big picture of the trade-off.
    wide = biasvariance.for_synthetic(data, data.feature_names, 30, ridge, np.geomspace(10.0, 1e-5, 7), repeats=40)
    assert wide.variance[0] < wide.variance[-1] / 10 and wide.bias_sq[0] > wide.bias_sq[-1] * 10
    # Step by step where λ trades flexibility (1e-3 … 1e-1). Outside it the fit is either the
    # intercept alone (λ ≳ 1: variance flat) or at the polynomial's approximation floor
    # (λ ≲ 1e-3: bias² ≈ 0.001), where neighbouring values tie within Monte-Carlo noise.
    mid = biasvariance.for_synthetic(data, data.feature_names, 30, ridge, np.geomspace(0.1, 1e-3, 3), repeats=40)
    # grids are stored decreasing: along them λ falls, so variance rises and bias² falls
    assert np.all(np.diff(mid.variance) > 0)
    assert np.all(np.diff(mid.bias_sq) < 0)


def test_real_data_estimate_never_labels_anything_bias_alone():
    X, y, _ = make_problem(120, 6, seed=1)
    grid = reglab.path(X[:90], y[:90], penalty="l1", n_lambdas=10).lambdas
    bv = biasvariance.bootstrap(X[:90], y[:90], X[90:], y[90:], Penalty.of("l1"), grid, repeats=10, seed=3)
    assert bv.bias_sq is None and bv.noise is None
    labels = set(bv.to_frame()["component"])
    assert not any(label.startswith("bias²") and "noise" not in label for label in labels)
    assert any("bias² + noise" in label for label in labels)
    np.testing.assert_allclose(bv.bias_sq_plus_noise + bv.variance, bv.test_error, rtol=1e-10)
    again = biasvariance.bootstrap(X[:90], y[:90], X[90:], y[90:], Penalty.of("l1"), grid, repeats=10, seed=3)
    np.testing.assert_array_equal(bv.variance, again.variance)


def test_ridge_df_is_the_trace_of_the_hat_matrix_and_lasso_df_the_nonzero_count():
    X, y, _ = make_problem(60, 7, rho=0.4, seed=2)
    design = reglab.prepare(X, y)
    Z = standardize(X)
    lam = 0.3
    fit = reglab.fitting.fit_design(design, Penalty.of("l2"), lam)
    hat = Z @ np.linalg.solve(Z.T @ Z + 60 * lam * np.eye(7), Z.T)
    assert effective_df(design, Penalty.of("l2"), lam, fit.weights) == pytest.approx(np.trace(hat), rel=1e-10)
    lasso = reglab.fitting.fit_design(design, Penalty.of("l1"), 0.2 * reglab.lambda_grid(design, Penalty.of("l1"))[0])
    assert effective_df(design, Penalty.of("l1"), lasso.lam, lasso.weights) == lasso.n_nonzero


def test_support_recovery_counts_true_and_false_positives():
    data, X, y = sparse_setup(n=400, p=8)
    path = reglab.path(X, y, penalty="l1", n_lambdas=30)
    rec = support_recovery(path, data.truth.coef)
    assert rec.tpr[0] == 0 and rec.fpr[0] == 0  # λ_max: nothing selected
    assert rec.tpr[-1] == 1.0  # small λ: every true feature in
    i = np.argmax(rec.tpr == 1.0)
    assert rec.fpr[i] <= 0.4  # the true features enter first on this easy problem
    assert rec.coef_error[-1] < rec.coef_error[0]


def test_validation_curve_training_error_falls_as_lambda_falls():
    X, y, _ = make_problem(100, 6, seed=4)
    path = reglab.path(X[:70], y[:70], penalty="l2", n_lambdas=20)
    curves = error_curves(path, X[:70], y[:70], X[70:], y[70:])
    train = curves[curves["component"].str.startswith("training")]["value"].to_numpy()
    assert np.all(np.diff(train) <= 1e-9 * train.max())
    assert set(curves["component"]) == {"training error (MSE)", "test error (MSE)"}


@pytest.mark.parametrize("cell, safe", [("=1+1", "'=1+1"), ("+cmd", "'+cmd"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
                                        ("plain", "plain"), (3.5, 3.5)])
def test_spreadsheet_formulas_are_neutralized(cell, safe):
    assert neutralize(cell) == safe


def test_safe_csv_neutralizes_headers_and_cells_but_keeps_numbers():
    text = safe_csv(pd.DataFrame({"=x": ["=1+1", "ok"], "v": [-1.5, 2.0]})).decode("utf-8-sig")
    assert text.splitlines() == ["'=x,v", "'=1+1,-1.5", "ok,2.0"]


def test_translation_maps_ridge_alpha_to_n_lambda_and_glmnet_through_sd_y():
    unit_sd = np.tile([-1.0, 1.0], 100)  # n = 200, population sd exactly 1
    ridge = translate(Penalty.of("l2"), 0.5, unit_sd)
    assert ridge.sklearn.startswith("Ridge(alpha=100")
    assert translate(Penalty.of("l1"), 0.5, unit_sd).sklearn == "Lasso(alpha=0.5)"
    enet = translate(Penalty.of("elasticnet", 0.3), 0.5, unit_sd)
    assert enet.sklearn == "ElasticNet(alpha=0.5, l1_ratio=0.3)" and "alpha = 0.3, lambda = 0.5" in enet.glmnet
    assert "regParam=0.5, elasticNetParam=0.3" in enet.spark
    # sd(y) = 4: glmnet's ridge part is weighed against y/4, so its (λ, α) move (solvers.md's inverse:
    # λ = λ_g·(α_g + (1−α_g)/s), α = α_g/(α_g + (1−α_g)/s)).
    wide = 4.0 * unit_sd
    lam_g, a_g = 0.5 * (4 * 0.7 + 0.3), 0.3 / (4 * 0.7 + 0.3)
    assert lam_g * (a_g + (1 - a_g) / 4) == pytest.approx(0.5) and a_g / (a_g + (1 - a_g) / 4) == pytest.approx(0.3)
    assert f"alpha = {a_g:.6g}, lambda = {lam_g:.6g}" in translate(Penalty.of("elasticnet", 0.3), 0.5, wide).glmnet
    assert "alpha = 0, lambda = 2," in translate(Penalty.of("l2"), 0.5, wide).glmnet
    assert "alpha = 1, lambda = 0.5," in translate(Penalty.of("l1"), 0.5, wide).glmnet


@pytest.mark.parametrize("penalty, ratio, standardize_on", [("l1", 1.0, True), ("elasticnet", 0.4, True),
                                                             ("l2", 0.0, True), ("l1", 1.0, False)])
def test_generated_python_snippet_reproduces_the_coefficients(tmp_path, penalty, ratio, standardize_on):
    data = reglab.load_builtin("diabetes")
    prepared = reglab.preprocess(data.frame, data.target, test_size=0.25, seed=0)
    pen = Penalty.of(penalty, ratio)
    design = reglab.prepare(prepared.X_train, prepared.y_train, standardize_on, prepared.feature_names)
    lam = 0.05 * reglab.lambda_grid(design, pen)[0]
    fit = reglab.fitting.fit_design(design, pen, lam)
    (tmp_path / "reglab_training_data.csv").write_bytes(safe_csv(prepared.training_frame()))
    script = python_snippet(pen, lam, prepared.feature_names, prepared.target, "reglab_training_data.csv", standardize_on)
    (tmp_path / "refit.py").write_text(script)
    run = subprocess.run([sys.executable, "refit.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    printed = dict(line.rsplit(" ", 1) for line in out.strip().splitlines())
    assert float(printed.pop("intercept")) == pytest.approx(fit.intercept, rel=1e-6, abs=1e-6)
    shown = np.array([float(printed[name]) for name in prepared.feature_names])
    np.testing.assert_allclose(shown, fit.coef, rtol=1e-6, atol=1e-6 * np.abs(fit.coef).max())


def test_known_truth_error_matches_an_independent_fit_on_fresh_data():
    # A fit on one training draw, scored on many fresh test rows of the same model, must have
    # a test error of the size the decomposition reports at that λ (not a different model's).
    data, X, y = sparse_setup(n=200, p=8)
    pen = Penalty.of("l1")
    grid = reglab.path(X, y, penalty="l1", n_lambdas=10).lambdas
    bv = biasvariance.for_synthetic(data, data.feature_names, 200, pen, grid, repeats=20)
    fresh = reglab.make_synthetic("sparse", draw=7, **{**data.params, "n": 20_000})
    fit = reglab.fit(X, y, penalty="l1", lam=grid[5])
    error = np.mean((fresh.frame["y"] - fit.predict(fresh.frame[data.feature_names])) ** 2)
    assert error == pytest.approx(bv.test_error[5], rel=0.2)


def test_bootstrap_test_error_is_the_average_mse_of_independent_refits_on_each_resample():
    """Resample r is row indices ``default_rng(seed).integers(0, n, n)`` (the r-th draw); each replicate's
    test MSE, refitted by a scikit-learn pipeline on the copied rows, averages to ``test_error``."""
    from sklearn.linear_model import Lasso
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y, _ = make_problem(120, 6, rho=0.5, seed=4)
    X_tr, y_tr, X_te, y_te = X[:90], y[:90], X[90:], y[90:]
    grid = reglab.path(X_tr, y_tr, penalty="l1", n_lambdas=6).lambdas[1:]
    bv = biasvariance.bootstrap(X_tr, y_tr, X_te, y_te, Penalty.of("l1"), grid, repeats=8, seed=5)
    rng = np.random.default_rng(5)
    resamples = [rng.integers(0, 90, 90) for _ in range(8)]
    for i, lam in enumerate(bv.lambdas):
        mses = [np.mean((y_te - make_pipeline(StandardScaler(), Lasso(alpha=lam, tol=1e-12, max_iter=100_000))
                          .fit(X_tr[rows], y_tr[rows]).predict(X_te)) ** 2) for rows in resamples]
        assert bv.test_error[i] == pytest.approx(np.mean(mses), rel=1e-6)
