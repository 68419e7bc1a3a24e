"""Information criteria along a regularization path: AIC, BIC and the extended BIC.

For each λ of a path, with ``df(λ)`` its degrees of freedom (below) and n the training rows::

    AIC  = −2·log L + 2·df
    BIC  = −2·log L + log(n)·df
    EBIC = BIC + 2γ·log C(p, df)          (Chen & Chen 2008, γ = 1 by default; for p > n)

``−2·log L`` is the datafit's: for least squares the Gaussian likelihood with noise variance σ²,
``n·log(2πσ²) + RSS/σ²`` — scikit-learn's ``LassoLarsIC`` formula, so at the same λ and σ² the
values equal its ``criterion_`` — with σ² given or estimated as the OLS residual variance
``RSS_OLS/(n − p − 1)`` (as ``LassoLarsIC``; impossible when n ≤ p + 1: then σ² must be given); for
logistic, multinomial and Poisson regression the deviance ``Σᵢ cᵢ·devᵢ`` (−2·log L up to a constant
that no λ changes), so no σ² is needed.

``df``: for the lasso (α = 1) the number of non-zero weights (Zou, Hastie & Tibshirani 2007: an
unbiased estimate, and ``LassoLarsIC``'s); with a ridge part the trace of the fit's hat matrix on its
active set A, ``Σ d²/(d² + nλ(1−α))`` over the eigenvalues d² of ``Z_AᵀZ_A`` (for the row datafits
of ``Z_Aᵀdiag(c·h)Z_A`` at the fit: the last Newton step's df), as
:func:`reglab.diagnostics.effective_df`. The intercept is not counted (it is in every model alike).
The λ each criterion picks is its smallest value's.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import lgamma, log

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from .diagnostics import effective_df
from .errors import DataError
from .fitting import prepare_spec
from .results import Path, feature_matrix
from .solvers import ridge_df

#: The criteria, in the order they are drawn, with their names on screen.
CRITERIA: dict[str, str] = {"aic": "AIC", "bic": "BIC", "ebic": "EBIC"}


@dataclass(frozen=True)
class Criteria:
    """AIC, BIC and EBIC at every λ of a path (see the module docstring for the formulas).

    Attributes
    ----------
    lambdas : ndarray (n_lambdas,)
        The path's λ, descending.
    df : ndarray (n_lambdas,)
        Degrees of freedom at each λ (non-zero count for the lasso, hat-matrix trace otherwise).
    minus_2_log_likelihood : ndarray (n_lambdas,)
        ``n·log(2πσ²) + RSS/σ²`` for least squares, the deviance for the other datafits.
    values : dict of criterion name to ndarray (n_lambdas,)
    n_samples, n_features : int
    noise_variance : float or None
        σ² used (least squares), None for the other datafits.
    noise_variance_source : str
        Where σ² came from, in words ("" without one).
    ebic_gamma : float
    """

    lambdas: NDArray[np.float64]
    df: NDArray[np.float64]
    minus_2_log_likelihood: NDArray[np.float64]
    values: dict[str, NDArray[np.float64]]
    n_samples: int
    n_features: int
    noise_variance: float | None
    noise_variance_source: str
    ebic_gamma: float

    @property
    def shown(self) -> tuple[str, ...]:
        """The criteria worth drawing: AIC and BIC, and EBIC when features outnumber rows (its model-space
        term log C(p, df) is built for p ≫ n; with few features it is largest at df = p/2, not a price per
        feature)."""
        return ("aic", "bic", "ebic") if self.n_features > self.n_samples else ("aic", "bic")

    def index_of(self, criterion: str) -> int:
        """Index of the λ with the smallest value of ``criterion`` ("aic", "bic" or "ebic")."""
        return int(np.argmin(self.values[criterion]))

    def lambda_of(self, criterion: str) -> float:
        """The λ ``criterion`` picks (its minimum along the path)."""
        return float(self.lambdas[self.index_of(criterion)])

    def to_frame(self) -> pd.DataFrame:
        """Long table of the :attr:`shown` criteria: lambda, criterion (its name on screen), value, df,
        chosen (its minimum)."""
        parts = [pd.DataFrame({"lambda": self.lambdas, "criterion": CRITERIA[name], "value": self.values[name],
                               "df": self.df, "chosen": np.arange(len(self.lambdas)) == self.index_of(name)})
                 for name in self.shown]
        return pd.concat(parts, ignore_index=True)


def ols_noise_variance(X: NDArray[np.float64], y: NDArray[np.float64], weights: NDArray[np.float64] | None = None,
                       intercept: bool = True) -> float:
    """σ² from the least-squares fit on every feature: ``Σcᵢrᵢ²/(n − p − 1)`` (``− 1`` with an
    intercept), as ``LassoLarsIC`` estimates it. Raises :class:`DataError` when n ≤ p + 1."""
    n, p = X.shape
    dof = n - p - int(intercept)
    if dof <= 0:
        raise DataError(f"The noise variance cannot be estimated from {n} rows and {p} features (the least-squares "
                        "fit on every feature leaves no residual degrees of freedom): give noise_variance= (σ², "
                        "target units²) for AIC and BIC, e.g. from a smaller model or earlier data.")
    c = np.ones(n) if weights is None else np.asarray(weights, dtype=float) * (n / np.sum(weights))
    design = np.column_stack([X, np.ones(n)]) if intercept else X
    root = np.sqrt(c)
    coef = np.linalg.lstsq(design * root[:, None], y * root, rcond=None)[0]
    return float(c @ (y - design @ coef) ** 2 / dof)


def _log_binomial(p: int, k: NDArray[np.float64]) -> NDArray[np.float64]:
    """log C(p, k), for a real k in [0, p] (by the log-gamma function: the df of a ridge part is not whole)."""
    k = np.clip(k, 0.0, p)
    return np.array([lgamma(p + 1) - lgamma(value + 1) - lgamma(p - value + 1) for value in k])


def information_criteria(path: Path, X: ArrayLike, y: ArrayLike, *, noise_variance: float | None = None,
                         ebic_gamma: float = 1.0) -> Criteria:
    """AIC, BIC and EBIC at every λ of ``path``, fitted on the rows ``X``, ``y`` (its training rows:
    the same the path was fitted on, and the path's own spec: weights, offset, standardization).

    ``noise_variance`` (σ², target units², least squares only): by default the OLS estimate
    (:func:`ols_noise_variance`), which needs n > p + 1. ``ebic_gamma`` (γ in [0, 1]) weighs the
    extended BIC's model-space term.
    """
    spec = path.spec
    if spec is None:
        raise DataError("This path carries no model spec: make it with reglab.path to compute criteria.")
    if not 0.0 <= ebic_gamma <= 1.0:
        raise DataError(f"ebic_gamma must be in [0, 1], not {ebic_gamma!r}.")
    datafit = spec.datafit
    X_arr = feature_matrix(X, path.feature_names)
    design = prepare_spec(X_arr, y, spec, path.feature_names)
    # the target as the datafit reads it: numbers for least squares, else the row design's codes or counts
    y_model = np.asarray(y, dtype=float) if datafit.quadratic else design.y
    n, p = X_arr.shape
    c = np.ones(n) if spec.weights is None else spec.weights * (n / np.sum(spec.weights))
    predictions = path.predict(X_arr, offset=spec.offset)
    source = ""
    if datafit.quadratic:
        if noise_variance is None:
            noise_variance, source = ols_noise_variance(X_arr, y_model, spec.weights, spec.intercept), (
                f"the least-squares fit on all {p} features: RSS/(n − p − {int(spec.intercept)})")
        elif not (np.isfinite(noise_variance) and noise_variance > 0):
            raise DataError(f"noise_variance must be a positive number (σ², target units²), not {noise_variance!r}.")
        else:
            source = "given"
        rss = (c * (y_model - predictions) ** 2).sum(axis=1)
        minus_2ll = n * log(2 * np.pi * noise_variance) + rss / noise_variance
    else:
        if noise_variance is not None:
            raise DataError(f"noise_variance applies to least squares; {datafit.model_name} needs none.")
        minus_2ll = np.array([c @ datafit.deviance(y_model, prediction) for prediction in predictions])
    df = path_df(path, design)
    bic = minus_2ll + log(n) * df
    values = {"aic": minus_2ll + 2.0 * df, "bic": bic,
              "ebic": bic + 2.0 * ebic_gamma * _log_binomial(p * (len(path.classes) if datafit.per_class else 1), df)}
    return Criteria(path.lambdas.copy(), df, minus_2ll, values, n, p, noise_variance if datafit.quadratic else None,
                    source, float(ebic_gamma))


def path_df(path: Path, design) -> NDArray[np.float64]:
    """Degrees of freedom at each λ of ``path`` on its ``design`` (see the module docstring)."""
    penalty = path.spec.penalty
    mask = path.nonzero
    if penalty.alpha == 1.0:
        return mask.reshape(len(path.lambdas), -1).sum(axis=1).astype(float)
    ridge_parts = path.lambdas * (1.0 - penalty.alpha)
    if design.datafit.quadratic:  # the Gram's spectrum depends on the active set only: once per distinct set
        spectra: dict[bytes, NDArray[np.float64]] = {}
        for active in mask:
            if active.tobytes() not in spectra:
                block = design.gram[np.ix_(active, active)]
                spectra[active.tobytes()] = np.clip(np.linalg.eigvalsh(block), 0.0, None) if active.any() else np.zeros(0)
        return np.array([ridge_df(spectra[active.tobytes()], design.n_samples, part)
                         for active, part in zip(mask, ridge_parts)])
    b = (np.asarray(path.intercepts) + path.coefs @ design.x_mean) if design.intercept else np.zeros_like(path.intercepts)
    return np.array([effective_df(design, penalty, float(lam), path.weights[i], b[i], mask[i])
                     for i, lam in enumerate(path.lambdas)])
