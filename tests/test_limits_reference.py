"""Coefficient limits (glmnet's lower.limits / upper.limits) against R glmnet at thresh 1e-20: bounded
paths of least squares, logistic and Poisson regression on our default grid, coefficients to 1e-6 along
the path, with the KKT conditions of the bounded problem ≤ 1e-8·λ_max at every λ."""

from __future__ import annotations

import numpy as np
import pytest

import reglab
from reglab.reproduce import glmnet_parameters, glmnet_y_scale
from test_glmnet_reference import R_FOOTER, R_HEADER, assert_path_equals_glmnet, make_data, r_vector, run_r, write_inputs

#: Per-feature limits on 8 features: non-negative, non-positive, a box, a one-sided finite bound, free.
LOWER = [0.0, -np.inf, -0.3, -np.inf, 0.0, -1.0, -np.inf, -np.inf]
UPPER = [np.inf, 0.0, 0.4, 1.5, np.inf, np.inf, np.inf, np.inf]


def r_limits(values) -> str:
    return "c(" + ", ".join("-Inf" if v == -np.inf else "Inf" if v == np.inf else f"{v:.17g}" for v in values) + ")"


def check_bounded(path):
    assert path.kkt.max() <= 1e-8
    assert np.all(path.coefs >= np.array(LOWER) - 1e-12) and np.all(path.coefs <= np.array(UPPER) + 1e-12)


@pytest.mark.parametrize("alpha", [1.0, 0.5])
def test_bounded_least_squares_paths_equal_glmnet(tmp_path, alpha):
    X, y, weights, foldid = make_data(90, 8, 11)
    write_inputs(tmp_path, X, y, weights, foldid)
    path = reglab.path(X, y, "elasticnet", l1_ratio=alpha, lower_limits=LOWER, upper_limits=UPPER, weights=weights)
    check_bounded(path)
    scale = glmnet_y_scale(y, weights, True)
    pairs = [glmnet_parameters(lam, alpha, scale) for lam in path.lambdas]
    lambda_g, alpha_g = np.array([pair[0] for pair in pairs]), pairs[0][1]
    script = (R_HEADER + f'fit <- glmnet(x, y, alpha = {alpha_g:.17g}, lambda = {r_vector(lambda_g)}, weights = w, '
              f'lower.limits = {r_limits(LOWER)}, upper.limits = {r_limits(UPPER)}, standardize = TRUE, '
              'thresh = 1e-20, maxit = 1e7)\n'
              'out$fit <- list(coef = as.vector(as.matrix(coef(fit))), df = fit$df, nlambda = length(fit$lambda))\n')
    assert_path_equals_glmnet(f"gaussian α={alpha}", path, run_r(tmp_path, script + R_FOOTER)["fit"], X)
    # the limits bind somewhere along the path: a bounded coefficient sits at its bound
    assert np.any(np.isclose(path.coefs[:, 2], 0.4)) or np.any(np.isclose(path.coefs[:, 2], -0.3)) \
        or np.any(path.coefs[:, 0] == 0.0)


@pytest.mark.parametrize("family", ["binomial", "poisson"])
def test_bounded_logistic_and_poisson_paths_equal_glmnet(tmp_path, family):
    X, y_num, weights, foldid = make_data(150, 8, 12)
    rng = np.random.default_rng(3)
    eta = (X - X.mean(axis=0)) / X.std(axis=0) @ np.array([0.8, 0.6, -0.9, 0.5, -0.4, 0.0, 0.3, 0.0])
    y = ((eta + rng.logistic(size=150)) > 0).astype(float) if family == "binomial" else \
        rng.poisson(np.exp(0.2 + 0.5 * eta)).astype(float)
    write_inputs(tmp_path, X, y, weights, foldid)
    path = reglab.path(X, y, "elasticnet", l1_ratio=0.5, family=family, lower_limits=LOWER, upper_limits=UPPER,
                       weights=weights)
    check_bounded(path)
    script = (R_HEADER + f'fit <- glmnet(x, y, family = "{family}", alpha = 0.5, lambda = {r_vector(path.lambdas)}, '
              f'weights = w, lower.limits = {r_limits(LOWER)}, upper.limits = {r_limits(UPPER)}, standardize = TRUE, '
              'thresh = 1e-20, maxit = 1e7)\n'
              'out$fit <- list(coef = as.vector(as.matrix(coef(fit))), df = fit$df, nlambda = length(fit$lambda))\n')
    assert_path_equals_glmnet(family, path, run_r(tmp_path, script + R_FOOTER)["fit"], X)


