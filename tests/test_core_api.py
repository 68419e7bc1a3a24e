"""The public API's checked edges: penalties, predict, paths at any λ, weights, no intercept, fold ids."""

import numpy as np
import pandas as pd
import pytest

import reglab
from reglab.objective import Penalty, kkt_residual
from reglab.solvers import KKT_TOLERANCE

from conftest import make_problem, standardize


def test_penalty_is_a_checked_constructor():
    assert Penalty("l2").alpha == 0.0  # was silently a lasso (α defaulted to 1)
    assert Penalty("l1").alpha == 1.0
    assert Penalty("elasticnet", 0.3).alpha == 0.3
    for bad in [lambda: Penalty("l2", 0.5), lambda: Penalty("l1", 0.0), lambda: Penalty("elasticnet"),
                lambda: Penalty("elasticnet", 1.5), lambda: Penalty("elasticnet", float("nan")),
                lambda: Penalty("lasso2"), lambda: Penalty("elasticnet", "half")]:
        with pytest.raises(ValueError):
            bad()
    # a ridge built directly fits a ridge: every coefficient non-zero
    X, y, _ = make_problem(80, 6, seed=1)
    design = reglab.prepare(X, y)
    assert reglab.fitting.fit_design(design, Penalty("l2"), 1.0).n_nonzero == 6


def test_predict_matches_columns_by_name_and_refuses_a_wrong_width():
    X, y, _ = make_problem(60, 4, seed=2)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    f = reglab.fit(frame, y, penalty="l1", lam=0.05)
    expected = f.intercept + X @ f.coef
    np.testing.assert_allclose(f.predict(frame[["d", "c", "b", "a"]]), expected)  # reordered: same predictions
    np.testing.assert_allclose(f.predict(frame.assign(extra=1.0)), expected)
    np.testing.assert_allclose(f.predict(X), expected)
    with pytest.raises(reglab.DataError, match="missing 1 feature column.*'c'"):
        f.predict(frame.drop(columns="c"))
    with pytest.raises(reglab.DataError, match="fitted on 4 feature.*has 3 column"):
        f.predict(X[:, :3])
    with pytest.raises(reglab.DataError, match="not numeric"):
        f.predict(frame.assign(b="x"))


@pytest.mark.parametrize("penalty", ["l1", "elasticnet", "l2"])
def test_a_path_gives_the_exact_model_at_any_lambda(penalty):
    X, y, _ = make_problem(90, 8, rho=0.6, seed=3)
    p = reglab.path(X, y, penalty=penalty, l1_ratio=0.5, n_lambdas=30)
    on_grid = p.fit_at(p.lambdas[10])
    np.testing.assert_array_equal(on_grid.coef, p.coefs[10])
    between = np.sqrt(p.lambdas[10] * p.lambdas[11])
    off_grid = p.fit_at(between)
    direct = reglab.fit(X, y, penalty=penalty, l1_ratio=0.5, lam=between)
    assert off_grid.lam == between and off_grid.kkt <= KKT_TOLERANCE
    np.testing.assert_allclose(off_grid.coef, direct.coef, rtol=1e-6, atol=1e-6 * np.abs(direct.coef).max())
    np.testing.assert_allclose(p.predict(X, between), direct.predict(X), rtol=1e-6)
    assert p.predict(X).shape == (len(p.lambdas), 90)
    assert p.predict(X, [p.lambdas[0], between]).shape == (2, 90)
    with pytest.raises(reglab.DataError):
        p.fit_at(-1.0)


def test_weights_mean_what_glmnet_means():
    X, y, _ = make_problem(70, 5, seed=4)
    rng = np.random.default_rng(0)
    w = rng.uniform(0.5, 2.0, 70)
    plain = reglab.fit(X, y, penalty="elasticnet", lam=0.1)
    np.testing.assert_allclose(reglab.fit(X, y, penalty="elasticnet", lam=0.1, weights=np.full(70, 3.0)).coef,
                               plain.coef, rtol=1e-9, atol=1e-12)  # equal weights: the unweighted model
    weighted = reglab.fit(X, y, penalty="elasticnet", lam=0.1, weights=w)
    np.testing.assert_allclose(reglab.fit(X, y, penalty="elasticnet", lam=0.1, weights=7 * w).coef, weighted.coef,
                               rtol=1e-9, atol=1e-12)  # only relative weights matter
    # an integer weight is that many copies of the row (glmnet: weights normalized to sum to n)
    counts = rng.integers(0, 3, 70)
    counts[:2] = 1
    rows = np.repeat(np.arange(70), counts)
    copied = reglab.fit(X[rows], y[rows], penalty="l1", lam=0.05)
    counted = reglab.fit(X, y, penalty="l1", lam=0.05, weights=counts)
    np.testing.assert_allclose(counted.coef, copied.coef, rtol=1e-7, atol=1e-9)
    assert counted.intercept == pytest.approx(copied.intercept, rel=1e-7)
    for bad, message in [(w[:5], "5 observation weights for 70 rows"), (-w, "≥ 0"), (np.zeros(70), "At least 2"),
                         (np.where(np.arange(70) == 3, np.nan, w), "finite")]:
        with pytest.raises(reglab.DataError, match=message):
            reglab.fit(X, y, weights=bad)


