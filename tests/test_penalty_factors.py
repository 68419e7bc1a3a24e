"""Penalty factors (glmnet's ``penalty.factor``): a weight fⱼ ≥ 0 per feature's penalty, rescaled to
sum to p. Checked against R glmnet (thresh 1e-20) for least squares and logistic regression, and
against their defining properties: all-equal factors are the plain penalty, a factor-0 feature is
never zeroed, λ_max zeroes every penalized weight with the unpenalized ones fitted."""

from __future__ import annotations

import numpy as np
import pytest

import reglab
from reglab.reproduce import glmnet_parameters, glmnet_y_scale
from test_glmnet_reference import R_FOOTER, R_HEADER, make_data, r_vector, run_r, write_inputs
from test_logistic_reference import make_classes

FACTORS = np.array([0.0, 1.0, 2.0, 0.5, 1.0, 3.0, 0.0, 1.0, 1.0, 0.25, 1.0, 1.0])


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
def test_paths_with_penalty_factors_equal_glmnet(tmp_path, family):
    X, y, weights, foldid = make_data(83, 12, 1) if family == "gaussian" else make_classes(150, 12, 21)
    write_inputs(tmp_path, X, y, weights, foldid)
    script, ours = R_HEADER + f"pf <- {r_vector(FACTORS)}\n", {}
    for alpha in (1.0, 0.5, 0.0):
        path = reglab.path(X, y, "elasticnet", l1_ratio=alpha, family=family, penalty_factor=FACTORS)
        assert path.kkt.max() <= 1e-8, alpha
        ours[alpha] = path
        if family == "gaussian":
            scale = glmnet_y_scale(y, None, True)
            pairs = [glmnet_parameters(lam, alpha, scale) for lam in path.lambdas]
            lambda_g, alpha_g = np.array([pair[0] for pair in pairs]), pairs[0][1]
        else:
            lambda_g, alpha_g = path.lambdas, alpha
        script += (f'fit <- glmnet(x, y, family = "{family}", alpha = {alpha_g:.17g}, lambda = {r_vector(lambda_g)}, '
                   f'penalty.factor = pf, standardize = TRUE, thresh = 1e-20, maxit = 1e6)\n'
                   f'out[["a{alpha}"]] <- list(coef = as.vector(as.matrix(coef(fit))), df = fit$df)\n')
    reference = run_r(tmp_path, script + R_FOOTER)
    for alpha, path in ours.items():
        k, p = path.coefs.shape
        table = np.array(reference[f"a{alpha}"]["coef"]).reshape(p + 1, k, order="F").T
        for i in range(k):
            scale = max(np.abs(path.coefs[i]).max(), np.abs(table[i, 1:]).max())
            np.testing.assert_allclose(path.coefs[i], table[i, 1:], rtol=1e-6, atol=1e-6 * scale,
                                       err_msg=f"{family} α={alpha} at λ #{i}")
        # glmnet's df, except a coefficient at rounding level (at λ_max, where the exact solution is 0)
        rounding_only = (np.abs(table[:, 1:]) > 0) & (np.abs(table[:, 1:]) <= 1e-12 * np.abs(path.coefs).max())
        assert rounding_only.sum() <= 1
        np.testing.assert_array_equal(path.n_nonzero, np.array(reference[f"a{alpha}"]["df"]) - rounding_only.sum(axis=1),
                                      err_msg=f"{family} α={alpha}")


@pytest.mark.parametrize("family", ["gaussian", "binomial"])
def test_equal_factors_are_the_plain_penalty_and_a_factor_zero_feature_stays_in(family):
    X, y, _, _ = make_data(83, 12, 1) if family == "gaussian" else make_classes(150, 12, 21)
    plain = reglab.path(X, y, "elasticnet", l1_ratio=0.7, family=family)
    tripled = reglab.path(X, y, "elasticnet", l1_ratio=0.7, family=family, penalty_factor=np.full(12, 3.0))
    np.testing.assert_allclose(tripled.coefs, plain.coefs, rtol=1e-6, atol=1e-9)
    kept = reglab.path(X, y, "l1", family=family, penalty_factor=FACTORS)
    free = FACTORS == 0
    assert (kept.coefs[:, free] != 0).all(), "a feature with factor 0 was zeroed"
    # at λ_max only the unpenalized features are in the model; just below, a penalized one enters
    assert kept.nonzero[0].tolist() == free.tolist()
    assert kept.n_nonzero[1] > free.sum() or kept.n_nonzero[2] > free.sum()


def test_bad_factors_are_refused_with_a_clear_message():
    X, y, _, _ = make_data(40, 4, 3)
    with pytest.raises(reglab.DataError, match="3 penalty factors were given for 4 features"):
        reglab.fit(X, y, penalty_factor=[1, 1, 1])
    for bad in ([0, 0, 0, 0], [1, -1, 1, 1], [1, np.nan, 1, 1]):
        with pytest.raises(ValueError, match="[Pp]enalty factor"):
            reglab.fit(X, y, penalty_factor=bad)
