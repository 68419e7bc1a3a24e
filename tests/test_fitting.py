"""reglab.fit / reglab.path: optimality (KKT) and agreement with scikit-learn at the mapped parameters."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import ElasticNet, Lasso, Ridge

import reglab
from reglab.solvers import KKT_TOLERANCE
from reglab.objective import Penalty, kkt_residual, lambda_max

from conftest import make_problem, standardize


def objective_coordinates(f: reglab.Fit, X: np.ndarray, standardize_on: bool):
    """Rebuild (Z, b, w) of the stated objective from an original-scale fit, independently of reglab."""
    if standardize_on:
        sd = X.std(axis=0)
        Z = standardize(X)
        w = f.coef * np.where(sd > 0, sd, 0.0)
    else:
        Z, w = X, f.coef
    b = float(np.mean(f.predict(X) - Z @ w))
    return Z, b, w


@settings(max_examples=60)
@given(
    shape=st.sampled_from([(80, 5), (200, 12), (25, 40), (12, 30)]),
    rho=st.sampled_from([0.0, 0.6, 0.95]),
    constant_column=st.booleans(),
    standardize_on=st.booleans(),
    penalty=st.sampled_from(["l1", "l2", "elasticnet"]),
    l1_ratio=st.sampled_from([0.1, 0.5, 0.9]),
    lam_fraction=st.sampled_from([1.0, 0.5, 0.1, 1e-2, 1e-3]),
    seed=st.integers(0, 10_000),
)
def test_fit_satisfies_kkt_of_the_stated_objective(shape, rho, constant_column, standardize_on, penalty, l1_ratio, lam_fraction, seed):
    n, p = shape
    X, y, _ = make_problem(n, p, rho=rho, seed=seed)
    if constant_column:
        X[:, p // 2] = 3.25
    pen = Penalty.of(penalty, l1_ratio)
    Z_check = standardize(X) if standardize_on else X
    lmax = lambda_max(Z_check, y, pen)
    lam = lam_fraction * lmax
    f = reglab.fit(X, y, penalty=penalty, lam=lam, l1_ratio=l1_ratio, standardize=standardize_on)
    Z, b, w = objective_coordinates(f, X, standardize_on)
    assert kkt_residual(Z, y, b, w, lam, pen) <= KKT_TOLERANCE * lmax
    assert f.kkt <= KKT_TOLERANCE
    if constant_column:
        assert f.coef.shape == (p,) and f.coef[p // 2] == 0.0


@pytest.mark.parametrize("rho", [0.0, 0.9])
@pytest.mark.parametrize("lam_fraction", [0.5, 0.05, 0.005])
@pytest.mark.parametrize("penalty, l1_ratio", [("l1", 1.0), ("elasticnet", 0.3), ("elasticnet", 0.8)])
def test_lasso_and_enet_agree_with_sklearn_at_alpha_equal_lambda(penalty, l1_ratio, lam_fraction, rho):
    X, y, _ = make_problem(150, 20, rho=rho, seed=7)
    Z = standardize(X)
    pen = Penalty.of(penalty, l1_ratio)
    lam = lam_fraction * lambda_max(Z, y, pen)
    ours = reglab.fit(Z, y, penalty=penalty, lam=lam, l1_ratio=l1_ratio, standardize=False)
    theirs = (Lasso(alpha=lam, tol=1e-12, max_iter=200_000) if penalty == "l1"
              else ElasticNet(alpha=lam, l1_ratio=l1_ratio, tol=1e-12, max_iter=200_000)).fit(Z, y)
    scale = np.abs(theirs.coef_).max()
    np.testing.assert_allclose(ours.coef, theirs.coef_, atol=1e-4 * scale, rtol=0)
    assert ours.intercept == pytest.approx(theirs.intercept_, abs=1e-4 * scale)


@pytest.mark.parametrize("shape", [(150, 20), (30, 60)])
@pytest.mark.parametrize("lam", [10.0, 0.3, 1e-3])
def test_ridge_agrees_with_sklearn_ridge_at_alpha_n_lambda(shape, lam):
    n, p = shape
    X, y, _ = make_problem(n, p, rho=0.5, seed=11)
    Z = standardize(X)
    ours = reglab.fit(Z, y, penalty="l2", lam=lam, standardize=False)
    theirs = Ridge(alpha=n * lam, solver="svd").fit(Z, y)
    scale = np.abs(theirs.coef_).max()
    np.testing.assert_allclose(ours.coef, theirs.coef_, atol=1e-10 * scale, rtol=0)


@pytest.mark.parametrize("shape", [(120, 15), (25, 50)])
def test_l2_path_equals_independent_ridge_fits_at_every_lambda(shape):
    n, p = shape
    X, y, _ = make_problem(n, p, rho=0.7, seed=5)
    Z = standardize(X)
    p_ridge = reglab.path(X, y, penalty="l2", n_lambdas=30)
    for lam, coef_std in zip(p_ridge.lambdas, p_ridge.weights):
        theirs = Ridge(alpha=n * lam, solver="svd").fit(Z, y)
        np.testing.assert_allclose(coef_std, theirs.coef_, atol=1e-10 * np.abs(theirs.coef_).max(), rtol=0)


@pytest.mark.parametrize("penalty", ["l1", "elasticnet"])
def test_every_coefficient_is_zero_at_lambda_max_and_not_below(penalty):
    X, y, _ = make_problem(100, 8, seed=2)
    p_ = reglab.path(X, y, penalty=penalty, l1_ratio=0.5, n_lambdas=20)
    assert p_.lambdas[0] == pytest.approx(p_.lambda_max)
    assert np.all(p_.coefs[0] == 0.0)
    below = reglab.fit(X, y, penalty=penalty, l1_ratio=0.5, lam=0.99 * p_.lambda_max)
    assert below.n_nonzero >= 1


def test_default_grid_is_glmnets():
    X, y, _ = make_problem(100, 8, seed=2)
    wide = reglab.path(X, y, penalty="l1")  # the lasso's default grid is glmnet's, never extended
    assert len(wide.lambdas) == 100 and np.all(np.diff(wide.lambdas) < 0)
    assert wide.lambdas[-1] / wide.lambdas[0] == pytest.approx(1e-4)  # n > p
    Xw, yw, _ = make_problem(20, 50, seed=2)
    tall = reglab.path(Xw, yw, penalty="elasticnet", l1_ratio=0.5)
    glmnet = reglab.lambda_grid(reglab.prepare(Xw, yw), Penalty.of("elasticnet", 0.5), extend=False)
    assert glmnet[-1] / glmnet[0] == pytest.approx(1e-2)  # n < p
    np.testing.assert_allclose(tall.lambdas[:100], glmnet, rtol=1e-12)  # extended past it, not changed
    Xs, ys, _ = make_problem(30, 30, seed=3)  # glmnet's rule is nobs < nvars: n = p keeps 1e-4
    square = reglab.lambda_grid(reglab.prepare(Xs, ys), Penalty.of("l1"))
    assert square[-1] / square[0] == pytest.approx(1e-4)
    # λ_max = max|Zᵀ(y − ȳ)| / (n·α), by hand:
    Z = standardize(Xw)
    assert tall.lambda_max == pytest.approx(np.abs(Z.T @ (yw - yw.mean())).max() / (20 * 0.5), rel=1e-12)


@pytest.mark.parametrize("penalty", ["l1", "elasticnet", "l2"])
def test_a_path_coefficient_equals_the_fit_at_the_same_lambda(penalty):
    """Paths meet the same KKT standard as single fits (1e-8·λ_max), so a path row and a fit at its λ
    are the same model to 1e-6 relative: strong convexity bounds ‖w − w*‖₂ ≤ √p·KKT/μ, μ = λ_min(ZᵀZ/n)."""
    X, y, _ = make_problem(120, 10, rho=0.8, seed=4)
    whole = reglab.path(X, y, penalty=penalty, l1_ratio=0.5, n_lambdas=40)
    assert np.all(whole.kkt <= KKT_TOLERANCE)
    design = reglab.prepare(X, y)
    mu = np.linalg.eigvalsh(design.gram / design.n_samples).min()
    assert mu > 0
    for i in (3, 9, 20, 39):
        single = reglab.fit(X, y, penalty=penalty, l1_ratio=0.5, lam=whole.lambdas[i])
        bound = np.sqrt(10) * (whole.kkt[i] + single.kkt) * whole.lambda_max / mu
        assert np.linalg.norm(whole.weights[i] - single.weights) <= bound
        np.testing.assert_allclose(whole.coefs[i], single.coef, rtol=1e-6, atol=1e-6 * np.abs(single.coef).max())
        np.testing.assert_array_equal(whole.nonzero[i], single.nonzero)


def test_coefficients_are_reported_on_the_original_scale():
    X, y, _ = make_problem(200, 6, seed=9)
    f = reglab.fit(X, y, penalty="elasticnet", l1_ratio=0.5, lam=0.01)
    Z = standardize(X)
    # Predictions from (β₀, β) on X equal those from (b, w) on Z.
    np.testing.assert_allclose(f.predict(X), y.mean() + Z @ f.weights, rtol=1e-12)
    # Rescaling a feature by 1000 divides its coefficient by 1000 and changes nothing else.
    X2 = X.copy()
    X2[:, 0] *= 1000.0
    f2 = reglab.fit(X2, y, penalty="elasticnet", l1_ratio=0.5, lam=0.01)
    assert f2.coef[0] == pytest.approx(f.coef[0] / 1000.0, rel=1e-8)
    np.testing.assert_allclose(f2.coef[1:], f.coef[1:], rtol=1e-8)


def test_dataframe_columns_become_feature_names():
    X, y, _ = make_problem(50, 3, seed=0)
    df = pd.DataFrame(X, columns=["age", "bmi", "bp"])
    assert reglab.path(df, y, n_lambdas=5).feature_names == ("age", "bmi", "bp")


@pytest.mark.parametrize(
    "X, y, message",
    [
        (np.array([[1.0, np.nan], [2.0, 3.0], [3.0, 1.0]]), np.array([1.0, 2.0, 3.0]), r"1 row\(s\) of the features contain missing"),
        (np.ones((3, 2)), np.array([1.0, 2.0]), "3 rows but the target has 2"),
        (np.array([[1.0], [2.0], [3.0]]), np.array([1.0, np.inf, 3.0]), "target contains missing or infinite"),
        (pd.DataFrame({"a": [1.0, 2.0], "city": ["x", "y"]}), np.array([1.0, 2.0]), "'city' are not numeric"),
        (np.array([[1.0, 2.0], [2.0, 5.0], [3.0, 1.0]]), np.array([4.0, 4.0, 4.0]), "nothing for regularization to do"),
    ],
)
def test_unusable_input_raises_a_data_error_that_says_what_to_do(X, y, message):
    with pytest.raises(reglab.DataError, match=message):
        reglab.path(X, y)


def test_a_sloppy_first_pass_is_caught_by_the_kkt_check_and_re_solved(monkeypatch):
    import reglab.solvers as fitting
    from reglab import cd

    X, y, _ = make_problem(200, 15, rho=0.9, seed=6)
    design = reglab.prepare(X, y)
    pen = Penalty.of("l1")
    grid = reglab.lambda_grid(design, pen, 20)
    limit = KKT_TOLERANCE * design.lambda_max(pen)
    sloppy, _ = cd.solve_path(design.gram, design.zy, design.n_samples, grid, 1.0, kkt_target=1e4 * limit,
                              max_sweeps=2)
    assert fitting.kkt_residuals(design, pen, grid, sloppy).max() > limit
    monkeypatch.setattr(fitting, "_KERNEL_MARGIN", 1e4)  # the kernel now stops far too early, on purpose
    checked = fitting.solve(design, pen, grid)
    assert fitting.kkt_residuals(design, pen, grid, checked).max() <= limit


@pytest.mark.parametrize("standardize_on", [True, False])
@pytest.mark.parametrize("penalty", ["l1", "elasticnet", "l2"])
def test_a_resample_as_row_counts_equals_the_copied_resample(penalty, standardize_on):
    from reglab.design import center_once, prepare_counts

    X, y, _ = make_problem(250, 10, rho=0.8, seed=12)
    X[:, 3] = -2.5  # a constant column stays constant in every resample
    rows = np.random.default_rng(5).integers(0, 250, 250)
    copied = reglab.prepare(X[rows], y[rows], standardize_on)
    Xg, y_arr, offset = center_once(X, y)
    counted = prepare_counts(Xg, y_arr, offset, np.bincount(rows, minlength=250), standardize_on)
    pen = Penalty.of(penalty, 0.5)
    grid = reglab.lambda_grid(copied, pen, 15)
    np.testing.assert_allclose(reglab.lambda_grid(counted, pen, 15), grid, rtol=1e-10)
    w_copied = reglab.solvers.solve(copied, pen, grid)
    w_counted = reglab.solvers.solve(counted, pen, grid)
    np.testing.assert_allclose(w_counted, w_copied, atol=1e-8 * np.abs(w_copied).max())
    assert reglab.solvers.kkt_residuals(counted, pen, grid, w_counted).max() <= KKT_TOLERANCE * grid[0]
    beta_a, b0_a = copied.to_original(w_copied[7])
    beta_b, b0_b = counted.to_original(w_counted[7])
    np.testing.assert_allclose(beta_b, beta_a, atol=1e-8 * np.abs(beta_a).max())
    assert b0_b == pytest.approx(b0_a, rel=1e-9)


def _long_double_statistics(X: np.ndarray, y: np.ndarray):
    """Standardized Gram and Zᵀ(y − ȳ) in 80-bit long double from a centered copy: an independent reference."""
    Xl, yl = X.astype(np.longdouble), y.astype(np.longdouble)
    Xc = Xl - Xl.mean(axis=0)
    sd = np.sqrt((Xc * Xc).mean(axis=0))
    scale = np.where(sd > 0, sd, 1)
    Z = Xc / scale
    return (Z.T @ Z).astype(float), (Z.T @ (yl - yl.mean())).astype(float), sd.astype(float)


@settings(max_examples=40, deadline=None)
@given(
    n=st.sampled_from([30, 400]),
    p=st.sampled_from([1, 4, 12]),
    log_offset=st.sampled_from([0, 2, 4, 6, 9]),
    constant_column=st.booleans(),
    seed=st.integers(0, 10_000),
)
def test_statistics_from_raw_moments_match_a_centered_copy_even_with_large_means(n, p, log_offset, constant_column, seed):
    """Columns like 'year' (mean ≫ sd) must not lose digits to XᵀX − nμμᵀ: at most 6 of ~16 may go (the
    cancellation limit), so 9 correct digits are required; beyond that the design falls back to a centered copy."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) * rng.uniform(0.1, 10, size=p) + 10.0**log_offset * rng.uniform(-1, 1, size=p)
    if constant_column:
        X[:, 0] = 10.0**log_offset
    y = X @ rng.normal(size=p) + rng.normal(size=n) + 1e5
    design = reglab.prepare(X, y)
    gram, zy, sd = _long_double_statistics(X, y)
    live = ~design.constant
    np.testing.assert_array_equal(design.constant, sd <= 1e-12 * np.maximum(np.abs(X.mean(0)), 1))
    scale = np.abs(gram[np.ix_(live, live)]).max() if live.any() else 1.0
    np.testing.assert_allclose(design.gram[np.ix_(live, live)], gram[np.ix_(live, live)], rtol=0, atol=1e-9 * scale)
    np.testing.assert_allclose(design.zy[live], zy[live], rtol=1e-9, atol=1e-9 * np.abs(zy).max())
    np.testing.assert_allclose(design.x_scale[live], sd[live], rtol=1e-9)
    assert design.y_mean == pytest.approx(float(np.mean(y.astype(np.longdouble))), rel=1e-14)


