"""The datafits: one small object per model family, and the only module that names a family.

Following skglm, a datafit is the loss half of the objective (:mod:`reglab.objective`)::

    minimize over b, w:  F(b, w)  +  λ · P(w),      η = b + Zw

It answers every question the other layers would otherwise answer by testing a family's name:
its value, its gradient ∂F/∂η and its response (the prediction from η); whether the target is
classes and whether there is one coefficient vector per class; the held-out losses of
cross-validation (cv.glmnet's ``type.measure``, the default first, and which way is better); the
mean held-out loss a relaxed fit is judged by; which tools it supports; and the words the pages use
for it. Code elsewhere asks ``spec.datafit.classifier``, ``path.datafit.per_class`` and so on, and
gets a datafit from a family name only through :func:`datafit_of`.

Observation weights c are normalized to sum to n (all 1 when not given) in every value and gradient.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit

#: cv.glmnet clips held-out probabilities to [1e-5, 1 − 1e-5] before taking the deviance, so one
#: confidently wrong row cannot make a fold's error infinite; the same here, so λ.min agrees.
PROBABILITY_CLIP = 1e-5
#: Held-out probabilities are clipped to [1e-15, 1 − 1e-15] for the relaxed fits' mean log-loss:
#: one confident mistake is large but finite.
LOG_LOSS_CLIP = 1e-15

#: Display names of the CV measures (cv.glmnet's ``type.measure`` values).
MEASURE_LABELS: dict[str, str] = {"mse": "mean squared error", "mae": "mean absolute error", "deviance": "deviance",
                                  "class": "misclassification", "auc": "ROC AUC"}


def _normalized(weights: ArrayLike | None, n: int) -> NDArray[np.float64]:
    return np.ones(n) if weights is None else np.asarray(weights, dtype=float) * (n / np.sum(weights))


def _row_gradient(c_times_residual: NDArray[np.float64]) -> NDArray[np.float64]:
    """``cᵢ·(μᵢ − yᵢ)/n`` with the rows on the last axis (n = its length): one η or a batch (k, n) of them."""
    return c_times_residual / c_times_residual.shape[-1]


class _Datafit:
    """What every datafit answers (class attributes; subclasses set them)."""

    #: glmnet's ``family`` (also this package's public ``family=`` argument).
    family: ClassVar[str]
    #: The model's name on screen ("logistic regression").
    model_name: ClassVar[str]
    #: The target is classes (encoded as codes), not numbers.
    classifier: ClassVar[bool] = False
    #: One coefficient vector per class (weights have shape (K, p) per fit).
    per_class: ClassVar[bool] = False
    #: glmnet's ``relax = TRUE`` is offered (an unpenalized refit on each active set).
    relaxable: ClassVar[bool] = True
    #: A grouped penalty is offered.
    groupable: ClassVar[bool] = True
    #: The loss is quadratic in η (least squares): XᵀX and Xᵀy are sufficient statistics, so folds and
    #: resamples are solved from moments and row counts instead of copied rows.
    quadratic: ClassVar[bool] = False
    #: The target is counts of events (whole numbers ≥ 0), predicted as expected counts.
    counts: ClassVar[bool] = False
    #: An offset (a fixed part of η per row, glmnet's ``offset``) is offered.
    takes_offset: ClassVar[bool] = False
    #: Cross-validation measures, the default first (cv.glmnet's ``type.measure``).
    measures: ClassVar[tuple[str, ...]]
    #: Measures where larger is better (λ.min maximizes them, as cv.glmnet's getOptcv does for AUC).
    higher_is_better: ClassVar[frozenset[str]] = frozenset()
    #: What the held-out error of a relaxed fit is called.
    held_out_error: ClassVar[str]
    #: What the model with every penalized weight 0 predicts (for the CV chart's edge notes).
    null_prediction: ClassVar[str]

    #: The irreducible noise of the bias–variance decomposition, as the chart names it.
    noise_label: ClassVar[str]
    #: The residuals a model check draws (:meth:`residuals`), the first by default; none for classifiers,
    #: whose checks are calibration and confusion.
    residual_kinds: ClassVar[tuple[str, ...]] = ()

    @property
    def fit_axes(self) -> int:
        """Axes of one fit's weights: 2 (classes × features) with a vector per class, else 1."""
        return 2 if self.per_class else 1

    def measure_label(self, measure: str) -> str:
        return MEASURE_LABELS.get(measure, measure)

    def check_measure(self, measure: str | None) -> str:
        """The measure to use: the default for ``None``, else ``measure`` if this family offers it."""
        chosen = self.measures[0] if measure is None else str(measure).lower()
        if chosen not in self.measures:
            raise ValueError(f"measure {measure!r} does not apply to family {self.family!r}: use one of "
                             f"{', '.join(map(repr, self.measures))}.")
        return chosen


