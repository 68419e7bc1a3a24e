"""The relaxed lasso (glmnet's ``relax=TRUE``): what shrinkage costs, and a blend that may beat both.

At each λ the penalized fit selects an active set A(λ) (its non-zero coefficients). The
*relaxed* fit refits the model on A(λ) alone without any penalty (λ = 0)::

    (b̃, β̃_A) = argmin 1/(2n) Σᵢ cᵢ (yᵢ − b − x_{iA}ᵀβ_A)²,   β̃ = 0 outside A

and the model at (λ, γ) blends the two, γ ∈ [0, 1]::

    β(λ, γ) = γ·β̂(λ) + (1 − γ)·β̃(λ)     (γ = 1: the penalized fit; γ = 0: the relaxed fit)

(intercepts alike). As glmnet's ``relax.glmnet`` and ``blend.relaxed`` (4.1): a λ with an empty
active set keeps its penalized fit (the intercept alone); an active set of more than n − 3
features is not refitted (glmnet's ``maxp``) and borrows the relaxed fit of the smallest λ that
was (``extend=TRUE``); γ below 10⁻⁵ is raised to 10⁻⁵ (glmnet's ``epsilon``), so γ = 0 means
that blend. Cross-validation runs the same on every fold and picks (λ, γ) by glmnet's rule
(:func:`cross_validate_relaxed`).

Least squares (``family="gaussian"``): the refit is an exact weighted least-squares solve, so it
needs no solver tolerance. An active set with exactly collinear columns has no unique refit: the
minimum-norm one is used (glmnet's coordinate descent at λ = 0 may land elsewhere).

Two-class logistic regression (``family="binomial"``): the refit maximizes the likelihood on A(λ)
(Newton's method to the gradient's rounding level, :func:`reglab.design.logistic_mle`) and the
blend is taken on the coefficients (the log-odds scale), as glmnet's. Where A(λ) separates the
classes no finite refit exists (glmnet then stops at very large coefficients after its iteration
limit): such a λ keeps its penalized fit for every γ, and :attr:`RelaxedPath.separated` says so.
"""

from __future__ import annotations

import dataclasses
from typing import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .datafits import Datafit
from .design import logistic_mle, observation_weights, poisson_mle, sorted_classes
from .errors import DataError
from .results import Fit, Path, feature_matrix

#: glmnet's ``blend.relaxed`` raises γ to at least this (its ``epsilon``).
GAMMA_FLOOR = 1e-5
#: cv.glmnet's default γ grid for ``relax=TRUE``.
DEFAULT_GAMMAS = (0.0, 0.25, 0.5, 0.75, 1.0)


def check_gamma(gamma: float) -> float:
    try:
        value = float(gamma)
    except (TypeError, ValueError):
        raise ValueError(f"γ must be a number in [0, 1], got {gamma!r}.") from None
    if not (np.isfinite(value) and 0.0 <= value <= 1.0):
        raise ValueError(f"γ must be a number in [0, 1], got {gamma!r}.")
    return value


def refit_unpenalized(X: NDArray[np.float64], y: NDArray[np.float64], c: NDArray[np.float64], active: NDArray[np.bool_],
                      intercept: bool = True) -> tuple[float, NDArray[np.float64]]:
    """Weighted least squares on the ``active`` columns: ``(b̃, β̃)`` with β̃ = 0 elsewhere.

    Minimizes Σᵢ cᵢ(yᵢ − b − x_{iA}ᵀβ_A)² (b = 0 without ``intercept``): the columns are centred
    at their weighted means and scaled to unit weighted sd before the SVD solve, so the answer
    does not depend on the units (and is the minimum-norm one in that scale if they are collinear).
    """
    v = c / c.sum()
    XA = X[:, active]
    x_mean = v @ XA if intercept else np.zeros(XA.shape[1])
    y_mean = float(v @ y) if intercept else 0.0
    centred = XA - x_mean
    scale = np.sqrt(v @ centred**2)
    scale[scale == 0.0] = 1.0
    root = np.sqrt(c)[:, None]
    solution, *_ = np.linalg.lstsq(root * centred / scale, root[:, 0] * (y - y_mean), rcond=None)
    beta = np.zeros(X.shape[1])
    beta[active] = solution / scale
    return y_mean - float(x_mean @ beta[active]), beta