def test_a_missing_cell_is_reported_by_row_although_the_scan_is_skipped():
    X, y, _ = make_problem(500, 6, seed=3)
    X[417, 2] = np.inf
    with pytest.raises(reglab.DataError, match="first at row 418"):
        reglab.prepare(X, y)
    X[417, 2] = np.nan
    with pytest.raises(reglab.DataError, match="first at row 418"):
        reglab.path(X, y)


def test_prepare_does_not_copy_a_well_conditioned_design(monkeypatch):
    """The standardized statistics come from XᵀX (no n × p temporary): the cost the issue asks to remove."""
    import tracemalloc

    X, y, _ = make_problem(20_000, 20, seed=1)
    X = np.asfortranarray(X)
    tracemalloc.start()
    reglab.prepare(X, y)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 0.25 * X.nbytes


def test_a_warm_start_never_changes_the_array_it_starts_from():
    # scikit-learn's enet_path updates coef_init in place; the path rows the app caches and
    # shares between sessions are passed as warm starts, so they must come back untouched.
    X, y, _ = make_problem(150, 12, rho=0.5, seed=11)
    design = reglab.prepare(X, y)
    pen = reglab.Penalty.of("elasticnet", 0.5)
    p = reglab.fitting.path_design(design, pen)
    before = p.weights.copy()
    reglab.fitting.fit_design(design, pen, p.lambdas[30] * 0.9, w_init=p.weights[30])
    np.testing.assert_array_equal(p.weights, before)