@dataclass(frozen=True)
class LeastSquares(_Datafit):
    """The gaussian datafit ``F(b, w) = 1/(2n)·Σᵢ cᵢ(yᵢ − b − zᵢᵀw)²`` (glmnet's ``family="gaussian"``).

    Like a penalty, a datafit is a small object: its value and its gradient at a linear predictor
    ``η = b + Zw`` are what the objective and the KKT check need (skglm's separation).
    """

    family: ClassVar[str] = "gaussian"
    model_name: ClassVar[str] = "least squares"
    quadratic: ClassVar[bool] = True
    measures: ClassVar[tuple[str, ...]] = ("mse",)
    held_out_error: ClassVar[str] = "test MSE"
    null_prediction: ClassVar[str] = "the mean of the target"
    noise_label: ClassVar[str] = "noise σ²"
    residual_kinds: ClassVar[tuple[str, ...]] = ("response",)

    @staticmethod
    def response(eta: ArrayLike) -> NDArray[np.float64]:
        """The prediction in target units: η itself (identity link)."""
        return np.asarray(eta, dtype=float)

    def value(self, y: ArrayLike, eta: ArrayLike, weights: ArrayLike | None = None) -> float:
        """``1/(2n)·Σcᵢ(yᵢ − ηᵢ)²`` (target units squared)."""
        residual = np.asarray(y, dtype=float) - np.asarray(eta, dtype=float)
        c = _normalized(weights, len(residual))
        return float(c @ residual**2) / (2.0 * len(residual))

    def gradient(self, y: ArrayLike, eta: ArrayLike, weights: ArrayLike | None = None) -> NDArray[np.float64]:
        """∂F/∂η = ``−cᵢ(yᵢ − ηᵢ)/n`` per row (rows on the last axis of ``eta``: one η or a batch);
        ``Zᵀ`` of it is the weights' gradient, its sum the intercept's."""
        residual = np.asarray(eta, dtype=float) - np.asarray(y, dtype=float)
        return _row_gradient(_normalized(weights, residual.shape[-1]) * residual)

    @staticmethod
    def deviance(y: NDArray[np.float64], predictions: NDArray[np.float64]) -> NDArray[np.float64]:
        """Per-row deviance: the squared error (y − ŷ)² (target units²)."""
        return (y - predictions) ** 2

    @staticmethod
    def residuals(y: NDArray[np.float64], predictions: NDArray[np.float64], kind: str = "response") -> NDArray[np.float64]:
        """``"response"``: y − ŷ (target units)."""
        if kind != "response":
            raise ValueError(f"Unknown residual {kind!r} for least squares.")
        return y - predictions

    def heldout_loss(self, y: NDArray[np.float64], predictions: NDArray[np.float64], measure: str) -> NDArray[np.float64]:
        """Per-row loss of ``predictions`` (… × n_rows, target units): ``"mse"`` (y − ŷ)²."""
        if measure == "mse":
            return (y - predictions) ** 2
        raise ValueError(f"Unknown CV measure {measure!r} for least squares.")

    def mean_loss(self, y: NDArray[np.float64], predictions: NDArray[np.float64]) -> NDArray[np.float64]:
        """Mean squared error along the last axis (target units²)."""
        return np.mean((predictions - y) ** 2, axis=-1)

    @staticmethod
    def noise(truth: NDArray[np.float64], noise_sd: float) -> float:
        """The squared error's irreducible part at the true mean ``truth``: σ² (target units²)."""
        return float(noise_sd) ** 2

    @staticmethod
    def draw_targets(rng: np.random.Generator, truth: NDArray[np.float64], shape: tuple[int, ...],
                     noise_sd: float) -> NDArray[np.float64]:
        """Simulated targets around the true mean (``shape`` leading axes): f + σ·N(0, 1)."""
        return truth + noise_sd * rng.standard_normal((*shape, len(truth)))


