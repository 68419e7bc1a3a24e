"""The objective's pieces, checked against answers derivable by hand."""

import numpy as np
import pytest

import reglab
from reglab.objective import Penalty, kkt_residual, lambda_max, objective_value

W = np.array([2.5, -0.8, 0.1, 0.0])


@pytest.mark.parametrize(
    "name, ratio, expected",
    [
        ("l1", 0.3, 3.4),  # ‖w‖₁; the ratio is ignored for l1
        ("l2", 0.3, 0.5 * 6.9),  # ½‖w‖₂²
        ("elasticnet", 0.25, 0.25 * 3.4 + 0.75 / 2 * 6.9),
        ("lasso", 0.5, 3.4),
        ("Ridge", 0.5, 3.45),
    ],
)
def test_penalty_value_matches_definition(name, ratio, expected):
    assert Penalty.of(name, ratio).value(W) == pytest.approx(expected, rel=1e-14)


def test_unknown_penalty_and_bad_ratio_are_rejected_with_a_clear_message():
    with pytest.raises(ValueError, match="Unknown penalty 'l3'"):
        Penalty.of("l3")
    with pytest.raises(ValueError, match=r"l1_ratio must lie in \[0, 1\]"):
        Penalty.of("elasticnet", 1.5)


def test_prox_is_soft_thresholding_then_ridge_shrinkage():
    pen = Penalty.of("elasticnet", 0.5)
    lam, step = 0.4, 0.5  # threshold step·λ·α = 0.1, shrink 1 + step·λ·(1−α) = 1.1
    out = pen.prox(np.array([0.05, -0.1, 0.3, -2.0]), lam, step)
    np.testing.assert_allclose(out, [0.0, 0.0, 0.2 / 1.1, -1.9 / 1.1], rtol=1e-14)
    assert out[0] == 0.0 and out[1] == 0.0  # exact zeros, not tiny numbers


def test_kkt_residual_is_zero_at_zero_weights_from_lambda_max_up():
    rng = np.random.default_rng(1)
    Z = rng.normal(size=(50, 6))
    y = Z[:, 0] - 2 * Z[:, 3] + rng.normal(size=50)
    for name in ("l1", "elasticnet"):
        pen = Penalty.of(name, 0.5)
        lmax = lambda_max(Z, y, pen)
        zero = np.zeros(6)
        b = y.mean() - Z.mean(axis=0) @ zero
        assert kkt_residual(Z, y, b, zero, lmax * (1 + 1e-12), pen) <= 1e-12 * lmax
        # Just below λ_max, w = 0 is no longer optimal: the violation is λ_max − λ.
        assert kkt_residual(Z, y, b, zero, 0.9 * lmax, pen) == pytest.approx(0.1 * lmax * pen.alpha, rel=1e-9)


def test_orthogonal_design_lasso_is_exact_soft_thresholding():
    # With centered orthogonal columns and ZᵀZ/n = I, the lasso solution is
    # wⱼ = sign(cⱼ)·max(|cⱼ| − λ, 0) with cⱼ = zⱼᵀ(y − ȳ)/n: derivable by hand.
    n = 64
    raw = np.random.default_rng(3).normal(size=(n, 4))
    # QR of centered columns: orthonormal columns that still sum to 0 (centered).
    Z, _ = np.linalg.qr(raw - raw.mean(axis=0))
    Z *= np.sqrt(n)
    y = Z @ np.array([3.0, -1.0, 0.5, 0.05]) + 7.0
    c = Z.T @ (y - y.mean()) / n
    lam = 0.7
    f = reglab.fit(Z, y, penalty="l1", lam=lam, standardize=False)
    expected = np.sign(c) * np.maximum(np.abs(c) - lam, 0.0)
    np.testing.assert_allclose(f.coef, expected, atol=1e-10)
    assert np.count_nonzero(f.coef) == 2
    assert f.intercept == pytest.approx(7.0, abs=1e-10)


def test_objective_value_is_datafit_plus_penalty():
    Z = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    y = np.array([1.0, 2.0, 3.0])
    w = np.array([0.5, -1.0])
    pen = Penalty.of("elasticnet", 0.5)
    residual = y - 0.2 - Z @ w
    expected = residual @ residual / 6 + 0.3 * (0.5 * 1.5 + 0.25 * 1.25)
    assert objective_value(Z, y, 0.2, w, 0.3, pen) == pytest.approx(expected, rel=1e-14)
