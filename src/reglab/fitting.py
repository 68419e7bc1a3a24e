"""The public fitting API: a model at one λ (:func:`fit`) and along a λ grid (:func:`path`).

    minimize over b, w:  F(b, w)  +  λ · ( α‖w‖₁ + (1−α)/2 · ‖w‖₂² )

    F = 1/(2n) · Σᵢ cᵢ·(yᵢ − b − zᵢᵀw)²                        family="gaussian" (least squares)
    F = (1/n) · Σᵢ cᵢ·[log(1 + e^ηᵢ) − yᵢηᵢ],  ηᵢ = b + zᵢᵀw     family="binomial" (logistic, yᵢ ∈ {0, 1})

``zᵢ`` is xᵢ standardized (weighted column mean 0, population sd 1) when ``standardize=True``,
else xᵢ itself; ``cᵢ`` are observation weights normalized to sum to n (all 1 by default).
Because the intercept is unpenalized, the solver works on centered data (least squares then
recovers ``b = ȳ``; ``b = 0`` with ``intercept=False``). Coefficients are reported on the
original scale, ``βⱼ = wⱼ / sdⱼ`` and ``β₀ = ȳ − Σⱼ βⱼ·x̄ⱼ``; a constant column gets ``βⱼ = 0``.

The layers below: :mod:`reglab.design` (validation and sufficient statistics),
:mod:`reglab.solvers` (ridge closed form, the compiled path solver, the KKT check, the λ grid),
:mod:`reglab.results` (:class:`Fit`, :class:`Path`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .design import RowDesign, Design, prepare, resample_design
from .objective import ModelSpec, Penalty
from .results import Fit, Path, weight_floor
from .errors import DataError
from .solvers import RESAMPLING_KKT_TOLERANCE, solve_with_residuals, lambda_grid

if TYPE_CHECKING:
    from .relaxed import RelaxedPath

#: A prepared problem: least squares on its Gram, or a classification problem on its rows.
Prepared = Design | RowDesign


def fit_design(design: Prepared, penalty: Penalty, lam: float, w_init: NDArray[np.float64] | None = None,
               spec: ModelSpec | None = None) -> Fit:
    """:func:`fit` on a prepared design (reuses its statistics; optional warm start).

    The design carries the data side of a :class:`~reglab.objective.ModelSpec` (datafit,
    weights, standardization, intercept), ``penalty`` the rest; a penalty change reuses the design.
    ``spec``, the whole model when the caller has it, is stored in the fit.
    """
    lam = float(lam)
    solution = solve_with_residuals(design, penalty, [lam], w_init)
    coef, intercept = design.to_original(solution.weights[0], solution.intercepts[0])
    lam_max = design.lambda_max(penalty)
    kkt = float(solution.kkt[0])
    return Fit(
        penalty=penalty.name,
        l1_ratio=penalty.alpha,
        lam=lam,
        standardize=design.standardize,
        coef=coef,
        intercept=float(intercept) if np.ndim(intercept) == 0 else np.asarray(intercept, dtype=float),
        weights=solution.weights[0],
        feature_names=design.feature_names,
        lambda_max=lam_max,
        kkt=kkt / lam_max if lam_max > 0 else kkt,
        fit_intercept=design.intercept,
        family=design.datafit.family,
        classes=design.classes,
        penalty_factor=penalty.factors,
        weight_floor=sparse_floor(lam_max, design, penalty),
        spec=spec,
    )


def prepare_spec(X: ArrayLike, y: ArrayLike, spec: ModelSpec, feature_names: Sequence[str] | None = None) -> Prepared:
    """:func:`reglab.design.prepare` with a spec's datafit, standardization, intercept, weights
    and positive class: the design every solver of that spec reads."""
    return prepare(X, y, spec.standardize, feature_names, weights=spec.weights, intercept=spec.intercept,
                   family=spec.datafit, positive_class=spec.positive_class, offset=spec.offset)


def sparse_floor(lambda_max: float, design: Prepared, penalty: Penalty) -> NDArray[np.float64] | None:
    """The non-zero rule's absolute floor (:func:`reglab.results.weight_floor`) where the penalty
    has an L1 part, whose zeros are exact and whose first weights start at rounding level below
    λ_max; none for ridge, whose weights are all non-zero and may pass through 0 along the path
    (a tiny weight there is a real one, as glmnet counts it)."""
    return weight_floor(lambda_max, design.curvature) if penalty.alpha > 0 else None


class ExactSolve:
    """``(λ, warm start) → Fit`` on one design and penalty: how a :class:`Path` answers at a λ
    off its grid. A plain class rather than a closure, so a path can be pickled (cache, joblib)."""

    def __init__(self, design: Prepared, penalty: Penalty, spec: ModelSpec | None = None) -> None:
        self.design, self.penalty, self.spec = design, penalty, spec

    def __call__(self, lam: float, start: NDArray[np.float64] | None = None) -> Fit:
        return fit_design(self.design, self.penalty, lam, w_init=start, spec=self.spec)


#: λ values solved per call when a path reports progress (each chunk warm-starts the next).
_PROGRESS_CHUNKS = 10


def path_design(
    design: Prepared, penalty: Penalty, lambdas: ArrayLike | None = None, n_lambdas: int = 100,
    progress: Callable[[float], None] | None = None, spec: ModelSpec | None = None,
) -> Path:
    """:func:`path` on a prepared :class:`Design` (``spec``, the whole model when the caller has it,
    is stored in the path and its fits).

    ``progress``, when given, is called with the share of λ values solved (0–1): a least-squares
    lasso or elastic-net path reports from its one compiled call as it goes (the same numbers as
    without progress); other paths are solved in ten warm-started chunks, the same solutions in
    about the same time.
    """
    lam_grid = lambda_grid(design, penalty, n_lambdas) if lambdas is None else np.asarray(lambdas, dtype=float)
    lam_grid = np.sort(lam_grid)[::-1]
    one_call = isinstance(design, Design) and not penalty.grouped  # closed form, or one kernel call
    if progress is None or one_call:
        weights, solver_intercepts, kkt = solve_with_residuals(design, penalty, lam_grid, None, progress=progress)
    else:
        parts, start = [], None
        for chunk in np.array_split(np.arange(len(lam_grid)), min(_PROGRESS_CHUNKS, len(lam_grid))):
            parts.append(solve_with_residuals(design, penalty, lam_grid[chunk], start))
            start = parts[-1].weights[-1]
            progress((chunk[-1] + 1) / len(lam_grid))
        weights, solver_intercepts, kkt = (np.concatenate(field) for field in zip(*parts))
    coefs, intercepts = design.to_original(weights, solver_intercepts)
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
        family=design.datafit.family,
        classes=design.classes,
        penalty_factor=penalty.factors,
        weight_floor=sparse_floor(lam_max, design, penalty),
        solve_at=ExactSolve(design, penalty, spec),
        spec=spec,
    )


def fit(
    X: ArrayLike,
    y: ArrayLike | None = None,
    penalty: str = "l1",
    lam: float = 0.1,
    l1_ratio: float = 0.5,
    standardize: bool = True,
    feature_names: Sequence[str] | None = None,
    *,
    weights: ArrayLike | None = None,
    intercept: bool = True,
    family: str = "gaussian",
    positive_class: str | None = None,
    penalty_factor: ArrayLike | None = None,
    relax: bool = False,
    gamma: float = 1.0,
    groups: ArrayLike | None = None,
    offset: ArrayLike | None = None,
    lower_limits: ArrayLike | None = None,
    upper_limits: ArrayLike | None = None,
) -> Fit:
    """Fit the model at one λ.

    Solves ``min 1/(2n)Σcᵢ(yᵢ − b − zᵢᵀw)² + λ(α‖w‖₁ + (1−α)/2‖w‖²)`` (see module docstring).

    Parameters
    ----------
    X : array-like or DataFrame of shape (n_samples, n_features), or a table on a cluster
        A Dask DataFrame or :func:`reglab.read_parquet`'s :class:`~reglab.LazyTable`: the work then runs by
        passes over the data on Dask (:mod:`reglab.distributed`): ``y`` names the target column, ``weights``
        and ``offset`` name columns, and the results carry the passes taken.
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
    family : {"gaussian", "binomial", "multinomial", "poisson"}
        The datafit, by glmnet's name (:mod:`reglab.datafits`): least squares, logistic regression
        for a two-class target (``y`` may then hold any two labels, e.g. "yes"/"no"), for K classes
        (multinomial: coefficients (K, p), intercepts (K,)), or Poisson regression of counts y ≥ 0
        (log link: the mean count is e^(offset + β₀ + xᵀβ)).
    positive_class : optional
        For ``"binomial"``: the class whose probability is modelled (default: the second of the
        two sorted labels, as glmnet).
    penalty_factor : array-like of shape (n_features,), optional
        glmnet's ``penalty.factor``: fⱼ ≥ 0 multiplies feature j's penalty (0 = unpenalized, always
        in the model); rescaled to sum to n_features. λ_max is then the smallest λ that zeroes every
        penalized weight with the unpenalized ones fitted.
    relax, gamma : bool, float
        glmnet's relaxed lasso (least squares): refit the active set at λ without penalty and
        return the blend γ·β̂ + (1 − γ)·β̃ (:mod:`reglab.relaxed`; γ = 1 is the penalized fit).
    groups : array-like of shape (n_features,), optional
        A group label per feature (least squares): the group elastic net
        λΣ_g f_g√|g|(α‖w_g‖₂ + (1−α)/2‖w_g‖₂²), a group in or out of the model as a whole
        (:class:`reglab.objective.Penalty`); e.g. a categorical column's one-hot columns.
    offset : array-like of shape (n_samples,), optional
        Poisson regression: a fixed part of η per row (glmnet's ``offset``), e.g. log(exposure) so
        that the model is a rate per unit of exposure. Predictions then take the rows' offset too.
    lower_limits, upper_limits : float or array-like of shape (n_features,), optional
        glmnet's ``lower.limits`` / ``upper.limits``: bounds on each original-scale coefficient
        (≤ 0 and ≥ 0 respectively; ``lower_limits=0`` is scikit-learn's ``positive=True``). The
        solution meets the KKT conditions of the bounded problem (every class's coefficients for 3+
        classes); not with ``groups`` or ``relax``.
    """
    if is_lazy(X):  # a Dask DataFrame or reglab.read_parquet's table: passes on the cluster
        if relax:
            raise DataError("On a cluster the relaxed lasso is a path: reglab.path(table, relax=True).blend(γ).")
        spec = ModelSpec.of(penalty, l1_ratio, family, standardize, intercept, None, positive_class, penalty_factor,
                            groups, None, lower_limits, upper_limits)
        return CLUSTER_BACKEND["fit"](X, y, spec, lam, roles=column_roles(weights, offset))
    spec = ModelSpec.of(penalty, l1_ratio, family, standardize, intercept, weights, positive_class, penalty_factor,
                        groups, offset, lower_limits, upper_limits)
    require_target(y)
    design = prepare_spec(X, y, spec, feature_names)
    penalized = fit_design(design, spec.penalty, lam, spec=spec)
    if not relax:
        return penalized
    from .relaxed import relaxed_fit

    return relaxed_fit(penalized, X, y, gamma, weights, offset)


def path(
    X: ArrayLike,
    y: ArrayLike | None = None,
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
    positive_class: str | None = None,
    penalty_factor: ArrayLike | None = None,
    relax: bool = False,
    groups: ArrayLike | None = None,
    offset: ArrayLike | None = None,
    lower_limits: ArrayLike | None = None,
    upper_limits: ArrayLike | None = None,
) -> "Path | RelaxedPath":
    """Solutions along a decreasing λ grid (glmnet's default grid unless ``lambdas`` is given).

    Same objective and parameters as :func:`fit` (``weights``, ``intercept``, ``penalty_factor``, ``offset``,
    ``lower_limits`` / ``upper_limits`` included);
    lasso/elastic net solve the whole grid in one warm-started call, ridge every λ from one
    eigendecomposition (logistic: proximal Newton, warm-started along the grid). Every λ meets
    KKT ≤ 1e-8·λ_max; :meth:`Path.fit_at` and :meth:`Path.predict` give the model at any λ,
    on the grid or off it. ``relax=True`` (least squares) also refits every active set without
    penalty and returns a :class:`~reglab.relaxed.RelaxedPath` (glmnet's ``relax=TRUE``): its
    ``path`` is this path, ``blend(γ)`` the models γ·β̂ + (1 − γ)·β̃.
    """
    if is_lazy(X):  # a Dask DataFrame or reglab.read_parquet's table: passes on the cluster
        spec = ModelSpec.of(penalty, l1_ratio, family, standardize, intercept, None, positive_class, penalty_factor,
                            groups, None, lower_limits, upper_limits)
        solved = CLUSTER_BACKEND["path"](X, y, spec, lambdas, n_lambdas, roles=column_roles(weights, offset))
        return CLUSTER_BACKEND["relax"](solved) if relax else solved
    spec = ModelSpec.of(penalty, l1_ratio, family, standardize, intercept, weights, positive_class, penalty_factor,
                        groups, offset, lower_limits, upper_limits)
    require_target(y)
    solved = path_design(prepare_spec(X, y, spec, feature_names), spec.penalty, lambdas, n_lambdas, spec=spec)
    if not relax:
        return solved
    from .relaxed import relax as relax_path

    return relax_path(solved, X, y, weights, offset)


def path_predictions(X_train: ArrayLike, y_train: ArrayLike, X_eval: ArrayLike, spec: ModelSpec,
                     lambdas: ArrayLike) -> NDArray[np.float64]:
    """Fit ``spec`` on the training rows at every λ (preprocessing fitted there only) and predict ``X_eval``.

    Returns an array of shape (n_lambdas, n_eval) in the response's units (probabilities for a
    classifier): the building block of CV folds and resamples (solved to
    :data:`RESAMPLING_KKT_TOLERANCE`: only errors are read from it).
    """
    return design_predictions(prepare_spec(X_train, y_train, spec), X_eval, spec.penalty, lambdas)


def design_predictions(design: Prepared, X_eval: ArrayLike, penalty: Penalty, lambdas: ArrayLike,
                       kkt_tolerance: float = RESAMPLING_KKT_TOLERANCE,
                       eval_offset: NDArray[np.float64] | None = None) -> NDArray[np.float64]:
    """Predictions (the datafit's response of ``offset + β₀(λ) + X_evalβ(λ)``) of ``design``'s
    solutions, shape (n_lambdas, n_eval), solved to ``kkt_tolerance`` (resampling's by default: only
    errors are read from them); ``eval_offset`` is the evaluated rows' offset (Poisson), if any."""
    solution = solve_with_residuals(design, penalty, lambdas, None, kkt_tolerance)
    coefs, intercepts = design.to_original(solution.weights, solution.intercepts)
    X_eval = np.asarray(X_eval, dtype=float)
    if coefs.ndim == 3:  # multinomial: (n_lambdas, n_eval, K) class probabilities
        return design.datafit.response(np.einsum("nj,lkj->lnk", X_eval, coefs) + intercepts[:, None, :])
    eta = coefs @ X_eval.T + np.asarray(intercepts)[..., None]
    if eval_offset is not None:
        eta += eval_offset
    return design.datafit.response(eta)


def resample_predictions(Xg: NDArray[np.float64], y: NDArray[np.float64], x_offset: NDArray[np.float64],
                         rows: NDArray[np.int_], X_eval: ArrayLike, spec: ModelSpec,
                         lambdas: ArrayLike) -> NDArray[np.float64]:
    """:func:`path_predictions` for the resample ``rows`` of a centered-once design (:func:`resample_design`;
    least squares only)."""
    return design_predictions(resample_design(Xg, y, x_offset, rows, spec.standardize), X_eval, spec.penalty, lambdas)



#: What runs a table on a cluster (a Dask DataFrame or :class:`reglab.LazyTable`): ``fit``, ``path``, ``relax``
#: and ``cross_validate``, registered by :mod:`reglab.distributed` when the package is imported (it sits
#: above this layer, on top of the in-memory solvers it reuses).
CLUSTER_BACKEND: dict[str, Callable] = {}


def is_lazy(X) -> bool:
    """Whether ``X`` is a table on a cluster: a Dask DataFrame or a :class:`reglab.LazyTable` (known by their
    module, so that no Dask import is needed to tell)."""
    return type(X).__module__.split(".")[0] in ("dask", "reglab") and "is_lazy" in CLUSTER_BACKEND \
        and CLUSTER_BACKEND["is_lazy"](X)


def column_roles(weights=None, offset=None, foldid=None) -> dict:
    """On a cluster, weights, offset and fold ids are the names of the table's columns, never arrays."""
    for role, value in (("weights", weights), ("offset", offset), ("foldid", foldid)):
        if value is not None and not isinstance(value, str):
            raise DataError(f"On a cluster, {role} names a column of the table (a string), not an array of values.")
    return {"weights": weights, "offset": offset, "fold_column": foldid}

def require_target(y) -> None:
    """In memory, y holds the target's values (only a table on a cluster names its target column)."""
    if y is None:
        raise DataError("Give the target y (one value per row of X).")