@pytest.mark.parametrize("penalty", ["l1", "elasticnet", "l2"])
def test_path_with_progress_reports_its_shares_and_gives_the_same_solutions(penalty):
    X, y, _ = make_problem(150, 12, rho=0.5, seed=12)
    design = reglab.prepare(X, y)
    pen = reglab.Penalty.of(penalty, 0.5)
    shares = []
    with_progress = reglab.fitting.path_design(design, pen, progress=shares.append)
    plain = reglab.fitting.path_design(design, pen)
    # The least-squares path is one kernel call either way (progress polled from another thread).
    np.testing.assert_array_equal(with_progress.coefs, plain.coefs)
    if penalty != "l2":  # the closed form has nothing to report
        assert shares[-1] == 1.0 and all(0 < a < b for a, b in zip(shares, shares[1:]))


def test_a_slow_least_squares_path_reports_progress_while_it_runs(monkeypatch):
    # 2,000 features (~0.1 s of kernel) polled every 0.5 ms: shares arrive while it runs, each a
    # fraction of the grid actually solved, growing to 1.
    monkeypatch.setattr(reglab.cd, "_PROGRESS_POLL_S", 0.0005)
    X, y, _ = make_problem(300, 2000, rho=0.5, seed=3)
    design = reglab.prepare(X, y)
    shares = []
    path = reglab.fitting.path_design(design, reglab.Penalty.of("l1"), progress=shares.append)
    assert len(shares) >= 2 and shares[-1] == 1.0
    solved = np.array(shares) * len(path.lambdas)
    np.testing.assert_allclose(solved, np.round(solved), rtol=0, atol=1e-9)
    assert path.kkt.max() <= 1e-8 * path.lambda_max


