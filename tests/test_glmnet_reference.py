"""R glmnet (Debian's r-cran-glmnet, thresh = 1e-20) as the reference for paths and cross-validation.

Generated data sets (correlated features, non-zero feature means, sd(y) far from 1, a p > n
case); for α ∈ {1, 0.5, 0}, with and without observation weights and an intercept, our
default path is handed to glmnet translated through its y scaling
(:func:`reglab.reproduce.glmnet_parameters`): coefficients agree to 1e-6 relative at every λ
and the non-zero counts (glmnet's ``df``) are identical. cv.glmnet with the same fold ids
gives the same mean, SE, λ.min and λ.1se.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import numpy as np
import pytest

import reglab
from reglab.reproduce import glmnet_parameters, glmnet_y_scale

ALPHAS = (1.0, 0.5, 0.0)
CONFIGS = [(alpha, weighted, intercept) for alpha in ALPHAS for weighted in (False, True) for intercept in (True, False)]


def make_data(n: int, p: int, seed: int):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    for j in range(1, p):  # neighbouring features correlated 0.7
        X[:, j] = 0.7 * X[:, j - 1] + np.sqrt(1 - 0.49) * X[:, j]
    X = X * rng.uniform(0.5, 4.0, p) + rng.uniform(-3, 3, p)  # unequal scales, non-zero means
    beta = np.zeros(p)
    beta[: max(2, p // 5)] = rng.uniform(1, 3, max(2, p // 5)) * rng.choice([-1, 1], max(2, p // 5))
    y = 12.0 + X @ beta + 3.0 * rng.standard_normal(n)
    weights = rng.uniform(0.2, 3.0, n)
    foldid = rng.permutation(np.arange(n) % 4) + 1  # 4 folds, unequal sizes when n % 4 ≠ 0
    return X, y, weights, foldid


DATASETS = {"tall 83x12": (83, 12, 1), "wide 50x80": (50, 80, 2), "small 41x5": (41, 5, 3)}
#: Where our default grid extends past glmnet's for a ridge part (p > n: down to a near-interpolating
#: fit), glmnet's coordinate descent at thresh 1e-20 does not converge in 1e7 iterations (measured:
#: 36–65 s per path, then an error). There the wide set is compared on glmnet's own grid, and the
#: extension is checked against the KKT conditions and the ridge closed form (tests/test_fitting.py).
GLMNET_GRID_ONLY = {"wide 50x80"}


def run_r(tmp_path, script: str) -> dict:
    if shutil.which("Rscript") is None:
        pytest.fail("Rscript is missing: install Debian's r-base-core and r-cran-glmnet (`.ci/run` does it).")
    (tmp_path / "ref.R").write_text(script)
    run = subprocess.run(["Rscript", "ref.R"], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                         env={**os.environ, "LC_ALL": "C.UTF-8"})
    assert run.returncode == 0, run.stderr
    return json.loads((tmp_path / "out.json").read_text())


R_HEADER = """
library(glmnet)
x <- as.matrix(read.csv("x.csv", header = FALSE))
y <- scan("y.csv", quiet = TRUE)
w <- scan("w.csv", quiet = TRUE)
foldid <- scan("foldid.csv", quiet = TRUE)
out <- list()
"""


def write_inputs(tmp_path, X, y, weights, foldid):
    np.savetxt(tmp_path / "x.csv", X, delimiter=",", fmt="%.17g")
    np.savetxt(tmp_path / "y.csv", y, fmt="%.17g")
    np.savetxt(tmp_path / "w.csv", weights, fmt="%.17g")
    np.savetxt(tmp_path / "foldid.csv", foldid, fmt="%d")


def r_vector(values) -> str:
    return "c(" + ", ".join(f"{v:.17g}" for v in np.asarray(values, dtype=float)) + ")"


def assert_path_equals_glmnet(key: str, path, got: dict, X) -> None:
    """A path against glmnet's ``coef(fit)`` (``got["coef"]``, column-major (p + 1) × k) and its df on the
    same λ: coefficients to 1e-6 relative at every λ, the intercept to what the coefficients carry,
    df equal but for glmnet's rounding-level coefficients (at most 1e-12 of the largest)."""
    got_k = got["nlambda"]
    k, p = path.coefs.shape
    assert got_k == [k], f"{key}: glmnet stopped early at {got_k} of {k} λ"
    table = np.array(got["coef"]).reshape(p + 1, k, order="F").T
    floor = 1e-12 * np.abs(path.coefs).max()
    for i in range(k):
        scale = max(np.abs(path.coefs[i]).max(), np.abs(table[i, 1:]).max(), 1e-300)
        np.testing.assert_allclose(path.coefs[i], table[i, 1:], rtol=1e-6, atol=max(1e-6 * scale, floor),
                                   err_msg=f"{key} at λ #{i}")
        carried = 1e-6 * scale * np.abs(X.mean(axis=0)).sum() + 1e-6 * abs(table[i, 0]) + floor
        assert path.intercepts[i] == pytest.approx(table[i, 0], abs=carried), f"{key} intercept at λ #{i}"
    glmnet_df = np.array(got["df"], dtype=int)
    rounding_only = (np.abs(table[:, 1:]) > 0) & (np.abs(table[:, 1:]) <= floor)
    np.testing.assert_array_equal(path.n_nonzero, glmnet_df - rounding_only.sum(axis=1), err_msg=key)