#: A refit solves the normal equations of its active set (from moments formed once) when their
#: condition number is below this: the solve then loses at most ~8 of 16 digits (relative error
#: ≲ 1e8·2.2e-16 ≈ 2e-8, under the 1e-6 the product promises). Worse-conditioned sets (near
#: collinear, or a constant column) are solved from the rows by SVD (:func:`refit_unpenalized`).
_NORMAL_EQUATIONS_MAX_CONDITION = 1e8


class _Refits:
    """Unpenalized refits of many active sets of one data set: the weighted, centred and scaled
    moments are formed once (O(np²)); each set is then an |A|×|A| eigen-solve instead of an
    SVD of n rows, unless it is ill-conditioned (then :func:`refit_unpenalized` on the rows).
    Why by hand: scikit-learn's LinearRegression refits from the rows every time."""

    def __init__(self, X: NDArray[np.float64], y: NDArray[np.float64], c: NDArray[np.float64], intercept: bool) -> None:
        self.X, self.y, self.c, self.intercept = X, y, c, intercept
        v = c / c.sum()
        self.x_mean = v @ X if intercept else np.zeros(X.shape[1])
        self.y_mean = float(v @ y) if intercept else 0.0
        root = np.sqrt(v)[:, None]
        centred = root * (X - self.x_mean)
        self.scale = np.sqrt(np.sum(centred**2, axis=0))
        self.scale[self.scale == 0.0] = 1.0
        centred /= self.scale
        self.gram = centred.T @ centred
        self.zy = centred.T @ (root[:, 0] * (y - self.y_mean))

    def __call__(self, active: NDArray[np.bool_]) -> tuple[float, NDArray[np.float64]]:
        idx = np.flatnonzero(active)
        vals, vecs = np.linalg.eigh(self.gram[np.ix_(idx, idx)])
        if vals[0] <= vals[-1] / _NORMAL_EQUATIONS_MAX_CONDITION:
            return refit_unpenalized(self.X, self.y, self.c, active, self.intercept)
        beta = np.zeros(self.X.shape[1])
        beta[idx] = vecs @ ((vecs.T @ self.zy[idx]) / vals) / self.scale[idx]
        return self.y_mean - float(self.x_mean[idx] @ beta[idx]), beta


