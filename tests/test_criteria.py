"""Information criteria along the path (AIC, BIC, EBIC): checked against scikit-learn's LassoLarsIC
(its formula, at the same λ and noise variance) on several data sets, R's own among them; the ridge
degrees of freedom against Σ d²/(d² + nλ) computed by hand; the row datafits' deviance by hand."""

from __future__ import annotations

import subprocess
from math import lgamma, log

import numpy as np
import pandas as pd
import pytest
from conftest import make_problem, standardize
from sklearn.datasets import load_diabetes, load_linnerud
from sklearn.linear_model import LassoLarsIC

import reglab
from reglab.errors import DataError


def r_data_sets(tmp_path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """R's swiss (Fertility on the rest) and mtcars (mpg on the rest), as R ships them."""
    script = 'write.csv(swiss, "swiss.csv", row.names = FALSE)\nwrite.csv(mtcars, "mtcars.csv", row.names = FALSE)\n'
    (tmp_path / "data.R").write_text(script)
    run = subprocess.run(["Rscript", "data.R"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    out = {}
    for name, target in (("swiss", "Fertility"), ("mtcars", "mpg")):
        frame = pd.read_csv(tmp_path / f"{name}.csv")
        out[name] = (frame.drop(columns=target).to_numpy(float), frame[target].to_numpy(float))
    return out


def data_sets(tmp_path):
    X, y = load_diabetes(return_X_y=True)
    sets = {"diabetes": (X, y)}
    Xg, yg, _ = make_problem(120, 15, rho=0.6, seed=4, n_informative=5)
    sets["generated 120x15"] = (Xg, yg)
    linnerud = load_linnerud()
    sets["linnerud"] = (linnerud.data, linnerud.target[:, 0])
    sets.update(r_data_sets(tmp_path))
    return sets


def test_lasso_criteria_equal_lasso_lars_ic_at_the_same_lambda_and_noise_variance(tmp_path):
    for name, (X, y) in data_sets(tmp_path).items():
        for criterion in ("aic", "bic"):
            reference = LassoLarsIC(criterion=criterion).fit(X, y)
            knots = reference.alphas_ > 0
            # LassoLarsIC does not standardize: the same objective is ours with standardize=False
            path = reglab.path(X, y, "l1", lambdas=reference.alphas_[knots], standardize=False)
            assert path.kkt.max() <= 1e-8
            given = reglab.information_criteria(path, X, y, noise_variance=reference.noise_variance_)
            np.testing.assert_allclose(given.values[criterion], reference.criterion_[knots], rtol=1e-8, err_msg=name)
            estimated = reglab.information_criteria(path, X, y)  # σ² by the same OLS estimate
            np.testing.assert_allclose(estimated.noise_variance, reference.noise_variance_, rtol=1e-10, err_msg=name)
            # the same choice among the λ > 0 knots (LassoLarsIC also scores λ = 0, the least-squares fit)
            assert estimated.index_of(criterion) == np.argmin(reference.criterion_[knots]), name


def test_ridge_and_elastic_net_df_are_the_hat_matrix_trace_by_hand():
    X, y, _ = make_problem(80, 6, rho=0.5, seed=2)
    n = len(y)
    Z = standardize(X)
    d2 = np.linalg.svd(Z, compute_uv=False) ** 2
    ridge = reglab.path(X, y, "l2", n_lambdas=20)
    criteria = reglab.information_criteria(ridge, X, y)
    by_hand = [np.sum(d2 / (d2 + n * lam)) for lam in ridge.lambdas]
    np.testing.assert_allclose(criteria.df, by_hand, rtol=1e-10)
    # elastic net: the trace on the active set, with the ridge part λ(1 − α)
    enet = reglab.path(X, y, "elasticnet", l1_ratio=0.5, n_lambdas=20)
    criteria = reglab.information_criteria(enet, X, y)
    for i in (5, 12, 19):
        active = enet.nonzero[i]
        d2_active = np.linalg.svd(Z[:, active], compute_uv=False) ** 2
        assert criteria.df[i] == pytest.approx(np.sum(d2_active / (d2_active + n * enet.lambdas[i] * 0.5)), rel=1e-10)
    sigma2 = criteria.noise_variance
    rss = ((y - enet.predict(X)) ** 2).sum(axis=1)
    np.testing.assert_allclose(criteria.values["aic"], n * np.log(2 * np.pi * sigma2) + rss / sigma2 + 2 * criteria.df,
                               rtol=1e-12)


def test_more_features_than_rows_needs_a_noise_variance_and_has_the_extended_bic():
    X, y, _ = make_problem(30, 60, seed=3)
    path = reglab.path(X, y, "l1")
    with pytest.raises(DataError, match="noise_variance"):
        reglab.information_criteria(path, X, y)
    criteria = reglab.information_criteria(path, X, y, noise_variance=1.0)
    k = criteria.df
    extra = 2.0 * np.array([lgamma(61) - lgamma(v + 1) - lgamma(60 - v + 1) for v in k])
    np.testing.assert_allclose(criteria.values["ebic"], criteria.values["bic"] + extra, rtol=1e-12)
    assert criteria.lambda_of("ebic") >= criteria.lambda_of("bic") >= criteria.lambda_of("aic")
    with pytest.raises(DataError, match="positive"):
        reglab.information_criteria(path, X, y, noise_variance=-1.0)


def test_row_datafits_use_their_deviance_by_hand():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(150, 4))
    labels = np.where(X[:, 0] + rng.normal(size=150) > 0, "yes", "no")
    binomial = reglab.path(X, labels, "l1", family="binomial", n_lambdas=15)
    criteria = reglab.information_criteria(binomial, X, labels)
    p = binomial.predict(X)
    y01 = (labels == "yes").astype(float)
    deviance = -2 * (y01 * np.log(p) + (1 - y01) * np.log(1 - p)).sum(axis=1)
    np.testing.assert_allclose(criteria.minus_2_log_likelihood, deviance, rtol=1e-12)
    np.testing.assert_allclose(criteria.values["bic"], deviance + log(150) * binomial.nonzero.sum(axis=1), rtol=1e-12)
    assert criteria.noise_variance is None
    with pytest.raises(DataError, match="needs none"):
        reglab.information_criteria(binomial, X, labels, noise_variance=1.0)

    counts = rng.poisson(np.exp(0.3 + 0.5 * X[:, 1])).astype(float)
    offset = np.log(rng.uniform(0.5, 2.0, size=150))
    poisson = reglab.path(X, counts, "elasticnet", l1_ratio=0.5, family="poisson", offset=offset, n_lambdas=15)
    criteria = reglab.information_criteria(poisson, X, counts)
    mu = poisson.predict(X, offset=offset)
    with np.errstate(divide="ignore", invalid="ignore"):
        ylogy = np.where(counts > 0, counts * np.log(counts / mu), 0.0)
    np.testing.assert_allclose(criteria.minus_2_log_likelihood, (2 * (ylogy - (counts - mu))).sum(axis=1), rtol=1e-10)
    assert np.all(np.diff(criteria.df) >= -1e-9)  # the ridge part lets go as λ falls: df grows

    six = np.array(list("abcdef"))[np.argmax(X @ rng.normal(size=(4, 6)) + rng.gumbel(size=(150, 6)), axis=1)]
    multinomial = reglab.path(X, six, "l1", family="multinomial", n_lambdas=10)
    criteria = reglab.information_criteria(multinomial, X, six)
    prob = multinomial.predict(X)
    codes = np.searchsorted(np.array(multinomial.classes), six)
    np.testing.assert_allclose(criteria.minus_2_log_likelihood,
                               -2 * np.log(prob[:, np.arange(150), codes]).sum(axis=1), rtol=1e-12)
    assert criteria.df[0] == 0 and criteria.df[-1] == multinomial.nonzero[-1].sum()