def assert_cv_curve_equals_glmnet(key: str, cv, got: dict) -> None:
    """cv.glmnet's curve (``got["cvm"]``, ``got["cvsd"]``) on the same λ and folds: mean and SE to 1e-8."""
    np.testing.assert_allclose(cv.mean_error, got["cvm"], rtol=1e-8, atol=1e-12, err_msg=key)
    np.testing.assert_allclose(cv.se, got["cvsd"], rtol=1e-8, atol=1e-12, err_msg=key)


# R has no JSON writer in base: write numbers with full precision by hand.
R_FOOTER = """
to_json <- function(v) {
  if (is.list(v)) return(paste0("{", paste0('"', names(v), '": ', vapply(v, to_json, ""), collapse = ", "), "}"))
  paste0("[", paste(sprintf("%.17g", as.numeric(v)), collapse = ", "), "]")
}
writeLines(to_json(out), "out.json")
"""


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_paths_equal_glmnet_for_every_penalty_with_and_without_weights_and_intercept(tmp_path, dataset):
    X, y, weights, foldid = make_data(*DATASETS[dataset])
    write_inputs(tmp_path, X, y, weights, foldid)
    script, ours = R_HEADER, {}
    for alpha, weighted, intercept in CONFIGS:
        key = f"a{alpha}_w{int(weighted)}_i{int(intercept)}"
        obs = weights if weighted else None
        grid = None
        if dataset in GLMNET_GRID_ONLY:
            design = reglab.prepare(X, y, weights=obs, intercept=intercept)
            grid = reglab.lambda_grid(design, reglab.Penalty.of("elasticnet", alpha), extend=False)
        path = reglab.path(X, y, "elasticnet", l1_ratio=alpha, weights=obs, intercept=intercept, lambdas=grid)
        assert path.kkt.max() <= 1e-8
        scale = glmnet_y_scale(y, obs, intercept)
        pairs = [glmnet_parameters(lam, alpha, scale) for lam in path.lambdas]
        lambda_g, alpha_g = np.array([pair[0] for pair in pairs]), pairs[0][1]
        ours[key] = path
        script += (f'fit <- glmnet(x, y, alpha = {alpha_g:.17g}, lambda = {r_vector(lambda_g)}, '
                   f'weights = {"w" if weighted else "rep(1, length(y))"}, intercept = {"TRUE" if intercept else "FALSE"}, '
                   f'standardize = TRUE, thresh = 1e-20, maxit = 1e6)\n'
                   f'out[["{key}"]] <- list(coef = as.vector(as.matrix(coef(fit))), df = fit$df, '
                   f'nlambda = length(fit$lambda))\n')
    reference = run_r(tmp_path, script + R_FOOTER)
    for key, path in ours.items():
        got = reference[key]
        k, p = path.coefs.shape
        assert got["nlambda"] == [k], key
        table = np.array(got["coef"]).reshape(p + 1, k, order="F").T  # glmnet's coef: (p + 1) × k, column-major
        floor = 1e-12 * np.abs(path.coefs).max()  # rounding at λ_max, where every coefficient is 0
        for i in range(k):
            scale = max(np.abs(path.coefs[i]).max(), np.abs(table[i, 1:]).max())
            np.testing.assert_allclose(path.coefs[i], table[i, 1:], rtol=1e-6, atol=max(1e-6 * scale, floor),
                                       err_msg=f"{key} at λ #{i}")
            # β₀ = ȳ − Σβⱼx̄ⱼ carries the coefficients' 1e-6 through the feature means
            carried = 1e-6 * scale * np.abs(X.mean(axis=0)).sum() + floor
            assert path.intercepts[i] == pytest.approx(table[i, 0], rel=1e-6, abs=carried), key
        # glmnet's df, except a coefficient at rounding level (1e-16 at λ_max, where the exact solution is 0)
        glmnet_df = np.array(got["df"], dtype=int)
        rounding_only = (np.abs(table[:, 1:]) > 0) & (np.abs(table[:, 1:]) <= floor)
        np.testing.assert_array_equal(path.n_nonzero, glmnet_df - rounding_only.sum(axis=1), err_msg=key)
        assert rounding_only.sum() <= 1, key


