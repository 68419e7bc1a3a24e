"""Datasets: built-in (scikit-learn's bundled loaders, no downloads), synthetic with known
truth, and uploaded files (read by :mod:`reglab.loading`).

A :class:`Dataset` is a table plus what a model needs to know about it: which column is
the target, whether the task is regression or classification, and — for synthetic data
— the known truth, so later pages can show it next to the estimates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Literal

import math

import numpy as np
import pandas as pd
from sklearn import datasets as _sk_datasets

from . import limits

Task = Literal["regression", "classification"]


@dataclass(frozen=True)
class Truth:
    """What generated a synthetic dataset.

    Attributes
    ----------
    coef : ndarray of shape (n_features,), (n_classes, n_features) for a softmax truth, or None
        True coefficients on the original feature scale (None when the truth is a curve).
    intercept : float, or ndarray of shape (n_classes,) for a softmax truth
    noise_sd : float
        Standard deviation σ of the Gaussian noise added to the target (target units).
    """

    coef: np.ndarray | None
    intercept: float | np.ndarray
    noise_sd: float
    curve: str | None = None
    notes: str = ""
    #: "identity" (E[y|x] = β₀ + xᵀβ), "logit" (P(y = 1|x) = 1/(1 + e^−(β₀ + xᵀβ)), a logistic model)
    #: "softmax" (P(y = k|x) ∝ e^(β₀ₖ + xᵀβₖ), a multinomial model with classes 0 … K−1) or "log"
    #: (E[y|x] = e^(β₀ + xᵀβ), Poisson counts).
    link: str = "identity"

    @property
    def family(self) -> str:
        """The glmnet family whose model this truth is: gaussian, binomial, multinomial or poisson."""
        return {"logit": "binomial", "softmax": "multinomial", "log": "poisson"}.get(self.link, "gaussian")

    def mean_response(self, frame: pd.DataFrame, feature_names: list[str]) -> np.ndarray:
        """E[y | x] at the rows of ``frame``: ``β₀ + xᵀβ``, the true curve of ``x``, for a
        logistic truth the probability of class 1, for a softmax truth the (n, K) class probabilities,
        for a log-link truth the expected count e^(β₀ + xᵀβ)."""
        if self.curve is not None:
            return TRUE_CURVES[self.curve](frame["x"].to_numpy(dtype=float))
        assert self.coef is not None
        X = frame[feature_names].to_numpy(dtype=float)
        if self.link == "softmax":
            return softmax(self.intercept + X @ self.coef.T)
        eta = self.intercept + X @ self.coef
        if self.link == "log":
            return np.exp(eta)
        return 1.0 / (1.0 + np.exp(-eta)) if self.link == "logit" else eta


def softmax(eta: np.ndarray) -> np.ndarray:
    """Row-wise class probabilities e^ηₖ / Σⱼ e^ηⱼ of an (n, K) array (shifted by the row maximum:
    no overflow)."""
    shifted = np.exp(eta - eta.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class Dataset:
    """A table ready for the Data page: features and target in one frame."""

    key: str
    title: str
    description: str
    frame: pd.DataFrame
    target: str
    task: Task
    source: Literal["builtin", "synthetic", "upload"]
    truth: Truth | None = None
    params: dict = field(default_factory=dict)

    @property
    def feature_names(self) -> list[str]:
        return [c for c in self.frame.columns if c != self.target]

    @property
    def shape_text(self) -> str:
        n, p = self.frame.shape
        return f"{n:,} rows × {p - 1} features"


def _diabetes() -> Dataset:
    raw = _sk_datasets.load_diabetes(scaled=False)
    frame = pd.DataFrame(raw.data, columns=raw.feature_names)
    frame["progression"] = raw.target
    return Dataset(
        key="diabetes",
        title="Diabetes (regression)",
        description=(
            "442 patients, 10 baseline measurements (age, sex, BMI, blood pressure, six blood "
            "serum values); target: disease progression one year later (Efron et al., 2004)."
        ),
        frame=frame,
        target="progression",
        task="regression",
        source="builtin",
    )


def _breast_cancer() -> Dataset:
    raw = _sk_datasets.load_breast_cancer()
    frame = pd.DataFrame(raw.data, columns=raw.feature_names)
    frame["malignant"] = (raw.target == 0).astype(int)
    return Dataset(
        key="breast_cancer",
        title="Breast cancer (classification)",
        description="569 tumours, 30 cell-nucleus measurements; target: malignant (1) or benign (0).",
        frame=frame,
        target="malignant",
        task="classification",
        source="builtin",
    )


def _wine() -> Dataset:
    raw = _sk_datasets.load_wine()
    frame = pd.DataFrame(raw.data, columns=raw.feature_names)
    frame["cultivar"] = raw.target
    return Dataset(
        key="wine",
        title="Wine (classification)",
        description="178 wines, 13 chemical measurements; target: which of 3 cultivars made the wine.",
        frame=frame,
        target="cultivar",
        task="classification",
        source="builtin",
    )


BUILTIN: dict[str, Callable[[], Dataset]] = {
    "diabetes": _diabetes,
    "breast_cancer": _breast_cancer,
    "wine": _wine,
}
DEFAULT_DATASET = "diabetes"


def load_builtin(key: str) -> Dataset:
    """One of scikit-learn's bundled datasets by key (see :data:`BUILTIN`)."""
    try:
        return BUILTIN[key]()
    except KeyError:
        raise KeyError(f"Unknown built-in dataset {key!r}; choose one of {', '.join(BUILTIN)}.") from None


