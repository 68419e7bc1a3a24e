"""L1 vs L2 vs elastic net side by side, correlated groups, selection stability, tuning both knobs.

Everything uses the one objective of :mod:`reglab.objective`; λ means the same for all
three penalties, so "the same λ" is a fair comparison and "each at its own λ.min" is the
cross-validated one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from numpy.typing import ArrayLike, NDArray

from .diagnostics import log_loss, multiclass_auc, multiclass_log_loss, r_squared, rmse, roc_auc
from .design import center_once, prepare, resample_design
from .fitting import fit_design, sparse_floor
from .results import nonzero_mask
from .solvers import KKT_TOLERANCE, RESAMPLING_KKT_TOLERANCE, lambda_grid, solve
from .objective import Penalty, datafit_of
from .selection import cross_validate

PENALTY_NAMES = {"l1": "L1 (lasso)", "l2": "L2 (ridge)", "elasticnet": "elastic net"}


@dataclass(frozen=True)
class Candidate:
    """One model to compare: a penalty, its L1 ratio and its λ (and why that λ)."""

    penalty: str
    l1_ratio: float
    lam: float
    reason: str = "same λ"

    @property
    def label(self) -> str:
        name = PENALTY_NAMES[self.penalty]
        return f"{name} (α = {self.l1_ratio:g})" if self.penalty == "elasticnet" else name


@dataclass(frozen=True)
class Comparison:
    """Side-by-side fits: a summary table and tidy standardized coefficients."""

    table: pd.DataFrame  # model, λ, L1 ratio, λ chosen by, test RMSE, test R², non-zero
    coefficients: pd.DataFrame  # model, feature, coef (standardized), nonzero (at the solver's precision)


def test_scores(fit, X_test, y_test) -> dict[str, float]:
    """A fit's held-out scores, by family: test RMSE and R² for a regression (and the mean test
    deviance for counts); test log-loss, accuracy and ROC AUC for a classifier (nan without test rows)."""
    has_test = len(y_test) > 0
    pred = fit.predict(X_test) if has_test else np.empty(0)
    if fit.datafit.per_class:
        return {"test log-loss": multiclass_log_loss(y_test, pred) if has_test else np.nan,
                "test accuracy": float(np.mean(np.argmax(pred, axis=1) == y_test)) if has_test else np.nan,
                "test AUC": multiclass_auc(y_test, pred) if has_test else np.nan}
    if fit.datafit.classifier:
        return {"test log-loss": log_loss(y_test, pred),
                "test accuracy": float(np.mean((pred > 0.5) == (y_test > 0.5))) if has_test else np.nan,
                "test AUC": roc_auc(y_test, pred) if has_test else np.nan}
    scores = {"test RMSE": rmse(y_test, pred) if has_test else np.nan,
              "test R²": r_squared(y_test, pred) if has_test else np.nan}
    if not fit.datafit.quadratic:  # counts: also the mean held-out deviance (what the model minimizes)
        scores[fit.datafit.held_out_error] = float(fit.datafit.mean_loss(y_test, pred)) if has_test else np.nan
    return scores


def compare_models(X_train, y_train, X_test, y_test, candidates: Sequence[Candidate], standardize: bool = True,
                   feature_names: Sequence[str] | None = None, family: str = "gaussian",
                   penalty_factor: ArrayLike | None = None, groups: ArrayLike | None = None,
                   class_labels: Sequence[str] | None = None) -> Comparison:
    """Fit every candidate on the training rows and score it on the test rows (:func:`test_scores`);
    ``penalty_factor`` (glmnet's, one per feature) applies to every candidate; ``class_labels``
    names the codes of a class target (:func:`reglab.prepare`)."""
    design = prepare(X_train, y_train, standardize, feature_names, family=family, class_labels=class_labels)
    rows, coefs = [], []
    for cand in candidates:
        fit = fit_design(design, Penalty.of(cand.penalty, cand.l1_ratio, penalty_factor, groups), cand.lam)
        rows.append({"model": cand.label, "λ": cand.lam, "L1 ratio": Penalty.of(cand.penalty, cand.l1_ratio).alpha,
                     "λ chosen by": cand.reason, **test_scores(fit, X_test, y_test), "non-zero": fit.n_nonzero})
        names = design.feature_names
        if fit.weights.ndim == 2:  # multinomial: one bar per (feature, class)
            names = [f"{name} [{cls}]" for cls in fit.classes for name in design.feature_names]
        coefs.append(pd.DataFrame({"model": cand.label, "feature": names, "coef": fit.weights.reshape(-1),
                                   "nonzero": fit.nonzero.reshape(-1)}))
    return Comparison(pd.DataFrame(rows), pd.concat(coefs, ignore_index=True))


def common_grid(design, l1_ratio: float, n_lambdas: int = 60, penalty_factor: ArrayLike | None = None,
                groups: ArrayLike | None = None) -> NDArray[np.float64]:
    """One decreasing λ grid for comparing penalties on a shared axis.

    From the elastic net's λ_max (the largest of the sparse penalties: λ_max ∝ 1/α) down to
    1e-4 (n > p) or 1e-2 of the lasso's — where all three have something to show. (glmnet's own
    ridge grid starts at λ_max/0.001, which would squash the other two.)
    """
    top = lambda_grid(design, Penalty.of("elasticnet", l1_ratio, penalty_factor, groups), 2)[0]
    lasso = lambda_grid(design, Penalty.of("l1", factors=penalty_factor, groups=groups), 2)
    return np.geomspace(top, lasso[-1], n_lambdas)


# ----------------------------------------------------------------------------- correlated features


def correlated_pairs(X: NDArray[np.float64], names: Sequence[str], threshold: float = 0.9) -> pd.DataFrame:
    """Feature pairs with |correlation| above ``threshold`` (columns a, b, correlation), strongest first."""
    sd = X.std(axis=0)
    live = np.flatnonzero(sd > 0)
    if len(live) < 2:
        return pd.DataFrame(columns=["a", "b", "correlation"])
    corr = np.corrcoef(X[:, live], rowvar=False)
    i, k = np.nonzero(np.triu(np.abs(corr) > threshold, k=1))
    pairs = pd.DataFrame({"a": [names[live[j]] for j in i], "b": [names[live[j]] for j in k], "correlation": corr[i, k]})
    return pairs.reindex(pairs["correlation"].abs().sort_values(ascending=False).index).reset_index(drop=True)


def correlated_groups(pairs: pd.DataFrame) -> list[list[str]]:
    """Connected groups of features linked by the correlated pairs (union–find), each sorted."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in zip(pairs["a"], pairs["b"]):
        parent[root(a)] = root(b)
    groups: dict[str, list[str]] = {}
    for name in parent:
        groups.setdefault(root(name), []).append(name)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: g[0])