def test_cross_validation_reports_progress_once_per_fold():
    X, y, _ = make_problem(120, 8, seed=13)
    shares = []
    with_progress = reglab.cross_validate(X, y, folds=4, progress=shares.append)
    assert shares == [0.25, 0.5, 0.75, 1.0]
    np.testing.assert_array_equal(with_progress.mean_error, reglab.cross_validate(X, y, folds=4).mean_error)


def ridge_df_at(design, lam, alpha):
    e = np.linalg.eigvalsh(design.gram)
    return float(np.sum(e / (e + design.n_samples * lam * (1 - alpha))))


@pytest.mark.parametrize("penalty, alpha", [("l2", 0.0), ("elasticnet", 0.05), ("elasticnet", 0.5)])
def test_grid_extends_until_the_ridge_part_stops_shrinking(penalty, alpha):
    X, y, _ = make_problem(200, 10, rho=0.7, seed=4)
    design = reglab.prepare(X, y)
    pen = Penalty.of(penalty, alpha)
    glmnet = reglab.lambda_grid(design, pen, extend=False)
    grid = reglab.lambda_grid(design, pen)
    np.testing.assert_allclose(grid[:100], glmnet, rtol=1e-12)  # same start, same spacing
    np.testing.assert_allclose(np.diff(np.log(grid)), np.log(glmnet[1] / glmnet[0]), rtol=1e-9)
    rank = np.linalg.matrix_rank(design.gram)
    share = reglab.solvers.GRID_DF_SHARE
    assert ridge_df_at(design, grid[-1], alpha) >= share * rank
    if ridge_df_at(design, glmnet[-1], alpha) < share * rank:  # extended just far enough
        assert len(grid) > 100 and ridge_df_at(design, grid[-2], alpha) < share * rank
    else:
        assert len(grid) == 100