# ----------------------------------------------------------------------------- synthetic data

#: Smooth true curves for the 1-D polynomial dataset, as functions of x ∈ [−1, 1].
TRUE_CURVES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sine": lambda x: np.sin(np.pi * x),
}

SYNTHETIC_TITLES = {
    "sparse": "Sparse linear model",
    "poly": "Polynomial features of a smooth curve",
    "groups": "Groups of correlated features",
    "logistic": "Sparse logistic model (classification)",
    "counts": "Sparse Poisson model (counts)",
}


def _toeplitz_features(rng: np.random.Generator, n: int, p: int, rho: float) -> np.ndarray:
    """Gaussian features with corr(xⱼ, xₖ) = ρ^|j−k| and unit variance (an AR(1) chain over j)."""
    X = np.empty((n, p))
    X[:, 0] = rng.standard_normal(n)
    innovation_sd = np.sqrt(1.0 - rho**2)
    for j in range(1, p):
        X[:, j] = rho * X[:, j - 1] + innovation_sd * rng.standard_normal(n)
    return X


def _rngs(seed: int, draw: int) -> tuple[np.random.Generator, np.random.Generator]:
    """Generators for the truth (from ``seed`` only) and for one sample (``seed`` and ``draw``).

    Repeated training sets for the bias–variance study are draws 1, 2, … of the *same*
    model: the true coefficients must not change with the draw.
    """
    return np.random.default_rng(seed), np.random.default_rng([seed, draw, 0x5EED])


def _check_range(name: str, value: float, low: float, high: float) -> None:
    if not (low <= value <= high):  # NaN fails too
        raise ValueError(f"{name} must lie between {low:g} and {high:g}; got {value:g}.")


def _check_cells(n: int, p: int) -> None:
    """Bound the generated table before drawing it (see :data:`reglab.limits.MAX_SYNTHETIC_CELLS`)."""
    if n * p > limits.MAX_SYNTHETIC_CELLS:
        raise ValueError(f"{n:,} rows × {p:,} features is more than the {limits.MAX_SYNTHETIC_CELLS:,} values a generated "
                         "dataset may hold; lower n or the number of features.")


def make_sparse_linear(
    n: int = 200, p: int = 20, n_informative: int = 5, noise_sd: float = 1.0, rho: float = 0.5, seed: int = 0,
    draw: int = 0,
) -> Dataset:
    """Sparse linear model with known coefficients.

    ``y = 0.5 + Xβ + ε``, ε ~ N(0, σ²); X Gaussian with Toeplitz correlation
    ``corr(xⱼ, xₖ) = ρ^|j−k|`` (as skglm's ``make_correlated_data``); the first
    ``n_informative`` coefficients are ±(1 … 3) with random signs, the rest exactly 0.
    ``seed`` fixes the truth; ``draw`` picks an independent sample from that same model.
    """
    _check_range("n", n, 10, 200_000)
    _check_range("p", p, 1, 2_000)
    _check_range("number of informative features", n_informative, 0, p)
    _check_range("noise σ", noise_sd, 0.0, 1e6)
    _check_range("correlation ρ", rho, 0.0, 0.99)
    _check_cells(n, p)
    truth_rng, rng = _rngs(seed, draw)
    beta = np.zeros(p)
    beta[:n_informative] = truth_rng.choice([-1.0, 1.0], n_informative) * np.linspace(3.0, 1.0, n_informative)
    X = _toeplitz_features(rng, n, p, rho)
    y = 0.5 + X @ beta + noise_sd * rng.standard_normal(n)
    names = [f"x{j + 1}" for j in range(p)]
    frame = pd.DataFrame(X, columns=names)
    frame["y"] = y
    return Dataset(
        key="sparse",
        title=SYNTHETIC_TITLES["sparse"],
        description=(
            f"{n} rows, {p} features, {n_informative} of them informative (x1…x{n_informative}); "
            f"feature correlation ρ^|j−k| with ρ = {rho:g}; noise σ = {noise_sd:g}."
        ),
        frame=frame,
        target="y",
        task="regression",
        source="synthetic",
        truth=Truth(coef=beta, intercept=0.5, noise_sd=noise_sd),
        params={"n": n, "p": p, "k": n_informative, "noise": noise_sd, "rho": rho, "seed": seed},
    )