def group_summary(coefficients: pd.DataFrame, groups: list[list[str]]) -> pd.DataFrame:
    """Per model and group: how many members are selected, and how evenly the weight is spread.

    ``spread`` is the standard deviation of the standardized coefficients within the group
    (0 = weight shared equally); ``selected`` counts non-zero members.
    """
    rows = []
    for g, members in enumerate(groups, start=1):
        inside = coefficients[coefficients["feature"].isin(members)]
        for model, part in inside.groupby("model", sort=False):
            values = part["coef"].to_numpy()
            rows.append({"group": f"group {g}: " + ", ".join(members), "model": model, "size": len(members),
                         "selected": int(part["nonzero"].sum()), "spread": float(values.std()),
                         "total weight": float(values.sum())})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- stability selection


def _refit_once(Xg, y, offset, rows, penalty: Penalty, lam: float, standardize: bool, family: str,
                kkt_tolerance: float) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
    """One resample's fit at λ: which features it selects and its original-scale coefficients (least
    squares: row counts when p ≤ n, no copied rows; a classifier: the copied rows)."""
    if not datafit_of(family).quadratic:  # no sufficient statistics: the copied rows
        design = prepare(Xg[rows] + offset, y[rows], standardize, family=family)
    else:
        design = resample_design(Xg, y, offset, rows, standardize)
    weights = solve(design, penalty, [lam], kkt_tolerance=kkt_tolerance)[0]
    floor = sparse_floor(design.lambda_max(penalty), design, penalty)
    coef = design.to_original(weights)[0]
    if weights.ndim == 2:  # multinomial: a feature is selected when any class uses it
        return nonzero_mask(weights, 2, floor).any(axis=0), coef
    return nonzero_mask(weights, 1, floor), coef


def bootstrap_rows(y: NDArray[np.float64], resamples: int, rng: np.random.Generator,
                   classes: bool = False) -> list[NDArray[np.int_]]:
    """``resamples`` bootstrap draws of row indices; for a classifier drawn within each class
    (stratified), so every resample holds both classes."""
    if not classes:
        return [rng.integers(0, len(y), len(y)) for _ in range(resamples)]
    by_class = [np.flatnonzero(y == value) for value in np.unique(y)]
    return [np.concatenate([rng.choice(rows, rows.size) for rows in by_class]) for _ in range(resamples)]


