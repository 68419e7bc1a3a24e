"""The relaxed lasso against R glmnet's ``relax=TRUE`` (thresh 1e-20) and against its own definition.

glmnet refits every distinct active set with λ = 0 and blends γ·β̂ + (1 − γ)·β̃ (γ raised to at
least 1e-5); cv.glmnet with ``relax=TRUE`` runs the same on every fold and picks (λ, γ). Our
relaxed path, blends and CV over (λ, γ) with the same fold ids must agree: coefficients to
1e-6 relative, mean and SE to 1e-8, the same λ.min/γ.min and λ.1se/γ.1se.
"""

from __future__ import annotations

import numpy as np
import pytest

import reglab
from reglab.relaxed import GAMMA_FLOOR, held_out_scores, relax, relaxed_fit
from reglab.selection import cross_validate_relaxed
from reglab.reproduce import glmnet_parameters, glmnet_y_scale
from test_glmnet_reference import R_FOOTER, R_HEADER, make_data, r_vector, run_r, write_inputs

GAMMAS = (0.0, 0.25, 0.5, 0.75, 1.0)
CASES = [("tall 83x12", 1.0, False), ("tall 83x12", 0.5, True), ("wide 30x60", 1.0, False), ("small 41x5", 1.0, True)]
SIZES = {"tall 83x12": (83, 12, 1), "wide 30x60": (30, 60, 2), "small 41x5": (41, 5, 3)}


@pytest.mark.parametrize("dataset, alpha, weighted", CASES)
def test_relaxed_paths_and_blends_equal_glmnet(tmp_path, dataset, alpha, weighted):
    X, y, weights, foldid = make_data(*SIZES[dataset])
    obs = weights if weighted else None
    n_lambdas = 40
    design = reglab.prepare(X, y, weights=obs)
    grid = reglab.lambda_grid(design, reglab.Penalty.of("elasticnet", alpha), n_lambdas, extend=False)
    if dataset.startswith("wide"):  # past glmnet's p > n grid end (1e-2), so active sets pass n − 3
        grid = np.geomspace(grid[0], 1e-3 * grid[0], n_lambdas)
    path = reglab.path(X, y, "elasticnet", l1_ratio=alpha, weights=obs, lambdas=grid)
    relaxed = relax(path, X, y, obs)
    scale = glmnet_y_scale(y, obs)
    pairs = [glmnet_parameters(lam, alpha, scale) for lam in grid]
    lambda_g, alpha_g = np.array([pair[0] for pair in pairs]), pairs[0][1]
    write_inputs(tmp_path, X, y, weights, foldid)
    script = (R_HEADER + f'fit <- glmnet(x, y, alpha = {alpha_g:.17g}, lambda = {r_vector(lambda_g)}, '
              f'weights = {"w" if weighted else "rep(1, length(y))"}, relax = TRUE, thresh = 1e-20, maxit = 1e7)\n')
    for g in GAMMAS:
        script += f'out[["g{g}"]] <- as.vector(as.matrix(coef(fit, gamma = {g})))\n'
    reference = run_r(tmp_path, script + R_FOOTER)
    p = X.shape[1]
    if dataset == "wide 30x60":  # active sets past n − 3 = 27 are not refitted (glmnet's maxp)
        assert (path.n_nonzero > X.shape[0] - 3).any() and not relaxed.refitted[path.n_nonzero > X.shape[0] - 3].any()
    penalized = np.array(reference["g1.0"]).reshape(p + 1, len(grid), order="F").T[:, 1:]
    # glmnet's coordinate descent leaves a coefficient at rounding level (~1e-16) at λ_max, where the
    # exact solution is 0 (as in tests/test_glmnet_reference.py); its relaxed fit then refits that
    # feature alone. Our λ_max fit is exactly 0: no refit. Those λ (at most λ_max) are not compared.
    floor = 1e-12 * np.abs(penalized).max()
    artefact = ((np.abs(penalized) > 0) & (np.abs(penalized) <= floor)).any(axis=1)
    assert artefact.sum() <= 1 and not artefact[1:].any()
    for g in GAMMAS:
        table = np.array(reference[f"g{g}"]).reshape(p + 1, len(grid), order="F").T
        blend = relaxed.blend(g)
        for i in np.flatnonzero(~artefact if g < 1 else np.ones(len(grid), bool)):
            size = max(np.abs(blend.coefs[i]).max(), np.abs(table[i, 1:]).max(), 1e-300)
            np.testing.assert_allclose(blend.coefs[i], table[i, 1:], rtol=1e-6, atol=max(1e-6 * size, floor),
                                       err_msg=f"γ = {g}, λ #{i}")
            carried = 1e-6 * size * np.abs(X.mean(axis=0)).sum() + 1e-12 * abs(table[i, 0])
            assert blend.intercepts[i] == pytest.approx(table[i, 0], rel=1e-6, abs=carried), (g, i)