@dataclass(frozen=True)
class Logistic(_Datafit):
    """The binomial datafit ``F(b, w) = (1/n)·Σᵢ cᵢ·[log(1 + e^ηᵢ) − yᵢηᵢ]`` with ``η = b + Zw``
    and yᵢ ∈ {0, 1} (glmnet's ``family="binomial"``): the mean log-loss, half the mean deviance.

    ``p = 1/(1 + e^−η)`` is the probability of the positive class.
    """

    family: ClassVar[str] = "binomial"
    model_name: ClassVar[str] = "logistic regression"
    classifier: ClassVar[bool] = True
    measures: ClassVar[tuple[str, ...]] = ("deviance", "class", "auc")
    higher_is_better: ClassVar[frozenset[str]] = frozenset({"auc"})
    held_out_error: ClassVar[str] = "test log-loss"
    null_prediction: ClassVar[str] = "the class shares alone"
    noise_label: ClassVar[str] = "noise p(1 − p)"

    @staticmethod
    def response(eta: ArrayLike) -> NDArray[np.float64]:
        """The probability of the positive class, ``1/(1 + e^−η)`` (scipy's expit: no overflow)."""
        return expit(np.asarray(eta, dtype=float))

    @staticmethod
    def link(mean: ArrayLike) -> NDArray[np.float64]:
        """η of a mean response (the inverse of :meth:`response`): the log-odds log(p/(1 − p))."""
        mean = np.asarray(mean, dtype=float)
        return np.log(mean / (1.0 - mean))

    @staticmethod
    def hessian_weights(eta: ArrayLike) -> NDArray[np.float64]:
        """∂²ℓ/∂η² per row (before weights): p(1 − p)."""
        prob = expit(np.asarray(eta, dtype=float))
        return prob * (1.0 - prob)

    def value(self, y: ArrayLike, eta: ArrayLike, weights: ArrayLike | None = None) -> float:
        """``(1/n)·Σcᵢ[log(1 + e^ηᵢ) − yᵢηᵢ]`` (nats per observation)."""
        eta = np.asarray(eta, dtype=float)
        c = _normalized(weights, len(eta))
        return float(c @ (np.logaddexp(0.0, eta) - np.asarray(y, dtype=float) * eta)) / len(eta)

    def gradient(self, y: ArrayLike, eta: ArrayLike, weights: ArrayLike | None = None) -> NDArray[np.float64]:
        """∂F/∂η = ``cᵢ(pᵢ − yᵢ)/n`` per row (rows on the last axis of ``eta``: one η or a batch)."""
        eta = np.asarray(eta, dtype=float)
        return _row_gradient(_normalized(weights, eta.shape[-1]) * (self.response(eta) - np.asarray(y, dtype=float)))

    def heldout_loss(self, y: NDArray[np.float64], predictions: NDArray[np.float64], measure: str) -> NDArray[np.float64]:
        """Per-row loss of held-out probabilities: ``"deviance"`` −2[y·log p + (1−y)·log(1−p)] with p
        clipped to [1e-5, 1 − 1e-5] (as cv.glmnet); ``"class"`` 1 where the predicted class (p > ½) is not y's."""
        if measure == "deviance":
            prob = np.clip(predictions, PROBABILITY_CLIP, 1.0 - PROBABILITY_CLIP)
            return -2.0 * (y * np.log(prob) + (1.0 - y) * np.log1p(-prob))
        if measure == "class":
            return ((predictions > 0.5) != (y > 0.5)).astype(float)
        raise ValueError(f"Unknown CV measure {measure!r} for logistic regression.")

    @staticmethod
    def deviance(y: NDArray[np.float64], predictions: NDArray[np.float64]) -> NDArray[np.float64]:
        """Per-row deviance −2[y·log p + (1 − y)·log(1 − p)] of probabilities p (clipped to
        [1e-15, 1 − 1e-15]: one confident mistake is large but finite)."""
        p = np.clip(predictions, LOG_LOSS_CLIP, 1 - LOG_LOSS_CLIP)
        return -2.0 * (y * np.log(p) + (1.0 - y) * np.log1p(-p))

    def mean_loss(self, y: NDArray[np.float64], predictions: NDArray[np.float64]) -> NDArray[np.float64]:
        """Mean log-loss −[y·log p + (1 − y)·log(1 − p)] along the last axis (nats per row; p clipped):
        half the mean :meth:`deviance`."""
        return np.mean(self.deviance(y, predictions), axis=-1) / 2.0

    @staticmethod
    def noise(truth: NDArray[np.float64], noise_sd: float) -> float:
        """The Brier score's irreducible part: the Bernoulli variance, mean f(1 − f) (``noise_sd`` unused)."""
        return float(np.mean(truth * (1.0 - truth)))

    @staticmethod
    def draw_targets(rng: np.random.Generator, truth: NDArray[np.float64], shape: tuple[int, ...],
                     noise_sd: float) -> NDArray[np.float64]:
        """Simulated 0/1 targets: Bernoulli(f) draws."""
        return (rng.random((*shape, len(truth))) < truth).astype(float)