def make_polynomial(n: int = 30, degree: int = 9, noise_sd: float = 0.3, seed: int = 0, draw: int = 0) -> Dataset:
    """1-D polynomial features ``x, x², …, x^d`` of a noisy sample of a smooth curve.

    ``x ~ Uniform(−1, 1)``, ``y = sin(πx) + ε``, ε ~ N(0, σ²): the classic picture of
    under-fitting (small d or large λ) and over-fitting (large d, small λ).
    """
    _check_range("n", n, 5, 100_000)
    _check_range("degree", degree, 1, 30)
    _check_range("noise σ", noise_sd, 0.0, 1e3)
    _, rng = _rngs(seed, draw)
    x = rng.uniform(-1.0, 1.0, n)
    y = TRUE_CURVES["sine"](x) + noise_sd * rng.standard_normal(n)
    frame = pd.DataFrame({("x" if d == 1 else f"x^{d}"): x**d for d in range(1, degree + 1)})
    frame["y"] = y
    return Dataset(
        key="poly",
        title=SYNTHETIC_TITLES["poly"],
        description=f"{n} points of y = sin(πx) + noise (σ = {noise_sd:g}), features x … x^{degree}.",
        frame=frame,
        target="y",
        task="regression",
        source="synthetic",
        truth=Truth(coef=None, intercept=0.0, noise_sd=noise_sd, curve="sine"),
        params={"n": n, "degree": degree, "noise": noise_sd, "seed": seed},
    )


def make_correlated_groups(
    n: int = 200,
    n_groups: int = 4,
    group_size: int = 3,
    within_corr: float = 0.95,
    n_informative_groups: int = 2,
    noise_sd: float = 1.0,
    seed: int = 0,
    draw: int = 0,
) -> Dataset:
    """Groups of strongly correlated features: where L1 picks one and L2 spreads the weight.

    Group g has a latent ``u_g ~ N(0, 1)``; its members are
    ``x = √c·u_g + √(1−c)·e`` (unit variance, within-group correlation c).  The first
    ``n_informative_groups`` groups carry a total effect of 2 split equally among members;
    ``y = Xβ + ε``.
    """
    _check_range("n", n, 10, 200_000)
    _check_range("number of groups", n_groups, 1, 100)
    _check_range("group size", group_size, 2, 20)
    _check_range("within-group correlation", within_corr, 0.0, 0.999)
    _check_range("informative groups", n_informative_groups, 0, n_groups)
    _check_cells(n, n_groups * group_size)
    _, rng = _rngs(seed, draw)
    latent = rng.standard_normal((n, n_groups))
    members = np.repeat(latent, group_size, axis=1)
    X = np.sqrt(within_corr) * members + np.sqrt(1.0 - within_corr) * rng.standard_normal(members.shape)
    beta = np.zeros(n_groups * group_size)
    beta[: n_informative_groups * group_size] = 2.0 / group_size
    y = X @ beta + noise_sd * rng.standard_normal(n)
    names = [f"g{g + 1}_{m + 1}" for g in range(n_groups) for m in range(group_size)]
    frame = pd.DataFrame(X, columns=names)
    frame["y"] = y
    return Dataset(
        key="groups",
        title=SYNTHETIC_TITLES["groups"],
        description=(
            f"{n} rows, {n_groups} groups of {group_size} features correlated at {within_corr:g} within a group; "
            f"groups 1…{n_informative_groups} carry the signal, shared equally by their members."
        ),
        frame=frame,
        target="y",
        task="regression",
        source="synthetic",
        truth=Truth(coef=beta, intercept=0.0, noise_sd=noise_sd, notes="groups"),
        params={"n": n, "groups": n_groups, "size": group_size, "corr": within_corr,
                "k": n_informative_groups, "noise": noise_sd, "seed": seed},
    )