def test_limits_are_checked_and_refused_where_not_offered():
    X, y, _, _ = make_data(40, 3, 1)
    with pytest.raises(ValueError, match="lower limit must be ≤ 0"):
        reglab.fit(X, y, "l1", 0.1, lower_limits=0.5)
    with pytest.raises(ValueError, match="upper limit must be ≥ 0"):
        reglab.fit(X, y, "l1", 0.1, upper_limits=[1.0, -1.0, 1.0])
    with pytest.raises(reglab.DataError, match="2 coefficient limits"):
        reglab.fit(X, y, "l1", 0.1, lower_limits=[0.0, 0.0])
    with pytest.raises(ValueError, match="grouped"):
        reglab.fit(X, y, "l1", 0.1, lower_limits=0.0, groups=[0, 0, 1])
    # positive=True in scikit-learn is lower_limits=0 here (the same objective: Lasso at the same λ)
    from sklearn.linear_model import Lasso

    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    ours = reglab.fit(Z, y, "l1", 0.2, lower_limits=0.0, standardize=False)
    theirs = Lasso(alpha=0.2, positive=True, tol=1e-14, max_iter=100_000).fit(Z, y)
    np.testing.assert_allclose(ours.coef, theirs.coef_, rtol=1e-6, atol=1e-9)


def test_bounded_multinomial_paths_meet_the_bounded_kkt_and_equal_a_generic_convex_solver():
    """Three classes with limits on every class's coefficients. R glmnet is no reference here: at our
    λ_max, where 0 is feasible and (α = 0.5: strictly convex) the unique optimum, its multinomial with
    limits reports non-zero coefficients, so it solves another problem; the reference is cvxpy/Clarabel
    on the stated objective."""
    import cvxpy as cp

    X, _, _, _ = make_data(160, 8, 13)
    rng = np.random.default_rng(4)
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    y = np.argmax(Z[:, :3] @ rng.normal(size=(3, 3)) + rng.gumbel(size=(160, 3)), axis=1).astype(float)
    path = reglab.path(X, y, "elasticnet", l1_ratio=0.5, family="multinomial", lower_limits=LOWER, upper_limits=UPPER,
                       n_lambdas=40)
    assert path.kkt.max() <= 1e-8
    assert np.all(path.coefs >= np.array(LOWER) - 1e-12) and np.all(path.coefs <= np.array(UPPER) + 1e-12)
    sd = X.std(axis=0)
    n, p = Z.shape
    onehot = np.eye(3)[y.astype(int)]
    for i in (10, 25, 39):
        lam = path.lambdas[i]
        W, b = cp.Variable((3, p)), cp.Variable(3)
        eta = Z @ W.T + np.ones((n, 1)) @ cp.reshape(b, (1, 3), order="C")
        loss = (cp.sum(cp.log_sum_exp(eta, axis=1)) - cp.sum(cp.multiply(onehot, eta))) / n
        penalty = 0.5 * cp.sum(cp.abs(W)) + 0.25 * cp.sum_squares(W)
        bounds = [W[:, j] >= LOWER[j] * sd[j] for j in range(p) if np.isfinite(LOWER[j])] + \
                 [W[:, j] <= UPPER[j] * sd[j] for j in range(p) if np.isfinite(UPPER[j])]
        cp.Problem(cp.Minimize(loss + lam * penalty), bounds).solve(solver=cp.CLARABEL, tol_gap_abs=1e-11,
                                                                    tol_gap_rel=1e-11, tol_feas=1e-11)
        reference = W.value / sd
        np.testing.assert_allclose(path.coefs[i], reference, rtol=1e-5, atol=1e-5 * np.abs(reference).max(),
                                   err_msg=f"λ #{i}")