@dataclass(frozen=True)
class Multinomial(_Datafit):
    """The multinomial datafit ``F = (1/n)·Σᵢ cᵢ·[log Σₖ e^ηᵢₖ − ηᵢ,yᵢ]`` with ``ηᵢₖ = bₖ + zᵢᵀwₖ``
    (glmnet's ``family="multinomial"``): one coefficient vector per class, y the class codes
    0…K−1; the penalty applies to every class's weights (glmnet's default, "ungrouped")."""

    family: ClassVar[str] = "multinomial"
    model_name: ClassVar[str] = "multinomial logistic regression"
    classifier: ClassVar[bool] = True
    per_class: ClassVar[bool] = True
    relaxable: ClassVar[bool] = False
    groupable: ClassVar[bool] = False
    measures: ClassVar[tuple[str, ...]] = ("deviance", "class")
    held_out_error: ClassVar[str] = "test log-loss"
    null_prediction: ClassVar[str] = "the class shares alone"
    noise_label: ClassVar[str] = "noise Σₖ pₖ(1 − pₖ)"

    @staticmethod
    def response(eta: ArrayLike) -> NDArray[np.float64]:
        """Class probabilities: the softmax of η over its last axis (…, K)."""
        eta = np.asarray(eta, dtype=float)
        shifted = np.exp(eta - eta.max(axis=-1, keepdims=True))
        return shifted / shifted.sum(axis=-1, keepdims=True)

    def value(self, y: ArrayLike, eta: ArrayLike, weights: ArrayLike | None = None) -> float:
        """``(1/n)·Σcᵢ[log Σₖ e^ηᵢₖ − ηᵢ,yᵢ]`` (nats per observation)."""
        eta = np.asarray(eta, dtype=float)
        codes = np.asarray(y).astype(int)
        c = _normalized(weights, len(eta))
        top = eta.max(axis=1)
        log_total = top + np.log(np.exp(eta - top[:, None]).sum(axis=1))
        return float(c @ (log_total - eta[np.arange(len(eta)), codes])) / len(eta)

    def gradient(self, y: ArrayLike, eta: ArrayLike, weights: ArrayLike | None = None) -> NDArray[np.float64]:
        """∂F/∂η = ``cᵢ(pᵢₖ − [yᵢ = k])/n``, shape (n, K) (or a batch (…, n, K) of them)."""
        eta = np.asarray(eta, dtype=float)
        n = eta.shape[-2]
        onehot = np.eye(eta.shape[-1])[np.asarray(y).astype(int)]
        return _normalized(weights, n)[:, None] * (self.response(eta) - onehot) / n

    @staticmethod
    def deviance(y: NDArray[np.float64], predictions: NDArray[np.float64]) -> NDArray[np.float64]:
        """Per-row deviance −2·log p_y of class probabilities (n, K) against class codes y (p clipped at 1e-15)."""
        codes = np.asarray(y).astype(int)
        return -2.0 * np.log(np.maximum(predictions[np.arange(len(codes)), codes], LOG_LOSS_CLIP))

    def heldout_loss(self, y: NDArray[np.float64], predictions: NDArray[np.float64], measure: str) -> NDArray[np.float64]:
        """Per-row loss of held-out class probabilities (n_lambdas, n_rows, K) against class codes y:
        ``"deviance"`` −2·log p_y (clipped as cv.glmnet), ``"class"`` 1 where the most probable class is not y."""
        codes = y.astype(int)
        if measure == "deviance":
            picked = np.clip(predictions[:, np.arange(len(codes)), codes], PROBABILITY_CLIP, 1.0 - PROBABILITY_CLIP)
            return -2.0 * np.log(picked)
        if measure == "class":
            return (np.argmax(predictions, axis=2) != codes).astype(float)
        raise ValueError(f"Unknown CV measure {measure!r} for multinomial logistic regression.")

    @staticmethod
    def noise(truth: NDArray[np.float64], noise_sd: float) -> float:
        """The multi-class Brier score's irreducible part: mean over rows of Σₖ fₖ(1 − fₖ) (``truth`` (n, K))."""
        return float(np.mean(np.sum(truth * (1.0 - truth), axis=-1)))

    @staticmethod
    def draw_targets(rng: np.random.Generator, truth: NDArray[np.float64], shape: tuple[int, ...],
                     noise_sd: float) -> NDArray[np.float64]:
        """Simulated one-hot targets (…, n, K): categorical draws from the rows of ``truth``."""
        drawn = (rng.random((*shape, len(truth), 1)) > np.cumsum(truth, axis=1)).sum(axis=-1)
        return np.eye(truth.shape[1])[np.minimum(drawn, truth.shape[1] - 1)]