def make_sparse_logistic(
    n: int = 300, p: int = 20, n_informative: int = 5, rho: float = 0.5, seed: int = 0, draw: int = 0,
    classes: int = 2,
) -> Dataset:
    """Classes from a sparse logistic (two classes) or multinomial (three or more) model with known
    coefficients.

    Two classes: ``P(y = 1 | x) = 1/(1 + e^−(0.3 + xᵀβ))``, y ∈ {0, 1}; the first
    ``n_informative`` coefficients are ±(1.5 … 0.5) with random signs, the rest exactly 0.
    K ≥ 3 classes: ``P(y = k | x) ∝ e^(xᵀβₖ)``, y ∈ {0, …, K−1}; informative feature j raises
    the odds of class j mod K only (βₖⱼ = ±(2.0 … 1.0), every other entry 0), so each class
    has its own few features. X as :func:`make_sparse_linear`'s (Toeplitz correlation
    ρ^|j−k|). ``seed`` fixes the truth; ``draw`` another sample.
    """
    _check_range("n", n, 10, 200_000)  # small draws happen: training sets of the bias–variance study
    _check_range("p", p, 1, 2_000)
    _check_range("number of informative features", n_informative, 0, p)
    _check_range("correlation ρ", rho, 0.0, 0.99)
    _check_range("number of classes", classes, 2, 5)
    _check_cells(n, p)
    truth_rng, rng = _rngs(seed, draw)
    X = _toeplitz_features(rng, n, p, rho)
    if classes == 2:
        beta = np.zeros(p)
        beta[:n_informative] = truth_rng.choice([-1.0, 1.0], n_informative) * np.linspace(1.5, 0.5, n_informative)
        prob = 1.0 / (1.0 + np.exp(-(0.3 + X @ beta)))
        y = (rng.random(n) < prob).astype(int)
        if y.min() == y.max():  # a tiny sample from an extreme model: keep both classes present
            y[np.argmin(prob) if y[0] == 1 else np.argmax(prob)] = 1 - y[0]
        truth = Truth(coef=beta, intercept=0.3, noise_sd=0.0, link="logit")
        rule = "y = 1 with probability 1/(1 + e^−(0.3 + xᵀβ))"
    else:
        coef = np.zeros((classes, p))
        informative = np.arange(n_informative)
        coef[informative % classes, informative] = (truth_rng.choice([-1.0, 1.0], n_informative)
                                                    * np.linspace(2.0, 1.0, n_informative))
        prob = softmax(X @ coef.T)
        y = (rng.random((n, 1)) > np.cumsum(prob, axis=1)).sum(axis=1).clip(0, classes - 1)
        for k in range(classes):  # a tiny sample can miss a class: give it its most likely row of a larger class
            if not (y == k).any():
                counts = np.bincount(y, minlength=classes)
                donors = np.flatnonzero(counts[y] > 1)
                y[donors[np.argmax(prob[donors, k])]] = k
        truth = Truth(coef=coef, intercept=np.zeros(classes), noise_sd=0.0, link="softmax")
        rule = f"y ∈ {{0, …, {classes - 1}}} with probability ∝ e^(xᵀβₖ), each informative feature raising one class's odds"
    names = [f"x{j + 1}" for j in range(p)]
    frame = pd.DataFrame(X, columns=names)
    frame["y"] = y
    params = {"n": n, "p": p, "k": n_informative, "rho": rho, "seed": seed}
    if classes != 2:  # two-class links stay as they were
        params["classes"] = classes
    return Dataset(
        key="logistic",
        title=SYNTHETIC_TITLES["logistic"],
        description=(
            f"{n} rows, {p} features, {n_informative} of them informative (x1…x{n_informative}); "
            f"feature correlation ρ^|j−k| with ρ = {rho:g}; {rule}."
        ),
        frame=frame,
        target="y",
        task="classification",
        source="synthetic",
        truth=truth,
        params=params,
    )


#: Largest sd of the count model's linear predictor xᵀβ: counts stay within e^(0.5 ± 4.5) ≈ 0 … 150.
_COUNT_SPREAD = 1.5


