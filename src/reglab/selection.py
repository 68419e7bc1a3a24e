"""K-fold cross-validation of the regularization path, λ.min and λ.1se.

For each fold k the model is refit on the other folds — standardization included, so no
statistic of the held-out rows leaks into the fit — along one fixed λ grid (computed
once, on all the data, as glmnet does), and the held-out mean squared error
``MSEₖ(λ) = mean over held-out i of (yᵢ − ŷᵢ(λ))²`` is recorded.  Then

* ``mean_error(λ) = (1/K) Σₖ MSEₖ(λ)`` (target units squared),
* ``se(λ) = sd(MSE₁(λ), …, MSE_K(λ)) / √K`` (sample sd, ddof = 1),
* ``lambda_min = argmin mean_error``,
* ``lambda_1se`` = the largest λ with ``mean_error(λ) ≤ mean_error(λ_min) + se(λ_min)``.

As scikit-learn's ``_path_residuals``: one pure per-fold function plus an orchestrator
(through joblib, so a Dask backend can take the folds unchanged).  No fold copies its
training rows: ``XᵀX`` and ``Xᵀ1`` are formed once, and a fold's training Gram is the
whole minus its held-out rows' (``G_train = G − X_testᵀX_test``), centered and scaled as
:func:`reglab.fitting.design_from_moments` describes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
from joblib import Parallel, delayed
from numpy.typing import ArrayLike, NDArray
from sklearn.model_selection import KFold

from .errors import DataError
from .fitting import (RESAMPLING_KKT_TOLERANCE, Path, RowMoments, design_from_moments, lambda_grid, nonzero_mask, path_predictions, prepare,
                      row_moments, solve, validate_xy)
from .objective import Penalty


@dataclass(frozen=True)
class CVResult:
    """Cross-validation curve along a decreasing λ grid.

    Attributes
    ----------
    lambdas : ndarray of shape (n_lambdas,)
        Decreasing λ values (shared by every fold).
    mean_error : ndarray of shape (n_lambdas,)
        Mean held-out MSE over the folds (target units squared).
    se : ndarray of shape (n_lambdas,)
        Standard error of that mean.
    fold_errors : ndarray of shape (folds, n_lambdas)
        Held-out MSE of each fold.
    n_nonzero : ndarray of shape (n_lambdas,)
        Non-zero coefficients of the fit on all the data at each λ.
    lambda_min, lambda_1se : float
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
        if self.index_min == len(self.lambdas) - 1:
            return (f"λ.min is the smallest λ tried ({self.lambda_min:.3g}): the CV error is still falling there, so "
                    "even less regularization would fit these folds better. Type a smaller λ (exact) to look further; "
                    "the model there is close to unpenalized least squares.")
        if self.index_min == 0:
            return (f"λ.min is the largest λ tried ({self.lambda_min:.3g}), where every coefficient is zero: in "
                    "cross-validation no model predicts better than the mean of the target.")
        return None


def fold_errors(
    X: NDArray[np.float64],
    y: NDArray[np.float64],
    train: NDArray[np.int_],
    test: NDArray[np.int_],
    penalty: Penalty,
    lambdas: NDArray[np.float64],
    standardize: bool,
) -> NDArray[np.float64]:
    """Held-out MSE at each λ for one split, with preprocessing fitted on ``train`` only (rows copied)."""
    predictions = path_predictions(X[train], y[train], X[test], penalty, lambdas, standardize)
    return np.mean((y[test] - predictions) ** 2, axis=1)