def test_ridge_cv_minimum_lies_strictly_inside_the_default_range_on_diabetes():
    data = reglab.load_builtin("diabetes")
    X, y = data.frame[data.feature_names], data.frame[data.target]
    for penalty, ratio in (("l2", 0.0), ("elasticnet", 0.05)):
        cv = reglab.cross_validate(X, y, penalty=penalty, l1_ratio=ratio, folds=5, seed=0)
        assert 0 < cv.index_min < len(cv.lambdas) - 1, penalty
    # Before the extension (glmnet's grid) the ridge minimum sat on the last λ, curve still falling.
    design = reglab.prepare(X, y)
    glmnet = reglab.lambda_grid(design, Penalty.of("l2"), extend=False)
    cut = reglab.cross_validate(X, y, penalty="l2", folds=5, seed=0, lambdas=glmnet)
    assert cut.index_min == len(glmnet) - 1


def test_ridge_that_needs_lambda_1000_times_below_the_lassos_lambda_max_finds_it():
    # Three strong effects on features of different scales, moderate noise: the lasso starts
    # selecting at a large λ, while ridge must barely shrink to fit the strong coefficients.
    rng = np.random.default_rng(5)
    n, p = 300, 20
    X = rng.normal(size=(n, p)) * rng.uniform(0.5, 3, p)
    beta = np.zeros(p)
    beta[:3] = [3.0, -2.0, 1.5]
    y = X @ beta + 2.0 * rng.normal(size=n)
    cv = reglab.cross_validate(X, y, penalty="l2", folds=5, seed=0)
    lasso_max = reglab.lambda_grid(reglab.prepare(X, y), Penalty.of("l1"))[0]
    assert cv.lambda_min < lasso_max / 1000
    assert 0 < cv.index_min < len(cv.lambdas) - 1
    glmnet = reglab.lambda_grid(reglab.prepare(X, y), Penalty.of("l2"), extend=False)
    assert cv.lambda_min < glmnet[-1]  # outside glmnet's ridge range


