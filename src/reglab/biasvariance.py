"""The bias–variance trade-off over λ, measured honestly.

**Known truth** (synthetic data, mean function f and noise variance σ² known).  Draw R
independent training sets from the generator, fit every λ of one grid on each, predict
at fixed test points x₀.  With f̂ᵣ the r-th fit and f̄ = (1/R) Σᵣ f̂ᵣ::

    variance(λ) = mean over x₀ of 1/(R−1) Σᵣ (f̂ᵣ(x₀) − f̄(x₀))²
    bias²(λ)    = mean over x₀ of (f(x₀) − f̄(x₀))² − variance(λ)/R

(both unbiased: f̄ is itself noisy, so the plain (f − f̄)² overstates bias² by
variance/R; near zero bias the corrected estimate can dip slightly below 0)
    noise       = σ²
    expected test error(λ) = mean over x₀, r of E_ε[(f(x₀) + ε − f̂ᵣ(x₀))²]
                           = σ² + mean over x₀, r of (f(x₀) − f̂ᵣ(x₀))²

and the last equals bias² + variance + noise exactly (to rounding) — the identity is
checked, not assumed.  A Monte-Carlo test error with fresh noisy test targets is reported
beside it; it agrees in expectation only.

**Real data** (truth unknown).  Bootstrap the training rows R times; predict the held-out
rows y₀.  Variance is measured as above; what remains of the test error,
mean over x₀ of (y₀ − f̄(x₀))², is bias² *plus* noise — they cannot be separated without
the truth, and the result says so (:attr:`BiasVariance.labels`).

**Classifiers** (``family="binomial"``). The same decomposition of the Brier score
(y₀ − p̂(x₀))², y₀ ∈ {0, 1}, on the predicted probabilities p̂: variance of p̂ over resamples,
and "bias² + noise" for the rest; with a known truth the noise is the Bernoulli variance
f(1 − f). ``family="multinomial"``: the multi-class Brier score Σₖ (y₀ₖ − p̂ₖ(x₀))² with y₀
one-hot over the K classes; every term above becomes its sum over k (the identity holds term
by term), and the known-truth noise is Σₖ fₖ(1 − fₖ) = 1 − Σₖ fₖ². Resamples are drawn within
each class (stratified), so every one holds every class.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from joblib import Parallel, delayed
from numpy.typing import NDArray

from .design import center_once
from .fitting import path_predictions, resample_predictions
from .objective import LeastSquares, ModelSpec, Penalty, datafit_of


@dataclass(frozen=True)
class BiasVariance:
    """Bias–variance decomposition along a decreasing λ grid (target units squared).

    Attributes
    ----------
    bias_sq : ndarray or None
        bias² (known truth only).
    bias_sq_plus_noise : ndarray or None
        bias² + noise (real data only: not separable).
    noise : float or None
        σ² (known truth only).
    test_error : ndarray
        Expected test error measured directly from the fits.
    simulated_test_error : ndarray or None
        Known truth only: test error on fresh noisy test targets (Monte Carlo).
    """

    kind: str  # "known truth" or "bootstrap"
    lambdas: NDArray[np.float64]
    variance: NDArray[np.float64]
    test_error: NDArray[np.float64]
    repeats: int
    bias_sq: NDArray[np.float64] | None = None
    noise: float | None = None
    bias_sq_plus_noise: NDArray[np.float64] | None = None
    simulated_test_error: NDArray[np.float64] | None = None
    #: The model family decomposed: gaussian (squared error) or binomial/multinomial (Brier score).
    family: str = "gaussian"

    @property
    def decomposed_total(self) -> NDArray[np.float64]:
        """bias² + variance + noise (or (bias² + noise) + variance): equals ``test_error``."""
        if self.bias_sq is not None:
            return self.bias_sq + self.variance + float(self.noise)
        assert self.bias_sq_plus_noise is not None
        return self.bias_sq_plus_noise + self.variance

    @property
    def labels(self) -> dict[str, str]:
        """Names of the components as the chart must show them."""
        if self.kind == "known truth":
            return {"bias_sq": "bias²", "variance": "variance", "noise": datafit_of(self.family).noise_label,
                    "total": "bias² + variance + noise", "test_error": "expected test error (measured)"}
        return {"bias_sq_plus_noise": "bias² + noise (not separable without the truth)", "variance": "variance",
                "total": "(bias² + noise) + variance", "test_error": "test error (measured)"}

    def to_frame(self):
        """Tidy table: λ, component (as labelled), value."""
        import pandas as pd

        labels = self.labels
        columns = {"variance": self.variance, "test_error": self.test_error, "total": self.decomposed_total}
        if self.bias_sq is not None:
            columns["bias_sq"] = self.bias_sq
            columns["noise"] = np.full_like(self.lambdas, float(self.noise))
        else:
            columns["bias_sq_plus_noise"] = self.bias_sq_plus_noise
        parts = [pd.DataFrame({"lambda": self.lambdas, "component": labels[k], "value": v}) for k, v in columns.items()]
        return pd.concat(parts, ignore_index=True)


def _predictions(X_train, y_train, X_eval, penalty: Penalty, lambdas, standardize: bool,
                 family: str = "gaussian") -> NDArray[np.float64]:
    """Predictions (probabilities for a classifier) at ``X_eval`` for every λ from one training draw."""
    return path_predictions(X_train, y_train, X_eval, ModelSpec(penalty, datafit_of(family), standardize), lambdas)


def _squared_distance(a: NDArray[np.float64], b: NDArray[np.float64], over: tuple[int, ...],
                      classes_last: bool) -> NDArray[np.float64]:
    """(a − b)² averaged over the axes ``over`` (points, and replicates where asked); with
    ``classes_last`` (multinomial probabilities) the last axis is summed first: the multi-class
    Brier score's Σₖ."""
    squared = np.square(a - b)
    return (squared.sum(axis=-1) if classes_last else squared).mean(axis=over)


