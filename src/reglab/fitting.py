"""Fits at one λ and regularization paths for the objective of :mod:`reglab.objective`.

    minimize over b, w:  1/(2n) · Σᵢ (yᵢ − b − zᵢᵀw)²  +  λ · ( α‖w‖₁ + (1−α)/2 · ‖w‖₂² )

``zᵢ`` is xᵢ standardized (column mean 0, population sd 1) when ``standardize=True``,
else xᵢ itself.  Because the intercept is unpenalized, the solver works on centered
data and recovers ``b = ȳ − z̄ᵀw``.  Coefficients are reported on the original scale,
``βⱼ = wⱼ / sdⱼ`` and ``β₀ = ȳ − Σⱼ βⱼ·x̄ⱼ``; a constant column gets ``βⱼ = 0``.

Solvers (one :class:`Design` of sufficient statistics per dataset, reused by every λ):

* ridge (α = 0): closed form for every λ from one eigendecomposition of the p × p Gram
  matrix ``ZcᵀZc`` (or one thin SVD of ``Zc`` when p > n):
  ``w(λ) = (ZcᵀZc + nλ I)⁻¹ Zcᵀyc``;
* lasso / elastic net: covariance-mode coordinate descent over the whole path in one
  compiled call (:mod:`reglab.cd`: strong rules, active sets, an exact solve on a slowly
  converging active set), every λ then checked: KKT residual ≤ 1e-8 · λ_max, else re-solved
  by scikit-learn's ``enet_path`` at a strict duality gap.
"""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd
import sklearn
from numpy.typing import ArrayLike, NDArray
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import enet_path

from . import cd
from .errors import DataError
from .objective import Penalty

#: Accuracy standard of the product: the KKT residual of everything shown, exported or returned
#: by the public API is at most this times λ_max (coefficients then agree with an exact
#: solution to ~1e-8 relative; measured against glmnet at thresh 1e-20).
KKT_TOLERANCE = 1e-8
#: Inside resampling (CV folds, bootstrap, stability), where only errors and selection counts are
#: read and no coefficient is shown, callers may pass this looser standard explicitly.
RESAMPLING_KKT_TOLERANCE = 1e-6
#: The compiled path solver aims at this share of the requested standard, so the independent
#: check (from the Gram, in a different order of operations) passes with room to spare.
_KERNEL_MARGIN = 0.1
#: Fallback for a λ the kernel leaves unconverged: scikit-learn's coordinate descent at this
#: duality-gap tolerance (then checked again, and the residual reported as it is).
_CD_TOL_STRICT = 1e-12
_CD_MAX_ITER = 100_000


def _feature_names(X: Any, p: int, feature_names: Sequence[str] | None) -> tuple[str, ...]:
    if feature_names is not None:
        names = tuple(str(n) for n in feature_names)
    elif isinstance(X, pd.DataFrame):
        names = tuple(str(c) for c in X.columns)
    else:
        names = tuple(f"x{j + 1}" for j in range(p))
    if len(names) != p:
        raise DataError(f"{len(names)} feature names were given for {p} feature columns.")
    return names