@pytest.mark.parametrize("penalty", ["l1", "elasticnet", "l2"])
def test_no_intercept_solves_the_objective_without_b(penalty):
    X, y, _ = make_problem(60, 5, seed=5)
    X = X + 2.0
    y = y + 5.0
    f = reglab.fit(X, y, penalty=penalty, l1_ratio=0.5, lam=0.05, intercept=False)
    assert f.intercept == 0.0 and not f.fit_intercept
    np.testing.assert_allclose(f.predict(X), X @ f.coef)
    # the KKT conditions of 1/(2n)‖y − Zw‖² + λP(w), Z scaled by the centered sd, without b:
    Z = X / X.std(axis=0)
    w = f.coef * X.std(axis=0)
    grad = -(Z.T @ (y - Z @ w)) / 60
    pen = Penalty.of(penalty, 0.5)
    assert pen.subdiff_distance(w, grad, 0.05).max() <= KKT_TOLERANCE * f.lambda_max


def test_fold_ids_and_fold_weighting():
    X, y, _ = make_problem(50, 4, seed=6)
    foldid = np.arange(50) % 3  # folds of 17, 17 and 16 rows
    cv = reglab.cross_validate(X, y, foldid=foldid)
    assert cv.folds == 3 and list(cv.fold_sizes) == [17, 17, 16]
    sizes = np.array([17, 17, 16.0])
    np.testing.assert_allclose(cv.mean_error, sizes @ cv.fold_errors / 50)
    equal = reglab.cross_validate(X, y, foldid=foldid, fold_weighting="equal")
    np.testing.assert_allclose(equal.mean_error, cv.fold_errors.mean(axis=0))
    np.testing.assert_allclose(equal.se, cv.fold_errors.std(axis=0, ddof=1) / np.sqrt(3))
    assert cv.fit_1se().lam == cv.lambda_1se
    for bad, message in [(foldid[:10], "10 labels for 50 rows"), (np.zeros(50), "at least 2 folds")]:
        with pytest.raises(reglab.DataError, match=message):
            reglab.cross_validate(X, y, foldid=bad)


def test_kkt_helper_agrees_with_the_intercept_model():
    X, y, _ = make_problem(40, 3, seed=7)
    f = reglab.fit(X, y, penalty="l1", lam=0.02)
    Z = standardize(X)
    b = f.intercept + f.coef @ X.mean(axis=0)
    assert kkt_residual(Z, y, b, f.weights, 0.02, Penalty("l1")) <= KKT_TOLERANCE * f.lambda_max


def test_the_model_spec_checks_family_and_penalty_once_and_the_kkt_check_uses_the_datafit():
    from reglab.objective import LeastSquares, ModelSpec

    spec = ModelSpec.of("elasticnet", 0.3, family="Gaussian", intercept=False)
    assert isinstance(spec.datafit, LeastSquares) and spec.penalty.alpha == 0.3 and not spec.intercept
    with pytest.raises(ValueError, match="family 'gamma'"):  # a family glmnet has and this package does not
        reglab.fit(*make_problem(30, 3, seed=8)[:2], family="gamma")
    # a continuous target is not a two-class one: said plainly, with the way out
    with pytest.raises(reglab.DataError, match="exactly two classes.*regression"):
        reglab.fit(*make_problem(30, 3, seed=8)[:2], family="binomial")
    with pytest.raises(ValueError, match="l1_ratio"):
        ModelSpec.of("elasticnet", 2.0)
    # weighted KKT through the datafit's gradient: c-weighted residuals, intercept condition Σg = 0
    X, y, _ = make_problem(60, 4, seed=9)
    c = np.random.default_rng(1).uniform(0.2, 2.0, 60)
    f = reglab.fit(X, y, penalty="l1", lam=0.05, weights=c)
    mean = c @ X / c.sum()
    sd = np.sqrt(c @ (X - mean) ** 2 / c.sum())
    Z = (X - mean) / sd
    b = f.intercept + f.coef @ mean
    residual = kkt_residual(Z, y, b, f.coef * sd, 0.05, Penalty("l1"), LeastSquares(), c)
    assert residual <= KKT_TOLERANCE * f.lambda_max
    assert kkt_residual(Z, y, b, f.coef * sd, 0.05, Penalty("l1")) > 1e3 * residual  # unweighted: not optimal
