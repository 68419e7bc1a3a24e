"""reglab.cd's exact lasso steps: the Cholesky factor kept across λ, and the paths solved with it.

Where the support is large (≥ cd._EXACT_FROM coordinates) a lasso path is solved by exact steps on
a factor of G_AA that coordinates enter and leave; the stationary point it lands on is checked here
against the math (RᵀR = G_AA after every update; the KKT conditions recomputed in numpy from the
standardized data) and against scikit-learn's coordinate descent at a strict tolerance.
"""

import numpy as np
import pytest
from sklearn.linear_model import lasso_path

import reglab
from reglab import cd

from conftest import make_problem, standardize


def numpy_kkt(X, y, coefs, intercepts, lambdas, factors=None):
    """max_j of the lasso's KKT residual at each λ, in the standardized coordinates, from numpy alone:
    g = Zᵀ(y − b − Zw)/n; |gⱼ − λfⱼ·sign wⱼ| where wⱼ ≠ 0, max(|gⱼ| − λfⱼ, 0) where wⱼ = 0."""
    n, p = X.shape
    sd = X.std(axis=0)
    Z = standardize(X)
    factors = np.ones(p) if factors is None else np.asarray(factors, dtype=float)
    residuals = []
    for coef, b0, lam in zip(coefs, intercepts, lambdas):
        w = coef * sd
        b = b0 + X.mean(axis=0) @ coef  # the intercept of the centered, scaled design
        g = Z.T @ (y - b - Z @ w) / n
        active = w != 0
        r = np.where(active, np.abs(g - lam * factors * np.sign(w)), np.maximum(np.abs(g) - lam * factors, 0.0))
        residuals.append(r.max())
    return np.array(residuals)


def empty_factor(p):
    """The exact steps' state for p coordinates with none in the set, as the kernel allocates it:
    (factor, order, position, sign_at, projected)."""
    return np.zeros((p, p)), np.zeros(p, dtype=np.int64), np.full(p, -1, dtype=np.int64), np.zeros(p), np.zeros((2, p))


def test_the_factor_stays_the_cholesky_factor_of_its_set_as_coordinates_enter_and_leave():
    rng = np.random.default_rng(0)
    X, y, _ = make_problem(300, 80, rho=0.8, seed=1)
    Z = standardize(X)
    gram, zy = Z.T @ Z, Z.T @ (y - y.mean())
    factors = rng.uniform(0.5, 2.0, size=80)
    factor, order, position, sign_at, projected = empty_factor(80)
    p, m = 80, 0
    outside = list(rng.permutation(p))
    for step in range(12):
        batch = [outside.pop() for _ in range(int(rng.integers(1, 9)))]
        signs = rng.choice([-1.0, 1.0], size=len(batch))
        m = cd._enter(np.array(batch), signs, len(batch), factor, m, gram, zy, factors, order, position, sign_at,
                      projected)
        for _ in range(int(rng.integers(0, 3))):  # leave from anywhere in the order
            i = int(rng.integers(0, m))
            outside.append(int(order[i]))
            m = cd._leave(i, factor, m, order, position, sign_at)
            cd._project(factor, m, zy, factors, order, sign_at, projected, i)
        members = order[:m]
        R = factor[:m, :m]
        np.testing.assert_allclose(R.T @ R, gram[np.ix_(members, members)], rtol=0, atol=1e-10 * gram.max())
        assert np.all(np.tril(R, -1) == 0.0) and np.all(np.diag(R) > 0)
        np.testing.assert_array_equal(position[members], np.arange(m))
        assert np.count_nonzero(position >= 0) == m
        np.testing.assert_allclose(R.T @ projected[0, :m], zy[members], rtol=0, atol=1e-9 * np.abs(zy).max())
        np.testing.assert_allclose(R.T @ projected[1, :m], factors[members] * sign_at[:m], rtol=0, atol=1e-9)


def test_a_collinear_coordinate_cannot_enter_the_factor():
    X, y, _ = make_problem(100, 10, seed=2)
    X[:, 7] = 2.0 * X[:, 3] - X[:, 5]
    Z = standardize(X)
    gram, zy = Z.T @ Z, Z.T @ (y - y.mean())
    p = 10
    factor, order, position, sign_at, projected = empty_factor(p)
    m = cd._enter(np.array([3, 5]), np.ones(2), 2, factor, 0, gram, zy, np.ones(p), order, position, sign_at,
                  projected)
    assert m == 2
    assert cd._enter(np.array([7]), np.ones(1), 1, factor, m, gram, zy, np.ones(p), order, position, sign_at,
                     projected) == -1


