"""The public fitting API: a model at one λ (:func:`fit`) and along a λ grid (:func:`path`).

    minimize over b, w:  1/(2n) · Σᵢ cᵢ·(yᵢ − b − zᵢᵀw)²  +  λ · ( α‖w‖₁ + (1−α)/2 · ‖w‖₂² )

``zᵢ`` is xᵢ standardized (weighted column mean 0, population sd 1) when ``standardize=True``,
else xᵢ itself; ``cᵢ`` are observation weights normalized to sum to n (all 1 by default).
Because the intercept is unpenalized, the solver works on centered data and recovers
``b = ȳ − z̄ᵀw`` (``b = 0`` with ``intercept=False``). Coefficients are reported on the
original scale, ``βⱼ = wⱼ / sdⱼ`` and ``β₀ = ȳ − Σⱼ βⱼ·x̄ⱼ``; a constant column gets ``βⱼ = 0``.

The layers below: :mod:`reglab.design` (validation and sufficient statistics),
:mod:`reglab.solvers` (ridge closed form, the compiled path solver, the KKT check, the λ grid),
:mod:`reglab.results` (:class:`Fit`, :class:`Path`).
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .design import Design, prepare, resample_design
from .objective import ModelSpec, Penalty
from .results import Fit, Path
from .solvers import RESAMPLING_KKT_TOLERANCE, solve_with_residuals, lambda_grid, solve


def fit_design(design: Design, penalty: Penalty, lam: float, w_init: NDArray[np.float64] | None = None) -> Fit:
    """:func:`fit` on a prepared :class:`Design` (reuses its Gram; optional warm start)."""
    lam = float(lam)
    weights, kkt_all = solve_with_residuals(design, penalty, [lam], w_init)
    weights, kkt = weights[0], kkt_all[0]
    coef, intercept = design.to_original(weights)
    lam_max = design.lambda_max(penalty)
    return Fit(
        penalty=penalty.name,
        l1_ratio=penalty.alpha,
        lam=lam,
        standardize=design.standardize,
        coef=coef,
        intercept=float(intercept),
        weights=weights,
        feature_names=design.feature_names,
        lambda_max=lam_max,
        kkt=float(kkt / lam_max) if lam_max > 0 else float(kkt),
        fit_intercept=design.intercept,
    )


def prepare_spec(X: ArrayLike, y: ArrayLike, spec: ModelSpec, feature_names: Sequence[str] | None = None) -> Design:
    """:func:`reglab.design.prepare` with a spec's standardization, intercept and weights."""
    return prepare(X, y, spec.standardize, feature_names, weights=spec.weights, intercept=spec.intercept)


class ExactSolve:
    """``(λ, warm start) → Fit`` on one design and penalty: how a :class:`Path` answers at a λ
    off its grid. A plain class rather than a closure, so a path can be pickled (cache, joblib)."""

    def __init__(self, design: Design, penalty: Penalty) -> None:
        self.design, self.penalty = design, penalty

    def __call__(self, lam: float, start: NDArray[np.float64] | None = None) -> Fit:
        return fit_design(self.design, self.penalty, lam, w_init=start)


#: λ values solved per call when a path reports progress (each chunk warm-starts the next).
_PROGRESS_CHUNKS = 10


def path_design(
    design: Design, penalty: Penalty, lambdas: ArrayLike | None = None, n_lambdas: int = 100,
    progress: Callable[[float], None] | None = None,
) -> Path:
    """:func:`path` on a prepared :class:`Design`.

    ``progress``, when given, is called with the share of λ values solved (0–1): the grid
    is then solved in ten warm-started chunks, the same solutions in about the same time.
    """
    lam_grid = lambda_grid(design, penalty, n_lambdas) if lambdas is None else np.asarray(lambdas, dtype=float)
    lam_grid = np.sort(lam_grid)[::-1]
    if progress is None or penalty.alpha == 0.0:
        weights, kkt = solve_with_residuals(design, penalty, lam_grid, None)
    else:
        parts, residuals, start = [], [], None
        for chunk in np.array_split(np.arange(len(lam_grid)), min(_PROGRESS_CHUNKS, len(lam_grid))):
            w, r = solve_with_residuals(design, penalty, lam_grid[chunk], start)
            parts.append(w)
            residuals.append(r)
            start = w[-1]
            progress((chunk[-1] + 1) / len(lam_grid))
        weights, kkt = np.vstack(parts), np.concatenate(residuals)
    coefs, intercepts = design.to_original(weights)
    lam_max = design.lambda_max(penalty)
    return Path(
        penalty=penalty.name,
        l1_ratio=penalty.alpha,
        standardize=design.standardize,
        lambdas=lam_grid,
        coefs=coefs,
        intercepts=np.asarray(intercepts, dtype=float),
        weights=weights,
        feature_names=design.feature_names,
        lambda_max=lam_max,
        kkt=kkt / lam_max if lam_max > 0 else kkt,
        fit_intercept=design.intercept,
        solve_at=ExactSolve(design, penalty),
    )


