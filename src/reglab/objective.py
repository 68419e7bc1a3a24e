"""The one objective of Regularization Lab, and everything needed to check a solution of it.

A datafit F with an unpenalized intercept ``b`` and penalized weights ``w``::

    minimize over b, w:  F(b, w)  +  λ · Σⱼ fⱼ·( α|wⱼ| + (1−α)/2 · wⱼ² )

    least squares (glmnet's "gaussian"):  F = 1/(2n) · Σᵢ cᵢ(yᵢ − b − zᵢᵀw)²
    logistic      (glmnet's "binomial"):  F = (1/n) · Σᵢ cᵢ[log(1 + e^ηᵢ) − yᵢηᵢ],  η = b + Zw

``zᵢ`` is the feature row the solver sees (standardized or raw, see
:mod:`reglab.design`); ``α`` is the L1 ratio: 1 for ``"l1"`` (lasso), 0 for
``"l2"`` (ridge), strictly between for ``"elasticnet"``; fⱼ are per-feature penalty factors
(all 1 by default; glmnet's ``penalty.factor``); cᵢ observation weights summing to n. The same
λ means the same thing for all three penalties. scikit-learn equivalents:
``Lasso(alpha=λ)``, ``ElasticNet(alpha=λ, l1_ratio=α)``, ``Ridge(alpha=n·λ)``,
``LogisticRegression(C=1/(n·λ), l1_ratio=α)``; glmnet ``lambda=λ, alpha=α`` (after its y
scaling for gaussian, see :mod:`reglab.reproduce`); Spark ``regParam=λ, elasticNetParam=α``.

Following skglm, a penalty and a datafit are small objects: a penalty knows its own value, its
proximal operator, its subdifferential and the smallest λ that zeroes every weight; a datafit
its value, its gradient and its response (the prediction from η). The KKT check, the λ grid
and the Learn page all use the same objects; :class:`ModelSpec` bundles one model's choices.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

# The datafits live in their own module (one class per family, the only place a family is named);
# re-exported here, where the objective and its KKT check use them.
from .datafits import DATAFITS, Datafit, LeastSquares, Logistic, Multinomial, Poisson, datafit_of  # noqa: F401
from .errors import DataError

PenaltyName = Literal["l1", "l2", "elasticnet"]
PENALTIES: tuple[PenaltyName, ...] = ("l1", "l2", "elasticnet")

#: glmnet's floor on α in λ_max = max|Zᵀ(y−ȳ)|/(n·max(α, 0.001)): ridge has no finite λ
#: at which every weight is exactly 0, so its grid starts where lasso's would at α = 0.001.
ALPHA_FLOOR_FOR_GRID = 1e-3


@dataclass(frozen=True)
class Penalty:
    """The elastic-net family ``P(w) = Σⱼ fⱼ·(α|wⱼ| + (1−α)/2 · wⱼ²)`` (multiplied by λ in the objective).

    Parameters
    ----------
    name : {"l1", "l2", "elasticnet"}
        Which penalty; ``l1`` forces α = 1 and ``l2`` forces α = 0.
    l1_ratio : float
        α for ``"elasticnet"`` (required, 0 ≤ α ≤ 1); ``l1``/``l2`` fix it at 1/0 and refuse
        any other value.
    factors : sequence of float, optional
        glmnet's ``penalty.factor``: a weight fⱼ ≥ 0 per feature (0 = unpenalized), rescaled to
        sum to the number of features as glmnet does; None means every fⱼ = 1.
    groups : sequence of int, optional
        A group label per feature: features sharing a label are penalized together (the group
        elastic net, ``P(w) = Σ_g ω_g (α‖w_g‖₂ + (1−α)/2‖w_g‖₂²)`` with ω_g = f_g·√|g|, all of a
        group in or out of the model together); None, or every label different, is the plain
        penalty. A group's features must share one factor.
    lower, upper : sequence of float, optional
        glmnet's ``lower.limits`` / ``upper.limits``: bounds on each original-scale coefficient
        βⱼ (one value for every feature, or one per feature; −inf / +inf for none). As glmnet's,
        every lower limit is ≤ 0 and every upper limit ≥ 0, so the null model is feasible; 0 makes
        a coefficient non-negative (scikit-learn's ``positive=True``) or non-positive. The solvers
        bound the solver weights w = β·scaleⱼ (:meth:`box`), and the KKT conditions are those of the
        bounded problem (:meth:`subdiff_distance`). Not combined with groups.
    """

    name: PenaltyName
    l1_ratio: float | None = None
    factors: tuple[float, ...] | None = None
    groups: tuple[int, ...] | None = None
    lower: tuple[float, ...] | None = None
    upper: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        # A checked constructor: Penalty("l2") is ridge, never a lasso with a stray default α.
        if self.name not in PENALTIES:
            raise ValueError(f"Unknown penalty {self.name!r}: use one of 'l1', 'l2', 'elasticnet'.")
        fixed = {"l1": 1.0, "l2": 0.0}.get(self.name)
        ratio = self.l1_ratio
        if fixed is not None:
            if ratio is not None and float(ratio) != fixed:
                raise ValueError(f"The {self.name!r} penalty has l1_ratio {fixed:g}; got {ratio!r}. "
                                 "Use 'elasticnet' for another mix.")
            ratio = fixed
        else:
            if ratio is None:
                raise ValueError("The elastic net needs its l1_ratio α (0 ≤ α ≤ 1).")
            try:
                ratio = float(ratio)
            except (TypeError, ValueError):
                raise ValueError(f"l1_ratio must be a number in [0, 1], got {self.l1_ratio!r}.") from None
            if not (np.isfinite(ratio) and 0.0 <= ratio <= 1.0):
                raise ValueError(f"l1_ratio must lie in [0, 1] for the elastic net, got {self.l1_ratio!r}.")
        object.__setattr__(self, "l1_ratio", float(ratio))
        if self.factors is not None:
            object.__setattr__(self, "factors", _rescaled_factors(self.factors))
        if self.groups is not None:
            labels = np.asarray(self.groups).reshape(-1)
            if labels.size == 0 or not np.issubdtype(labels.dtype, np.integer):
                raise ValueError("Groups must be one integer label per feature.")
            # every label different is the plain penalty: stored as None, so it is one object
            grouped = np.unique(labels).size < labels.size
            object.__setattr__(self, "groups", tuple(int(v) for v in labels) if grouped else None)
            if grouped and self.factors is not None:
                f = np.asarray(self.factors)
                for label in np.unique(labels):
                    if np.ptp(f[labels == label]) > 0:
                        raise ValueError(f"The features of group {label} have different penalty factors: give a "
                                         "group one factor.")
        for side, sign in (("lower", -1.0), ("upper", 1.0)):
            object.__setattr__(self, side, _checked_limits(getattr(self, side), side, sign))
        if self.bounded and self.groups is not None:
            raise ValueError("Coefficient limits are not offered with grouped features: use one or the other.")

    @staticmethod
    def of(name: str, l1_ratio: float = 0.5, factors: ArrayLike | None = None,
           groups: ArrayLike | None = None, lower: ArrayLike | None = None,
           upper: ArrayLike | None = None) -> "Penalty":
        """Build the penalty called ``name`` (case-insensitive; "lasso"/"ridge" accepted)."""
        key = str(name).strip().lower().replace("-", "").replace("_", "").replace(" ", "")
        key = {"lasso": "l1", "ridge": "l2", "enet": "elasticnet"}.get(key, key)
        chosen = None if factors is None else tuple(np.asarray(factors, dtype=float).reshape(-1))
        labels = None if groups is None else group_codes(groups)
        limits = {side: None if value is None else tuple(np.asarray(value, dtype=float).reshape(-1))
                  for side, value in (("lower", lower), ("upper", upper))}
        if key in ("l1", "l2"):
            return Penalty(key, factors=chosen, groups=labels, **limits)
        if key == "elasticnet":
            return Penalty("elasticnet", l1_ratio, chosen, labels, **limits)
        raise ValueError(f"Unknown penalty {name!r}: use one of 'l1', 'l2', 'elasticnet'.")

    @property
    def grouped(self) -> bool:
        """Whether some features are penalized as a group (the group elastic net)."""
        return self.groups is not None

    @property
    def bounded(self) -> bool:
        """Whether some coefficient has a finite lower or upper limit."""
        return self.lower is not None or self.upper is not None

    def limits(self, p: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """The original-scale limits (lower, upper) for p features (−inf / +inf where none)."""
        def side(values, default):
            if values is None:
                return np.full(p, default)
            if len(values) not in (1, p):
                raise DataError(f"{len(values)} coefficient limits were given for {p} features: give one, or one per "
                                "feature.")
            return np.broadcast_to(np.asarray(values, dtype=float), (p,)).copy()
        return side(self.lower, -np.inf), side(self.upper, np.inf)

    def box(self, scale: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]] | None:
        """The limits on the solver weights w = β·scale (``scale`` the design's column scale), or None
        when nothing is bounded."""
        if not self.bounded:
            return None
        scale = np.asarray(scale, dtype=float)
        lower, upper = self.limits(scale.size)
        return lower * scale, upper * scale

    def group_structure(self, p: int) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
        """``(order, starts, omega)``: the features listed group by group (first appearance order),
        group g's slice ``starts[g]:starts[g+1]`` of ``order``, and its weight ω_g = f_g·√|g|.
        Computed once per (groups, factors, p) — solvers and the objective ask on every step —
        and handed out as fresh copies."""
        if self.groups is not None and len(self.groups) != p:
            raise DataError(f"{len(self.groups)} group labels were given for {p} features: give one per feature.")
        self.factor_array(p)  # a factor count that does not match p is a DataError, never a cached answer
        return tuple(part.copy() for part in _group_structure(self.groups, self.factors, p))

    @property
    def alpha(self) -> float:
        """The L1 share α of the penalty (1 for lasso, 0 for ridge)."""
        return float(self.l1_ratio)

    def factor_array(self, p: int) -> NDArray[np.float64]:
        """The factors fⱼ for p features (all 1 when none were given); a length mismatch is a DataError."""
        if self.factors is None:
            return np.ones(p)
        if len(self.factors) != p:
            raise DataError(f"{len(self.factors)} penalty factors were given for {p} features: give one per feature.")
        return np.asarray(self.factors)

    def value(self, w: ArrayLike) -> float:
        """``Σⱼ fⱼ(α|wⱼ| + (1−α)/2 · wⱼ²)`` (not yet multiplied by λ; summed over every row of a
        (K, p) multinomial ``w``, each class's weights with the same factors)."""
        w = np.asarray(w, dtype=float)
        if self.grouped:  # ‖w_g‖ over the group's columns (of every row of a 2-D w)
            order, starts, omega = self.group_structure(w.shape[-1])
            squares = (w[..., order] ** 2).reshape(-1, w.shape[-1]).sum(axis=0)
            norms = np.sqrt(np.add.reduceat(squares, starts[:-1]))
            return float(omega @ (self.alpha * norms + 0.5 * (1.0 - self.alpha) * norms**2))
        f = self.factor_array(w.shape[-1])  # broadcast over the last axis: a (K, p) multinomial w sums every class
        return float(np.sum(f * (self.alpha * np.abs(w) + 0.5 * (1.0 - self.alpha) * w * w)))

    def prox(self, w: ArrayLike, lam: float, step: float) -> NDArray[np.float64]:
        """Proximal operator of ``step·λ·P``: soft-thresholding then ridge shrinkage.

        ``prox(w)ⱼ = sign(wⱼ)·max(|wⱼ| − step·λ·α·fⱼ, 0) / (1 + step·λ·(1−α)·fⱼ)``; coordinates with
        ``|wⱼ| ≤ step·λ·α·fⱼ`` land exactly on 0, which a (sub)gradient step never does.
        """
        w = np.asarray(w, dtype=float)
        f = self.factor_array(w.shape[-1])
        thresholded = np.sign(w) * np.maximum(np.abs(w) - step * lam * self.alpha * f, 0.0)
        # "+ 0.0" turns the −0.0 of thresholded negatives into 0.0 (shown as "0", not "-0")
        return thresholded / (1.0 + step * lam * (1.0 - self.alpha) * f) + 0.0

    def subdiff_distance(self, w: ArrayLike, grad: ArrayLike, lam: float | ArrayLike,
                         box: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None) -> NDArray[np.float64]:
        """Per-coordinate distance of ``−grad`` to ``λ·∂P(w)`` (plus, with a ``box`` of solver-scale
        bounds, the normal cone of the box): 0 exactly at an optimum.

        For ``wⱼ ≠ 0``: ``|gradⱼ + λ(1−α)fⱼwⱼ + λαfⱼ·sign(wⱼ)|``; for ``wⱼ = 0``:
        ``max(|gradⱼ| − λαfⱼ, 0)`` (the subdifferential of |·| at 0 is [−1, 1]). At a bound the
        gradient may push outward: only its inward part counts (``cd._penalty_violation``, compiled).
        """
        w = np.asarray(w, dtype=float)
        grad = np.asarray(grad, dtype=float)
        if self.grouped:
            return self._group_subdiff_distance(w, grad, lam)
        scaled = np.asarray(lam) * self.factor_array(w.shape[-1])
        smooth = grad + scaled * (1.0 - self.alpha) * w
        l1 = scaled * self.alpha
        at_zero = np.maximum(np.abs(smooth) - l1, 0.0)
        off_zero = np.abs(smooth + l1 * np.sign(w))
        distance = np.where(w == 0.0, at_zero, off_zero)
        if box is None:
            return distance
        lower, upper = box
        at_lower = np.where(w == 0.0, np.maximum(-(smooth + l1), 0.0), np.maximum(l1 - smooth, 0.0))
        at_upper = np.where(w == 0.0, np.maximum(smooth - l1, 0.0), np.maximum(smooth + l1, 0.0))
        distance = np.where(w <= lower, at_lower, np.where(w >= upper, at_upper, distance))
        return np.where(lower == upper, 0.0, distance)

    def _group_subdiff_distance(self, w: NDArray[np.float64], grad: NDArray[np.float64], lam) -> NDArray[np.float64]:
        """The group version of :meth:`subdiff_distance`, each group's distance on each of its members:
        ``w_g = 0``: ``max(‖grad_g‖ − λαω_g, 0)``; else ``‖grad_g + λω_g((1−α)w_g + α w_g/‖w_g‖)‖``."""
        order, starts, omega = self.group_structure(w.shape[-1])
        lam = np.asarray(lam, dtype=float)
        out = np.empty(np.broadcast_shapes(w.shape, grad.shape))
        for a, b, weight in zip(starts[:-1], starts[1:], omega):
            members = order[a:b]
            wg, gg = w[..., members], grad[..., members]
            norm = np.linalg.norm(wg, axis=-1, keepdims=True)
            scaled = lam * weight
            moved = gg + scaled * ((1.0 - self.alpha) * wg + self.alpha * wg / np.where(norm > 0, norm, 1.0))
            at_zero = np.maximum(np.linalg.norm(gg, axis=-1, keepdims=True) - scaled * self.alpha, 0.0)
            distance = np.where(norm > 0, np.linalg.norm(moved, axis=-1, keepdims=True), at_zero)
            out[..., members] = distance
        return out

    def lambda_max(self, correlation: ArrayLike) -> float:
        """Smallest λ at which every penalized weight is 0 (glmnet's grid start; for ridge, at α = 0.001).

        ``correlation`` is the negative datafit gradient at the null model (``Zᵀ(y − ŷ₀)/n``,
        ŷ₀ the fit of the intercept and the unpenalized features alone):
        λ_max = maxⱼ {|correlationⱼ| / fⱼ : fⱼ > 0} / max(α, 0.001).
        """
        corr = np.abs(np.asarray(correlation, dtype=float))
        if self.grouped:  # the smallest λ with ‖corr_g‖ ≤ λαω_g for every penalized group
            order, starts, omega = self.group_structure(corr.size)
            norms = np.array([np.linalg.norm(corr[order[a:b]]) for a, b in zip(starts[:-1], starts[1:])])
            penalized = omega > 0
            top = float((norms[penalized] / omega[penalized]).max()) if penalized.any() else 0.0
            return top / max(self.alpha, ALPHA_FLOOR_FOR_GRID)
        f = self.factor_array(corr.size)
        penalized = f > 0
        top = float((corr[penalized] / f[penalized]).max()) if penalized.any() else 0.0
        return top / max(self.alpha, ALPHA_FLOOR_FOR_GRID)


def _checked_limits(values, side: str, sign: float) -> tuple[float, ...] | None:
    """Coefficient limits as a tuple (None when every one is ±inf): numbers, not NaN, on 0's side."""
    if values is None:
        return None
    array = np.asarray(values, dtype=float).reshape(-1)
    if array.size == 0 or np.isnan(array).any():
        raise ValueError(f"{side} limits must be numbers (−inf / inf for none), one for every feature or one per feature.")
    if np.any(array * sign < 0):
        raise ValueError(f"Every {side} limit must be {'≤' if sign < 0 else '≥'} 0, as glmnet's {side}.limits: a "
                         "coefficient is free to be 0 (bounds that exclude 0 would have no null model).")
    if np.all(np.isinf(array)):
        return None
    return tuple(float(v) for v in array)


def group_codes(groups: ArrayLike) -> tuple[int, ...]:
    """Group labels of any kind (numbers, text such as a categorical column's name) as integer
    codes 0, 1, … in order of first appearance: features with equal labels share a code."""
    labels = np.asarray(groups, dtype=object).reshape(-1)
    codes: dict = {}
    out = []
    for label in labels:
        if label is None or (isinstance(label, float) and not np.isfinite(label)):
            raise ValueError("Every feature needs a group label (found a missing one).")
        key = label.item() if isinstance(label, np.generic) else label
        out.append(codes.setdefault(key, len(codes)))
    return tuple(out)


@lru_cache(maxsize=64)
def _group_structure(groups: tuple[int, ...] | None, factors: tuple[float, ...] | None, p: int
                     ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """:meth:`Penalty.group_structure` for checked groups and factors (see there)."""
    labels = np.asarray(groups if groups is not None else range(p))
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    rank = np.argsort(np.argsort(first))  # groups in order of first appearance
    group_of = rank[inverse]
    order = np.argsort(group_of, kind="stable").astype(np.int64)
    sizes = np.bincount(group_of)
    starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    f = np.ones(p) if factors is None else np.asarray(factors, dtype=float)
    omega = f[order[starts[:-1]]] * np.sqrt(sizes)
    return order, starts, omega


def _rescaled_factors(factors) -> tuple[float, ...]:
    """Penalty factors checked (finite, ≥ 0, at least one > 0) and rescaled to sum to their count,
    glmnet's normalization (so λ keeps its meaning when every factor is multiplied by a constant)."""
    try:
        f = np.asarray(factors, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise ValueError("Penalty factors must be numbers ≥ 0.") from None
    if not np.isfinite(f).all() or (f < 0).any():
        raise ValueError("Penalty factors must be finite numbers ≥ 0 (0 leaves a feature unpenalized).")
    if not (f > 0).any():
        raise ValueError("At least one penalty factor must be positive (with all 0 nothing is penalized).")
    return tuple(float(v) for v in f * (f.size / f.sum()))


@dataclass(frozen=True, eq=False)
class ModelSpec:
    """Everything that defines the model, checked once: datafit, penalty (with its per-feature
    factors and groups), standardization, intercept, observation weights, (binomial) the positive
    class and (Poisson) the offset. The public calls build one (:meth:`of`);
    :func:`reglab.fitting.prepare_spec` turns its data side into the design the solvers read, and its
    penalty goes with it. Hashable, and equal exactly when it is the same model (:meth:`identity`):
    every :class:`~reglab.Fit` and :class:`~reglab.Path` the public calls return carries its spec,
    and a solved path is reused for a spec where ``path.spec == spec``."""

    penalty: Penalty
    datafit: Datafit = LeastSquares()
    standardize: bool = True
    intercept: bool = True
    weights: NDArray[np.float64] | None = None
    positive_class: str | None = None
    #: A fixed part of η per row (glmnet's ``offset``, e.g. log exposure): Poisson regression only.
    offset: NDArray[np.float64] | None = None

    def __post_init__(self) -> None:
        if self.positive_class is not None and (not self.datafit.classifier or self.datafit.per_class):
            raise ValueError("positive_class applies to family='binomial' only.")
        if self.offset is not None and not self.datafit.takes_offset:
            raise ValueError(f"offset is offered for Poisson regression here, not for {self.datafit.model_name}.")

    def identity(self) -> tuple:
        """What makes two specs the same model: every field, per-row arrays by a digest of their bytes."""
        return (self.penalty, self.datafit, self.standardize, self.intercept, _digest(self.weights),
                self.positive_class, _digest(self.offset))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ModelSpec) and self.identity() == other.identity()

    def __hash__(self) -> int:
        return hash(self.identity())

    @classmethod
    def of(cls, penalty: str = "l1", l1_ratio: float = 0.5, family: str | Datafit = "gaussian", standardize: bool = True,
           intercept: bool = True, weights: ArrayLike | None = None, positive_class: str | None = None,
           penalty_factor: ArrayLike | None = None, groups: ArrayLike | None = None,
           offset: ArrayLike | None = None, lower_limits: ArrayLike | None = None,
           upper_limits: ArrayLike | None = None) -> "ModelSpec":
        """A checked spec from the public API's arguments (weights, offset, factors, groups and limits
        are checked against the data's size later)."""
        return cls(Penalty.of(penalty, l1_ratio, penalty_factor, groups, lower_limits, upper_limits), datafit_of(family),
                   bool(standardize),
                   bool(intercept), None if weights is None else np.asarray(weights), positive_class,
                   None if offset is None else np.asarray(offset, dtype=float).reshape(-1))


def _digest(values: NDArray[np.float64] | None) -> str | None:
    """A digest of a per-row array (weights, offset) for :meth:`ModelSpec.identity`: equal bytes, equal digest."""
    if values is None:
        return None
    import hashlib

    data = np.ascontiguousarray(values, dtype=float)
    return f"{data.shape}:" + hashlib.blake2b(data.tobytes(), digest_size=16).hexdigest()


def datafit_value(Z: NDArray[np.float64], y: NDArray[np.float64], intercept: float, w: NDArray[np.float64]) -> float:
    """Squared-error datafit ``1/(2n)·‖y − b − Zw‖²``."""
    return LeastSquares().value(y, intercept + Z @ w)


def objective_value(
    Z: ArrayLike, y: ArrayLike, intercept: float, w: ArrayLike, lam: float, penalty: Penalty,
    datafit: "Datafit" = LeastSquares(), weights: ArrayLike | None = None,
) -> float:
    """The full objective ``F(b, w) + λ·P(w)`` (least squares: ``1/(2n)‖y − b − Zw‖² + λ·P(w)``)."""
    Z = np.asarray(Z, dtype=float)
    w = np.asarray(w, dtype=float)
    return datafit.value(y, intercept + Z @ w, weights) + lam * penalty.value(w)


def lambda_max(Z: ArrayLike, y: ArrayLike, penalty: Penalty) -> float:
    """λ_max = maxⱼ |Σᵢ zᵢⱼ(yᵢ − ȳ)| / (n · max(α, 0.001)) for design ``Z`` (n × p) and target ``y``.

    Above λ_max every weight of an l1/elastic-net fit is exactly 0 (the intercept is ȳ).
    """
    Z = np.asarray(Z, dtype=float)
    y = np.asarray(y, dtype=float)
    Zc = Z - Z.mean(axis=0)
    return penalty.lambda_max(Zc.T @ (y - y.mean()) / len(y))


def kkt_residual(
    Z: ArrayLike, y: ArrayLike, intercept: float, w: ArrayLike, lam: float, penalty: Penalty,
    datafit: Datafit = LeastSquares(), weights: ArrayLike | None = None, fit_intercept: bool = True,
) -> float:
    """Largest violation of the optimality conditions of the objective at ``(b, w)``.

    With ``g = ∂F/∂η`` of the ``datafit`` at ``η = b + Zw`` (least squares: ``−c∘r/n``,
    ``r = y − b − Zw``): stationarity in the intercept, ``|Σᵢ gᵢ|`` (skipped when
    ``fit_intercept`` is False: b is then fixed); in each weight, the distance of ``−Zᵀg`` to
    ``λ·∂P(wⱼ)`` (:meth:`Penalty.subdiff_distance`). Units are those of the gradient (target
    units × feature units), the same as λ, so a residual is usually judged relative to λ_max.
    """
    Z = np.asarray(Z, dtype=float)
    y = np.asarray(y, dtype=float)
    w = np.asarray(w, dtype=float)
    per_row = datafit.gradient(y, intercept + Z @ w, weights)
    intercept_gradient = np.atleast_1d(per_row.sum(axis=0)) if fit_intercept else None
    return float(kkt_violation(penalty, w[None], (Z.T @ per_row).T[None], [lam],
                               None if intercept_gradient is None else intercept_gradient[None])[0])


def kkt_violation(penalty: Penalty, weights: ArrayLike, gradients: ArrayLike, lambdas: ArrayLike,
                  intercept_gradients: ArrayLike | None = None,
                  box: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None) -> NDArray[np.float64]:
    """The one KKT check: the largest violation of the optimality conditions of each of k fits.

    ``weights`` and ``gradients`` (k, …, p) are each fit's solver weights and its datafit's gradient
    in them (``Zᵀ∂F/∂η``: ``design.gradients``), ``lambdas`` (k,) its λ, ``intercept_gradients``
    (k, …) the gradient in the intercept(s), or None where the intercept is exact or fixed. A fit's
    residual is the largest of the distances of ``−gradient`` to ``λ·∂P(w)``
    (:meth:`Penalty.subdiff_distance`, with the solver-scale ``box`` of coefficient limits when there
    are any: :meth:`Penalty.box`) and of ``|∂F/∂b|``, in the gradient's units (those of λ).
    Every solver's check and :func:`kkt_residual` come here.
    """
    weights = np.asarray(weights, dtype=float)
    k = len(weights)
    lam = np.asarray(lambdas, dtype=float).reshape(k, *([1] * (weights.ndim - 1)))
    worst = penalty.subdiff_distance(weights, gradients, lam, box).reshape(k, -1).max(axis=1, initial=0.0)
    if intercept_gradients is not None:
        worst = np.maximum(worst, np.abs(np.asarray(intercept_gradients, dtype=float)).reshape(k, -1).max(axis=1))
    return worst
