"""The one objective of Regularization Lab, and everything needed to check a solution of it.

Regression with an unpenalized intercept ``b`` and penalized weights ``w``::

    minimize over b, w:  1/(2n) · Σᵢ (yᵢ − b − zᵢᵀw)²  +  λ · ( α‖w‖₁ + (1−α)/2 · ‖w‖₂² )

``zᵢ`` is the feature row the solver sees (standardized or raw, see
:mod:`reglab.design`); ``α`` is the L1 ratio: 1 for ``"l1"`` (lasso), 0 for
``"l2"`` (ridge), strictly between for ``"elasticnet"``.  The same λ means the
same thing for all three penalties.  scikit-learn equivalents:
``Lasso(alpha=λ)``, ``ElasticNet(alpha=λ, l1_ratio=α)``, ``Ridge(alpha=n·λ)``;
glmnet ``lambda=λ, alpha=α``; Spark ``regParam=λ, elasticNetParam=α``.

Following skglm, a penalty is a small object that knows its own value, its
proximal operator, its subdifferential and the smallest λ that zeroes every
weight; the KKT check, the λ grid and the Learn page all use the same object.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit

PenaltyName = Literal["l1", "l2", "elasticnet"]
PENALTIES: tuple[PenaltyName, ...] = ("l1", "l2", "elasticnet")

#: glmnet's floor on α in λ_max = max|Zᵀ(y−ȳ)|/(n·max(α, 0.001)): ridge has no finite λ
#: at which every weight is exactly 0, so its grid starts where lasso's would at α = 0.001.
ALPHA_FLOOR_FOR_GRID = 1e-3


@dataclass(frozen=True)
class Penalty:
    """The elastic-net family ``P(w) = α‖w‖₁ + (1−α)/2 · ‖w‖₂²`` (multiplied by λ in the objective).

    Parameters
    ----------
    name : {"l1", "l2", "elasticnet"}
        Which penalty; ``l1`` forces α = 1 and ``l2`` forces α = 0.
    l1_ratio : float
        α for ``"elasticnet"`` (required, 0 ≤ α ≤ 1); ``l1``/``l2`` fix it at 1/0 and refuse
        any other value.
    """

    name: PenaltyName
    l1_ratio: float | None = None

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

    @staticmethod
    def of(name: str, l1_ratio: float = 0.5) -> "Penalty":
        """Build the penalty called ``name`` (case-insensitive; "lasso"/"ridge" accepted)."""
        key = str(name).strip().lower().replace("-", "").replace("_", "").replace(" ", "")
        key = {"lasso": "l1", "ridge": "l2", "enet": "elasticnet"}.get(key, key)
        if key in ("l1", "l2"):
            return Penalty(key)
        if key == "elasticnet":
            return Penalty("elasticnet", l1_ratio)
        raise ValueError(f"Unknown penalty {name!r}: use one of 'l1', 'l2', 'elasticnet'.")

    @property
    def alpha(self) -> float:
        """The L1 share α of the penalty (1 for lasso, 0 for ridge)."""
        return float(self.l1_ratio)

    def value(self, w: ArrayLike) -> float:
        """``α‖w‖₁ + (1−α)/2 · ‖w‖₂²`` (not yet multiplied by λ)."""
        w = np.asarray(w, dtype=float)
        return float(self.alpha * np.abs(w).sum() + 0.5 * (1.0 - self.alpha) * np.dot(w, w))

    def prox(self, w: ArrayLike, lam: float, step: float) -> NDArray[np.float64]:
        """Proximal operator of ``step·λ·P``: soft-thresholding then ridge shrinkage.

        ``prox(w) = sign(w)·max(|w| − step·λ·α, 0) / (1 + step·λ·(1−α))``; coordinates with
        ``|w| ≤ step·λ·α`` land exactly on 0, which a (sub)gradient step never does.
        """
        w = np.asarray(w, dtype=float)
        thresholded = np.sign(w) * np.maximum(np.abs(w) - step * lam * self.alpha, 0.0)
        # "+ 0.0" turns the −0.0 of thresholded negatives into 0.0 (shown as "0", not "-0")
        return thresholded / (1.0 + step * lam * (1.0 - self.alpha)) + 0.0

    def subdiff_distance(self, w: ArrayLike, grad: ArrayLike, lam: float) -> NDArray[np.float64]:
        """Per-coordinate distance of ``−grad`` to ``λ·∂P(w)``: 0 exactly at an optimum.

        For ``wⱼ ≠ 0``: ``|gradⱼ + λ(1−α)wⱼ + λα·sign(wⱼ)|``; for ``wⱼ = 0``:
        ``max(|gradⱼ| − λα, 0)`` (the subdifferential of |·| at 0 is [−1, 1]).
        """
        w = np.asarray(w, dtype=float)
        grad = np.asarray(grad, dtype=float)
        smooth = grad + lam * (1.0 - self.alpha) * w
        at_zero = np.maximum(np.abs(smooth) - lam * self.alpha, 0.0)
        off_zero = np.abs(smooth + lam * self.alpha * np.sign(w))
        return np.where(w == 0.0, at_zero, off_zero)

    def lambda_max(self, correlation: ArrayLike) -> float:
        """Smallest λ at which w = 0 solves the problem (glmnet's grid start for ridge).

        ``correlation`` is ``Zᵀ(y − ȳ)/n``; λ_max = max|correlation| / max(α, 0.001).
        """
        corr = np.abs(np.asarray(correlation, dtype=float))
        top = float(corr.max()) if corr.size else 0.0
        return top / max(self.alpha, ALPHA_FLOOR_FOR_GRID)


@dataclass(frozen=True)
class LeastSquares:
    """The gaussian datafit ``F(b, w) = 1/(2n)·Σᵢ cᵢ(yᵢ − b − zᵢᵀw)²`` (glmnet's ``family="gaussian"``).

    Observation weights c are normalized to sum to n (all 1 when not given). Like a penalty,
    a datafit is a small object: its value and its gradient at a linear predictor
    ``η = b + Zw`` are what the objective and the KKT check need (skglm's separation; a
    logistic datafit is the next one).
    """

    family: ClassVar[str] = "gaussian"

    @staticmethod
    def response(eta: ArrayLike) -> NDArray[np.float64]:
        """The prediction in target units: η itself (identity link)."""
        return np.asarray(eta, dtype=float)

    @staticmethod
    def _normalized(weights: ArrayLike | None, n: int) -> NDArray[np.float64]:
        return np.ones(n) if weights is None else np.asarray(weights, dtype=float) * (n / np.sum(weights))

    def value(self, y: ArrayLike, eta: ArrayLike, weights: ArrayLike | None = None) -> float:
        """``1/(2n)·Σcᵢ(yᵢ − ηᵢ)²`` (target units squared)."""
        residual = np.asarray(y, dtype=float) - np.asarray(eta, dtype=float)
        c = self._normalized(weights, len(residual))
        return float(c @ residual**2) / (2.0 * len(residual))

    def gradient(self, y: ArrayLike, eta: ArrayLike, weights: ArrayLike | None = None) -> NDArray[np.float64]:
        """∂F/∂η = ``−cᵢ(yᵢ − ηᵢ)/n`` per row; ``Zᵀ`` of it is the weights' gradient, its sum the intercept's."""
        residual = np.asarray(y, dtype=float) - np.asarray(eta, dtype=float)
        return -self._normalized(weights, len(residual)) * residual / len(residual)


@dataclass(frozen=True)
class Logistic:
    """The binomial datafit ``F(b, w) = (1/n)·Σᵢ cᵢ·[log(1 + e^ηᵢ) − yᵢηᵢ]`` with ``η = b + Zw``
    and yᵢ ∈ {0, 1} (glmnet's ``family="binomial"``): the mean log-loss, half the mean deviance.

    ``p = 1/(1 + e^−η)`` is the probability of the positive class; weights c sum to n.
    """

    family: ClassVar[str] = "binomial"

    @staticmethod
    def response(eta: ArrayLike) -> NDArray[np.float64]:
        """The probability of the positive class, ``1/(1 + e^−η)`` (scipy's expit: no overflow)."""
        return expit(np.asarray(eta, dtype=float))

    def value(self, y: ArrayLike, eta: ArrayLike, weights: ArrayLike | None = None) -> float:
        """``(1/n)·Σcᵢ[log(1 + e^ηᵢ) − yᵢηᵢ]`` (nats per observation)."""
        eta = np.asarray(eta, dtype=float)
        c = LeastSquares._normalized(weights, len(eta))
        return float(c @ (np.logaddexp(0.0, eta) - np.asarray(y, dtype=float) * eta)) / len(eta)

    def gradient(self, y: ArrayLike, eta: ArrayLike, weights: ArrayLike | None = None) -> NDArray[np.float64]:
        """∂F/∂η = ``cᵢ(pᵢ − yᵢ)/n`` per row."""
        eta = np.asarray(eta, dtype=float)
        c = LeastSquares._normalized(weights, len(eta))
        return c * (self.response(eta) - np.asarray(y, dtype=float)) / len(eta)


Datafit = LeastSquares | Logistic

#: Datafits by glmnet's family name.
DATAFITS: dict[str, Datafit] = {"gaussian": LeastSquares(), "binomial": Logistic()}


def datafit_of(family: str) -> Datafit:
    """The datafit glmnet calls ``family``: ``"gaussian"`` (least squares) or ``"binomial"`` (logistic)."""
    key = str(family).strip().lower()
    if key not in DATAFITS:
        raise ValueError(f"Unknown or unsupported family {family!r}: use one of {', '.join(map(repr, DATAFITS))}.")
    return DATAFITS[key]


@dataclass(frozen=True, eq=False)
class ModelSpec:
    """Everything that defines the model, checked once: datafit, penalty, standardization,
    intercept, observation weights and (binomial) the positive class. The public calls build
    one (:meth:`of`); :func:`reglab.fitting.prepare_spec` turns its data side into the design
    the solvers read, and its penalty goes with it."""

    penalty: Penalty
    datafit: Datafit = LeastSquares()
    standardize: bool = True
    intercept: bool = True
    weights: NDArray[np.float64] | None = None
    positive_class: str | None = None

    def __post_init__(self) -> None:
        if self.positive_class is not None and self.datafit.family != "binomial":
            raise ValueError("positive_class applies to family='binomial' only.")

    @classmethod
    def of(cls, penalty: str = "l1", l1_ratio: float = 0.5, family: str = "gaussian", standardize: bool = True,
           intercept: bool = True, weights: ArrayLike | None = None, positive_class: str | None = None,
           ) -> "ModelSpec":
        """A checked spec from the public API's arguments (weights are checked against the data later)."""
        return cls(Penalty.of(penalty, l1_ratio), datafit_of(family), bool(standardize), bool(intercept),
                   None if weights is None else np.asarray(weights), positive_class)


def datafit_value(Z: NDArray[np.float64], y: NDArray[np.float64], intercept: float, w: NDArray[np.float64]) -> float:
    """Squared-error datafit ``1/(2n)·‖y − b − Zw‖²``."""
    return LeastSquares().value(y, intercept + Z @ w)


def objective_value(
    Z: ArrayLike, y: ArrayLike, intercept: float, w: ArrayLike, lam: float, penalty: Penalty
) -> float:
    """The full objective ``1/(2n)‖y − b − Zw‖² + λ·P(w)``."""
    Z = np.asarray(Z, dtype=float)
    y = np.asarray(y, dtype=float)
    w = np.asarray(w, dtype=float)
    return datafit_value(Z, y, intercept, w) + lam * penalty.value(w)


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
    grad = Z.T @ per_row
    worst_weight = float(penalty.subdiff_distance(w, grad, lam).max()) if w.size else 0.0
    return max(abs(float(per_row.sum())) if fit_intercept else 0.0, worst_weight)