def fold_errors_from_moments(
    moments: RowMoments,
    y: NDArray[np.float64],
    test: NDArray[np.int_],
    penalty: Penalty,
    lambdas: NDArray[np.float64],
    standardize: bool,
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
        return fold_errors(moments.X + moments.offset, y, train, test, penalty, lambdas, standardize)
    coefs, intercepts = design.to_original(solve(design, penalty, lambdas, kkt_tolerance=RESAMPLING_KKT_TOLERANCE))
    # Residuals formed in place in the one (n_lambdas × n_test) buffer: at 100k rows each fresh
    # temporary of that size costs more (page faults) than the product itself.
    residuals = coefs @ test_block
    residuals += (intercepts + coefs @ moments.offset)[:, None]
    residuals -= y[test]
    np.square(residuals, out=residuals)
    return residuals.mean(axis=1)


def one_se_rule(lambdas: NDArray[np.float64], mean_error: NDArray[np.float64], se: NDArray[np.float64]) -> tuple[float, float]:
    """``(lambda_min, lambda_1se)`` for a CV curve: the minimizer and the largest λ within one SE of it."""
    i_min = int(np.argmin(mean_error))
    threshold = mean_error[i_min] + se[i_min]
    within = np.flatnonzero(mean_error <= threshold)
    i_1se = within[np.argmax(lambdas[within])]
    return float(lambdas[i_min]), float(lambdas[i_1se])


def cross_validate(
    X: ArrayLike,
    y: ArrayLike,
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
) -> CVResult:
    """K-fold cross-validation curve of the objective's path, with λ.min and λ.1se.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    penalty, l1_ratio, standardize
        As :func:`reglab.fit`.
    folds : int
        Number of folds K (2 ≤ K ≤ n); rows are shuffled with ``seed`` before splitting.
    lambdas : array-like, optional
        λ grid; default glmnet's grid on all the data (:func:`reglab.lambda_grid`).
    n_jobs : int, optional
        joblib workers for the folds (None: run in this process, the fastest on 2 cores).
    full_path : Path, optional
        The path already solved on all of ``X`` with the same penalty (e.g. the one on screen):
        its λ grid is used when ``lambdas`` is not given, and its non-zero counts are reused
        instead of solving the whole-data path a second time.
    progress : callable, optional
        Called with the share of folds done (0–1) after each fold, e.g. to drive a progress bar.
    """
    pen = Penalty.of(penalty, l1_ratio)
    X_arr, y_arr = validate_xy(X, y, check_finite=False)
    n, p = X_arr.shape
    folds = int(folds)
    if not 2 <= folds <= n:
        raise DataError(f"Cross-validation needs between 2 and {n} folds (one row per fold at least); got {folds}.")
    splits = list(KFold(n_splits=folds, shuffle=True, random_state=seed).split(X_arr))
    # Moments serve every fold when each training fold still has more rows than features
    # (p > n_train ridge needs the rows' SVD).
    moments = row_moments(X_arr) if p < min(len(train) for train, _ in splits) else None
    full = None
    if moments is not None:
        full = design_from_moments(moments.X, moments.offset, moments.gram, moments.total, y_arr, None,
                                   standardize, feature_names)
    if full is None:
        full = prepare(X_arr, y_arr, standardize, feature_names)
    if lambdas is None and full_path is not None:
        lambdas = full_path.lambdas
    grid = lambda_grid(full, pen, n_lambdas) if lambdas is None else np.sort(np.asarray(lambdas, dtype=float))[::-1]
    if moments is not None:
        tasks = (delayed(fold_errors_from_moments)(moments, y_arr, test, pen, grid, standardize) for _, test in splits)
    else:
        tasks = (delayed(fold_errors)(X_arr, y_arr, train, test, pen, grid, standardize) for train, test in splits)
    if progress is None:
        errors = Parallel(n_jobs=n_jobs)(tasks)
    else:
        errors = []
        for error in Parallel(n_jobs=n_jobs, return_as="generator")(tasks):
            errors.append(error)
            progress(len(errors) / folds)
    fold_mse = np.vstack(errors)
    mean_error = fold_mse.mean(axis=0)
    se = fold_mse.std(axis=0, ddof=1) / np.sqrt(folds)
    lam_min, lam_1se = one_se_rule(grid, mean_error, se)
    if full_path is not None and np.array_equal(full_path.lambdas, grid) and full_path.penalty == pen.name \
            and full_path.l1_ratio == pen.alpha:
        n_nonzero = full_path.n_nonzero
    else:
        n_nonzero = nonzero_mask(solve(full, pen, grid)).sum(axis=1)
    return CVResult(
        penalty=pen.name,
        l1_ratio=pen.alpha,
        folds=folds,
        seed=int(seed),
        lambdas=grid,
        mean_error=mean_error,
        se=se,
        fold_errors=fold_mse,
        n_nonzero=n_nonzero,
        lambda_min=lam_min,
        lambda_1se=lam_1se,
    )