def bootstrap_fits(X, y, penalty: str, l1_ratio: float, lam: float, resamples: int = 100, seed: int = 0,
                   standardize: bool = True, n_jobs: int | None = None,
                   progress: Callable[[float], None] | None = None, family: str = "gaussian",
                   penalty_factor: ArrayLike | None = None, groups: ArrayLike | None = None,
                   kkt_tolerance: float = RESAMPLING_KKT_TOLERANCE) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
    """The fit at λ on ``resamples`` bootstrap resamples of the rows: which features each selects
    (resamples × p) and its original-scale coefficients (resamples × p, or × K × p per class).

    Resamples are drawn with a seeded generator, so the result is reproducible (within each
    class for a classifier); the fits run through joblib (``n_jobs``), in chunks so
    ``progress`` can report. ``kkt_tolerance``: each fit's standard (relative to its λ_max).
    """
    Xg, y, offset = center_once(X, y)
    pen = Penalty.of(penalty, l1_ratio, penalty_factor, groups)
    rng = np.random.default_rng(seed)
    draws = bootstrap_rows(y, resamples, rng, classes=datafit_of(family).classifier)
    chunk = max(1, resamples // 10)
    selected, coefs = [], []
    for start in range(0, resamples, chunk):
        batch = Parallel(n_jobs=n_jobs)(delayed(_refit_once)(Xg, y, offset, rows, pen, lam, standardize, family,
                                                             kkt_tolerance)
                                        for rows in draws[start:start + chunk])
        selected.extend(mask for mask, _ in batch)
        coefs.extend(coef for _, coef in batch)
        if progress is not None:
            progress(min(1.0, (start + chunk) / resamples))
    return np.array(selected), np.array(coefs)


def selection_frequency(X, y, penalty: str, l1_ratio: float, lam: float, resamples: int = 100, seed: int = 0,
                        standardize: bool = True, n_jobs: int | None = None,
                        progress: Callable[[float], None] | None = None, family: str = "gaussian",
                        penalty_factor: ArrayLike | None = None, groups: ArrayLike | None = None) -> NDArray[np.float64]:
    """Share of bootstrap resamples in which each feature has a non-zero coefficient at λ
    (:func:`bootstrap_fits`, each fit to the resampling standard)."""
    selected, _ = bootstrap_fits(X, y, penalty, l1_ratio, lam, resamples, seed, standardize, n_jobs, progress, family,
                                 penalty_factor, groups)
    return selected.mean(axis=0)


@dataclass(frozen=True)
class CoefficientIntervals:
    """Bootstrap percentile intervals of every coefficient at one λ (original units; (K, p) per class).

    Not confidence intervals in the classical sense: the lasso's coefficients are biased toward 0 and
    a feature's zero in many resamples is a selection, not an estimate near 0 — the interval shows how
    the fitted coefficient moves when the rows are redrawn, selection included (post-selection
    inference needs other tools: selective inference, or sample splitting)."""

    lower: NDArray[np.float64]
    upper: NDArray[np.float64]
    frequency: NDArray[np.float64]
    level: float
    resamples: int
    seed: int


def coefficient_intervals(X, y, penalty: str, l1_ratio: float, lam: float, resamples: int = 200, seed: int = 0,
                          level: float = 0.95, standardize: bool = True, n_jobs: int | None = None,
                          progress: Callable[[float], None] | None = None, family: str = "gaussian",
                          penalty_factor: ArrayLike | None = None,
                          groups: ArrayLike | None = None) -> CoefficientIntervals:
    """Percentile bootstrap intervals (``level``, e.g. 0.95: the 2.5 % and 97.5 % quantiles) of each
    original-scale coefficient at λ over ``resamples`` seeded resamples of the rows (the same resampling
    as :func:`selection_frequency`), each fit to the product's KKT standard, with each feature's
    selection frequency. Reproducible for a seed."""
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1, not {level!r}.")
    selected, coefs = bootstrap_fits(X, y, penalty, l1_ratio, lam, resamples, seed, standardize, n_jobs, progress,
                                     family, penalty_factor, groups, kkt_tolerance=KKT_TOLERANCE)
    tail = (1.0 - level) / 2.0
    lower, upper = np.quantile(coefs, [tail, 1.0 - tail], axis=0)
    return CoefficientIntervals(lower, upper, selected.mean(axis=0), level, resamples, seed)


def interval_frame(intervals: CoefficientIntervals, scale: NDArray[np.float64], feature_names: Sequence[str],
                   classes: Sequence[str] = ()) -> pd.DataFrame:
    """The intervals as a table in the units the coefficient bars use (original units × ``scale``, the
    design's column scale: standardized units when standardizing): ``feature``, ``lower``, ``upper``,
    ``frequency`` (and ``class`` first, for a per-class fit)."""
    lower, upper = intervals.lower * scale, intervals.upper * scale
    if lower.ndim == 2:
        return pd.concat([pd.DataFrame({"class": label, "feature": list(feature_names), "lower": lo, "upper": hi,
                                        "frequency": intervals.frequency})
                          for label, lo, hi in zip(classes, lower, upper)], ignore_index=True)
    return pd.DataFrame({"feature": list(feature_names), "lower": lower, "upper": upper,
                         "frequency": intervals.frequency})


# ----------------------------------------------------------------------------- tuning λ and α together


def cv_heatmap(X, y, ratios: Sequence[float] = (0.1, 0.3, 0.5, 0.7, 0.9, 1.0), n_lambdas: int = 30, folds: int = 5,
               seed: int = 0, standardize: bool = True,
               progress: Callable[[float], None] | None = None, family: str = "gaussian",
               penalty_factor: ArrayLike | None = None, groups: ArrayLike | None = None) -> pd.DataFrame:
    """Mean CV error over a (λ, L1 ratio) grid, with the minimum and the one-SE region marked.

    One λ grid serves every ratio (from the largest λ_max, at the smallest ratio, down to
    1e-3 of the lasso's λ_max) so the cells line up. The one-SE region holds every cell whose
    mean error is within one standard error of the minimum's (the one-SE rule, extended to
    two knobs). Returns columns ``l1_ratio``, ``lambda``, ``mean_error``, ``se``,
    ``is_min``, ``within_1se``.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    design = prepare(X, y, standardize, family=family)
    top = lambda_grid(design, Penalty.of("elasticnet", min(ratios), penalty_factor, groups), 2)[0]
    bottom = lambda_grid(design, Penalty.of("l1", factors=penalty_factor, groups=groups), 2)[0] * 1e-3
    grid = np.geomspace(top, bottom, n_lambdas)
    parts = []
    for i, ratio in enumerate(ratios):
        name = "l1" if ratio == 1.0 else "elasticnet"
        # only CV errors are read (colours and the best cell): resampling's KKT standard, as stability's
        cv = cross_validate(X, y, penalty=name, l1_ratio=ratio, folds=folds, seed=seed, lambdas=grid, standardize=standardize,
                            family=family, kkt_tolerance=RESAMPLING_KKT_TOLERANCE, penalty_factor=penalty_factor, groups=groups)
        parts.append(pd.DataFrame({"l1_ratio": ratio, "lambda": cv.lambdas, "mean_error": cv.mean_error, "se": cv.se}))
        if progress is not None:
            progress((i + 1) / len(ratios))
    table = pd.concat(parts, ignore_index=True)
    best = int(table["mean_error"].idxmin())
    table["is_min"] = table.index == best
    table["within_1se"] = table["mean_error"] <= table.loc[best, "mean_error"] + table.loc[best, "se"]
    return table


def repeated_cv(X, y, penalty: str, l1_ratio: float, seeds: Sequence[int] = tuple(range(10)), folds: int = 5,
                lambdas=None, standardize: bool = True, progress=None, family: str = "gaussian",
                penalty_factor: ArrayLike | None = None, groups: ArrayLike | None = None) -> pd.DataFrame:
    """λ.min and λ.1se for each reshuffle of the folds (columns ``seed``, ``lambda_min``, ``lambda_1se``).

    ``progress``, when given, is called with the share of reshuffles done (0–1) after each one.
    """
    rows = []
    whole = None  # the whole-data path is the same for every reshuffle: solved once, then reused
    for i, seed in enumerate(seeds, start=1):
        cv = cross_validate(X, y, penalty=penalty, l1_ratio=l1_ratio, folds=folds, seed=seed, lambdas=lambdas,
                            standardize=standardize, family=family, kkt_tolerance=RESAMPLING_KKT_TOLERANCE,
                            penalty_factor=penalty_factor, groups=groups, full_path=whole)
        whole = cv.path
        rows.append({"seed": seed, "lambda_min": cv.lambda_min, "lambda_1se": cv.lambda_1se})
        if progress is not None:
            progress(i / len(seeds))
    return pd.DataFrame(rows)