def exact_steps_only(X, y, n_lambdas=100, factors=None):
    """The kernel's lasso path on (X, y), then the same grid again from the first λ whose support is
    large, with coordinate descent allowed one sweep per λ: only the exact steps can converge there.
    Returns (Gram, zy, n, that part of the grid, its weights from the exact steps, converged flags,
    the whole path's weights there, λ_max)."""
    design = reglab.prepare(X, y)
    penalty = reglab.Penalty.of("l1", factors=factors)
    grid = reglab.lambda_grid(design, penalty, n_lambdas)
    scaled = penalty.factor_array(X.shape[1])
    lam_max = design.lambda_max(penalty)
    gram, zy, n = design.gram, design.zy, design.n_samples
    whole, _ = cd.solve_path(gram, zy, n, grid, 1.0, scaled, kkt_target=1e-9 * lam_max)
    k0 = int(np.argmax(np.count_nonzero(whole, axis=1) >= cd._EXACT_FROM))
    assert k0 > 0
    exact, converged = cd.solve_path(gram, zy, n, grid[k0 + 1:], 1.0, scaled, w_start=whole[k0],
                                     kkt_target=1e-9 * lam_max, max_sweeps=1)
    return gram, zy, n, grid[k0 + 1:], exact, converged, whole[k0 + 1:], lam_max, scaled


def gram_kkt(gram, zy, n, lambdas, weights, factors):
    """The lasso's KKT residual at each λ from the Gram, in numpy: g = (zy − Gw)/n."""
    out = []
    for lam, w in zip(lambdas, weights):
        g = (zy - gram @ w) / n
        bound = lam * factors
        r = np.where(w != 0, np.abs(g - bound * np.sign(w)), np.maximum(np.abs(g) - bound, 0.0))
        out.append(r.max())
    return np.array(out)


@pytest.mark.parametrize("n, p, rho", [(400, 150, 0.9), (2000, 500, 0.5)])
def test_exact_steps_alone_solve_every_lambda_of_a_large_support(n, p, rho):
    X, y, _ = make_problem(n, p, rho=rho, seed=5, n_informative=40)
    gram, zy, m, grid, exact, converged, whole, lam_max, factors = exact_steps_only(X, y)
    assert converged.all() and len(grid) >= 20
    # Coordinate descent stops inside the kernel's target (1e-9·λ_max); the exact steps at rounding.
    assert gram_kkt(gram, zy, m, grid, exact, factors).max() <= 1e-12 * lam_max
    np.testing.assert_allclose(exact, whole, rtol=0, atol=1e-9 * np.abs(whole).max())
    # Against scikit-learn's coordinate descent on the same standardized data, at a strict tolerance.
    Z = standardize(X)
    _, sk_coefs, _ = lasso_path(Z, y - y.mean(), alphas=grid, tol=1e-13, max_iter=100_000)
    np.testing.assert_allclose(exact, sk_coefs.T, rtol=0, atol=1e-6 * np.abs(sk_coefs).max())


def test_the_public_path_is_exact_where_the_support_is_large():
    X, y, _ = make_problem(2000, 500, rho=0.5, seed=5, n_informative=40)
    path = reglab.path(X, y, penalty="l1")
    kkt = numpy_kkt(X, y, path.coefs, path.intercepts, path.lambdas)
    assert kkt.max() <= 1e-8 * path.lambda_max
    large = np.count_nonzero(path.coefs, axis=1) >= cd._EXACT_FROM
    assert large.sum() >= 20 and kkt[large].max() <= 1e-12 * path.lambda_max


def test_coordinates_leave_the_support_within_exact_steps():
    # Strongly correlated features: along the path coordinates enter and later leave again.
    X, y, _ = make_problem(300, 200, rho=0.95, seed=8, n_informative=60)
    gram, zy, n, grid, exact, converged, whole, lam_max, factors = exact_steps_only(X, y, n_lambdas=150)
    nonzero = exact != 0
    assert (nonzero[:-1] & ~nonzero[1:]).any()
    assert converged.all()
    assert gram_kkt(gram, zy, n, grid, exact, factors).max() <= 1e-12 * lam_max


def test_duplicated_features_and_more_features_than_rows_still_meet_kkt():
    # The factor refuses a collinear coordinate; coordinate descent finishes those λ.
    X, y, _ = make_problem(60, 150, rho=0.5, seed=9, n_informative=20)
    X[:, 100:110] = X[:, :10]
    path = reglab.path(X, y, penalty="l1")
    assert np.count_nonzero(path.coefs, axis=1).max() >= cd._EXACT_FROM
    assert numpy_kkt(X, y, path.coefs, path.intercepts, path.lambdas).max() <= 1e-8 * path.lambda_max


def test_unpenalized_features_inside_a_large_support():
    X, y, _ = make_problem(500, 120, rho=0.6, seed=11, n_informative=40)
    factors = np.ones(120)
    factors[[0, 17, 64]] = 0.0
    factors[90:] = 2.5
    gram, zy, n, grid, exact, converged, whole, lam_max, scaled = exact_steps_only(X, y, factors=factors)
    assert converged.all()
    assert gram_kkt(gram, zy, n, grid, exact, scaled).max() <= 1e-12 * lam_max
    path = reglab.path(X, y, penalty="l1", penalty_factor=factors)
    assert numpy_kkt(X, y, path.coefs, path.intercepts, path.lambdas, scaled).max() <= 1e-8 * path.lambda_max