def test_nonzero_means_nonzero_at_the_solvers_precision_everywhere():
    # A categorical column one-hot encoded with all its levels: the levels sum to 1, so one of
    # them can be left at solver noise (~1e-11) instead of exactly 0.
    import reglab.diagnostics as diagnostics

    rng = np.random.default_rng(8)
    n = 300
    level = rng.integers(0, 4, n)
    onehot = np.eye(4)[level]
    X = np.column_stack([onehot, rng.normal(size=(n, 6))])
    y = onehot @ [0.0, 2.0, -1.0, 0.5] + X[:, 4:] @ rng.normal(size=6) + rng.normal(size=n)
    design = reglab.prepare(X, y)
    pen = Penalty.of("l1")
    path = reglab.fitting.path_design(design, pen)
    w = path.weights
    scale = np.abs(w).max(axis=1, keepdims=True)
    expected = (np.abs(w) > 1e-9 * scale).sum(axis=1)
    np.testing.assert_array_equal(path.n_nonzero, expected)
    for i in (20, 50, 90):
        fit = reglab.fitting.fit_design(design, pen, path.lambdas[i])
        tiny = (np.abs(fit.weights) > 0) & (np.abs(fit.weights) <= 1e-9 * np.abs(fit.weights).max())
        assert fit.n_nonzero == int(np.count_nonzero(fit.weights)) - int(tiny.sum())
        # Effective df of a lasso fit is its non-zero count (same definition): equal up to rank.
        df = diagnostics.effective_df(design, pen, fit.lam, fit.weights)
        assert df <= fit.n_nonzero
    frame = diagnostics.coefficient_frame(fit)
    assert frame["nonzero"].sum() == fit.n_nonzero
