"""R glmnet ``family="poisson"`` (thresh = 1e-20) as the reference for Poisson paths and CV.

glmnet's Poisson objective is ours: (1/n)·Σcᵢ(e^ηᵢ − yᵢηᵢ) + λ·penalty with η = offset + b + Zw,
weights normalized to sum to n, no rescaling of y, so the same λ and α mean the same model.
Generated counts (correlated features, unequal scales, non-zero means) with and without an offset
(log exposure), observation weights and penalty factors, α ∈ {1, 0.5, 0}: the default λ grid equals
glmnet's own, coefficients and intercepts agree to 1e-6 relative along it, KKT ≤ 1e-8·λ_max at
every λ; cv.glmnet with the same fold ids gives the same deviance / MSE / MAE curve (mean and SE to
1e-8), λ.min and λ.1se. Then R's own count data (``quakes``: stations reporting each earthquake).
"""

from __future__ import annotations

import numpy as np
import pytest

import reglab
from test_glmnet_reference import (R_FOOTER, R_HEADER, assert_cv_curve_equals_glmnet, assert_path_equals_glmnet,
                                   r_vector, run_r, write_inputs)

ALPHAS = (1.0, 0.5, 0.0)
#: (offset, weighted, factors): each α runs with every one of these.
OPTIONS = [(False, False, False), (True, False, False), (False, True, False), (True, True, True)]