def test_the_relaxed_fit_is_least_squares_on_the_active_set_and_the_blend_is_linear():
    X, y, weights, _ = make_data(83, 12, 1)
    path = reglab.path(X, y, "l1", n_lambdas=30)
    relaxed = relax(path, X, y)
    for i in (5, 15, 29):
        active = path.nonzero[i]
        # the normal equations of least squares on the active columns hold: residual ⟂ [1, X_A]
        residual = y - relaxed.relaxed_intercepts[i] - X @ relaxed.relaxed_coefs[i]
        design = np.column_stack([np.ones(len(y)), X[:, active]])
        assert np.abs(design.T @ residual).max() <= 1e-9 * np.abs(design).max() * np.abs(y).max() * len(y)
        assert (relaxed.relaxed_coefs[i][~active] == 0).all()
    # γ = 1 is the penalized path itself; γ = ½ the midpoint; γ = 0 glmnet's 1e-5 blend
    assert relaxed.blend(1.0) is path
    half = relaxed.blend(0.5)
    np.testing.assert_allclose(half.coefs, 0.5 * (path.coefs + relaxed.relaxed_coefs), rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(relaxed.blend(0.0).coefs, GAMMA_FLOOR * path.coefs + (1 - GAMMA_FLOOR) * relaxed.relaxed_coefs,
                               rtol=1e-14, atol=1e-14)
    assert np.isnan(half.kkt).all()  # a blend is not an optimum of the penalized objective
    # reglab.fit(relax=True, gamma) at a grid λ equals the path's blend there, and says what it is
    lam = float(path.lambdas[15])
    direct = reglab.fit(X, y, "l1", lam, relax=True, gamma=0.25)
    np.testing.assert_allclose(direct.coef, relaxed.blend(0.25).coefs[15], rtol=1e-6, atol=1e-9)
    assert direct.gamma == 0.25
    with pytest.raises(ValueError, match="γ"):
        relax(path, X, y).blend(1.5)


@pytest.mark.parametrize("collinear", [False, True])
def test_refits_from_moments_equal_the_row_solve_and_fall_back_when_ill_conditioned(collinear):
    from reglab import relaxed

    rng = np.random.default_rng(4)
    X = rng.normal(size=(200, 6)) * [1, 10, 0.1, 1, 1, 1000] + 50
    if collinear:  # columns 0 and 1 equal but for 1e-7 of noise: the normal equations would lose every digit
        X[:, 1] = X[:, 0] + 1e-7 * rng.normal(size=200)
    y = X @ [1.0, -2.0, 3.0, 0.0, 0.5, 0.001] + rng.normal(size=200)
    c = rng.uniform(0.5, 2.0, size=200)
    active = np.array([True, True, True, False, True, True])
    row_b, row_beta = relaxed.refit_unpenalized(X, y, c, active)
    b, beta = relaxed._Refits(X, y, c, True)(active)
    # the weighted normal equations hold (residual ⟂ [1, X_A]), and equal the SVD row solve
    residual = c * (y - b - X @ beta)
    assert np.abs(np.column_stack([np.ones(200), X[:, active]]).T @ residual).max() <= 1e-7 * np.abs(y).sum()
    if not collinear:
        np.testing.assert_allclose(beta, row_beta, rtol=1e-9, atol=1e-12)
        assert b == pytest.approx(row_b, rel=1e-9)
    else:  # the fallback is the row solve itself
        np.testing.assert_array_equal(beta, row_beta)


def test_held_out_scores_of_the_lasso_and_its_blend_on_test_rows():
    X, y, _, _ = make_data(83, 12, 1)
    train, test = slice(0, 60), slice(60, None)
    penalized = reglab.fit(X[train], y[train], "l1", 0.3)
    blended = relaxed_fit(penalized, X[train], y[train], 0.0)
    measure, lasso_rmse, relaxed_rmse = held_out_scores(penalized, blended, X[test], y[test])
    assert measure == "Test RMSE"
    # independently: the blended model's coefficients, predictions by hand
    for model, value in ((penalized, lasso_rmse), (blended, relaxed_rmse)):
        by_hand = np.sqrt(np.mean((y[test] - model.intercept - X[test] @ model.coef) ** 2))
        assert value == pytest.approx(by_hand, rel=1e-12)
    assert relaxed_rmse != pytest.approx(lasso_rmse, rel=1e-3)  # the two models really differ


def assert_equals_cv_glmnet_relaxed(tmp_path, cv, X, y, weights, foldid, family_arg: str) -> None:
    """cv.glmnet(relax = TRUE) on the same λ, γ and fold ids: mean and SE to 1e-8, the same (λ, γ) choices."""
    write_inputs(tmp_path, X, y, weights, foldid)
    script = (R_HEADER + f"cv <- cv.glmnet(x, y, {family_arg}lambda = {r_vector(cv.lambdas)}, foldid = foldid, "
              f"relax = TRUE, gamma = {r_vector(GAMMAS)}, thresh = 1e-20, maxit = 1e7)\n"
              "out$cvm <- unlist(lapply(cv$relaxed$statlist, function(s) s$cvm))\n"
              "out$cvsd <- unlist(lapply(cv$relaxed$statlist, function(s) s$cvsd))\n"
              "out$opt <- c(cv$relaxed$lambda.min, cv$relaxed$gamma.min, cv$relaxed$lambda.1se, cv$relaxed$gamma.1se)\n")
    reference = run_r(tmp_path, script + R_FOOTER)
    np.testing.assert_allclose(cv.mean_error.reshape(-1), reference["cvm"], rtol=1e-8)
    np.testing.assert_allclose(cv.se.reshape(-1), reference["cvsd"], rtol=1e-8)
    lam_min, gamma_min, lam_1se, gamma_1se = reference["opt"]
    assert (cv.lambda_min, cv.gamma_min, cv.lambda_1se, cv.gamma_1se) == (
        pytest.approx(lam_min, rel=1e-12), gamma_min, pytest.approx(lam_1se, rel=1e-12), gamma_1se)


def test_relaxed_cv_equals_cv_glmnet_with_the_same_folds(tmp_path):
    X, y, weights, foldid = make_data(83, 12, 1)
    n_lambdas = 30
    design = reglab.prepare(X, y)
    grid = reglab.lambda_grid(design, reglab.Penalty.of("l1"), n_lambdas, extend=False)
    cv = cross_validate_relaxed(X, y, "l1", lambdas=grid, foldid=foldid, gamma=GAMMAS)
    assert_equals_cv_glmnet_relaxed(tmp_path, cv, X, y, weights, foldid, "")
    # γ = 1 is the penalized model's own CV curve
    plain = reglab.cross_validate(X, y, "l1", lambdas=grid, foldid=foldid)
    np.testing.assert_allclose(cv.mean_error[-1], plain.mean_error, rtol=1e-8)


def test_relaxed_cv_reads_a_table_by_feature_name():
    import pandas as pd

    X, y, _, foldid = make_data(41, 5, 3)
    names = [f"x{j}" for j in range(5)]
    table = pd.DataFrame(X, columns=names)[names[::-1]]  # columns in another order: matched by name
    by_name = cross_validate_relaxed(table, y, foldid=foldid, feature_names=names)
    plain = cross_validate_relaxed(X, y, foldid=foldid)
    np.testing.assert_allclose(by_name.mean_error, plain.mean_error, rtol=1e-12)


# ----------------------------------------------------------------------------- two-class logistic regression


def binomial_data(n: int, p: int, seed: int):
    """Correlated features on unequal scales (make_data's) and a noisy two-class target (no separation
    by the few features the early active sets hold)."""
    X, _, weights, foldid = make_data(n, p, seed)
    rng = np.random.default_rng(seed + 10)
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    eta = 0.3 + Z[:, 0] - 0.8 * Z[:, 1] + 0.5 * Z[:, 2]
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(float)
    return X, y, weights, foldid


def assert_blends_equal_glmnet(relaxed, reference: dict, p: int) -> None:
    """Every γ's blend against glmnet's ``coef(fit, gamma = γ)`` (``reference["g<γ>"]``) on the path's
    grid: coefficients and intercepts to 1e-6 relative, λ_max aside (glmnet's rounding-level coefficient
    there, see the gaussian test)."""
    grid = relaxed.lambdas
    for g in GAMMAS:
        table = np.array(reference[f"g{g}"]).reshape(p + 1, len(grid), order="F").T
        blend = relaxed.blend(g)
        for i in range(1, len(grid)):
            size = max(np.abs(blend.coefs[i]).max(), np.abs(table[i, 1:]).max())
            np.testing.assert_allclose(blend.coefs[i], table[i, 1:], rtol=1e-6, atol=1e-6 * size,
                                       err_msg=f"γ = {g}, λ #{i}")
            assert blend.intercepts[i] == pytest.approx(table[i, 0], rel=1e-6, abs=1e-6 * size)


@pytest.mark.parametrize("alpha, weighted", [(1.0, False), (0.5, True)])
def test_binomial_relaxed_paths_and_blends_equal_glmnet(tmp_path, alpha, weighted):
    X, y, weights, foldid = binomial_data(300, 8, 4)
    obs = weights if weighted else None
    design = reglab.prepare(X, y, weights=obs, family="binomial")
    grid = reglab.lambda_grid(design, reglab.Penalty.of("elasticnet", alpha), 25, extend=False)[:18]
    path = reglab.path(X, y, "elasticnet", l1_ratio=alpha, weights=obs, lambdas=grid, family="binomial")
    relaxed = relax(path, X, y, obs)
    assert relaxed.refitted[1:].all() and not relaxed.separated.any()
    write_inputs(tmp_path, X, y, weights, foldid)
    script = (R_HEADER + f'fit <- glmnet(x, y, family = "binomial", alpha = {alpha!r}, lambda = {r_vector(grid)}, '
              f'weights = {"w" if weighted else "rep(1, length(y))"}, relax = TRUE, thresh = 1e-20, maxit = 1e7)\n')
    for g in GAMMAS:
        script += f'out[["g{g}"]] <- as.vector(as.matrix(coef(fit, gamma = {g})))\n'
    reference = run_r(tmp_path, script + R_FOOTER)
    assert_blends_equal_glmnet(relaxed, reference, X.shape[1])


def test_binomial_relaxed_cv_equals_cv_glmnet_with_the_same_folds(tmp_path):
    X, y, weights, foldid = binomial_data(300, 8, 4)
    design = reglab.prepare(X, y, family="binomial")
    grid = reglab.lambda_grid(design, reglab.Penalty.of("l1"), 25, extend=False)[:18]
    cv = cross_validate_relaxed(X, y, "l1", lambdas=grid, foldid=foldid, gamma=GAMMAS, family="binomial")
    assert_equals_cv_glmnet_relaxed(tmp_path, cv, X, y, weights, foldid, 'family = "binomial", ')


def test_an_active_set_that_separates_the_classes_keeps_its_penalized_fit():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = (X[:, 0] > 0).astype(float)  # x0 alone separates the classes: no finite refit once it is active
    path = reglab.path(X, y, "l1", family="binomial", n_lambdas=20)
    relaxed = relax(path, X, y)
    active = path.nonzero[:, 0]
    assert active[1:].all() and relaxed.separated[active].all() and not relaxed.refitted.any()
    np.testing.assert_allclose(relaxed.blend(0.0).coefs, path.coefs, rtol=1e-14)  # every γ: the penalized fit
    cv = cross_validate_relaxed(X, y, family="binomial", folds=3)
    assert np.isfinite(cv.mean_error).all()


def test_relaxed_fit_where_the_classes_separate_is_the_penalized_fit_and_says_so():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = (X[:, 0] > 0).astype(float)
    penalized = reglab.fit(X, y, "l1", 0.05, family="binomial")
    assert penalized.nonzero[0]
    assert relaxed_fit(penalized, X, y, 0.0) is penalized


def poisson_data(n: int, p: int, seed: int):
    X, _, weights, foldid = make_data(n, p, seed)
    rng = np.random.default_rng(seed + 20)
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    log_exposure = np.log(rng.uniform(0.5, 2.0, n))
    y = rng.poisson(np.exp(log_exposure + 0.4 + 0.5 * Z[:, 0] - 0.4 * Z[:, 1] + 0.3 * Z[:, 2])).astype(float)
    return X, y, weights, foldid, log_exposure


@pytest.mark.parametrize("alpha, weighted", [(1.0, False), (0.5, True)])
def test_poisson_relaxed_paths_and_blends_equal_glmnet_with_an_offset(tmp_path, alpha, weighted):
    X, y, weights, foldid, offset = poisson_data(300, 8, 5)
    obs = weights if weighted else None
    design = reglab.prepare(X, y, weights=obs, family="poisson", offset=offset)
    grid = reglab.lambda_grid(design, reglab.Penalty.of("elasticnet", alpha), 25, extend=False)[:18]
    path = reglab.path(X, y, "elasticnet", l1_ratio=alpha, weights=obs, lambdas=grid, family="poisson", offset=offset)
    relaxed = relax(path, X, y, obs, offset)
    assert relaxed.refitted[1:].all() and not relaxed.separated.any()
    write_inputs(tmp_path, X, y, weights, foldid)
    np.savetxt(tmp_path / "off.csv", offset, fmt="%.17g")
    script = (R_HEADER + 'off <- scan("off.csv", quiet = TRUE)\n'
              f'fit <- glmnet(x, y, family = "poisson", alpha = {alpha!r}, lambda = {r_vector(grid)}, offset = off, '
              f'weights = {"w" if weighted else "rep(1, length(y))"}, relax = TRUE, thresh = 1e-20, maxit = 1e7)\n')
    for g in GAMMAS:
        script += f'out[["g{g}"]] <- as.vector(as.matrix(coef(fit, gamma = {g})))\n'
    reference = run_r(tmp_path, script + R_FOOTER)
    assert_blends_equal_glmnet(relaxed, reference, X.shape[1])


def test_poisson_relaxed_cv_equals_cv_glmnet_with_the_same_folds(tmp_path):
    X, y, weights, foldid, _ = poisson_data(300, 8, 5)
    design = reglab.prepare(X, y, family="poisson")
    grid = reglab.lambda_grid(design, reglab.Penalty.of("l1"), 25, extend=False)[:18]
    cv = cross_validate_relaxed(X, y, "l1", lambdas=grid, foldid=foldid, gamma=GAMMAS, family="poisson")
    assert_equals_cv_glmnet_relaxed(tmp_path, cv, X, y, weights, foldid, 'family = "poisson", ')
    assert held_out_scores(cv.relaxed.path.fit_at(grid[5]), cv.relaxed.blend(0.0).fit_at(grid[5]), X, y)[0] == "Test deviance"