# cv.glmnet's own summary (its cvcompute for type.measure = "mse", grouped): per fold the
# weighted mean squared error, then means and SDs weighted by the folds' total weights.
R_CV_SUMMARY = """
cv_summary <- function(sq, w, foldid) {
  folds <- sort(unique(foldid))
  per_fold <- t(sapply(folds, function(k) colSums(sq[foldid == k, , drop = FALSE] * w[foldid == k]) / sum(w[foldid == k])))
  sizes <- sapply(folds, function(k) sum(w[foldid == k]))
  cvm <- colSums(per_fold * sizes) / sum(sizes)
  cvsd <- sqrt(colSums(sizes * sweep(per_fold, 2, cvm)^2) / sum(sizes) / (length(folds) - 1))
  list(cvm = cvm, cvsd = cvsd)
}
y_scale <- function(y, v, intercept) {  # glmnet's s_y: weighted population sd (RMS without intercept)
  v <- v / sum(v); centre <- if (intercept) sum(v * y) else 0
  sqrt(sum(v * (y - centre)^2))
}
"""


@pytest.mark.parametrize("dataset", ["tall 83x12", "small 41x5"])
def test_cv_with_the_same_fold_ids_equals_glmnet(tmp_path, dataset):
    """α = 1: cv.glmnet itself. α < 1: cv.glmnet refits each fold on y divided by that fold's own sd,
    which for α < 1 is a different objective than on all the data (see reglab.reproduce); the
    reference is then glmnet fitted per fold at that fold's translation, summarized by cv.glmnet's
    formula written out in R. Mean and SE to 1e-8 relative; λ.min and λ.1se identical."""
    X, y, weights, foldid = make_data(*DATASETS[dataset])
    write_inputs(tmp_path, X, y, weights, foldid)
    script, ours = R_HEADER + R_CV_SUMMARY, {}
    for alpha, weighted, intercept in CONFIGS:
        key = f"a{alpha}_w{int(weighted)}_i{int(intercept)}"
        obs = weights if weighted else None
        cv = reglab.cross_validate(X, y, "elasticnet", l1_ratio=alpha, foldid=foldid, weights=obs, intercept=intercept)
        ours[key] = cv
        w_r = "w" if weighted else "rep(1, length(y))"
        flag = "TRUE" if intercept else "FALSE"
        if alpha == 1.0:
            script += (f'cv <- cv.glmnet(x, y, lambda = {r_vector(cv.lambdas)}, foldid = foldid, weights = {w_r}, '
                       f'intercept = {flag}, standardize = TRUE, thresh = 1e-20, maxit = 1e6)\n'
                       f'out[["{key}"]] <- list(cvm = cv$cvm, cvsd = cv$cvsd, min = cv$lambda.min, se1 = cv$lambda.1se)\n')
            continue
        script += (f'lam <- {r_vector(cv.lambdas)}; wt <- {w_r}\n'
                   f'sq <- matrix(0, length(y), length(lam))\n'
                   f'for (k in sort(unique(foldid))) {{\n'
                   f'  tr <- foldid != k; s <- y_scale(y[tr], wt[tr], {flag})\n'
                   f'  m <- s * (1 - {alpha}) + {alpha}\n'
                   f'  f <- glmnet(x[tr, ], y[tr], alpha = {alpha} / m, lambda = lam * m, weights = wt[tr], '
                   f'intercept = {flag}, standardize = TRUE, thresh = 1e-20, maxit = 1e6)\n'
                   f'  sq[!tr, ] <- (y[!tr] - predict(f, x[!tr, , drop = FALSE]))^2\n'
                   f'}}\n'
                   f's <- cv_summary(sq, wt, foldid)\n'
                   f'out[["{key}"]] <- list(cvm = s$cvm, cvsd = s$cvsd)\n')
    reference = run_r(tmp_path, script + R_FOOTER)
    for key, cv in ours.items():
        got = reference[key]
        np.testing.assert_allclose(cv.mean_error, got["cvm"], rtol=1e-8, err_msg=key)
        np.testing.assert_allclose(cv.se, got["cvsd"], rtol=1e-8, err_msg=key)
        if "min" in got:
            # the same grid point (λ went to R and back as 17-digit text: equal to the last bit or one ulp)
            assert cv.lambda_min == pytest.approx(got["min"][0], rel=1e-15), key
            assert cv.lambda_1se == pytest.approx(got["se1"][0], rel=1e-15), key
        else:  # the same one-SE rule (cv.glmnet's getOptcv) on the reference curve
            i_min = int(np.argmin(got["cvm"]))
            within = np.array(got["cvm"]) <= got["cvm"][i_min] + got["cvsd"][i_min]
            assert cv.lambda_min == cv.lambdas[i_min] and cv.lambda_1se == cv.lambdas[within].max(), key
        assert cv.fit_min().lam == cv.lambda_min and cv.fit_min().kkt <= 1e-8