def validate_xy(
    X: ArrayLike, y: ArrayLike, check_finite: bool = True
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Check ``X`` (n × p numeric, finite) and ``y`` (length n, finite); return float arrays.

    ``check_finite=False`` skips the scan of X for missing/infinite cells (a caller that
    forms ``XᵀX`` anyway checks its diagonal instead, see :func:`_require_finite`).
    Raises :class:`~reglab.DataError` with a message for the person who supplied the data.
    """
    if isinstance(X, pd.DataFrame):
        non_numeric = [str(c) for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
        if non_numeric:
            raise DataError(
                f"Feature column(s) {', '.join(repr(c) for c in non_numeric[:5])} are not numeric. "
                "Encode or drop them before fitting (the Data page can one-hot encode them)."
            )
    try:
        X_arr = np.asarray(X, dtype=float)
        y_arr = np.asarray(y, dtype=float)
    except (TypeError, ValueError) as exc:
        raise DataError(f"The features and target must be numbers ({exc}).") from None
    if X_arr.ndim == 1:
        X_arr = X_arr.reshape(-1, 1)
    if X_arr.ndim != 2:
        raise DataError(f"Features must form a table (2-D), got an array with {X_arr.ndim} dimensions.")
    y_arr = y_arr.reshape(-1) if y_arr.ndim == 2 and 1 in y_arr.shape else y_arr
    if y_arr.ndim != 1:
        raise DataError("The target must be a single column.")
    n, p = X_arr.shape
    if len(y_arr) != n:
        raise DataError(f"The features have {n} rows but the target has {len(y_arr)} values.")
    if n < 2:
        raise DataError(f"At least 2 rows are needed to fit a model; got {n}.")
    if p < 1:
        raise DataError("No feature columns were given: choose at least one feature.")
    if check_finite:
        _require_finite(X_arr)
    if not np.isfinite(y_arr).all():
        first = int(np.flatnonzero(~np.isfinite(y_arr))[0])
        raise DataError(
            f"The target contains missing or infinite values (first at row {first + 1}). "
            "Drop those rows first."
        )
    return X_arr, y_arr


def _require_finite(X: NDArray[np.float64]) -> None:
    """Raise a :class:`DataError` naming the first row of ``X`` with a missing or infinite cell."""
    bad_rows = ~np.isfinite(X).all(axis=1)
    if bad_rows.any():
        first = int(np.flatnonzero(bad_rows)[0])
        raise DataError(
            f"{int(bad_rows.sum())} row(s) of the features contain missing or infinite values "
            f"(first at row {first + 1}). Drop or impute them first."
        )


@dataclass(frozen=True, eq=False)
class Design:
    """A validated regression problem and its sufficient statistics (built once per dataset).

    Attributes
    ----------
    Zc : ndarray of shape (n_samples, n_features), or None
        ``(X − x̄) / scale`` (constant columns 0), kept only when p > n (ridge then needs its
        thin SVD); everything else runs on ``gram`` and ``zy``.
    yc : ndarray of shape (n_samples,), or None
        Centered target ``y − ȳ``, kept with ``Zc``.
    yy : float
        ``Σ (yᵢ − ȳ)²`` (count-weighted for a resample): scales the solver's duality gap.
    x_mean, x_scale : ndarray of shape (n_features,)
        Column means and the scales divided out (population sd when standardizing, else 1;
        1 for constant columns, whose coefficient is 0).
    constant : ndarray of bool, shape (n_features,)
        Columns with zero variance: their coefficient is reported as 0.
    gram : ndarray of shape (n_features, n_features)
        ``ZcᵀZc`` (unnormalized).
    zy : ndarray of shape (n_features,)
        ``Zcᵀyc``.
    n : int
        Number of rows (Σ counts for a resample).
    """

    Zc: NDArray[np.float64] | None
    yc: NDArray[np.float64] | None
    yy: float
    y_mean: float
    x_mean: NDArray[np.float64]
    x_scale: NDArray[np.float64]
    constant: NDArray[np.bool_]
    standardize: bool
    feature_names: tuple[str, ...]
    gram: NDArray[np.float64]
    zy: NDArray[np.float64]
    n: int
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def n_samples(self) -> int:
        return int(self.n)

    @property
    def n_features(self) -> int:
        return int(self.gram.shape[0])

    def to_original(self, w: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Map solver weights ``w`` (shape (..., p)) to original-scale ``(β, β₀)``."""
        beta = np.where(self.constant, 0.0, w / self.x_scale)
        intercept = self.y_mean - beta @ self.x_mean
        return beta, intercept

    def to_solver_scale(self, beta: ArrayLike) -> NDArray[np.float64]:
        """Original-scale coefficients β as solver weights ``w = β·scale`` (0 for constant columns)."""
        return np.where(self.constant, 0.0, np.asarray(beta, dtype=float) * self.x_scale)

    def correlation(self) -> NDArray[np.float64]:
        """``Zcᵀyc / n``: the gradient of the datafit at w = 0, up to sign."""
        return self.zy / self.n_samples

    def lambda_max(self, penalty: Penalty) -> float:
        """The smallest λ at which w = 0 is optimal for ``penalty`` on this design."""
        return penalty.lambda_max(self.correlation())


#: Raw moments ``XᵀX − m·μμᵀ`` lose about log10(raw/centered) digits to cancellation; a column
#: whose centered sum of squares is below this fraction of its raw one (|mean| ≳ 1000·sd) is
#: recomputed from a centered copy instead.
_CANCELLATION_LIMIT = 1e-6


@dataclass(frozen=True, eq=False)
class RowMoments:
    """Raw moments of ``X̃ = X − offset``: ``X̃ᵀX̃`` and ``X̃ᵀ1``, formed once per dataset.

    ``offset`` is 0 (no copy of X at all) unless some column's mean dwarfs its spread; then
    it is the column means and ``X̃`` one centered copy. The centered Gram of any row subset
    or resample follows from these without copying rows (see :func:`design_from_moments`).
    """

    X: NDArray[np.float64]
    offset: NDArray[np.float64]
    gram: NDArray[np.float64]
    total: NDArray[np.float64]

    @property
    def n(self) -> int:
        return int(self.X.shape[0])


def _suspect_columns(gram_raw: NDArray[np.float64], total: NDArray[np.float64], m: float) -> NDArray[np.bool_]:
    """Columns whose centered sum of squares ``G_jj − m·μⱼ²`` cannot be trusted (see _CANCELLATION_LIMIT)."""
    raw = np.diag(gram_raw)
    centered = raw - total**2 / m
    return centered <= _CANCELLATION_LIMIT * raw


def _exactly_constant(X: NDArray[np.float64], suspect: NDArray[np.bool_], used: NDArray[np.bool_] | None = None
                      ) -> NDArray[np.bool_] | None:
    """``suspect`` if every suspect column is exactly constant over the ``used`` rows (all rows when None),
    else None. A constant column is harmless (its coefficient is 0); any other cancelling column is not."""
    for j in np.flatnonzero(suspect):
        values = X[:, j] if used is None else X[used, j]
        if not (values == values[0]).all():
            return None
    return suspect


def row_moments(X: NDArray[np.float64]) -> RowMoments:
    """:class:`RowMoments` of validated ``X`` (finite values are checked on the way, via ``XᵀX``).

    An infinite or missing cell makes a diagonal entry of ``XᵀX`` non-finite (a sum of
    squares cannot cancel), so the O(np) scan of X runs only when there is something to report.
    """
    n = X.shape[0]
    gram = X.T @ X  # BLAS syrk: the one O(n·p²) step per dataset
    total = X.T @ np.ones(n)
    if not (np.isfinite(np.diag(gram)).all() and np.isfinite(total).all()):
        _require_finite(X)
    # A column that cancels and is not exactly constant: recompute from one centered copy.
    if _exactly_constant(X, _suspect_columns(gram, total, n)) is None:
        offset = total / n
        Xc = np.array(X, dtype=float, order="F", copy=True)
        Xc -= offset
        return RowMoments(Xc, offset, Xc.T @ Xc, Xc.T @ np.ones(n))
    return RowMoments(X, np.zeros(X.shape[1]), gram, total)


def design_from_moments(
    X: NDArray[np.float64],
    offset: NDArray[np.float64],
    gram_raw: NDArray[np.float64],
    total: NDArray[np.float64],
    y: NDArray[np.float64],
    counts: NDArray[np.float64] | None = None,
    standardize: bool = True,
    feature_names: Sequence[str] | None = None,
) -> Design | None:
    """The :class:`Design` of a weighted row set of ``X̃ = X`` (already shifted by ``offset``) from its raw moments.

    ``gram_raw = X̃ᵀ diag(c) X̃`` and ``total = X̃ᵀc`` for row counts c (Σc = m; None: every
    row once). Then, with ``μ = total/m``::

        G_c = gram_raw − m·μμᵀ,   Zcᵀyc = X̃ᵀ(c ∘ (y − ȳ_c)),   sdⱼ = √(G_c,jj / m)

    and the standardized Gram is ``D⁻¹G_cD⁻¹``: the same numbers as a centered copy, to
    rounding. Returns None when a column cancels (|mean| ≫ sd within these rows and not
    exactly constant): the caller then builds the design from the rows themselves.
    """
    n_rows, p = X.shape
    weights = np.ones(n_rows) if counts is None else np.asarray(counts, dtype=float)
    m = float(weights.sum())
    mu = total / m
    used = weights > 0
    exact_constant = _exactly_constant(X, _suspect_columns(gram_raw, total, m), used)
    if exact_constant is None:
        return None
    mu[exact_constant] = X[np.argmax(used), exact_constant]  # the constant itself, not its rounded mean
    gram_c = gram_raw - m * np.outer(mu, mu)
    y_mean = float(weights @ y / m)
    y_centered = y - y_mean
    y_centered -= (weights @ y_centered) / m  # second pass: Σc·(y − ȳ) is 0 to rounding
    zy_c = X.T @ (weights * y_centered)
    names = _feature_names(None, p, feature_names)
    return _standardized(gram_c, zy_c, mu + offset, m, y_mean,
                         float(weights @ y_centered**2), standardize, names, exact_constant)


def _standardized(
    gram_c: NDArray[np.float64], zy_c: NDArray[np.float64], x_mean: NDArray[np.float64], m: float, y_mean: float,
    yy: float, standardize: bool, names: tuple[str, ...], exact_constant: NDArray[np.bool_] | None = None,
) -> Design:
    """Scale centered statistics to the solver's coordinates: ``D⁻¹G_cD⁻¹`` and ``D⁻¹Zcᵀyc``.

    Population sd (ddof = 0), as glmnet; a column whose sd is 0 or negligible against its
    mean (constant up to rounding) is flagged constant and gets a zero row and column.
    """
    sd = np.sqrt(np.clip(np.diag(gram_c), 0.0, None) / m)
    constant = sd <= 1e-12 * np.maximum(np.abs(x_mean), 1.0)
    if exact_constant is not None:
        constant |= exact_constant
    scale = np.where(constant | (not standardize), 1.0, sd)
    gram = gram_c / np.outer(scale, scale)
    gram[constant, :] = 0.0
    gram[:, constant] = 0.0
    zy = zy_c / scale
    zy[constant] = 0.0
    return Design(Zc=None, yc=None, yy=yy, y_mean=y_mean, x_mean=x_mean, x_scale=scale, constant=constant,
                  standardize=bool(standardize), feature_names=names, gram=gram, zy=zy, n=int(round(m)))


def prepare(
    X: ArrayLike, y: ArrayLike, standardize: bool = True, feature_names: Sequence[str] | None = None
) -> Design:
    """Validate ``X`` (n × p) and ``y`` (n,) once and compute the sufficient statistics.

    When p ≤ n the design is built from ``XᵀX`` and ``Xᵀ1`` (:func:`row_moments`) with no
    standardized copy of X; when p > n, or when raw moments would cancel, from one
    centered copy. Standardization uses the population sd (ddof = 0), as glmnet does.
    """
    names = _feature_names(X, np.shape(X)[1] if np.ndim(X) == 2 else 1, feature_names)
    X_arr, y_arr = validate_xy(X, y, check_finite=False)
    n, p = X_arr.shape
    if p <= n:
        moments = row_moments(X_arr)
        design = design_from_moments(moments.X, moments.offset, moments.gram, moments.total, y_arr, None,
                                     standardize, names)
        if design is not None:
            return design
    else:
        _require_finite(X_arr)
    return _prepare_from_rows(X_arr, y_arr, standardize, names, keep_rows=p > n)


def _prepare_from_rows(X: NDArray[np.float64], y: NDArray[np.float64], standardize: bool, names: tuple[str, ...],
                       keep_rows: bool) -> Design:
    """:func:`prepare` through one centered, scaled copy of the rows (kept when ``keep_rows``)."""
    n = X.shape[0]
    x_mean = X.mean(axis=0)
    # One Fortran-ordered copy, centered and scaled in place: at 100k × 100 every extra
    # temporary costs as much as the Gram product itself.
    Zc = np.array(X, dtype=float, order="F", copy=True)
    Zc -= x_mean
    y_mean = float(y.mean())
    yc = y - y_mean
    design = _standardized(Zc.T @ Zc, Zc.T @ yc, x_mean, n, y_mean, float(yc @ yc), standardize, names)
    if not keep_rows:
        return design
    Zc /= design.x_scale
    Zc[:, design.constant] = 0.0
    return dataclasses.replace(design, Zc=Zc, yc=yc)


def center_once(X: ArrayLike, y: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """``(X − x̄, y, x̄)``: one centered copy for :func:`prepare_counts`, made once per dataset."""
    X_arr, y_arr = validate_xy(X, y)
    x_mean = X_arr.mean(axis=0)
    return X_arr - x_mean, y_arr, x_mean


def prepare_counts(Xg: NDArray[np.float64], y: NDArray[np.float64], x_offset: NDArray[np.float64],
                   counts: NDArray[np.int_], standardize: bool = True,
                   feature_names: Sequence[str] | None = None) -> Design:
    """The :class:`Design` of the rows repeated ``counts`` times, without copying them.

    A bootstrap resample is a vector of row counts c (Σc = m). With ``Xg = X − x̄`` centered
    once, ``Xgᵀ diag(c) Xg`` and ``Xgᵀc`` are the raw moments of :func:`design_from_moments`
    (centering once first keeps μ_c small, so ``G_c = Xgᵀ diag(c) Xg − m·μ_c μ_cᵀ`` loses no
    digits) and the standardized Gram equals ``prepare(X[rows], y[rows])``'s to rounding.
    Valid for p ≤ m (ridge with p > m needs the rows' SVD).
    """
    weights = np.asarray(counts, dtype=float)
    root_weighted = Xg * np.sqrt(weights)[:, None]  # Xgᵀ diag(c) Xg as one symmetric product (syrk)
    design = design_from_moments(Xg, np.asarray(x_offset, dtype=float), root_weighted.T @ root_weighted,
                                 Xg.T @ weights, y, weights, standardize, feature_names)
    if design is None:  # a column nearly constant within this resample: rebuild from its rows
        rows = np.repeat(np.arange(len(weights)), weights.astype(int))
        names = _feature_names(None, Xg.shape[1], feature_names)
        design = _prepare_from_rows(Xg[rows] + x_offset, y[rows], standardize, names, keep_rows=False)
    return design


#: The grid extends until the ridge part's effective df reaches this share of its unpenalized value.
GRID_DF_SHARE = 0.999
#: ...but never below λ_max times this (collinear designs need λ → 0 for the last bit of df).
GRID_FLOOR_RATIO = 1e-10


def lambda_grid(
    design: Design, penalty: Penalty, n_lambdas: int = 100, min_ratio: float | None = None, extend: bool = True
) -> NDArray[np.float64]:
    """The default λ grid, decreasing: glmnet's, extended where a ridge part still shrinks.

    glmnet's grid: ``n_lambdas`` values log-spaced from λ_max down to λ_max·ratio, with
    ratio 1e-4 when n ≥ p and 1e-2 when n < p (glmnet's ``nobs < nvars``);
    λ_max is :meth:`Penalty.lambda_max` of ``Zcᵀyc / n``.

    With ``extend`` (the default) and a ridge part (α < 1), the grid continues at the same
    log spacing while the ridge part's effective degrees of freedom
    ``Σᵢ eᵢ / (eᵢ + nλ(1−α))`` (eᵢ the eigenvalues of ``ZcᵀZc``) are below
    ``GRID_DF_SHARE`` of the unpenalized ``rank(Zc)``, down to λ_max·``GRID_FLOOR_RATIO``.
    glmnet's ridge grid starts at λ_max/0.001 and stops 1e-4 below it, where on real data the
    ridge fit still has a fraction of its degrees of freedom and its CV error is still falling:
    without the extension the ridge's best λ lies outside the range (the lasso's never does:
    α = 1 is not extended). ``extend=False`` gives glmnet's grid exactly.
    """
    lam_max = design.lambda_max(penalty)
    if not np.isfinite(lam_max) or lam_max <= 0.0:
        raise DataError(
            "No feature varies together with the target (the target or every feature is constant), "
            "so there is nothing for regularization to do. Choose another target or other features."
        )
    if min_ratio is None:
        min_ratio = 1e-4 if design.n_samples >= design.n_features else 1e-2
    if n_lambdas < 1:
        raise ValueError("n_lambdas must be at least 1.")
    if n_lambdas == 1:
        return np.array([lam_max])
    grid = np.geomspace(lam_max, lam_max * min_ratio, num=n_lambdas)
    if not extend or penalty.alpha >= 1.0:
        return grid
    lam_needed = _lambda_for_ridge_df(design, penalty, GRID_DF_SHARE, lam_max * GRID_FLOOR_RATIO)
    if lam_needed is None or lam_needed >= grid[-1]:
        return grid
    step = np.log(grid[0] / grid[1])
    extra = int(np.ceil(np.log(grid[-1] / lam_needed) / step))
    return lam_max * np.exp(-step * np.arange(n_lambdas + extra))


def ridge_spectrum(design: Design) -> NDArray[np.float64] | None:
    """Eigenvalues of ``ZcᵀZc`` (from the ridge basis, computed once per design), or None
    when the design was built from counts with p > n (no rows to decompose)."""
    try:
        kind, spectrum, _, _ = _ridge_basis(design)
    except ValueError:
        return None
    return spectrum if kind == "eig" else spectrum**2


def ridge_df(spectrum: NDArray[np.float64], n: int, lam_ridge: float) -> float:
    """Effective degrees of freedom of a ridge fit, ``Σᵢ eᵢ / (eᵢ + n·λ_ridge)`` (0 … rank)."""
    return float(np.sum(spectrum / (spectrum + n * lam_ridge))) if lam_ridge > 0 else float(np.count_nonzero(spectrum))


def _lambda_for_ridge_df(design: Design, penalty: Penalty, share: float, floor: float) -> float | None:
    """The λ at which the ridge part's df reaches ``share`` of rank(Zc) (bisection in log λ), ≥ ``floor``."""
    spectrum = ridge_spectrum(design)
    if spectrum is None or not spectrum.size or spectrum.max() <= 0:
        return None
    spectrum = spectrum[spectrum > 1e-10 * spectrum.max()]  # numerically zero directions add no df
    target, n, ridge_part = share * spectrum.size, design.n_samples, 1.0 - penalty.alpha
    if ridge_df(spectrum, n, floor * ridge_part) < target:
        return floor
    low, high = np.log(floor), np.log(design.lambda_max(penalty))
    for _ in range(60):  # df decreases in λ: bisection to ~1e-16 relative in log λ
        mid = 0.5 * (low + high)
        if ridge_df(spectrum, n, np.exp(mid) * ridge_part) >= target:
            low = mid
        else:
            high = mid
    return float(np.exp(low))


def _ridge_basis(design: Design):
    """``(kind, spectrum, V, rotated)`` of the ridge solution, computed once per design.

    ``G = V diag(e) Vᵀ`` ("eig", spectrum e) when p ≤ n; the thin SVD ``Zc = U S Vᵀ`` ("svd",
    spectrum s) when p > n.
    """
    if "ridge_basis" not in design._cache:
        if design.n_features <= design.n_samples:
            eigvals, V = np.linalg.eigh(design.gram)
            eigvals = np.clip(eigvals, 0.0, None)
            design._cache["ridge_basis"] = ("eig", eigvals, V, V.T @ design.zy)
        else:
            if design.Zc is None:
                raise ValueError("p > n ridge needs the rows: build the design with prepare(), not from counts.")
            U, s, Vt = np.linalg.svd(design.Zc, full_matrices=False)
            design._cache["ridge_basis"] = ("svd", s, Vt.T, U.T @ design.yc)
    return design._cache["ridge_basis"]


def _ridge_weights(design: Design, lambdas: NDArray[np.float64]) -> NDArray[np.float64]:
    """Closed-form ridge weights for every λ, shape (n_lambdas, p).

    ``w(λ) = (G + nλI)⁻¹ Zcᵀyc``.  With ``G = V diag(e) Vᵀ``:
    ``w(λ) = V diag(1/(e + nλ)) Vᵀ zy``; when p > n the thin SVD ``Zc = U S Vᵀ`` is cheaper:
    ``w(λ) = V diag(s/(s² + nλ)) Uᵀ yc``.  At λ = 0 the minimum-norm least-squares solution.
    """
    n = design.n_samples
    kind, spectrum, V, rotated = _ridge_basis(design)
    shrink_eps = 1e-12 * (spectrum.max() if spectrum.size else 1.0)
    weights = np.empty((len(lambdas), design.n_features))
    for i, lam in enumerate(lambdas):
        if kind == "eig":
            denom = spectrum + n * lam
            factor = np.divide(1.0, denom, out=np.zeros_like(denom), where=denom > shrink_eps)
        else:
            denom = spectrum**2 + n * lam
            factor = np.divide(spectrum, denom, out=np.zeros_like(denom), where=denom > shrink_eps**2)
        weights[i] = V @ (factor * rotated)
    return weights


def _solver_inputs(design: Design) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """X and y as ``enet_path`` needs them in Gram mode.

    With a precomputed Gram and ``Xy``, scikit-learn's Gram coordinate descent reads only X's
    shape and y's squared norm (for its duality-gap scaling), so it gets a zero-stride X of the
    right shape and a vector with the right norm; the KKT check after solving verifies the
    result either way.
    """
    placeholder = np.broadcast_to(np.zeros(1), (design.n_samples, design.n_features))
    y_equivalent = np.zeros(design.n_samples)
    y_equivalent[0] = np.sqrt(design.yy)
    return placeholder, y_equivalent


def _cd_weights(
    design: Design, penalty: Penalty, lambdas: NDArray[np.float64], w_init: NDArray[np.float64] | None = None,
    kkt_tolerance: float = KKT_TOLERANCE,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The compiled path solver (:mod:`reglab.cd`), then every λ checked against ``kkt_tolerance``.

    Any λ whose KKT residual exceeds ``kkt_tolerance · λ_max`` is solved again, warm-started,
    by scikit-learn's coordinate descent at a strict duality gap: the accuracy is verified,
    not assumed from a solver's stopping rule. Returns the weights and their KKT residuals
    (absolute, as :func:`kkt_residuals`).
    """
    limit = kkt_tolerance * max(design.lambda_max(penalty), 1e-300)
    order = np.argsort(-lambdas, kind="stable")
    solved, _ = cd.solve_path(design.gram, design.zy, design.n_samples, lambdas[order], penalty.alpha,
                              w_start=w_init, kkt_target=_KERNEL_MARGIN * limit)
    weights = np.empty((len(lambdas), design.n_features))
    weights[order] = solved
    kkt = kkt_residuals(design, penalty, lambdas, weights)
    for i in np.flatnonzero(kkt > limit):
        weights[i] = _cd_run(design, penalty, lambdas[i : i + 1], weights[i], _CD_TOL_STRICT)[0]
        kkt[i] = kkt_residuals(design, penalty, lambdas[i : i + 1], weights[i : i + 1])[0]
    return weights, kkt


def _cd_run(
    design: Design, penalty: Penalty, lambdas: NDArray[np.float64], w_init: NDArray[np.float64] | None, tol: float
) -> NDArray[np.float64]:
    """Lasso/elastic-net weights via scikit-learn's Gram coordinate descent, warm-started (the fallback).

    ``enet_path`` minimizes ``1/(2n)‖y − Xw‖² + λα‖w‖₁ + λ(1−α)/2‖w‖²`` with ``alpha=λ`` and
    ``l1_ratio=α``: exactly our objective on centered data.  Inputs are validated once in
    :func:`prepare`, so its checks and copies are skipped (``check_input=False``), and so is
    its parameter validation (~0.1 ms a call: most of a one-λ slider refit).
    """
    order = np.argsort(-lambdas, kind="stable")
    with warnings.catch_warnings(), sklearn.config_context(skip_parameter_validation=True):
        warnings.simplefilter("ignore", ConvergenceWarning)
        X_arg, y_arg = _solver_inputs(design)
        _, coefs, _ = enet_path(
            X_arg,
            y_arg,
            l1_ratio=penalty.alpha,
            alphas=lambdas[order],
            precompute=design.gram,
            Xy=design.zy,
            check_input=False,
            # enet_path updates coef_init in place: pass a copy, so a warm start taken from a
            # (shared, cached) path row never changes that path.
            coef_init=None if w_init is None else np.array(w_init, dtype=float, order="F", copy=True),
            tol=tol,
            max_iter=_CD_MAX_ITER,
        )
    weights = np.empty((len(lambdas), design.n_features))
    weights[order] = coefs.T
    return weights


def solve(
    design: Design, penalty: Penalty, lambdas: ArrayLike, w_init: NDArray[np.float64] | None = None,
    kkt_tolerance: float = KKT_TOLERANCE,
) -> NDArray[np.float64]:
    """Solver weights ``w`` (objective coordinates) at each λ; shape (n_lambdas, n_features).

    Every λ meets ``KKT residual ≤ kkt_tolerance · λ_max``: by default the product's standard
    (:data:`KKT_TOLERANCE`); resampling loops, whose outputs are errors or selection
    frequencies, may pass :data:`RESAMPLING_KKT_TOLERANCE` explicitly.
    """
    return _solve_checked(design, penalty, lambdas, w_init, kkt_tolerance)[0]


def _solve_checked(
    design: Design, penalty: Penalty, lambdas: ArrayLike, w_init: NDArray[np.float64] | None,
    kkt_tolerance: float = KKT_TOLERANCE,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """:func:`solve` and the KKT residual of each row (computed once, used for the check and the report)."""
    lambdas = np.atleast_1d(np.asarray(lambdas, dtype=float))
    if np.any(~np.isfinite(lambdas)) or np.any(lambdas < 0):
        raise ValueError("λ must be a finite number ≥ 0.")
    if penalty.alpha == 0.0:
        weights = _ridge_weights(design, lambdas)
        return weights, kkt_residuals(design, penalty, lambdas, weights)
    if np.any(lambdas == 0):
        raise ValueError("λ must be > 0 for the l1 and elastic-net penalties.")
    return _cd_weights(design, penalty, lambdas, w_init, kkt_tolerance)


def kkt_residuals(design: Design, penalty: Penalty, lambdas: NDArray[np.float64], weights: NDArray[np.float64]) -> NDArray[np.float64]:
    """KKT residual of each row of ``weights`` (see :func:`reglab.objective.kkt_residual`).

    Computed from the Gram: the datafit gradient is ``(G w − zy)/n``; the intercept
    condition holds exactly because ``b = ȳ − z̄ᵀw``.
    """
    lambdas = np.asarray(lambdas, dtype=float)
    grads = (weights @ design.gram - design.zy) / design.n_samples
    return penalty.subdiff_distance(weights, grads, lambdas[:, None]).max(axis=1, initial=0.0)


#: A weight counts as non-zero when it exceeds this share of the largest weight of its fit.
#: Coordinate descent leaves exact zeros for features it never moves; a feature it moved and
#: then cancelled against a collinear twin (a one-hot level kept with all its levels) can be
#: left at ~1e-11 of the others: solver noise, not a selected feature.
NONZERO_RELATIVE = 1e-9


def nonzero_mask(weights: ArrayLike) -> NDArray[np.bool_]:
    """Which solver weights are non-zero at the solver's precision (row-wise for a 2-D array):
    ``|wⱼ| > NONZERO_RELATIVE · maxₖ |wₖ|``. The one definition used by every count and chart."""
    magnitude = np.abs(np.asarray(weights, dtype=float))
    largest = magnitude.max(axis=-1, keepdims=True) if magnitude.size else magnitude
    return magnitude > NONZERO_RELATIVE * largest


@dataclass(frozen=True)
class Fit:
    """A model at one λ.

    Attributes
    ----------
    coef : ndarray of shape (n_features,)
        Original-scale coefficients β (0 for constant columns).
    intercept : float
        Original-scale intercept β₀.
    weights : ndarray of shape (n_features,)
        Solver-scale weights w (standardized coefficients when ``standardize=True``).
    kkt : float
        KKT residual of the objective at this solution, relative to λ_max.
    """

    penalty: str
    l1_ratio: float
    lam: float
    standardize: bool
    coef: NDArray[np.float64]
    intercept: float
    weights: NDArray[np.float64]
    feature_names: tuple[str, ...]
    lambda_max: float
    kkt: float

    def predict(self, X: ArrayLike) -> NDArray[np.float64]:
        """Predictions ``β₀ + Xβ`` for original-scale features ``X`` (n × p)."""
        X_arr = np.asarray(X, dtype=float)
        if X_arr.ndim == 1:
            X_arr = X_arr.reshape(-1, 1)
        return self.intercept + X_arr @ self.coef

    @property
    def nonzero(self) -> NDArray[np.bool_]:
        """Which coefficients are non-zero at the solver's precision (:func:`nonzero_mask`)."""
        return nonzero_mask(self.weights)

    @property
    def n_nonzero(self) -> int:
        """Number of non-zero coefficients (at the solver's precision, :func:`nonzero_mask`)."""
        return int(self.nonzero.sum())

    def to_frame(self, intercept: bool = True) -> pd.DataFrame:
        """Coefficients as a table: feature, original-scale coefficient, standardized weight."""
        table = pd.DataFrame({"feature": self.feature_names, "coefficient": self.coef, "standardized": self.weights})
        if not intercept:
            return table
        head = pd.DataFrame({"feature": ["(intercept)"], "coefficient": [self.intercept], "standardized": [np.nan]})
        return pd.concat([head, table], ignore_index=True)


@dataclass(frozen=True)
class Path:
    """A regularization path: solutions at every λ of a decreasing grid.

    Attributes
    ----------
    lambdas : ndarray of shape (n_lambdas,)
        Decreasing λ values.
    coefs : ndarray of shape (n_lambdas, n_features)
        Original-scale coefficients at each λ.
    intercepts : ndarray of shape (n_lambdas,)
    weights : ndarray of shape (n_lambdas, n_features)
        Solver-scale (standardized) weights.
    kkt : ndarray of shape (n_lambdas,)
        KKT residual at each λ, relative to λ_max.
    """

    penalty: str
    l1_ratio: float
    standardize: bool
    lambdas: NDArray[np.float64]
    coefs: NDArray[np.float64]
    intercepts: NDArray[np.float64]
    weights: NDArray[np.float64]
    feature_names: tuple[str, ...]
    lambda_max: float
    kkt: NDArray[np.float64]

    @property
    def nonzero(self) -> NDArray[np.bool_]:
        """Which coefficients are non-zero at each λ (at the solver's precision, :func:`nonzero_mask`)."""
        return nonzero_mask(self.weights)

    @property
    def n_nonzero(self) -> NDArray[np.int_]:
        """Number of non-zero coefficients at each λ."""
        return self.nonzero.sum(axis=1)

    def nonzero_frame(self) -> pd.DataFrame:
        """λ and the number of non-zero coefficients there."""
        return pd.DataFrame({"lambda": self.lambdas, "n_nonzero": self.n_nonzero})

    def to_frame(self) -> pd.DataFrame:
        """Tidy (long) table: one row per (λ, feature) with both coefficient scales.

        ``l1_fraction`` is ‖w(λ)‖₁ / max over the path of ‖w‖₁ (standardized weights).
        """
        k, p = self.coefs.shape
        l1 = np.abs(self.weights).sum(axis=1)
        fraction = l1 / l1.max() if l1.max() > 0 else l1
        return pd.DataFrame(
            {
                "lambda": np.repeat(self.lambdas, p),
                "feature": np.tile(np.array(self.feature_names, dtype=object), k),
                "coef": self.coefs.reshape(-1),
                "coef_standardized": self.weights.reshape(-1),
                "l1_fraction": np.repeat(fraction, p),
            }
        )


def fit_design(design: Design, penalty: Penalty, lam: float, w_init: NDArray[np.float64] | None = None) -> Fit:
    """:func:`fit` on a prepared :class:`Design` (reuses its Gram; optional warm start)."""
    lam = float(lam)
    weights, kkt_all = _solve_checked(design, penalty, [lam], w_init)
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
    )


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
        weights, kkt = _solve_checked(design, penalty, lam_grid, None)
    else:
        parts, residuals, start = [], [], None
        for chunk in np.array_split(np.arange(len(lam_grid)), min(_PROGRESS_CHUNKS, len(lam_grid))):
            w, r = _solve_checked(design, penalty, lam_grid[chunk], start)
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
    )


def fit(
    X: ArrayLike,
    y: ArrayLike,
    penalty: str = "l1",
    lam: float = 0.1,
    l1_ratio: float = 0.5,
    standardize: bool = True,
    feature_names: Sequence[str] | None = None,
) -> Fit:
    """Fit the model at one λ.

    Solves ``min 1/(2n)‖y − b − Zw‖² + λ(α‖w‖₁ + (1−α)/2‖w‖²)`` (see module docstring).

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
    """
    return fit_design(prepare(X, y, standardize, feature_names), Penalty.of(penalty, l1_ratio), lam)


def path(
    X: ArrayLike,
    y: ArrayLike,
    penalty: str = "l1",
    l1_ratio: float = 0.5,
    n_lambdas: int = 100,
    lambdas: ArrayLike | None = None,
    standardize: bool = True,
    feature_names: Sequence[str] | None = None,
) -> Path:
    """Solutions along a decreasing λ grid (glmnet's default grid unless ``lambdas`` is given).

    Same objective as :func:`fit`; lasso/elastic net warm-start each λ from the previous
    one, ridge solves every λ from one eigendecomposition.
    """
    design = prepare(X, y, standardize, feature_names)
    return path_design(design, Penalty.of(penalty, l1_ratio), lambdas, n_lambdas)


def path_predictions(X_train: ArrayLike, y_train: ArrayLike, X_eval: ArrayLike, penalty: Penalty,
                     lambdas: ArrayLike, standardize: bool = True) -> NDArray[np.float64]:
    """Fit on the training rows at every λ (preprocessing fitted there only) and predict ``X_eval``.

    Returns an array of shape (n_lambdas, n_eval): the building block of CV folds and resamples
    (solved to :data:`RESAMPLING_KKT_TOLERANCE`: only errors are read from it).
    """
    return _design_predictions(prepare(X_train, y_train, standardize), X_eval, penalty, lambdas)


def _design_predictions(design: Design, X_eval: ArrayLike, penalty: Penalty, lambdas: ArrayLike) -> NDArray[np.float64]:
    """Predictions ``β₀(λ) + X_evalβ(λ)`` of ``design``'s solutions, shape (n_lambdas, n_eval)."""
    coefs, intercepts = design.to_original(solve(design, penalty, lambdas, kkt_tolerance=RESAMPLING_KKT_TOLERANCE))
    return coefs @ np.asarray(X_eval, dtype=float).T + intercepts[:, None]


def resample_design(Xg: NDArray[np.float64], y: NDArray[np.float64], x_offset: NDArray[np.float64],
                    rows: NDArray[np.int_], standardize: bool = True) -> Design:
    """The :class:`Design` of the resample ``rows`` of a centered-once ``Xg`` (see :func:`center_once`).

    Row counts (:func:`prepare_counts`, no copied rows) when p ≤ n; the copied rows when p > n,
    where ridge needs their SVD.
    """
    n, p = Xg.shape
    if p <= n:
        return prepare_counts(Xg, y, x_offset, np.bincount(rows, minlength=n), standardize)
    return prepare(Xg[rows] + x_offset, y[rows], standardize)


def resample_predictions(Xg: NDArray[np.float64], y: NDArray[np.float64], x_offset: NDArray[np.float64],
                         rows: NDArray[np.int_], X_eval: ArrayLike, penalty: Penalty, lambdas: ArrayLike,
                         standardize: bool = True) -> NDArray[np.float64]:
    """:func:`path_predictions` for the resample ``rows`` of a centered-once design (:func:`resample_design`)."""
    return _design_predictions(resample_design(Xg, y, x_offset, rows, standardize), X_eval, penalty, lambdas)