def make_counts(n: int, p: int, seed: int):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    for j in range(1, p):
        X[:, j] = 0.6 * X[:, j - 1] + 0.8 * X[:, j]
    X = X * rng.uniform(0.5, 4.0, p) + rng.uniform(-3, 3, p)
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    beta = np.zeros(p)
    k = max(2, p // 4)
    beta[:k] = rng.uniform(0.2, 0.5, k) * rng.choice([-1, 1], k)
    exposure = rng.uniform(0.5, 3.0, n)
    y = rng.poisson(exposure * np.exp(0.5 + Z @ beta)).astype(float)
    weights = rng.uniform(0.2, 3.0, n)
    foldid = rng.permutation(np.arange(n) % 4) + 1
    factors = np.ones(p)
    factors[0], factors[-1] = 0.0, 2.0  # one unpenalized feature, one penalized twice as hard
    return X, y, np.log(exposure), weights, foldid, factors


def r_options(offset: bool, weighted: bool, factors: bool) -> str:
    return (f'weights = {"w" if weighted else "rep(1, length(y))"}, '
            + ("offset = off, " if offset else "")
            + ("penalty.factor = pf, " if factors else ""))


def header(tmp_path, X, y, log_exposure, weights, foldid, factors) -> str:
    write_inputs(tmp_path, X, y, weights, foldid)
    np.savetxt(tmp_path / "off.csv", log_exposure, fmt="%.17g")
    np.savetxt(tmp_path / "pf.csv", factors, fmt="%.17g")
    return R_HEADER + 'off <- scan("off.csv", quiet = TRUE)\npf <- scan("pf.csv", quiet = TRUE)\n'


@pytest.mark.parametrize("alpha", ALPHAS)
def test_poisson_paths_equal_glmnet_with_offset_weights_and_penalty_factors(tmp_path, alpha):
    X, y, log_exposure, weights, foldid, factors = make_counts(200, 8, 31)
    script, ours = header(tmp_path, X, y, log_exposure, weights, foldid, factors), {}
    for offset, weighted, with_factors in OPTIONS:
        key = f"o{int(offset)}_w{int(weighted)}_f{int(with_factors)}"
        options = dict(weights=weights if weighted else None, offset=log_exposure if offset else None,
                       penalty_factor=factors if with_factors else None)
        path = reglab.path(X, y, "elasticnet", l1_ratio=alpha, family="poisson", **options)
        assert path.kkt.max() <= 1e-8, key
        design = reglab.prepare(X, y, family="poisson", weights=options["weights"], offset=options["offset"])
        own_grid = reglab.lambda_grid(design, reglab.Penalty.of("elasticnet", alpha, options["penalty_factor"]),
                                      extend=False)
        ours[key] = (path, own_grid)
        pieces = r_options(offset, weighted, with_factors)
        script += (f'grid <- glmnet(x, y, family = "poisson", alpha = {alpha}, {pieces}standardize = TRUE, thresh = 1e-20)$lambda\n'
                   f'fit <- glmnet(x, y, family = "poisson", alpha = {alpha}, lambda = {r_vector(path.lambdas)}, '
                   f'{pieces}standardize = TRUE, thresh = 1e-20, maxit = 1e6)\n'
                   f'out[["{key}"]] <- list(coef = as.vector(as.matrix(coef(fit))), df = fit$df, '
                   f'nlambda = length(fit$lambda), grid = grid)\n')
    reference = run_r(tmp_path, script + R_FOOTER)
    for key, (path, own_grid) in ours.items():
        got = reference[key]
        # the same λ grid as glmnet's own default (at thresh 1e-20: with an unpenalized feature glmnet's λ_max
        # comes from its own fit of that feature, as exact as its thresh; glmnet may stop its grid early)
        shown = min(len(own_grid), len(got["grid"]))
        np.testing.assert_allclose(own_grid[:shown], got["grid"][:shown], rtol=1e-9, err_msg=f"{key} grid")
        assert_path_equals_glmnet(key, path, got, X)


@pytest.mark.parametrize("measure", ["deviance", "mse", "mae"])
def test_poisson_cv_with_the_same_fold_ids_equals_cv_glmnet(tmp_path, measure):
    X, y, log_exposure, weights, foldid, factors = make_counts(160, 6, 32)
    script, ours = header(tmp_path, X, y, log_exposure, weights, foldid, factors), {}
    for alpha in ALPHAS:
        for offset, weighted, with_factors in OPTIONS[1:]:
            key = f"a{alpha}_o{int(offset)}_w{int(weighted)}_f{int(with_factors)}"
            cv = reglab.cross_validate(X, y, "elasticnet", l1_ratio=alpha, foldid=foldid, family="poisson",
                                       measure=measure, weights=weights if weighted else None,
                                       offset=log_exposure if offset else None,
                                       penalty_factor=factors if with_factors else None)
            ours[key] = cv
            script += (f'cv <- cv.glmnet(x, y, family = "poisson", type.measure = "{measure}", alpha = {alpha}, '
                       f'lambda = {r_vector(cv.lambdas)}, foldid = foldid, {r_options(offset, weighted, with_factors)}'
                       f'standardize = TRUE, thresh = 1e-20, maxit = 1e6)\n'
                       f'out[["{key}"]] <- list(cvm = cv$cvm, cvsd = cv$cvsd, min = cv$lambda.min, se1 = cv$lambda.1se)\n')
    reference = run_r(tmp_path, script + R_FOOTER)
    for key, cv in ours.items():
        got = reference[key]
        assert cv.measure == measure
        assert_cv_curve_equals_glmnet(key, cv, got)
        assert cv.lambda_min == pytest.approx(got["min"][0], rel=1e-15), key
        assert cv.lambda_1se == pytest.approx(got["se1"][0], rel=1e-15), key
        assert cv.fit_min().family == "poisson" and cv.fit_min().kkt <= 1e-8


def test_poisson_on_r_quakes_equals_glmnet(tmp_path):
    """R's own count data: ``quakes$stations`` (stations reporting each of 1000 earthquakes) from
    latitude, longitude, depth and magnitude, the lasso and the elastic net along glmnet's grid."""
    export = run_r(tmp_path, 'write.csv(quakes, "quakes.csv", row.names = FALSE)\nout <- list(n = nrow(quakes))\n'
                   + R_FOOTER)
    assert export["n"] == [1000]
    frame = np.genfromtxt(tmp_path / "quakes.csv", delimiter=",", names=True)
    X = np.column_stack([frame[name] for name in ("lat", "long", "depth", "mag")])
    y = frame["stations"]
    script = ('library(glmnet)\nx <- as.matrix(quakes[, c("lat", "long", "depth", "mag")])\ny <- quakes$stations\n'
              "out <- list()\n")
    ours = {}
    for alpha in (1.0, 0.5):
        path = reglab.path(X, y, "elasticnet", l1_ratio=alpha, family="poisson", feature_names=["lat", "long", "depth", "mag"])
        assert path.kkt.max() <= 1e-8
        ours[alpha] = path
        script += (f'fit <- glmnet(x, y, family = "poisson", alpha = {alpha}, lambda = {r_vector(path.lambdas)}, '
                   'thresh = 1e-20, maxit = 1e6)\n'
                   f'out[["a{alpha}"]] <- list(coef = as.vector(as.matrix(coef(fit))), grid = glmnet(x, y, family = '
                   f'"poisson", alpha = {alpha})$lambda)\n')
    reference = run_r(tmp_path, script + R_FOOTER)
    for alpha, path in ours.items():
        got = reference[f"a{alpha}"]
        np.testing.assert_allclose(path.lambdas[: len(got["grid"])], got["grid"][: len(path.lambdas)], rtol=1e-9)
        k, p = path.coefs.shape
        table = np.array(got["coef"]).reshape(p + 1, k, order="F").T
        for i in range(k):
            scale = max(np.abs(path.coefs[i]).max(), 1e-300)
            np.testing.assert_allclose(path.coefs[i], table[i, 1:], rtol=1e-6, atol=1e-6 * scale, err_msg=f"α {alpha} λ #{i}")
            assert path.intercepts[i] == pytest.approx(table[i, 0], rel=1e-6, abs=1e-6 * scale * 200)
        # the model predicts counts on the count scale: e^η, positive
        assert np.all(path.predict(X[:5]) > 0)