def _summarize(predictions: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Mean prediction f̄ (n_lambdas, n_eval[, K]) and the unbiased variance averaged over points
    (n_lambdas,); a multinomial prediction's variance is summed over its K classes.

    The sample variance uses R − 1: with R replicates, the plug-in (f − f̄)² overstates
    bias² by variance/R on average (f̄ is itself noisy), so bias² is corrected by
    subtracting variance/R; the pair still sums exactly to (f − f̄)² + (1/R)Σ(f̂ᵣ − f̄)².
    """
    repeats = predictions.shape[0]
    mean = predictions.mean(axis=0)
    squared_deviations = predictions - mean  # one (R × k × m) temporary, squared in place
    np.square(squared_deviations, out=squared_deviations)
    summed = squared_deviations.sum(axis=0)
    if summed.ndim == 3:  # multinomial (n_lambdas, n_eval, K): Σ over classes
        summed = summed.sum(axis=2)
    variance = summed.mean(axis=1) / max(repeats - 1, 1)
    return mean, variance


def with_known_truth(
    draw_training: Callable[[int], tuple[NDArray[np.float64], NDArray[np.float64]]],
    X_test: NDArray[np.float64],
    f_test: NDArray[np.float64],
    noise_sd: float,
    penalty: Penalty,
    lambdas: NDArray[np.float64],
    repeats: int = 30,
    standardize: bool = True,
    seed: int = 0,
    n_jobs: int | None = None,
    progress: Callable[[float], None] | None = None,
    family: str = "gaussian",
) -> BiasVariance:
    """Exact decomposition over ``repeats`` training draws (see module docstring).

    For ``family="binomial"`` of the Brier score: ``f_test`` is the true probability of class
    1, the noise is its Bernoulli variance mean f(1 − f) (``noise_sd`` is not used) and the
    simulated test targets are Bernoulli(f) draws. For ``family="multinomial"`` of the
    multi-class Brier score: ``f_test`` is (n_test, K), the noise mean Σₖ fₖ(1 − fₖ) and the
    simulated targets one-hot categorical draws.

    Parameters
    ----------
    draw_training : callable
        ``draw_training(r)`` returns the r-th independent training set ``(X, y)``.
    X_test : ndarray of shape (n_test, p)
        Fixed test points x₀.
    f_test : ndarray of shape (n_test,) or (n_test, K)
        True mean response f(x₀) (class probabilities for a multinomial model).
    noise_sd : float
        σ, in target units.
    """
    lambdas = np.sort(np.asarray(lambdas, dtype=float))[::-1]
    predictions = _run(
        [delayed(_predictions)(*draw_training(r), X_test, penalty, lambdas, standardize, family) for r in range(repeats)],
        n_jobs,
        progress,
    )
    mean, variance = _summarize(predictions)
    datafit = datafit_of(family)
    multiclass = datafit.per_class
    bias_sq = _squared_distance(f_test, mean, (1,), multiclass) - variance / repeats
    noise = datafit.noise(f_test, noise_sd)
    test_error = noise + _squared_distance(f_test, predictions, (0, 2), multiclass)
    rng = np.random.default_rng(seed + 1_000_003)
    noisy_targets = datafit.draw_targets(rng, f_test, (repeats, 1), noise_sd)
    simulated = _squared_distance(noisy_targets, predictions, (0, 2), multiclass)
    return BiasVariance("known truth", lambdas, variance, test_error, repeats, bias_sq=bias_sq, noise=noise,
                        simulated_test_error=simulated, family=datafit.family)


def bootstrap(
    X_train: NDArray[np.float64],
    y_train: NDArray[np.float64],
    X_test: NDArray[np.float64],
    y_test: NDArray[np.float64],
    penalty: Penalty,
    lambdas: NDArray[np.float64],
    repeats: int = 30,
    standardize: bool = True,
    seed: int = 0,
    n_jobs: int | None = None,
    progress: Callable[[float], None] | None = None,
    family: str = "gaussian",
) -> BiasVariance:
    """Bootstrap estimate on real data: variance and "bias² + noise" (see module docstring);
    for ``family="binomial"`` of the Brier score on probabilities (``y`` as 0/1 codes), for
    ``"multinomial"`` of the multi-class Brier score (``y`` as class codes 0 … K−1)."""
    if len(y_test) == 0:
        raise ValueError("The bootstrap estimate needs held-out test rows: set a test share above 0 on the Data page.")
    lambdas = np.sort(np.asarray(lambdas, dtype=float))[::-1]
    rng = np.random.default_rng(seed)
    n = len(y_train)
    datafit = datafit_of(family)
    y_eval = np.asarray(y_test, dtype=float)
    if not datafit.quadratic:  # resamples as copied rows; a classifier's drawn within each class
        X_arr, y_arr = np.asarray(X_train, dtype=float), np.asarray(y_train, dtype=float)
        if datafit.classifier:
            by_class = [np.flatnonzero(y_arr == value) for value in np.unique(y_arr)]
            resamples = [np.concatenate([rng.choice(rows, rows.size) for rows in by_class]) for _ in range(repeats)]
        else:
            resamples = [rng.integers(0, n, n) for _ in range(repeats)]
        if datafit.per_class:  # one-hot targets against the (n, K) probabilities, classes in code order
            y_eval = (y_eval[:, None] == np.unique(y_arr)[None, :]).astype(float)
        spec = ModelSpec(penalty, datafit, standardize)
        tasks = [delayed(path_predictions)(X_arr[rows], y_arr[rows], X_test, spec, lambdas) for rows in resamples]
    else:
        resamples = [rng.integers(0, n, n) for _ in range(repeats)]
        # Centered once; each replicate is a vector of row counts (weighted Gram), not a copied resample.
        Xg, y_arr, offset = center_once(X_train, y_train)
        spec = ModelSpec(penalty, LeastSquares(), standardize)
        tasks = [delayed(resample_predictions)(Xg, y_arr, offset, rows, X_test, spec, lambdas) for rows in resamples]
    predictions = _run(tasks, n_jobs, progress)
    mean, variance = _summarize(predictions)
    squared_bias_of_mean = _squared_distance(y_eval, mean, (1,), datafit.per_class)
    remainder = squared_bias_of_mean - variance / repeats
    # mean over r of (y − f̂ᵣ)² = (y − f̄)² + (1/R)Σᵣ(f̂ᵣ − f̄)²  (the cross term sums to 0): no further pass
    test_error = squared_bias_of_mean + variance * (repeats - 1) / repeats
    return BiasVariance("bootstrap", lambdas, variance, test_error, repeats, bias_sq_plus_noise=remainder, family=datafit.family)


def _run(tasks: list, n_jobs: int | None, progress: Callable[[float], None] | None) -> NDArray[np.float64]:
    """Run replicate tasks through joblib in chunks, reporting progress after each chunk.

    Always joblib (never a plain loop), so ``joblib.parallel_config(backend="dask")`` sends the
    replicates to a Dask cluster unchanged; chunks keep a progress bar moving meanwhile.
    """
    chunk = max(1, len(tasks) // 10)
    results: list = []
    for start in range(0, len(tasks), chunk):
        results.extend(Parallel(n_jobs=n_jobs)(tasks[start:start + chunk]))
        if progress is not None:
            progress(min(1.0, (start + chunk) / len(tasks)))
    return np.stack(results)


def for_synthetic(
    dataset,
    feature_names: list[str] | tuple[str, ...],
    n_train: int,
    penalty: Penalty,
    lambdas: NDArray[np.float64],
    repeats: int = 30,
    standardize: bool = True,
    n_test: int = 500,
    n_jobs: int | None = None,
    progress: Callable[[float], None] | None = None,
) -> BiasVariance:
    """:func:`with_known_truth` for a synthetic :class:`~reglab.data.Dataset`.

    Training set r is draw ``r + 1`` of ``n_train`` rows from the same model (same seed, so
    the same truth); the test points are one further draw.  The truth uses every
    generated column, so features left out of the model show up as bias.
    """
    from .data import make_synthetic

    if dataset.truth is None or dataset.source != "synthetic":
        raise ValueError("A known-truth decomposition needs a synthetic dataset.")
    params = dict(dataset.params)
    names = list(feature_names)

    def sample(draw: int, n: int):
        return make_synthetic(dataset.key, draw=draw, **{**params, "n": n}).frame

    def draw_training(r: int):
        frame = sample(1 + r, n_train)
        return frame[names].to_numpy(dtype=float), frame[dataset.target].to_numpy(dtype=float)

    test = sample(1_000_000, n_test)
    f_test = dataset.truth.mean_response(test, dataset.feature_names)
    family = dataset.truth.family
    return with_known_truth(draw_training, test[names].to_numpy(dtype=float), f_test, dataset.truth.noise_sd,
                            penalty, lambdas, repeats, standardize, int(params.get("seed", 0)), n_jobs, progress,
                            family)