@dataclass(frozen=True)
class Poisson(_Datafit):
    """The Poisson datafit ``F(b, w) = (1/n)·Σᵢ cᵢ·[e^ηᵢ − yᵢηᵢ]`` with ``η = offset + b + Zw`` and
    counts yᵢ ≥ 0 (glmnet's ``family="poisson"``, log link): the mean negative log-likelihood
    without its constant Σ log yᵢ!, half the mean deviance up to a constant. ``μ = e^η`` is the
    expected count; an offset (glmnet's ``offset``, e.g. log exposure) is a fixed part of η."""

    family: ClassVar[str] = "poisson"
    model_name: ClassVar[str] = "Poisson regression"
    counts: ClassVar[bool] = True
    takes_offset: ClassVar[bool] = True
    measures: ClassVar[tuple[str, ...]] = ("deviance", "mse", "mae")
    held_out_error: ClassVar[str] = "test deviance"
    null_prediction: ClassVar[str] = "the mean count"
    noise_label: ClassVar[str] = "noise μ"
    residual_kinds: ClassVar[tuple[str, ...]] = ("pearson", "deviance")

    @staticmethod
    def response(eta: ArrayLike) -> NDArray[np.float64]:
        """The expected count ``μ = e^η`` (glmnet's ``type="response"``)."""
        return np.exp(np.asarray(eta, dtype=float))

    @staticmethod
    def link(mean: ArrayLike) -> NDArray[np.float64]:
        """η of a mean count (the inverse of :meth:`response`): log μ."""
        return np.log(np.asarray(mean, dtype=float))

    @staticmethod
    def hessian_weights(eta: ArrayLike) -> NDArray[np.float64]:
        """∂²ℓ/∂η² per row (before weights): μ = e^η."""
        return np.exp(np.asarray(eta, dtype=float))

    def value(self, y: ArrayLike, eta: ArrayLike, weights: ArrayLike | None = None) -> float:
        """``(1/n)·Σcᵢ[e^ηᵢ − yᵢηᵢ]`` (nats per observation, without the constant log yᵢ!)."""
        eta = np.asarray(eta, dtype=float)
        c = _normalized(weights, len(eta))
        return float(c @ (np.exp(eta) - np.asarray(y, dtype=float) * eta)) / len(eta)

    def gradient(self, y: ArrayLike, eta: ArrayLike, weights: ArrayLike | None = None) -> NDArray[np.float64]:
        """∂F/∂η = ``cᵢ(μᵢ − yᵢ)/n`` per row (rows on the last axis of ``eta``: one η or a batch)."""
        eta = np.asarray(eta, dtype=float)
        return _row_gradient(_normalized(weights, eta.shape[-1]) * (np.exp(eta) - np.asarray(y, dtype=float)))

    @staticmethod
    def deviance(y: NDArray[np.float64], mu: NDArray[np.float64]) -> NDArray[np.float64]:
        """Per-row Poisson deviance ``2[y·log(y/μ) − (y − μ)]`` (y·log y = 0 at y = 0), as cv.glmnet."""
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(y > 0, y * np.log(np.where(y > 0, y, 1.0) / mu), 0.0)
        return 2.0 * (ratio - (y - mu))

    def residuals(self, y: NDArray[np.float64], mu: NDArray[np.float64], kind: str = "pearson") -> NDArray[np.float64]:
        """``"pearson"``: (y − μ)/√μ (the count's variance is μ); ``"deviance"``: sign(y − μ)·√dᵢ with dᵢ
        the row's :meth:`deviance` (their squares sum to the deviance). Both near N(0, 1) when the model
        is right and counts are not small."""
        if kind == "pearson":
            return (y - mu) / np.sqrt(mu)
        if kind == "deviance":
            return np.sign(y - mu) * np.sqrt(np.maximum(self.deviance(y, mu), 0.0))
        raise ValueError(f"Unknown residual {kind!r} for Poisson regression.")

    def heldout_loss(self, y: NDArray[np.float64], predictions: NDArray[np.float64], measure: str) -> NDArray[np.float64]:
        """Per-row loss of held-out expected counts μ: ``"deviance"`` (:meth:`deviance`), ``"mse"``
        (y − μ)², ``"mae"`` |y − μ| (cv.glmnet's type.measure for family="poisson")."""
        if measure == "deviance":
            return self.deviance(y, predictions)
        if measure == "mse":
            return (y - predictions) ** 2
        if measure == "mae":
            return np.abs(y - predictions)
        raise ValueError(f"Unknown CV measure {measure!r} for Poisson regression.")

    def mean_loss(self, y: NDArray[np.float64], predictions: NDArray[np.float64]) -> NDArray[np.float64]:
        """Mean Poisson deviance along the last axis (per row)."""
        return np.mean(self.deviance(y, predictions), axis=-1)

    @staticmethod
    def noise(truth: NDArray[np.float64], noise_sd: float) -> float:
        """The squared error's irreducible part for counts: the Poisson variance, mean μ."""
        return float(np.mean(truth))

    @staticmethod
    def draw_targets(rng: np.random.Generator, truth: NDArray[np.float64], shape: tuple[int, ...],
                     noise_sd: float) -> NDArray[np.float64]:
        """Simulated counts: Poisson(μ) draws."""
        return rng.poisson(truth, size=(*shape, len(truth))).astype(float)