def make_sparse_poisson(
    n: int = 300, p: int = 20, n_informative: int = 5, rho: float = 0.5, seed: int = 0, draw: int = 0,
) -> Dataset:
    """Counts from a sparse Poisson model with known coefficients: ``y ~ Poisson(e^(0.5 + xᵀβ))``, the
    first ``n_informative`` coefficients ±(0.5 … 0.2) with random signs (scaled down together when the
    linear predictor's sd would exceed :data:`_COUNT_SPREAD`), the rest exactly 0 (a mean count of
    about 2, with zeros). X as :func:`make_sparse_linear`'s (Toeplitz correlation ρ^|j−k|).
    ``seed`` fixes the truth; ``draw`` another sample."""
    _check_range("n", n, 10, 200_000)
    _check_range("p", p, 1, 2_000)
    _check_range("number of informative features", n_informative, 0, p)
    _check_range("correlation ρ", rho, 0.0, 0.99)
    _check_cells(n, p)
    truth_rng, rng = _rngs(seed, draw)
    X = _toeplitz_features(rng, n, p, rho)
    beta = np.zeros(p)
    beta[:n_informative] = truth_rng.choice([-1.0, 1.0], n_informative) * np.linspace(0.5, 0.2, n_informative)
    # Many informative features would make the counts astronomical (sd of xᵀβ ~ 10 at 500 of them: counts
    # of 10¹²): the coefficients shrink together until sd(xᵀβ) = √(βᵀΣβ) is at most _COUNT_SPREAD.
    informative = np.arange(n_informative)
    spread = float(np.sqrt(beta[informative] @ (rho ** np.abs(np.subtract.outer(informative, informative)))
                           @ beta[informative])) if n_informative else 0.0
    if spread > _COUNT_SPREAD:
        beta *= _COUNT_SPREAD / spread
    mean = np.exp(0.5 + X @ beta)
    y = rng.poisson(mean)
    if not y.any():  # a tiny sample from a quiet model: one event, where it is most likely
        y[np.argmax(mean)] = 1
    names = [f"x{j + 1}" for j in range(p)]
    frame = pd.DataFrame(X, columns=names)
    frame["y"] = y
    return Dataset(
        key="counts",
        title=SYNTHETIC_TITLES["counts"],
        description=(f"{n} rows, {p} features, {n_informative} of them informative (x1…x{n_informative}); feature "
                     f"correlation ρ^|j−k| with ρ = {rho:g}; y counts events, Poisson with mean e^(0.5 + xᵀβ)."),
        frame=frame,
        target="y",
        task="counts",
        source="synthetic",
        truth=Truth(coef=beta, intercept=0.5, noise_sd=0.0, link="log"),
        params={"n": n, "p": p, "k": n_informative, "rho": rho, "seed": seed},
    )


SYNTHETIC: dict[str, Callable[..., Dataset]] = {
    "sparse": make_sparse_linear,
    "poly": make_polynomial,
    "groups": make_correlated_groups,
    "logistic": make_sparse_logistic,
    "counts": make_sparse_poisson,
}
#: URL parameter name → generator keyword, per generator (what round-trips through st.query_params).
SYNTHETIC_PARAMS: dict[str, dict[str, tuple[str, type]]] = {
    "sparse": {"n": ("n", int), "p": ("p", int), "k": ("n_informative", int), "noise": ("noise_sd", float),
               "rho": ("rho", float), "seed": ("seed", int)},
    "poly": {"n": ("n", int), "degree": ("degree", int), "noise": ("noise_sd", float), "seed": ("seed", int)},
    "groups": {"n": ("n", int), "groups": ("n_groups", int), "size": ("group_size", int),
               "corr": ("within_corr", float), "k": ("n_informative_groups", int),
               "noise": ("noise_sd", float), "seed": ("seed", int)},
    "logistic": {"n": ("n", int), "p": ("p", int), "k": ("n_informative", int), "rho": ("rho", float),
                 "seed": ("seed", int), "classes": ("classes", int)},
    "counts": {"n": ("n", int), "p": ("p", int), "k": ("n_informative", int), "rho": ("rho", float),
               "seed": ("seed", int)},
}


def make_synthetic(kind: str, draw: int = 0, **url_params: float) -> Dataset:
    """A synthetic dataset from its short URL parameters (e.g. ``make_synthetic("sparse", n=100)``).

    ``draw`` selects an independent sample from the same model (same truth).
    """
    if kind not in SYNTHETIC:
        raise KeyError(f"Unknown synthetic dataset {kind!r}; choose one of {', '.join(SYNTHETIC)}.")
    spec = SYNTHETIC_PARAMS[kind]
    kwargs = {}
    for short, value in url_params.items():
        if short not in spec:
            raise ValueError(f"{kind} has no parameter {short!r}.")
        keyword, cast = spec[short]
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"{short} must be a finite number; got {value!r}.")
        kwargs[keyword] = cast(number)
    return SYNTHETIC[kind](**kwargs, draw=draw)