def fit(
    X: ArrayLike,
    y: ArrayLike,
    penalty: str = "l1",
    lam: float = 0.1,
    l1_ratio: float = 0.5,
    standardize: bool = True,
    feature_names: Sequence[str] | None = None,
    *,
    weights: ArrayLike | None = None,
    intercept: bool = True,
    family: str = "gaussian",
) -> Fit:
    """Fit the model at one λ.

    Solves ``min 1/(2n)Σcᵢ(yᵢ − b − zᵢᵀw)² + λ(α‖w‖₁ + (1−α)/2‖w‖²)`` (see module docstring).

    Parameters
    ----------
    X : array-like or DataFrame of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    penalty : {"l1", "l2", "elasticnet"}
    lam : float
        λ ≥ 0 (> 0 for l1/elastic net), in the units of the objective above.
    l1_ratio : float
        α for the elastic net; ignored for l1 (α = 1) and l2 (α = 0).
    standardize : bool
        Fit on standardized features (coefficients are still reported on the original scale).
    weights : array-like of shape (n_samples,), optional
        Observation weights cᵢ ≥ 0, normalized to sum to n as glmnet does (0 leaves a row out).
    intercept : bool
        Fit an unpenalized intercept (default); ``False`` fits b = 0 (glmnet's ``intercept=FALSE``).
    family : {"gaussian"}
        The datafit, by glmnet's name (:class:`reglab.objective.LeastSquares`).
    """
    spec = ModelSpec.of(penalty, l1_ratio, family, standardize, intercept, weights)
    return fit_design(prepare_spec(X, y, spec, feature_names), spec.penalty, lam)


def path(
    X: ArrayLike,
    y: ArrayLike,
    penalty: str = "l1",
    l1_ratio: float = 0.5,
    n_lambdas: int = 100,
    lambdas: ArrayLike | None = None,
    standardize: bool = True,
    feature_names: Sequence[str] | None = None,
    *,
    weights: ArrayLike | None = None,
    intercept: bool = True,
    family: str = "gaussian",
) -> Path:
    """Solutions along a decreasing λ grid (glmnet's default grid unless ``lambdas`` is given).

    Same objective and parameters as :func:`fit` (``weights``, ``intercept`` included);
    lasso/elastic net solve the whole grid in one warm-started call, ridge every λ from one
    eigendecomposition. Every λ meets KKT ≤ 1e-8·λ_max; :meth:`Path.fit_at` and
    :meth:`Path.predict` give the model at any λ, on the grid or off it.
    """
    spec = ModelSpec.of(penalty, l1_ratio, family, standardize, intercept, weights)
    return path_design(prepare_spec(X, y, spec, feature_names), spec.penalty, lambdas, n_lambdas)


def path_predictions(X_train: ArrayLike, y_train: ArrayLike, X_eval: ArrayLike, penalty: Penalty,
                     lambdas: ArrayLike, standardize: bool = True) -> NDArray[np.float64]:
    """Fit on the training rows at every λ (preprocessing fitted there only) and predict ``X_eval``.

    Returns an array of shape (n_lambdas, n_eval): the building block of CV folds and resamples
    (solved to :data:`RESAMPLING_KKT_TOLERANCE`: only errors are read from it).
    """
    return design_predictions(prepare(X_train, y_train, standardize), X_eval, penalty, lambdas)


def design_predictions(design: Design, X_eval: ArrayLike, penalty: Penalty, lambdas: ArrayLike,
                       kkt_tolerance: float = RESAMPLING_KKT_TOLERANCE) -> NDArray[np.float64]:
    """Predictions ``β₀(λ) + X_evalβ(λ)`` of ``design``'s solutions, shape (n_lambdas, n_eval),
    solved to ``kkt_tolerance`` (resampling's by default: only errors are read from them)."""
    coefs, intercepts = design.to_original(solve(design, penalty, lambdas, kkt_tolerance=kkt_tolerance))
    return coefs @ np.asarray(X_eval, dtype=float).T + np.asarray(intercepts)[..., None]


def resample_predictions(Xg: NDArray[np.float64], y: NDArray[np.float64], x_offset: NDArray[np.float64],
                         rows: NDArray[np.int_], X_eval: ArrayLike, penalty: Penalty, lambdas: ArrayLike,
                         standardize: bool = True) -> NDArray[np.float64]:
    """:func:`path_predictions` for the resample ``rows`` of a centered-once design (:func:`resample_design`)."""
    return design_predictions(resample_design(Xg, y, x_offset, rows, standardize), X_eval, penalty, lambdas)
