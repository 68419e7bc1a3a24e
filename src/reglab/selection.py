"""K-fold cross-validation of the regularization path, λ.min and λ.1se.

For each fold k the model is refit on the other folds — standardization included, so no
statistic of the held-out rows leaks into the fit — along one fixed λ grid (computed
once, on all the data, as glmnet does), and the held-out mean squared error
``MSEₖ(λ) = mean over held-out i of (yᵢ − ŷᵢ(λ))²`` is recorded.  Then

* ``mean_error(λ) = Σₖ Nₖ·MSEₖ(λ) / Σₖ Nₖ`` (target units squared), Nₖ the size (total
  observation weight) of fold k, and
* ``se(λ) = √( Σₖ Nₖ·(MSEₖ(λ) − mean_error(λ))² / Σₖ Nₖ / (K − 1) )``:

cv.glmnet's fold-size-weighted mean and SE (the default, ``fold_weighting="size"``), so given
the same fold ids (``foldid=``) λ.min and λ.1se are cv.glmnet's; with equal folds they are the
plain mean and ``sd(MSE₁…MSE_K)/√K`` (``fold_weighting="equal"`` forces those). With
observation weights cᵢ each MSEₖ is the c-weighted mean over the held-out rows. Then
* ``lambda_min = argmin mean_error``,
* ``lambda_1se`` = the largest λ with ``mean_error(λ) ≤ mean_error(λ_min) + se(λ_min)``.

As scikit-learn's ``_path_residuals``: one pure per-fold function plus an orchestrator
(through joblib, so a Dask backend can take the folds unchanged).  No fold copies its
training rows: ``XᵀX`` and ``Xᵀ1`` are formed once, and a fold's training Gram is the
whole minus its held-out rows' (``G_train = G − X_testᵀX_test``), centered and scaled as
:func:`reglab.design.design_from_moments` describes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable, Literal, Sequence

import numpy as np
from joblib import Parallel, delayed
from numpy.typing import ArrayLike, NDArray
from sklearn.model_selection import KFold, StratifiedKFold

from .errors import DataError
from .design import (RowMoments, class_codes, design_from_moments, observation_weights, row_moments,
                     sorted_classes, validate_xy)
from .fitting import (CLUSTER_BACKEND, column_roles, design_predictions, is_lazy, path_design, prepare_spec,
                      require_target)
from .fitting import path as _public_path
from .results import Fit, Path, feature_matrix
from .solvers import CV_KKT_TOLERANCE, lambda_grid, solve
from .datafits import datafit_of
from .objective import ModelSpec, Penalty
from .relaxed import DEFAULT_GAMMAS, RelaxedCV, check_gamma, relax


@dataclass(frozen=True)
class CVResult:
    """Cross-validation curve along a decreasing λ grid.

    Attributes
    ----------
    lambdas : ndarray of shape (n_lambdas,)
        Decreasing λ values (shared by every fold).
    mean_error : ndarray of shape (n_lambdas,)
        Mean held-out error over the folds, by ``measure``: ``"mse"`` (target units squared),
        ``"deviance"`` (binomial deviance per observation, −2·log-likelihood) or ``"class"``
        (misclassification rate).
    se : ndarray of shape (n_lambdas,)
        Standard error of that mean.
    fold_errors : ndarray of shape (folds, n_lambdas)
        Held-out MSE of each fold.
    n_nonzero : ndarray of shape (n_lambdas,)
        Non-zero coefficients of the fit on all the data at each λ.
    lambda_min, lambda_1se : float
    fold_sizes : ndarray of shape (folds,)
        Nₖ: rows (or total observation weight) held out in each fold, the weights of the mean and SE.
    path : Path or None
        The path on all the data along ``lambdas`` (the models :meth:`fit_min` and :meth:`fit_1se` return).
    """

    penalty: str
    l1_ratio: float
    folds: int
    seed: int
    lambdas: NDArray[np.float64]
    mean_error: NDArray[np.float64]
    se: NDArray[np.float64]
    fold_errors: NDArray[np.float64]
    n_nonzero: NDArray[np.int_]
    lambda_min: float
    lambda_1se: float
    fold_sizes: NDArray[np.float64] | None = None
    fold_weighting: str = "size"
    path: Path | None = None
    measure: str = "mse"
    #: Passes over the data on a Dask cluster (:mod:`reglab.distributed`); None for data in memory.
    passes: int | None = None

    def fit_min(self) -> Fit:
        """The model on all the data at λ.min (glmnet's ``coef(cv, s = "lambda.min")``)."""
        return self._fit_at(self.lambda_min)

    def fit_1se(self) -> Fit:
        """The model on all the data at λ.1se (glmnet's ``coef(cv, s = "lambda.1se")``)."""
        return self._fit_at(self.lambda_1se)

    def _fit_at(self, lam: float) -> Fit:
        if self.path is None:
            raise ValueError("This CV result was built without its whole-data path.")
        return self.path.fit_at(lam)

    def to_frame(self):
        """Tidy table: λ, mean CV error, its SE and the non-zero count."""
        import pandas as pd

        return pd.DataFrame({"lambda": self.lambdas, "mean_error": self.mean_error, "se": self.se,
                             "n_nonzero": self.n_nonzero})

    @property
    def index_min(self) -> int:
        return int(np.flatnonzero(self.lambdas == self.lambda_min)[0])

    @property
    def index_1se(self) -> int:
        return int(np.flatnonzero(self.lambdas == self.lambda_1se)[0])

    def edge_note(self) -> str | None:
        """A sentence for the reader when λ.min sits at an end of the λ range, else None.

        At the smallest λ the CV error is still falling: less regularization would fit better
        (the default grid already reaches an almost unpenalized ridge part). At the largest λ
        no model beats the intercept alone.
        """
        if len(self.lambdas) < 2:
            return None
        datafit = self.path.datafit
        if self.index_min == len(self.lambdas) - 1:
            return (f"λ.min is the smallest λ tried ({self.lambda_min:.3g}): the CV error is still falling there, so "
                    "even less regularization would fit these folds better. Type a smaller λ (exact) to look further; "
                    f"the model there is close to unpenalized {datafit.model_name}.")
        if self.index_min == 0:
            return (f"λ.min is the largest λ tried ({self.lambda_min:.3g}), where every coefficient is zero: in "
                    f"cross-validation no model predicts better than {datafit.null_prediction}.")
        return None


def heldout_auc(y: NDArray[np.float64], predictions: NDArray[np.float64],
                weights: NDArray[np.float64] | None = None) -> NDArray[np.float64]:
    """ROC AUC of each λ's held-out probabilities (rows of ``predictions``), observation-weighted
    (the weighted Mann–Whitney statistic, as cv.glmnet's ``auc``). A fold holding one class has no
    AUC: a DataError says so."""
    from sklearn.metrics import roc_auc_score

    if len(np.unique(y)) < 2:
        raise DataError("A held-out fold holds only one class, so its ROC AUC is undefined: use stratified folds "
                        "(the default) or the deviance.")
    return np.array([roc_auc_score(y, row, sample_weight=weights) for row in predictions])


def fold_errors(
    X: NDArray[np.float64],
    y: NDArray[np.float64],
    train: NDArray[np.int_],
    test: NDArray[np.int_],
    spec: ModelSpec,
    lambdas: NDArray[np.float64],
    kkt_tolerance: float = CV_KKT_TOLERANCE,
    measure: str = "mse",
) -> NDArray[np.float64]:
    """Held-out error at each λ for one split, with preprocessing fitted on ``train`` only (rows copied).

    With observation weights (``spec.weights``) the training rows keep theirs (normalized within
    the fold, as glmnet refits with ``weights[train]``) and the error is the weighted mean over
    ``test``. For a classifier ``y`` holds 0/1 codes.
    """
    c, offset = spec.weights, spec.offset
    fold_spec = dataclasses.replace(spec, weights=None if c is None else c[train], positive_class=None,
                                    offset=None if offset is None else offset[train])
    design = prepare_spec(X[train], y[train], fold_spec)
    predictions = design_predictions(design, X[test], spec.penalty, lambdas, kkt_tolerance,
                                     None if offset is None else offset[test])
    if measure == "auc":
        return heldout_auc(y[test], predictions, None if c is None else c[test])
    loss = spec.datafit.heldout_loss(y[test], predictions, measure)
    if c is None:
        return loss.mean(axis=1)
    return loss @ c[test] / c[test].sum()


def fold_errors_from_moments(
    moments: RowMoments,
    y: NDArray[np.float64],
    test: NDArray[np.int_],
    penalty: Penalty,
    lambdas: NDArray[np.float64],
    standardize: bool,
    kkt_tolerance: float = CV_KKT_TOLERANCE,
) -> NDArray[np.float64]:
    """:func:`fold_errors` from the whole data's moments: only the held-out rows are read twice.

    The training design is ``G − X_testᵀX_test`` (centered with the training means and scaled
    with the training sds, as a refit on the copied rows would be); predictions use
    ``β₀ + βᵀx = (β₀ + βᵀoffset) + βᵀx̃``.
    """
    # Held-out rows as a p × n_test block: gathering along the transposed axis is ~2× faster
    # than X[test] for the column-major arrays pandas hands over.
    test_block = np.take(moments.X.T, test, axis=1)
    counts = np.ones(moments.n)
    counts[test] = 0.0
    design = design_from_moments(moments.X, moments.offset, moments.gram - test_block @ test_block.T,
                                 moments.total - test_block.sum(axis=1), y, counts, standardize)
    if design is None:  # a column nearly constant in this training fold: refit on its rows
        train = np.flatnonzero(counts)
        return fold_errors(moments.X + moments.offset, y, train, test, ModelSpec(penalty, standardize=standardize),
                           lambdas, kkt_tolerance)
    coefs, intercepts = design.to_original(solve(design, penalty, lambdas, kkt_tolerance=kkt_tolerance))
    # Residuals formed in place in the one (n_lambdas × n_test) buffer: at 100k rows each fresh
    # temporary of that size costs more (page faults) than the product itself.
    residuals = coefs @ test_block
    residuals += (intercepts + coefs @ moments.offset)[:, None]
    residuals -= y[test]
    np.square(residuals, out=residuals)
    return residuals.mean(axis=1)


def cv_summary(fold_mse: NDArray[np.float64], fold_sizes: NDArray[np.float64], fold_weighting: str = "size",
               ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Mean CV error and its SE over folds (rows of ``fold_mse``), as cv.glmnet's ``cvcompute``.

    ``"size"``: weights Nₖ (``fold_sizes``), ``mean = ΣNₖeₖ/ΣNₖ``,
    ``se = √(ΣNₖ(eₖ − mean)²/ΣNₖ/(K − 1))``; ``"equal"``: every fold weight 1, i.e. the plain
    mean and ``sd(ddof=1)/√K``.
    """
    if fold_weighting not in ("size", "equal"):
        raise ValueError(f"fold_weighting must be 'size' or 'equal', got {fold_weighting!r}.")
    k = fold_mse.shape[0]
    sizes = np.ones(k) if fold_weighting == "equal" else np.asarray(fold_sizes, dtype=float)
    mean = sizes @ fold_mse / sizes.sum()
    variance = sizes @ (fold_mse - mean) ** 2 / sizes.sum()
    return mean, np.sqrt(variance / (k - 1))


def fold_splits(n: int, folds: int, seed: int, foldid: ArrayLike | None, strata: NDArray[np.float64] | None = None,
                ) -> list[tuple[NDArray[np.int_], NDArray[np.int_]]]:
    """(train, test) row indices per fold: from ``foldid`` (one fold label per row, as cv.glmnet's
    ``foldid``; folds ordered by label) or from a seeded shuffled K-fold split, stratified by
    ``strata`` (class codes) when given, so every fold holds each class in its overall share."""
    if foldid is None:
        if not 2 <= folds <= n:
            raise DataError(f"Cross-validation needs between 2 and {n} folds (one row per fold at least); got {folds}.")
        if strata is not None:
            counts = np.bincount(strata.astype(int))
            smallest = int(counts[counts > 0].min())
            if smallest < 2:
                raise DataError("A class of the target has a single row: cross-validation needs at least 2 rows of "
                                "every class (one in each of 2 folds). Merge rare classes, drop that row, or choose "
                                "another target.")
            if smallest < folds:
                raise DataError(f"The smaller class has only {smallest} row(s), fewer than the {folds} folds: use at "
                                f"most {smallest} folds (each fold needs a row of every class).")
            splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
            return list(splitter.split(np.empty((n, 1)), strata))
        return list(KFold(n_splits=folds, shuffle=True, random_state=seed).split(np.empty((n, 1))))
    labels = np.asarray(foldid).reshape(-1)
    if labels.shape != (n,):
        raise DataError(f"foldid has {labels.size} labels for {n} rows: give one fold label per row.")
    if labels.dtype.kind == "f" and not np.all(np.isfinite(labels)):
        raise DataError("foldid labels must be finite.")
    values = np.unique(labels)
    if not 2 <= len(values) <= n:
        raise DataError(f"foldid must name at least 2 folds; it names {len(values)}.")
    rows = np.arange(n)
    return [(rows[labels != value], rows[labels == value]) for value in values]


def one_se_rule(lambdas: NDArray[np.float64], mean_error: NDArray[np.float64], se: NDArray[np.float64]) -> tuple[float, float]:
    """``(lambda_min, lambda_1se)`` for a CV curve: the minimizer and the largest λ within one SE of it."""
    i_min = int(np.argmin(mean_error))
    threshold = mean_error[i_min] + se[i_min]
    within = np.flatnonzero(mean_error <= threshold)
    i_1se = within[np.argmax(lambdas[within])]
    return float(lambdas[i_min]), float(lambdas[i_1se])


def cross_validate(
    X: ArrayLike,
    y: ArrayLike | None = None,
    penalty: str = "l1",
    l1_ratio: float = 0.5,
    folds: int = 5,
    seed: int = 0,
    lambdas: ArrayLike | None = None,
    n_lambdas: int = 100,
    standardize: bool = True,
    n_jobs: int | None = None,
    feature_names: Sequence[str] | None = None,
    full_path: Path | None = None,
    progress: Callable[[float], None] | None = None,
    *,
    foldid: ArrayLike | None = None,
    weights: ArrayLike | None = None,
    intercept: bool = True,
    fold_weighting: Literal["size", "equal"] = "size",
    kkt_tolerance: float = CV_KKT_TOLERANCE,
    family: str = "gaussian",
    positive_class: str | None = None,
    measure: str | None = None,
    penalty_factor: ArrayLike | None = None,
    groups: ArrayLike | None = None,
    offset: ArrayLike | None = None,
    lower_limits: ArrayLike | None = None,
    upper_limits: ArrayLike | None = None,
) -> CVResult:
    """K-fold cross-validation curve of the objective's path, with λ.min and λ.1se.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features), or a table on a cluster
        A Dask DataFrame or :func:`reglab.read_parquet`'s table (``y`` then names its target column;
        ``weights``, ``offset`` and ``foldid`` name columns): least squares in one pass over the data, every
        fold's statistics from it; logistic / Poisson by Newton passes (:mod:`reglab.distributed`).
    y : array-like of shape (n_samples,)
    penalty, l1_ratio, standardize, weights, intercept, family, positive_class, penalty_factor, offset,
    lower_limits, upper_limits
        As :func:`reglab.fit` (each fold refits with its rows' weights and offset, and predicts with its
        held-out rows' offset, as cv.glmnet).
    folds : int
        Number of folds K (2 ≤ K ≤ n); rows are shuffled with ``seed`` before splitting
        (stratified by class for ``family="binomial"``).
    measure : {"mse"} for gaussian, {"deviance", "class", "auc"} for binomial, {"deviance", "class"} for
        multinomial, {"deviance", "mse", "mae"} for poisson
        The held-out error (cv.glmnet's ``type.measure``); default the first (see the datafit's ``heldout_loss``, :mod:`reglab.datafits`).
        For ``"auc"`` (a score: higher is better) λ.min is the λ of the largest mean AUC and λ.1se
        the largest λ within one SE below it, as cv.glmnet.
    foldid : array-like of shape (n_samples,), optional
        A fold label per row (cv.glmnet's ``foldid``); overrides ``folds`` and ``seed``.
    fold_weighting : {"size", "equal"}
        ``"size"`` (default, cv.glmnet's): mean and SE weight each fold by its size (total
        observation weight); ``"equal"``: plain mean over folds and sd/√K.
    lambdas : array-like, optional
        λ grid; default glmnet's grid on all the data (:func:`reglab.lambda_grid`).
    n_jobs : int, optional
        joblib workers for the folds (None: run in this process, the fastest on 2 cores).
    full_path : Path, optional
        The path already solved on all of ``X`` with the same settings (e.g. the one on screen):
        its λ grid is used when ``lambdas`` is not given, and it is reused instead of solving
        the whole-data path a second time.
    progress : callable, optional
        Called with the share of folds done (0–1) after each fold, e.g. to drive a progress bar.
    kkt_tolerance : float
        KKT standard of the fold fits (relative to λ_max): 1e-10 by default
        (:data:`reglab.solvers.CV_KKT_TOLERANCE`), so mean and SE equal cv.glmnet's at thresh
        1e-20 to 1e-8; a resampling study of many CV runs may pass a looser one explicitly.
    """
    if is_lazy(X):  # a Dask DataFrame or reglab.read_parquet's table: one pass (least squares) or Newton passes
        spec = ModelSpec.of(penalty, l1_ratio, family, standardize, intercept, None, positive_class, penalty_factor,
                            groups, None, lower_limits, upper_limits)
        return CLUSTER_BACKEND["cross_validate"](X, y, spec, folds, seed, lambdas, n_lambdas, measure, fold_weighting,
                                      roles=column_roles(weights, offset, foldid))
    spec = ModelSpec.of(penalty, l1_ratio, family, standardize, intercept, weights, positive_class, penalty_factor,
                        groups, offset, lower_limits, upper_limits)
    require_target(y)
    pen = spec.penalty
    measure = spec.datafit.check_measure(measure)
    classifier = spec.datafit.classifier
    X_arr, labels = validate_xy(X, y, check_finite=False, numeric_target=not classifier)
    # A classifier's folds see class codes, encoded once here (so every fold means the same class by a code).
    if classifier and spec.datafit.per_class:
        y_arr = sorted_classes(labels)[0].astype(float)
    elif classifier:
        y_arr = class_codes(labels, positive_class)[0]
    else:
        y_arr = labels
    n, p = X_arr.shape
    c = None if spec.weights is None else observation_weights(spec.weights, n)
    spec = dataclasses.replace(spec, weights=c)
    splits = fold_splits(n, int(folds), seed, foldid, y_arr if classifier else None)
    k = len(splits)
    if min(len(train) for train, _ in splits) < 2:
        raise DataError("Every fold must leave at least 2 rows to train on.")
    if classifier and any(len(np.unique(y_arr[train])) < len(np.unique(y_arr)) for train, _ in splits):
        raise DataError("A training fold holds no row of some class: every class needs rows in every fold's "
                        "training part (use the default stratified folds, or fewer folds).")
    # Moments serve every fold when each training fold still has more rows than features
    # (p > n_train ridge needs the rows' SVD); weighted, intercept-free or logistic CV refits the rows.
    plain = c is None and intercept and spec.datafit.quadratic
    moments = row_moments(X_arr) if plain and p < min(len(train) for train, _ in splits) else None
    full = None
    if moments is not None:
        full = design_from_moments(moments.X, moments.offset, moments.gram, moments.total, y_arr, None,
                                   standardize, feature_names)
    if full is None:
        full = prepare_spec(X_arr, labels, spec, feature_names)
    if lambdas is None and full_path is not None:
        lambdas = full_path.lambdas
    grid = lambda_grid(full, pen, n_lambdas) if lambdas is None else np.sort(np.asarray(lambdas, dtype=float))[::-1]
    if moments is not None:
        tasks = (delayed(fold_errors_from_moments)(moments, y_arr, test, pen, grid, standardize, kkt_tolerance)
                 for _, test in splits)
    else:
        tasks = (delayed(fold_errors)(X_arr, y_arr, train, test, spec, grid, kkt_tolerance, measure)
                 for train, test in splits)
    if progress is None:
        errors = Parallel(n_jobs=n_jobs)(tasks)
    else:
        errors = []
        for error in Parallel(n_jobs=n_jobs, return_as="generator")(tasks):
            errors.append(error)
            progress(len(errors) / k)
    fold_mse = np.vstack(errors)
    sizes = np.array([len(test) if c is None else c[test].sum() for _, test in splits], dtype=float)
    mean_error, se = cv_summary(fold_mse, sizes, fold_weighting)
    sign = -1.0 if measure in spec.datafit.higher_is_better else 1.0
    lam_min, lam_1se = one_se_rule(grid, sign * mean_error, se)
    # The path on screen is this model's exactly when its spec is this one (and so is its grid).
    reusable = (full_path is not None and full_path.spec == spec and np.array_equal(full_path.lambdas, grid)
                and full_path.classes == full.classes)
    whole = full_path if reusable else path_design(full, pen, grid, spec=spec)
    return CVResult(
        penalty=pen.name,
        l1_ratio=pen.alpha,
        folds=k,
        seed=int(seed),
        lambdas=grid,
        mean_error=mean_error,
        se=se,
        fold_errors=fold_mse,
        n_nonzero=whole.n_nonzero,
        lambda_min=lam_min,
        lambda_1se=lam_1se,
        fold_sizes=sizes,
        fold_weighting=fold_weighting,
        path=whole,
        measure=measure,
    )


# ----------------------------------------------------------------------------- the relaxed lasso


def _one_se_relaxed(lambdas: NDArray[np.float64], gammas: Sequence[float], mean: NDArray[np.float64],
                    se: NDArray[np.float64]) -> tuple[int, int, int, int]:
    """glmnet's ``getOptcv.relaxed``: the minimum over every (γ, λ) cell, ties to the largest λ then
    the largest γ; the 1-SE choice is the largest λ (then γ) whose mean error is within one SE of
    the minimum's. Returns (γ index, λ index) of the minimum and of the 1-SE choice."""
    cells = [(g, i) for g in range(len(gammas)) for i in range(len(lambdas))]
    flat = np.array([mean[g, i] for g, i in cells])
    best = flat.min()

    def largest(indices):
        return max(indices, key=lambda cell: (lambdas[cell[1]], gammas[cell[0]]))

    g_min, i_min = largest([cells[k] for k in np.flatnonzero(flat <= best)])
    bound = mean[g_min, i_min] + se[g_min, i_min]
    g_1se, i_1se = largest([cells[k] for k in np.flatnonzero(flat <= bound)])
    return g_min, i_min, g_1se, i_1se


def cross_validate_relaxed(X: ArrayLike, y: ArrayLike, penalty: str = "l1", l1_ratio: float = 0.5, folds: int = 5,
                           seed: int = 0, lambdas: ArrayLike | None = None, standardize: bool = True,
                           gamma: Sequence[float] = DEFAULT_GAMMAS, *, foldid: ArrayLike | None = None,
                           weights: ArrayLike | None = None, intercept: bool = True,
                           penalty_factor: ArrayLike | None = None, feature_names: Sequence[str] | None = None,
                           family: str = "gaussian", positive_class: str | None = None,
                           groups: ArrayLike | None = None, offset: ArrayLike | None = None) -> RelaxedCV:
    """K-fold CV of the relaxed fits over (λ, γ): every fold solves the penalized path on the same
    λ grid, relaxes it (:func:`relax`) and scores each blend on its held-out rows: mean squared
    error (``family="gaussian"``), the binomial deviance, −2·log-likelihood per row with
    probabilities clipped to [1e-5, 1 − 1e-5] (``"binomial"``, cv.glmnet's default measure), or the
    Poisson deviance (``"poisson"``, each fold with its rows' ``offset``);
    mean and SE per (γ, λ) as cv.glmnet's (fold-size weighted); (λ, γ).min and .1se by glmnet's
    rule (:func:`_one_se_relaxed`). The same folds as :func:`reglab.cross_validate` (stratified
    by class for a classifier)."""

    gammas = tuple(sorted(check_gamma(g) for g in gamma))
    if not gammas:
        raise ValueError("Give at least one γ.")
    datafit = datafit_of(family)
    if not datafit.relaxable:
        raise ValueError("The relaxed lasso is offered for family='gaussian', 'binomial' or 'poisson' here.")
    classifier = datafit.classifier
    X_arr = np.asarray(feature_matrix(X, tuple(feature_names)) if feature_names is not None else X, dtype=float)
    labels = np.asarray(y).reshape(-1)
    # folds see the target as the solver does: numbers, or 1 for the positive class
    y_arr = class_codes(labels, positive_class)[0] if classifier else labels.astype(float)
    n = X_arr.shape[0]
    c = np.ones(n) if weights is None else observation_weights(weights, n)
    off = None if offset is None else np.asarray(offset, dtype=float).reshape(-1)
    options = dict(penalty=penalty, l1_ratio=l1_ratio, standardize=standardize, intercept=intercept,
                   penalty_factor=penalty_factor, groups=groups, family=family)
    whole = _public_path(X_arr, labels, lambdas=lambdas, weights=weights, feature_names=feature_names,
                         positive_class=positive_class, offset=off, **options)
    grid = whole.lambdas
    splits = fold_splits(n, int(folds), seed, foldid, y_arr if classifier else None)
    measure = datafit.measures[0]  # cv.glmnet's default: deviance for a classifier, MSE for least squares
    errors = np.empty((len(splits), len(gammas), len(grid)))
    for k, (train, test) in enumerate(splits):
        fold_path = _public_path(X_arr[train], y_arr[train], lambdas=grid, weights=None if weights is None else c[train],
                                 feature_names=feature_names, offset=None if off is None else off[train], **options)
        fold_relaxed = relax(fold_path, X_arr[train], y_arr[train], None if weights is None else c[train],
                             None if off is None else off[train])
        for g, value in enumerate(gammas):
            predictions = fold_relaxed.predict(X_arr[test], value, None if off is None else off[test])
            errors[k, g] = datafit.heldout_loss(y_arr[test], predictions, measure) @ c[test] / c[test].sum()
    sizes = np.array([c[test].sum() for _, test in splits])
    mean = np.empty((len(gammas), len(grid)))
    se = np.empty_like(mean)
    for g in range(len(gammas)):
        mean[g], se[g] = cv_summary(errors[:, g, :], sizes, "size")
    g_min, i_min, g_1se, i_1se = _one_se_relaxed(grid, gammas, mean, se)
    return RelaxedCV(grid, gammas, mean, se, float(grid[i_min]), gammas[g_min], float(grid[i_1se]), gammas[g_1se],
                     len(splits), relax(whole, X_arr, labels, weights, off))