@dataclass(frozen=True)
class RelaxedPath:
    """A penalized path and the unpenalized refits of its active sets (glmnet's ``relaxed`` object).

    Attributes
    ----------
    path : Path
        The penalized path (γ = 1).
    relaxed_coefs : ndarray of shape (n_lambdas, n_features)
        β̃(λ), original scale (the penalized fit's where no refit exists, see the module docstring).
    relaxed_intercepts : ndarray of shape (n_lambdas,)
    refitted : ndarray of bool, shape (n_lambdas,)
        Whether λ's active set was refitted (False: empty, more than n − 3 features, or separating).
    x_scale : ndarray of shape (n_features,)
        The solver scale of each feature (its sd when the path is standardized, else 1), to
        report blended coefficients as solver weights like every :class:`~reglab.Path`.
    """

    path: Path
    relaxed_coefs: NDArray[np.float64]
    relaxed_intercepts: NDArray[np.float64]
    refitted: NDArray[np.bool_]
    x_scale: NDArray[np.float64]
    #: λ values whose active set separates the classes (binomial): no finite refit, the penalized fit is kept.
    separated: NDArray[np.bool_] | None = None

    @property
    def lambdas(self) -> NDArray[np.float64]:
        return self.path.lambdas

    def blend(self, gamma: float) -> Path:
        """The models β(λ, γ) = γ·β̂(λ) + (1 − γ)·β̃(λ) along the grid, as a :class:`~reglab.Path`.

        γ = 1 returns the penalized path itself. Its ``kkt`` is NaN for γ < 1: a blend is not an
        optimum of the penalized objective. :meth:`Path.fit_at` off the grid solves the penalized
        model at that λ, refits its active set and blends (as :func:`reglab.fit` with ``relax=True``).
        """
        gamma = check_gamma(gamma)
        if gamma == 1.0:
            return self.path
        g = max(gamma, GAMMA_FLOOR)
        coefs, intercepts = self._extended()
        blended = g * self.path.coefs + (1.0 - g) * coefs
        blended_b = g * self.path.intercepts + (1.0 - g) * intercepts
        path = self.path

        def solve_at(lam: float, w_init=None) -> Fit:
            raise DataError("A relaxed model off the λ grid needs the data: use reglab.fit(..., relax=True, gamma=…).")

        return dataclasses.replace(path, coefs=blended, intercepts=blended_b, weights=blended * self.x_scale,
                                   kkt=np.full(len(path.lambdas), np.nan), solve_at=solve_at)

    def _extended(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Relaxed fits with glmnet's ``extend=TRUE``: a λ whose active set was too large for a refit
        borrows the relaxed fit of the smallest λ that had one."""
        coefs, intercepts = self.relaxed_coefs.copy(), self.relaxed_intercepts.copy()
        too_large = ~self.refitted & self.path.nonzero.any(axis=1)
        if self.separated is not None:
            too_large &= ~self.separated
        if too_large.any() and self.refitted.any():
            last = int(np.flatnonzero(self.refitted)[-1])
            coefs[too_large], intercepts[too_large] = coefs[last], intercepts[last]
        return coefs, intercepts

    def predict(self, X: ArrayLike, gamma: float, offset: ArrayLike | None = None) -> NDArray[np.float64]:
        """Predictions of the blend at every λ, shape (n_lambdas, n) (with the rows' ``offset``, Poisson)."""
        return self.blend(gamma).predict(X, offset=offset)


def relax(path: Path, X: ArrayLike, y: ArrayLike, weights: ArrayLike | None = None,
          offset: ArrayLike | None = None) -> RelaxedPath:
    """The relaxed fits of ``path`` (solved on ``X``, ``y`` and ``weights``): one unpenalized refit
    per distinct active set (least squares, or the logistic likelihood for a two-class path), as
    glmnet's ``relax.glmnet``."""
    if not path.datafit.relaxable:
        raise ValueError("The relaxed lasso is offered for least squares, two-class logistic and Poisson regression "
                         "(family='gaussian', 'binomial' or 'poisson') here.")
    if path.spec is not None and path.spec.penalty.bounded:
        raise ValueError("The relaxed lasso is not offered with coefficient limits here: its unpenalized refits "
                         "would ignore them.")
    X_arr = feature_matrix(X, path.feature_names)
    y_arr = _response(y, path.datafit, path.classes)
    n = X_arr.shape[0]
    if y_arr.shape[0] != n:
        raise DataError(f"X has {n} rows but y has {y_arr.shape[0]}.")
    c = np.ones(n) if weights is None else observation_weights(weights, n)
    eta_offset = np.zeros(n) if offset is None else np.asarray(offset, dtype=float).reshape(-1)
    if path.datafit.classifier:
        def refit(active):
            return _likelihood_refit(X_arr, c, active, path.fit_intercept,
                                     lambda rows: logistic_mle(rows, y_arr, c, path.fit_intercept)[0])
    elif path.datafit.counts:
        def refit(active):
            return _likelihood_refit(X_arr, c, active, path.fit_intercept,
                                     lambda rows: poisson_mle(rows, y_arr, c, path.fit_intercept, eta_offset)[0])
    else:
        refit = _Refits(X_arr, y_arr, c, path.fit_intercept)
    if path.standardize:
        v = c / c.sum()
        mean = v @ X_arr
        x_scale = np.sqrt(v @ (X_arr - mean) ** 2)
        x_scale[x_scale == 0.0] = 1.0
    else:
        x_scale = np.ones(X_arr.shape[1])
    return _relaxed_path(path, refit, n, x_scale)


def _relaxed_path(path: Path, refit: Callable[[NDArray[np.bool_]], tuple[float, NDArray[np.float64]] | None], n: int,
                  x_scale: NDArray[np.float64]) -> RelaxedPath:
    """The refits of every distinct active set of ``path`` by ``refit`` (None: no finite refit, the set
    separates the classes), with glmnet's rules: an empty set or one of more than n − 3 features keeps
    its penalized fit."""
    coefs, intercepts = path.coefs.copy(), path.intercepts.copy()
    refitted = np.zeros(len(path.lambdas), dtype=bool)
    separated = np.zeros(len(path.lambdas), dtype=bool)
    largest = n - 3  # glmnet's maxp
    done: dict[bytes, tuple[float, NDArray[np.float64]] | None] = {}
    for i, active in enumerate(path.nonzero):
        size = int(active.sum())
        if size == 0 or size > largest:
            continue
        key = active.tobytes()
        if key not in done:
            done[key] = refit(active)
        if done[key] is None:
            separated[i] = True
            continue
        intercepts[i], coefs[i] = done[key]
        refitted[i] = True
    return RelaxedPath(path, coefs, intercepts, refitted, x_scale, separated)


def relax_from_moments(path: Path, design) -> RelaxedPath:
    """:func:`relax` for a least-squares path from its :class:`~reglab.design.Design` alone (no rows: a
    cluster's one-pass statistics): each active set's normal equations ``G_AA w = (Zᵀy)_A`` in the solver's
    standardized coordinates, the minimum-norm solution when they are singular."""
    def refit(active: NDArray[np.bool_]) -> tuple[float, NDArray[np.float64]]:
        idx = np.flatnonzero(active)
        vals, vecs = np.linalg.eigh(design.gram[np.ix_(idx, idx)])
        keep = vals > vals[-1] * 1e-12
        w = vecs[:, keep] @ ((vecs[:, keep].T @ design.zy[idx]) / vals[keep])
        beta = np.zeros(design.n_features)
        beta[idx] = w / design.x_scale[idx]
        return float(design.y_mean - design.x_mean[idx] @ beta[idx]) if design.intercept else 0.0, beta

    return _relaxed_path(path, refit, design.n_samples, design.x_scale)


def _response(y: ArrayLike, datafit: Datafit, classes) -> NDArray[np.float64]:
    """The target as the path's solver reads it: numbers, or 1 for the positive class ``classes[1]``
    (given as the class labels, or already as those 0/1 codes)."""
    if not datafit.classifier:
        return np.asarray(y, dtype=float).reshape(-1)
    codes, labels = sorted_classes(y)
    if labels == tuple(classes):
        return codes.astype(float)
    if labels == tuple(classes)[::-1]:  # the path's positive class is the first sorted label
        return 1.0 - codes
    if set(labels) <= {"0", "1"}:  # the solver's codes themselves
        return np.asarray(y, dtype=float).reshape(-1)
    raise DataError(f"y holds the classes {labels!r}; the path was fitted on {tuple(classes)!r}.")


def _likelihood_refit(X: NDArray[np.float64], c: NDArray[np.float64], active: NDArray[np.bool_], intercept: bool,
                      mle: Callable[[NDArray[np.float64]], NDArray[np.float64]]) -> tuple[float, NDArray[np.float64]] | None:
    """The maximum-likelihood fit on the ``active`` columns, ``(b̃, β̃)`` on the original scale: ``mle``
    (:func:`reglab.design.logistic_mle` or :func:`~reglab.design.poisson_mle` with the data bound) solves
    on the columns centred and scaled by their weighted mean and sd (Newton's conditioning) and gives
    the coefficients, intercept last; None when no finite fit exists (separated classes, or a
    feature's values seen only with counts of 0: ``mle`` raises a DataError)."""
    v = c / c.sum()
    XA = X[:, active]
    mean = v @ XA if intercept else np.zeros(XA.shape[1])
    scale = np.sqrt(v @ (XA - mean) ** 2)
    scale[scale == 0.0] = 1.0
    try:
        coef = mle(((XA - mean) / scale).T)
    except DataError:
        return None
    beta = np.zeros(X.shape[1])
    beta[active] = coef[: XA.shape[1]] / scale
    b = float(coef[-1]) - float(mean @ beta[active]) if intercept else 0.0
    return b, beta


def _one_lambda_path(penalized: Fit) -> Path:
    """A fit as a one-λ :class:`~reglab.Path` (what :func:`relax` reads)."""
    return Path(penalty=penalized.penalty, l1_ratio=penalized.l1_ratio, lambdas=np.array([penalized.lam]),
                standardize=penalized.standardize, coefs=penalized.coef[None, :],
                intercepts=np.array([penalized.intercept]), weights=penalized.weights[None, :],
                feature_names=penalized.feature_names, lambda_max=penalized.lambda_max, kkt=np.array([penalized.kkt]),
                fit_intercept=penalized.fit_intercept, family=penalized.family, classes=penalized.classes,
                penalty_factor=penalized.penalty_factor, weight_floor=penalized.weight_floor)


def relaxed_fit(penalized: Fit, X: ArrayLike, y: ArrayLike, gamma: float, weights: ArrayLike | None = None,
                offset: ArrayLike | None = None) -> Fit:
    """The model at (λ, γ) from the penalized fit at λ: its active set refitted without penalty and
    blended (γ·β̂ + (1 − γ)·β̃); ``gamma`` and ``kkt`` (NaN for γ < 1) say what it is. Where the
    active set separates two classes (no finite refit) the penalized fit itself is returned (γ = 1)."""
    gamma = check_gamma(gamma)
    if gamma == 1.0:
        return penalized
    relaxed = relax(_one_lambda_path(penalized), X, y, weights, offset)
    if relaxed.separated[0]:  # no finite refit: the penalized fit is the model at every γ (and says γ = 1)
        return penalized
    return dataclasses.replace(relaxed.blend(gamma).fit_at(penalized.lam), gamma=gamma)


@dataclass(frozen=True)
class RelaxedCV:
    """Cross-validation over (λ, γ) of relaxed fits (cv.glmnet's ``relax=TRUE``).

    ``mean_error`` and ``se`` have shape (n_gammas, n_lambdas), one row per γ of ``gammas``
    (increasing; γ = 1 is the penalized model's curve). λ.min/γ.min minimize the mean error;
    λ.1se/γ.1se are the largest λ (then γ) within one SE of it.
    """

    lambdas: NDArray[np.float64]
    gammas: tuple[float, ...]
    mean_error: NDArray[np.float64]
    se: NDArray[np.float64]
    lambda_min: float
    gamma_min: float
    lambda_1se: float
    gamma_1se: float
    folds: int
    relaxed: RelaxedPath

    def to_frame(self):
        """Tidy table: ``gamma``, ``lambda``, ``mean_error``, ``se``."""
        import pandas as pd

        return pd.concat([pd.DataFrame({"gamma": g, "lambda": self.lambdas, "mean_error": self.mean_error[k],
                                        "se": self.se[k]}) for k, g in enumerate(self.gammas)], ignore_index=True)


def gamma_label(gamma: float) -> str:
    """How charts name the model at γ (γ = 1 is the penalized fit itself)."""
    return "γ = 1 (the penalized fit)" if gamma == 1.0 else f"γ = {gamma:g}" + (" (relaxed fit)" if gamma == 0 else "")


def cv_curves_frame(cv: RelaxedCV):
    """The CV curve of every γ as a tidy table (``lambda``, ``component`` = :func:`gamma_label`, ``value``)."""
    import pandas as pd

    return pd.concat([pd.DataFrame({"lambda": cv.lambdas, "component": gamma_label(g), "value": cv.mean_error[k]})
                      for k, g in enumerate(cv.gammas)], ignore_index=True)


def held_out_error_frame(relaxed: RelaxedPath, X_test: ArrayLike, y_test: ArrayLike, gamma: float):
    """Held-out error along λ of the penalized path and of the blend at ``gamma`` (``lambda``,
    ``component``, ``value``): mean squared error (target units²), or the mean log-loss (nats per
    row) for a two-class model."""
    import pandas as pd

    y = _response(y_test, relaxed.path.datafit, relaxed.path.classes)
    parts = []
    for value in dict.fromkeys((1.0, check_gamma(gamma))):
        errors = relaxed.path.datafit.mean_loss(y, relaxed.predict(X_test, value))
        parts.append(pd.DataFrame({"lambda": relaxed.lambdas, "component": f"{relaxed.path.datafit.held_out_error}, "
                                   + gamma_label(value), "value": errors}))
    return pd.concat(parts, ignore_index=True)


def held_out_scores(penalized: Fit, blended: Fit, X_test: ArrayLike, y_test: ArrayLike) -> tuple[str, float, float]:
    """How the penalized fit and its blend do on held-out rows: ``(name, penalized, blended)`` with
    the name saying the measure (lower is better): the root mean squared error (target units),
    the mean log-loss (nats per row) for a two-class model, the mean deviance for counts."""
    y = _response(y_test, penalized.datafit, penalized.classes)
    losses = [float(penalized.datafit.mean_loss(y, model.predict(X_test))) for model in (penalized, blended)]
    if penalized.datafit.quadratic:
        return "Test RMSE", float(np.sqrt(losses[0])), float(np.sqrt(losses[1]))
    return penalized.datafit.held_out_error.capitalize(), losses[0], losses[1]


def coefficient_comparison(penalized: Fit, blended: Fit, penalized_label: str):
    """Standardized coefficients (solver weights) of the penalized fit and its blend, for grouped
    bars (``model``, ``feature``, ``coef``); features with no weight in either are left out."""
    import pandas as pd

    shown = (penalized.weights != 0) | (blended.weights != 0)
    names = np.asarray(penalized.feature_names, dtype=object)[shown]
    return pd.concat([pd.DataFrame({"model": penalized_label, "feature": names, "coef": penalized.weights[shown]}),
                      pd.DataFrame({"model": "relaxed, " + gamma_label(blended.gamma), "feature": names,
                                    "coef": blended.weights[shown]})], ignore_index=True)