Datafit = LeastSquares | Logistic | Multinomial | Poisson

#: Datafits by glmnet's family name.
DATAFITS: dict[str, Datafit] = {d.family: d for d in (LeastSquares(), Logistic(), Multinomial(), Poisson())}


def datafit_of(family: str | Datafit) -> Datafit:
    """The datafit glmnet calls ``family``: ``"gaussian"`` (least squares), ``"binomial"`` (logistic),
    ``"multinomial"`` (softmax over K classes) or ``"poisson"`` (counts, log link). A datafit is
    returned as it is."""
    if isinstance(family, _Datafit):
        return family  # type: ignore[return-value]
    key = str(family).strip().lower()
    if key not in DATAFITS:
        raise ValueError(f"Unknown or unsupported family {family!r}: use one of {', '.join(map(repr, DATAFITS))}.")
    return DATAFITS[key]


def datafit_for_task(task: str, n_classes: int = 0) -> Datafit:
    """The datafit of a prepared target's task (:func:`reglab.preprocess.guess_task`): logistic
    regression for two classes, multinomial for more, Poisson for counts, least squares for a number."""
    if task == "counts":
        return DATAFITS["poisson"]
    if task == "classification" and n_classes > 2:
        return DATAFITS["multinomial"]
    if task == "classification" and n_classes == 2:
        return DATAFITS["binomial"]
    return DATAFITS["gaussian"]
