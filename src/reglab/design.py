"""The validated problem and its sufficient statistics: :class:`Design`, built once per dataset.

Every solver reads the data only through a :class:`Design`: for the objective of
:mod:`reglab.objective` with observation weights c (Σc = n, all 1 by default)

* ``gram = D⁻¹ (X − x̄)ᵀ C (X − x̄) D⁻¹`` (p × p) and ``zy = D⁻¹ (X − x̄)ᵀ C (y − ȳ)``,
  x̄, ȳ the weighted means and D the weighted population sds (or 1 without standardizing);
  without an intercept nothing is centered (D stays the centered sd, as glmnet);
* ``Zc``/``yc``, the scaled rows themselves, only when p > n (ridge then needs their SVD).

Built from the raw moments ``XᵀX`` and ``Xᵀ1`` (no standardized copy of X) when that loses no
digits, so CV folds and bootstrap resamples derive their designs by subtraction or row counts.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar, Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from . import limits
from .errors import DataError
from .objective import Datafit, LeastSquares, Logistic, Multinomial, Penalty, Poisson, datafit_of


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
    X: ArrayLike, y: ArrayLike, check_finite: bool = True, numeric_target: bool = True
) -> tuple[NDArray[np.float64], NDArray[Any]]:
    """Check ``X`` (n × p numeric, finite) and ``y`` (length n, finite); return float arrays.

    ``numeric_target=False`` (classification) returns ``y`` as given (an object or numeric
    array of labels); :func:`class_codes` checks it.

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
        y_arr = np.asarray(y, dtype=float) if numeric_target else np.asarray(y)
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
    if not numeric_target:
        return X_arr, y_arr
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


#: Rows × fits of linear predictors formed at once by a row design's gradients (bounds the KKT check's memory).
GRADIENT_BLOCK = 2_000_000


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
        Number of rows (Σ counts for a resample; observation weights are normalized to sum to n).
    intercept : bool
        Whether the model has an (unpenalized) intercept. Without one the statistics are not
        centered (``gram = XᵀCX/scale²``, ``zy = XᵀCy/scale``) and β₀ = 0; standardization
        still divides by the centered sd, as glmnet's ``intercept=FALSE`` does.
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
    intercept: bool = True
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def n_samples(self) -> int:
        return int(self.n)

    @cached_property
    def curvature(self) -> NDArray[np.float64]:
        """Mean square of each solver column, ``diag(gram)/n``: what a unit of weight moves that
        feature's gradient by (the scale of :func:`reglab.results.weight_floor`)."""
        return np.diag(self.gram) / max(float(self.n), 1e-300)

    @property
    def n_features(self) -> int:
        return int(self.gram.shape[0])

    datafit: ClassVar[LeastSquares] = LeastSquares()  # a Gram design is least squares
    classes: ClassVar[tuple[str, ...]] = ()

    def solver_intercepts(self, k: int) -> NDArray[np.float64]:
        """The intercept in the solver's (centered) coordinates at each of k λ: ȳ (0 without one)."""
        return np.full(k, self.y_mean if self.intercept else 0.0)

    def to_original(self, w: NDArray[np.float64], b: ArrayLike | None = None
                    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Map solver weights ``w`` (shape (..., p)) and solver intercepts ``b`` (default: ȳ, or 0
        without an intercept) to original-scale ``(β, β₀)``: ``β = w/scale``, ``β₀ = b − x̄ᵀβ``."""
        return _original_scale(w, b, self.y_mean if self.intercept else 0.0, self.x_mean, self.x_scale,
                               self.constant, self.intercept)

    def to_solver_scale(self, beta: ArrayLike) -> NDArray[np.float64]:
        """Original-scale coefficients β as solver weights ``w = β·scale`` (0 for constant columns)."""
        return np.where(self.constant, 0.0, np.asarray(beta, dtype=float) * self.x_scale)

    def correlation(self) -> NDArray[np.float64]:
        """``Zcᵀyc / n``: the gradient of the datafit at w = 0, up to sign."""
        return self.zy / self.n_samples

    def gradients(self, weights: NDArray[np.float64], intercepts: NDArray[np.float64] | None = None
                  ) -> tuple[NDArray[np.float64], None]:
        """The datafit's gradient in the weights at each row of ``weights`` (k, p), from the sufficient
        statistics: ``Zᵀ∂F/∂η = (G w − Zᵀy)/n``, what the rows would give. The intercept's gradient is
        None: it is 0 exactly, since the solver's intercept is ȳ − z̄ᵀw in centred coordinates."""
        return (weights @ self.gram - self.zy) / self.n_samples, None

    def null_correlation(self, penalty: Penalty) -> NDArray[np.float64]:
        """``Zcᵀ(yc − Zc·w₀)/n`` at the null model: w₀ = 0, or with penalty factors of 0 the
        unpenalized features' least-squares fit (from the Gram; minimum norm if collinear)."""
        free = _unpenalized(penalty, self.n_features, self.constant)
        if not free.any():
            return self.correlation()
        key = ("null", penalty.factors)
        if key not in self._cache:
            w_free = np.linalg.lstsq(self.gram[np.ix_(free, free)], self.zy[free], rcond=None)[0]
            self._cache[key] = (self.zy - self.gram[:, free] @ w_free) / self.n_samples
        return self._cache[key]

    @cached_property
    def ridge_basis(self) -> tuple[str, NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """``(kind, spectrum, V, rotated)`` of the ridge solution, computed once per design:
        ``G = V diag(e) Vᵀ`` ("eig", spectrum e, rotated Vᵀzy) when p ≤ n; the thin SVD ``Zc = U S Vᵀ``
        ("svd", spectrum s, rotated Uᵀyc) when p > n (a ValueError when the design has no rows)."""
        if self.n_features <= self.n_samples:
            eigvals, V = np.linalg.eigh(self.gram)
            eigvals = np.clip(eigvals, 0.0, None)
            return "eig", eigvals, V, V.T @ self.zy
        if self.Zc is None:
            raise ValueError("p > n ridge needs the rows: build the design with prepare(), not from counts.")
        U, s, Vt = np.linalg.svd(self.Zc, full_matrices=False)
        return "svd", s, Vt.T, U.T @ self.yc

    @cached_property
    def gram_spectrum(self) -> NDArray[np.float64] | None:
        """Eigenvalues of ``G = ZcᵀZc`` (≥ 0), or None when p > n and the design has no rows. From
        :attr:`ridge_basis` when that is computed; else eigenvalues only (a quarter of the cost of
        the eigenvectors an elastic-net grid does not need)."""
        if "ridge_basis" in self.__dict__:
            kind, spectrum, _, _ = self.ridge_basis
            return spectrum if kind == "eig" else spectrum**2
        if self.n_features <= self.n_samples:
            return np.clip(np.linalg.eigvalsh(self.gram), 0.0, None)
        if self.Zc is None:
            return None
        return np.linalg.svd(self.Zc, compute_uv=False) ** 2

    def lambda_max(self, penalty: Penalty) -> float:
        """The smallest λ at which every penalized weight is 0 for ``penalty`` on this design."""
        return penalty.lambda_max(self.null_correlation(penalty))

    def grid_top(self, penalty: Penalty) -> float:
        """The first λ of the default grid (:func:`reglab.solvers.lambda_grid`): λ_max."""
        return self.lambda_max(penalty)


def _unpenalized(penalty: Penalty, p: int, constant: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Features with penalty factor 0 (constant columns excluded: their weight is 0 anyway)."""
    return (penalty.factor_array(p) == 0.0) & ~constant


def _original_scale(w, b, default_b, x_mean, x_scale, constant, intercept):
    """``β = w/scale`` (0 for constant columns), ``β₀ = b − x̄ᵀβ`` (0 without an intercept)."""
    beta = np.where(constant, 0.0, w / x_scale)
    shape = np.shape(beta)[:-1]
    if not intercept:
        return beta, np.zeros(shape) if shape else 0.0
    b = np.full(shape, default_b) if b is None else np.asarray(b, dtype=float)
    intercept_value = b - beta @ x_mean
    return beta, intercept_value if shape else float(intercept_value)


def sorted_classes(y: ArrayLike) -> tuple[NDArray[np.int_], tuple[str, ...]]:
    """Class codes 0…K−1 of a target and its labels as text: sorted numerically when every label
    is a number (shown as ``{:g}``), else as text. The one encoding every classifier uses.
    Raises :class:`~reglab.DataError` for a missing or infinite label."""
    values = pd.Series(np.asarray(y, dtype=object).reshape(-1))
    if values.isna().any():
        first = int(np.flatnonzero(values.isna().to_numpy())[0])
        raise DataError(f"The target has missing values (first at row {first + 1}). Drop those rows first.")
    numeric = pd.to_numeric(values, errors="coerce")
    if numeric.notna().all():
        keyed = numeric.to_numpy(dtype=float)
        if not np.isfinite(keyed).all():
            raise DataError("The target contains infinite values.")
        unique, codes = np.unique(keyed, return_inverse=True)
        return codes, tuple(f"{u:g}" for u in unique)
    unique, codes = np.unique(values.astype(str).to_numpy(), return_inverse=True)
    return codes, tuple(str(u) for u in unique)


def named_codes(y: ArrayLike, class_labels: Sequence[str]) -> tuple[NDArray[np.int_], tuple[str, ...]]:
    """A target already coded 0…K−1 (as :func:`reglab.preprocess` codes it) with the labels of
    its codes: the labels are kept as given (text stays text), the codes checked."""
    codes = np.asarray(y, dtype=float).reshape(-1)
    labels = tuple(str(label) for label in class_labels)
    if not (np.all(np.isfinite(codes)) and np.all(codes == np.round(codes)) and codes.min(initial=0) >= 0
            and codes.max(initial=0) < len(labels)):
        raise DataError(f"class_labels names {len(labels)} classes: the target must then hold their codes 0 to "
                        f"{len(labels) - 1}.")
    return codes.astype(int), labels


def class_codes(y: ArrayLike, positive_class: Any = None) -> tuple[NDArray[np.float64], tuple[str, ...]]:
    """A two-class target as 0/1 codes and its class labels ``(negative, positive)``.

    Labels are sorted (numbers numerically, anything else as text), and the second is the
    positive class, as glmnet takes the second level of a factor; ``positive_class`` picks
    it instead (matched by value or by its text). Raises :class:`~reglab.DataError` for a
    missing label or a target without exactly two classes.
    """
    codes, shown = sorted_classes(y)
    unique = np.arange(len(shown))
    if len(unique) != 2:
        listed = ", ".join(repr(s) for s in shown[:6]) + (" …" if len(shown) > 6 else "")
        raise DataError(f"Logistic regression (binomial) needs a target with exactly two classes; this one has "
                        f"{len(unique)}: {listed}. Choose another target, or fit it as a regression.")
    positive = 1
    if positive_class is not None:
        wanted = {str(positive_class)}
        try:  # a number matches its label however it is written (1, 1.0, "1.0")
            wanted.add(f"{float(positive_class):g}")
        except (TypeError, ValueError):
            pass
        matches = [i for i, s in enumerate(shown) if s in wanted]
        if not matches:
            raise DataError(f"The positive class {str(positive_class)!r} is not one of the target's classes "
                            f"{', '.join(repr(s) for s in shown)}.")
        positive = matches[0]
    return (codes == positive).astype(float), (shown[1 - positive], shown[positive])


@dataclass(frozen=True, eq=False)
class RowDesign:
    """A validated problem whose datafit needs the rows (built once per dataset): two-class logistic
    regression (glmnet's ``family="binomial"``) here; :class:`PoissonDesign` and
    :class:`MultinomialDesign` are its counts and K-class kinds.

    The log-loss has no sufficient statistics smaller than the rows, so the design keeps them:
    ``Zt = Zᵀ`` (p × n, each feature's values contiguous) with ``Z = (X − x̄)/sd`` (weighted
    mean and population sd, as glmnet; not centered without an intercept; constant columns 0).

    Attributes
    ----------
    y : ndarray of shape (n,)
        1 for the positive class ``classes[1]``, 0 for ``classes[0]``.
    c : ndarray of shape (n,)
        Observation weights, Σc = n.
    """

    Zt: NDArray[np.float64]
    y: NDArray[np.float64]
    c: NDArray[np.float64]
    x_mean: NDArray[np.float64]
    x_scale: NDArray[np.float64]
    constant: NDArray[np.bool_]
    standardize: bool
    feature_names: tuple[str, ...]
    classes: tuple[str, ...]
    intercept: bool = True
    _cache: dict = field(default_factory=dict, repr=False)
    #: A fixed part of η per row (glmnet's ``offset``), or None (offered for Poisson regression).
    offset: NDArray[np.float64] | None = None

    datafit: ClassVar[Datafit] = Logistic()

    @property
    def eta_offset(self) -> NDArray[np.float64]:
        """The offset per row (zeros without one): η = offset + b + Zw."""
        return np.zeros(self.n_samples) if self.offset is None else self.offset

    def null_hessian_weights(self) -> NDArray[np.float64]:
        """The datafit's Hessian weights per row (× n) at the null model: cᵢ·ȳ(1 − ȳ)."""
        return self.c * (self.positive_share * (1.0 - self.positive_share))

    @cached_property
    def null_spectrum(self) -> NDArray[np.float64]:
        """Eigenvalues of the datafit's Hessian (× n) at the null model, ``Zᵀdiag(h)Z`` with h the
        :meth:`null_hessian_weights` (computed once per design): the ridge part's df then measure how
        far a fit is from unpenalized near that model (:func:`reglab.solvers.ridge_spectrum`)."""
        scaled = self.Zt * np.sqrt(self.null_hessian_weights())
        if self.n_features <= self.n_samples:
            return np.clip(np.linalg.eigvalsh(scaled @ scaled.T), 0.0, None)
        return np.linalg.svd(scaled, compute_uv=False) ** 2

    @cached_property
    def curvature(self) -> NDArray[np.float64]:
        """Weighted mean square of each solver column, ``Σᵢ cᵢzᵢⱼ²/n`` (the log-loss's curvature is
        at most a quarter of it): the scale of :func:`reglab.results.weight_floor`."""
        return (self.Zt ** 2) @ self.c / max(float(self.c.sum()), 1e-300)

    @property
    def n_samples(self) -> int:
        return int(self.Zt.shape[1])

    @property
    def n_features(self) -> int:
        return int(self.Zt.shape[0])

    @property
    def positive_share(self) -> float:
        """Weighted share ȳ of the positive class (the null model's probability)."""
        return float(self.c @ self.y / self.c.sum())

    def null_intercept(self) -> float:
        """The intercept of the model with w = 0: logit(ȳ) (0 without an intercept)."""
        share = self.positive_share
        return float(np.log(share / (1.0 - share))) if self.intercept else 0.0

    def solver_intercepts(self, k: int) -> NDArray[np.float64]:
        return np.full(k, self.null_intercept())

    def correlation(self) -> NDArray[np.float64]:
        """``−Zᵀg/n`` at the null model (w = 0, b = logit ȳ): ``Zᵀc(y − ȳ)/n`` (ȳ = ½ without intercept)."""
        centre = self.positive_share if self.intercept else 0.5
        return self.Zt @ (self.c * (self.y - centre)) / self.n_samples

    def gradients(self, weights: NDArray[np.float64], intercepts: NDArray[np.float64]
                  ) -> tuple[NDArray[np.float64], NDArray[np.float64] | None]:
        """The datafit's gradient at each fit (rows of ``weights`` (k, p), ``intercepts`` (k,)): in the
        weights ``Zᵀg`` (k, p) and in the intercept ``Σᵢgᵢ`` (k,; None without an intercept), with
        g = ``datafit.gradient`` at η = offset + b + Zw. The η of a block of fits are formed at once,
        at most :data:`GRADIENT_BLOCK` values (bounds the memory)."""
        k = len(weights)
        grads, intercept_grads = np.empty((k, self.n_features)), np.empty(k)
        block = max(1, GRADIENT_BLOCK // max(self.n_samples, 1))
        for start in range(0, k, block):
            part = slice(start, start + block)
            eta = weights[part] @ self.Zt + intercepts[part, None]
            if self.offset is not None:
                eta += self.offset
            g = self.datafit.gradient(self.y, eta, self.c)
            grads[part], intercept_grads[part] = g @ self.Zt.T, g.sum(axis=1)
        return grads, intercept_grads if self.intercept else None

    def null_correlation(self, penalty: Penalty) -> NDArray[np.float64]:
        """``−Zᵀg/n`` at the null model: w = 0, or with penalty factors of 0 the unpenalized
        features' (and intercept's) maximum-likelihood fit (:meth:`_unpenalized_eta`)."""
        free = _unpenalized(penalty, self.n_features, self.constant)
        if not free.any():
            return self.correlation()
        key = ("null", penalty.factors)
        if key not in self._cache:
            eta = self._unpenalized_eta(free)
            self._cache[key] = self.Zt @ (self.c * (self.y - self.datafit.response(eta))) / self.n_samples
        return self._cache[key]

    def _unpenalized_eta(self, free: NDArray[np.bool_]) -> NDArray[np.float64]:
        """η of the maximum-likelihood fit of the ``free`` (penalty factor 0) features and the intercept."""
        return _unpenalized_logistic(self.Zt[free], self.y, self.c, self.intercept)

    def lambda_max(self, penalty: Penalty) -> float:
        """The smallest λ at which every penalized weight is 0 (as glmnet's, α floored at 0.001)."""
        return penalty.lambda_max(self.null_correlation(penalty))

    def grid_top(self, penalty: Penalty) -> float:
        """The first λ of the default grid (:func:`reglab.solvers.lambda_grid`): λ_max."""
        return self.lambda_max(penalty)

    def to_solver_scale(self, beta: ArrayLike) -> NDArray[np.float64]:
        """Original-scale coefficients β as solver weights ``w = β·scale`` (0 for constant columns)."""
        return np.where(self.constant, 0.0, np.asarray(beta, dtype=float) * self.x_scale)

    def to_original(self, w: NDArray[np.float64], b: ArrayLike | None = None
                    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Solver weights and intercepts to original-scale ``(β, β₀)`` (see :meth:`Design.to_original`)."""
        return _original_scale(w, b, self.null_intercept(), self.x_mean, self.x_scale, self.constant,
                               self.intercept)


def _newton_mle(design: NDArray[np.float64], y: NDArray[np.float64], c: NDArray[np.float64], datafit: Datafit,
                coef: NDArray[np.float64], offset: NDArray[np.float64] | float, steps: int, tolerance: float,
                ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Newton's method with step halving for an unpenalized canonical-link fit, η = offset + coefᵀ·design
    (``design`` k × n, rows of the features, the intercept's row of ones last when fitted; Σc = n):
    gradient design·c(μ − y)/n, Hessian design·diag(c·h(η))·designᵀ/n (h the datafit's Hessian
    weights), until the gradient is below ``tolerance``, no step lowers the loss, or the coefficients
    run away (|coef| > 1e6: the caller reads that as no finite fit). Returns ``(coef, η)``."""
    n = y.size
    eta = offset + coef @ design
    loss = datafit.value(y, eta, c)
    for _ in range(steps):
        grad = design @ (c * (datafit.response(eta) - y)) / n
        if np.abs(grad).max() <= tolerance:
            break
        hessian = (design * (c * datafit.hessian_weights(eta))) @ design.T / n
        step = np.linalg.lstsq(hessian, grad, rcond=None)[0]
        t = 1.0
        while t > 1e-10:
            trial = eta - t * (step @ design)
            trial_loss = datafit.value(y, trial, c)
            if trial_loss <= loss + 1e-12 * abs(loss):
                break
            t *= 0.5
        if t <= 1e-10:  # no step lowers the loss: rounding has the last word
            break
        coef = coef - t * step
        eta, loss = trial, trial_loss
        if np.abs(coef).max() > 1e6:
            break
    return coef, eta


def logistic_mle(rows: NDArray[np.float64], y: NDArray[np.float64], c: NDArray[np.float64],
                 intercept: bool) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The unpenalized (maximum-likelihood) logistic fit on the features ``rows`` (k × n, best
    centred and scaled) and an intercept: Newton's method with step halving (:func:`_newton_mle`),
    to the gradient's rounding level. Returns ``(coef, η)``, ``coef`` with the intercept last (when fitted).

    Raises :class:`~reglab.DataError` when the features separate the classes: no finite fit
    exists (the likelihood keeps rising as the coefficients grow; glmnet's "saturated" case)."""
    n = y.size
    design = np.vstack([rows, np.ones((1, n))]) if intercept else rows
    coef, eta = _newton_mle(design, y, c, Logistic(), np.zeros(design.shape[0]), 0.0, 100, 1e-13)
    # Separated classes: the likelihood rises without bound, and Newton "converges" only where the
    # probabilities round to 0 or 1 (|η| > 36: 1 − p below double precision's 2.2e-16), which a
    # finite maximum-likelihood fit does not reach; or the coefficients run away.
    if np.abs(coef).max() > 1e6 or np.abs(eta).max() > 36.0:
        raise DataError("These features separate the two classes perfectly: their unpenalized logistic fit has "
                        "no finite solution.")
    return coef, eta


def softmax_hessian(rows: NDArray[np.float64], c: NDArray[np.float64], prob: NDArray[np.float64]
                    ) -> NDArray[np.float64]:
    """The multinomial log-loss's Hessian in the weights of the classes in ``prob``'s columns
    (n × K′: all K classes, or K − 1 against a fixed last one), for the features ``rows`` (m × n):
    block (k, l) is ``(1/n)·Σᵢ cᵢ·pᵢₖ([k = l] − pᵢₗ)·rᵢrᵢᵀ``, shape (K′m × K′m), class-major."""
    m, n = rows.shape
    K = prob.shape[1]
    weights = c[:, None] * prob / n
    hessian = np.empty((K * m, K * m))
    for k in range(K):
        for j in range(K):
            d = weights[:, k] * ((k == j) - prob[:, j])
            hessian[k * m:(k + 1) * m, j * m:(j + 1) * m] = (rows * d) @ rows.T
    return hessian


def multinomial_mle(rows: NDArray[np.float64], codes: NDArray[np.int_], c: NDArray[np.float64], n_classes: int,
                    intercept: bool) -> NDArray[np.float64]:
    """Class probabilities (n × K) of the unpenalized multinomial fit on the features ``rows``
    (k × n, centred and scaled) and intercepts: Newton's method with step halving on the K − 1
    classes' weights against the last (the softmax is unchanged by a shift shared by all
    classes, so fixing one class makes the Hessian definite). Written by hand as
    :func:`logistic_mle` is: it serves λ_max, before any solver runs. Raises
    :class:`~reglab.DataError` when the features separate the classes (no finite fit)."""
    n = codes.size
    design = np.vstack([rows, np.ones((1, n))]) if intercept else rows
    m, free = design.shape[0], n_classes - 1
    onehot = np.eye(n_classes)[codes]
    datafit = Multinomial()

    def eta_of(coef: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.column_stack([design.T @ coef.reshape(free, m).T, np.zeros(n)])

    coef = np.zeros(free * m)
    eta = eta_of(coef)
    loss = datafit.value(codes.astype(float), eta, c)
    for _ in range(100):
        prob = datafit.response(eta)
        residual = c[:, None] * (prob - onehot)[:, :free] / n
        grad = (design @ residual).T.ravel()  # class-major, as coef
        if np.abs(grad).max() <= 1e-13:
            break
        step = np.linalg.lstsq(softmax_hessian(design, c, prob[:, :free]), grad, rcond=None)[0]
        t = 1.0
        while t > 1e-10:
            trial_coef = coef - t * step
            trial = eta_of(trial_coef)
            trial_loss = datafit.value(codes.astype(float), trial, c)
            if trial_loss <= loss + 1e-12 * abs(loss):
                break
            t *= 0.5
        coef, eta, loss = trial_coef, trial, trial_loss
        if np.abs(coef).max() > 1e6:
            break
    if np.abs(coef).max() > 1e6 or np.ptp(eta, axis=1).max() > 36.0:  # separated: see logistic_mle
        raise DataError("These features separate the classes perfectly: their unpenalized multinomial fit has "
                        "no finite solution.")
    return datafit.response(eta)


def _unpenalized_logistic(Zt_free: NDArray[np.float64], y: NDArray[np.float64], c: NDArray[np.float64],
                          intercept: bool) -> NDArray[np.float64]:
    """η of the unpenalized logistic fit of the penalty-factor-0 features (:func:`logistic_mle`),
    with a message that says which features and what to do when they separate the classes."""
    try:
        return logistic_mle(Zt_free, y, c, intercept)[1]
    except DataError:
        raise DataError("The unpenalized features (penalty factor 0) separate the two classes perfectly: their "
                        "logistic fit has no finite solution. Give them a positive penalty factor.") from None


def poisson_mle(rows: NDArray[np.float64], y: NDArray[np.float64], c: NDArray[np.float64], intercept: bool,
                offset: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The unpenalized (maximum-likelihood) Poisson fit on the features ``rows`` (k × n, best centred
    and scaled), an intercept and the fixed ``offset``: Newton's method with step halving
    (:func:`_newton_mle`) from the intercept-only optimum log(Σcy / Σc·e^offset), to the gradient's
    rounding level (the log-likelihood is concave; a finite optimum exists unless some feature
    direction has all its counts 0, which a DataError names). Returns ``(coef, η)``, ``coef`` with
    the intercept last (when fitted), as :func:`logistic_mle`."""
    n = y.size
    design = np.vstack([rows, np.ones((1, n))]) if intercept else rows
    coef = np.zeros(design.shape[0])
    if intercept:
        coef[-1] = float(np.log(c @ y / (c @ np.exp(offset))))
    coef, eta = _newton_mle(design, y, c, Poisson(), coef, offset, 200, 1e-13 * max(1.0, float(c @ y) / n))
    if np.abs(coef).max() > 1e6 or not np.all(np.isfinite(eta)):
        raise DataError("These features have no finite Poisson fit: some of their values occur only with counts "
                        "of 0 (the likelihood rises without bound as their coefficients fall).")
    return coef, eta


def checked_offset(offset: ArrayLike, n: int) -> NDArray[np.float64]:
    """An offset (glmnet's ``offset`` to fit, ``newoffset`` to predict) as one finite number per row of
    ``n``: a DataError says what is wrong."""
    values = np.asarray(offset, dtype=float).reshape(-1)
    if values.shape != (n,):
        raise DataError(f"offset has {values.size} values for {n} rows: give one per row (e.g. log exposure).")
    if not np.all(np.isfinite(values)):
        raise DataError("offset values must be finite numbers (log of a positive exposure).")
    return values


@dataclass(frozen=True, eq=False)
class PoissonDesign(RowDesign):
    """A count problem (glmnet's ``family="poisson"``, log link), built once per dataset: the rows as
    :class:`RowDesign` keeps them (the Poisson loss has no sufficient statistics smaller than
    the rows either), ``y`` the counts (≥ 0) and an optional ``offset`` (e.g. log exposure)."""

    datafit: ClassVar[Datafit] = Poisson()

    @property
    def positive_share(self) -> float:  # pragma: no cover - a count target has no classes
        raise AttributeError("A count target has no positive class.")

    def null_intercept(self) -> float:
        """The intercept of the model with w = 0: log(Σcy / Σc·e^offset) (0 without an intercept)."""
        if not self.intercept:
            return 0.0
        return float(np.log(self.c @ self.y / (self.c @ np.exp(self.eta_offset))))

    def null_mean(self) -> NDArray[np.float64]:
        """μ of the null model per row: e^(offset + b₀)."""
        return np.exp(self.eta_offset + self.null_intercept())

    def grid_top(self, penalty: Penalty) -> float:
        """The first λ of the default grid: λ_max, except for ridge (α = 0) with unpenalized features,
        where glmnet's Poisson grid (its Fortran ``fishnet``) starts from the gradient at the intercept
        and offset alone (its ridge pass never refreshes that gradient after fitting them): the same
        here, so the default grid is glmnet's (R glmnet reference test). No λ zeroes a ridge fit: the
        grid's top is a convention, λ_max proper still scales the KKT standard."""
        if penalty.alpha == 0.0 and _unpenalized(penalty, self.n_features, self.constant).any():
            return penalty.lambda_max(self.correlation())
        return self.lambda_max(penalty)

    def null_hessian_weights(self) -> NDArray[np.float64]:
        """The Poisson loss's Hessian weights per row (× n) at the null model: cᵢ·μᵢ."""
        return self.c * self.null_mean()

    def correlation(self) -> NDArray[np.float64]:
        """``−Zᵀg/n`` at the null model: ``Zᵀc(y − μ₀)/n``."""
        return self.Zt @ (self.c * (self.y - self.null_mean())) / self.n_samples

    def _unpenalized_eta(self, free: NDArray[np.bool_]) -> NDArray[np.float64]:
        """η of the Poisson maximum-likelihood fit of the ``free`` features, the intercept and the offset
        (:func:`poisson_mle`), with a message that says which features and what to do when it has none."""
        try:
            return poisson_mle(self.Zt[free], self.y, self.c, self.intercept, self.eta_offset)[1]
        except DataError:
            raise DataError("The unpenalized features (penalty factor 0) have no finite Poisson fit: some of their "
                            "values occur only with counts of 0. Give them a positive penalty factor.") from None


def prepare_poisson(
    X: ArrayLike, y: ArrayLike, standardize: bool = True, feature_names: Sequence[str] | None = None,
    *, weights: ArrayLike | None = None, intercept: bool = True, offset: ArrayLike | None = None,
) -> PoissonDesign:
    """Validate a count problem (y finite and ≥ 0, not all 0; glmnet also takes non-integer y) and
    standardize its rows once (see :class:`PoissonDesign`)."""
    names = _feature_names(X, np.shape(X)[1] if np.ndim(X) == 2 else 1, feature_names)
    X_arr, y_arr = validate_xy(X, y)
    n = X_arr.shape[0]
    if (y_arr < 0).any():
        raise DataError("Poisson regression models counts: the target must be ≥ 0, but it has negative values "
                        f"(the smallest is {y_arr.min():g}). Choose another target, or fit it as a regression.")
    c = np.ones(n) if weights is None else observation_weights(weights, n)
    if float(c @ y_arr) <= 0.0:
        raise DataError("Every count of the target is 0 (where rows have weight): a Poisson model needs some events.")
    eta_offset = None if offset is None else checked_offset(offset, n)
    Zt, x_mean, scale, constant = _standardized_rows(X_arr, c, standardize, intercept)
    return PoissonDesign(Zt=Zt, y=y_arr.astype(float), c=c, x_mean=x_mean, x_scale=scale, constant=constant,
                         standardize=bool(standardize), feature_names=names, classes=(), intercept=bool(intercept),
                         offset=eta_offset)


@dataclass(frozen=True, eq=False)
class MultinomialDesign(RowDesign):
    """A K-class problem (glmnet's ``family="multinomial"``): ``y`` holds class codes 0…K−1 of
    ``classes``; solver weights have shape (K, p), intercepts (K,), centered to sum 0."""

    datafit: ClassVar[Multinomial] = Multinomial()

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    @property
    def shares(self) -> NDArray[np.float64]:
        """Weighted share of each class (the null model's probabilities)."""
        return np.bincount(self.y.astype(int), weights=self.c, minlength=self.n_classes) / self.c.sum()

    def null_hessian_weights(self) -> NDArray[np.float64]:
        """Of the class block with the largest curvature ``maxₖ sₖ(1 − sₖ)`` (sₖ the class shares): the
        block whose ridge part needs the smallest λ to let go."""
        return self.c * float(np.max(self.shares * (1.0 - self.shares)))

    def null_intercept(self) -> NDArray[np.float64]:
        """log-shares, centered to sum 0 (zeros without an intercept)."""
        logs = np.log(self.shares)
        return logs - logs.mean() if self.intercept else np.zeros(self.n_classes)

    def solver_intercepts(self, k: int) -> NDArray[np.float64]:
        return np.tile(self.null_intercept(), (k, 1))

    def correlation(self, prob: NDArray[np.float64] | None = None) -> NDArray[np.float64]:
        """``−Zᵀg/n``, per feature and class (p × K), at the class probabilities ``prob`` (n × K;
        by default the null model's: the class shares, or 1/K without an intercept)."""
        onehot = np.eye(self.n_classes)[self.y.astype(int)]
        if prob is None:
            prob = self.shares if self.intercept else np.full(self.n_classes, 1.0 / self.n_classes)
        return self.Zt @ (self.c[:, None] * (onehot - prob)) / self.n_samples

    def gradients(self, weights: NDArray[np.float64], intercepts: NDArray[np.float64]
                  ) -> tuple[NDArray[np.float64], NDArray[np.float64] | None]:
        """The datafit's gradient at each fit (``weights`` (k, K, p), ``intercepts`` (k, K)): in the
        weights (k, K, p) and in the intercepts (k, K; None without intercepts), one fit's n × K
        linear predictor at a time."""
        grads, intercept_grads = np.empty(weights.shape), np.empty(intercepts.shape)
        for i in range(len(weights)):
            g = self.datafit.gradient(self.y, self.Zt.T @ weights[i].T + intercepts[i], self.c)  # n × K
            grads[i], intercept_grads[i] = (self.Zt @ g).T, g.sum(axis=0)
        return grads, intercept_grads if self.intercept else None

    def lambda_max(self, penalty: Penalty) -> float:
        """The smallest λ at which every penalized weight of every class is 0 (α floored at 0.001),
        from the gradient at the null model: the intercepts only, or with factor-0 features their
        unpenalized multinomial fit (:func:`multinomial_mle`), as glmnet reads it."""
        free = _unpenalized(penalty, self.n_features, self.constant)
        if not free.any():
            return penalty.lambda_max(np.abs(self.correlation()).max(axis=1))
        try:
            prob = multinomial_mle(self.Zt[free], self.y.astype(int), self.c, self.n_classes, self.intercept)
        except DataError:
            raise DataError("The unpenalized features (penalty factor 0) separate the classes perfectly: their "
                            "multinomial fit has no finite solution. Give them a positive penalty factor.") from None
        return penalty.lambda_max(np.where(free, 0.0, np.abs(self.correlation(prob)).max(axis=1)))

    def to_original(self, w: NDArray[np.float64], b: ArrayLike | None = None
                    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Solver weights (…, K, p) and intercepts (…, K) to original-scale ``(β, β₀)``:
        ``β = w/scale``, ``β₀ = b − βx̄`` centered over the classes (as glmnet reports them)."""
        beta = np.where(self.constant, 0.0, np.asarray(w, dtype=float) / self.x_scale)
        if b is None:
            b = np.broadcast_to(self.null_intercept(), beta.shape[:-1])
        if not self.intercept:
            return beta, np.zeros(beta.shape[:-1])
        # Only differences between classes' η matter: the intercepts are shown centered to sum 0, as glmnet's.
        b0 = np.asarray(b, dtype=float) - beta @ self.x_mean
        return beta, b0 - b0.mean(axis=-1, keepdims=True)


def _standardized_rows(X_arr: NDArray[np.float64], c: NDArray[np.float64], standardize: bool, intercept: bool):
    """``(Zt, x̄, scale, constant)``: features as rows, weighted mean and population sd (as glmnet)."""
    n = X_arr.shape[0]
    x_mean = c @ X_arr / n
    centered_ss = c @ (X_arr - x_mean) ** 2
    sd = np.sqrt(centered_ss / n)
    constant = sd <= 1e-12 * np.maximum(np.abs(x_mean), 1.0)
    scale = np.where(constant | (not standardize), 1.0, sd)
    Zt = np.ascontiguousarray((X_arr - x_mean).T if intercept else X_arr.T)  # one copy, features as rows
    Zt /= scale[:, None]
    Zt[constant] = 0.0
    return Zt, x_mean, scale, constant


def prepare_multinomial(
    X: ArrayLike, y: ArrayLike, standardize: bool = True, feature_names: Sequence[str] | None = None,
    *, weights: ArrayLike | None = None, intercept: bool = True, class_labels: Sequence[str] | None = None,
) -> MultinomialDesign:
    """Validate a K-class problem (K ≥ 2; labels sorted as :func:`class_codes` sorts them, or ``y``
    holds the codes of ``class_labels``: :func:`named_codes`) and standardize its rows once
    (see :class:`MultinomialDesign`)."""
    names = _feature_names(X, np.shape(X)[1] if np.ndim(X) == 2 else 1, feature_names)
    X_arr, labels = validate_xy(X, y, numeric_target=False)
    n = X_arr.shape[0]
    codes, classes = sorted_classes(labels) if class_labels is None else named_codes(labels, class_labels)
    unique = classes
    if len(unique) < 2:
        raise DataError("A classifier needs a target with at least two classes; this one has one.")
    if len(unique) > limits.MAX_CLASSES:
        raise DataError(f"The target has {len(unique)} classes: more than the {limits.MAX_CLASSES} a multinomial model here fits. "
                        "Choose another target, or fit it as a regression.")
    c = np.ones(n) if weights is None else observation_weights(weights, n)
    if (np.bincount(codes, weights=c, minlength=len(unique)) <= 0).any():
        raise DataError("Every class needs rows with a positive weight.")
    Zt, x_mean, scale, constant = _standardized_rows(X_arr, c, standardize, intercept)
    return MultinomialDesign(Zt=Zt, y=codes.astype(float), c=c, x_mean=x_mean, x_scale=scale, constant=constant,
                             standardize=bool(standardize), feature_names=names, classes=classes,
                             intercept=bool(intercept))


def prepare_classification(
    X: ArrayLike, y: ArrayLike, standardize: bool = True, feature_names: Sequence[str] | None = None,
    *, weights: ArrayLike | None = None, intercept: bool = True, positive_class: Any = None,
    class_labels: Sequence[str] | None = None,
) -> RowDesign:
    """Validate a two-class problem and standardize its rows once (see :class:`RowDesign`);
    with ``class_labels`` = (negative, positive), ``y`` holds their codes 0/1 (:func:`named_codes`)."""
    names = _feature_names(X, np.shape(X)[1] if np.ndim(X) == 2 else 1, feature_names)
    X_arr, labels = validate_xy(X, y, numeric_target=False)
    n = X_arr.shape[0]
    if class_labels is not None and len(class_labels) != 2:
        raise DataError(f"Logistic regression (binomial) needs exactly two class labels; got {len(class_labels)}.")
    if class_labels is None:
        codes, classes = class_codes(labels, positive_class)
    else:
        named, classes = named_codes(labels, class_labels)
        codes = named.astype(float)
    c = np.ones(n) if weights is None else observation_weights(weights, n)
    positive_weight = float(c @ codes)
    if positive_weight <= 0.0 or positive_weight >= c.sum():
        raise DataError(f"Only one class ({classes[1] if positive_weight > 0 else classes[0]!r}) has rows with a "
                        "positive weight: a classifier needs both.")
    Zt, x_mean, scale, constant = _standardized_rows(X_arr, c, standardize, intercept)
    return RowDesign(Zt=Zt, y=codes, c=c, x_mean=x_mean, x_scale=scale, constant=constant,
                                standardize=bool(standardize), feature_names=names, classes=classes,
                                intercept=bool(intercept))


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
    return standardized_design(gram_c, zy_c, mu + offset, m, y_mean,
                         float(weights @ y_centered**2), standardize, names, exact_constant)


def solver_scale(sd: NDArray[np.float64], x_mean: NDArray[np.float64], standardize: bool,
                 exact_constant: NDArray[np.bool_] | None = None) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """``(scale, constant)`` of the solver's columns: the population sd when standardizing, else 1; a column
    whose sd is 0 or negligible against its mean (constant up to rounding, or in ``exact_constant``) is
    flagged constant and gets scale 1 (its coefficient is 0)."""
    constant = sd <= 1e-12 * np.maximum(np.abs(x_mean), 1.0)
    if exact_constant is not None:
        constant |= exact_constant
    return np.where(constant | (not standardize), 1.0, sd), constant


def standardized_design(
    gram_c: NDArray[np.float64], zy_c: NDArray[np.float64], x_mean: NDArray[np.float64], m: float, y_mean: float,
    yy: float, standardize: bool, names: tuple[str, ...], exact_constant: NDArray[np.bool_] | None = None,
    centered_ss: NDArray[np.float64] | None = None, intercept: bool = True,
) -> Design:
    """Scale centered statistics to the solver's coordinates: ``D⁻¹G_cD⁻¹`` and ``D⁻¹Zcᵀyc``.

    Population sd (ddof = 0, weighted when rows carry weights), as glmnet; a column whose sd is
    0 or negligible against its mean (constant up to rounding) is flagged constant and gets a
    zero row and column. ``centered_ss`` (Σc(x − x̄)² per column) is given when ``gram_c`` is
    not centered (no intercept): the sd is still the centered one.
    """
    sums = np.diag(gram_c) if centered_ss is None else centered_ss
    scale, constant = solver_scale(np.sqrt(np.clip(sums, 0.0, None) / m), x_mean, standardize, exact_constant)
    gram = gram_c / np.outer(scale, scale)
    gram[constant, :] = 0.0
    gram[:, constant] = 0.0
    zy = zy_c / scale
    zy[constant] = 0.0
    return Design(Zc=None, yc=None, yy=yy, y_mean=y_mean, x_mean=x_mean, x_scale=scale, constant=constant,
                  standardize=bool(standardize), feature_names=names, gram=gram, zy=zy, n=int(round(m)),
                  intercept=bool(intercept))


def observation_weights(weights: ArrayLike, n: int) -> NDArray[np.float64]:
    """Validated observation weights, normalized to sum to n (glmnet's normalization).

    The datafit becomes ``1/(2n)·Σᵢ cᵢ(yᵢ − b − zᵢᵀw)²`` with ``Σcᵢ = n``: weights that are all
    equal give the unweighted model, and multiplying every weight by a constant changes nothing.
    """
    try:
        c = np.asarray(weights, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise DataError("Observation weights must be numbers.") from None
    if c.shape != (n,):
        raise DataError(f"There are {c.size} observation weights for {n} rows: give one weight per row.")
    if not np.isfinite(c).all() or (c < 0).any():
        raise DataError("Observation weights must be finite and ≥ 0 (0 leaves a row out).")
    if np.count_nonzero(c) < 2:
        raise DataError("At least 2 rows need a positive observation weight to fit a model.")
    return c * (n / c.sum())


def prepare(
    X: ArrayLike, y: ArrayLike, standardize: bool = True, feature_names: Sequence[str] | None = None,
    *, weights: ArrayLike | None = None, intercept: bool = True, family: str = "gaussian",
    positive_class: Any = None, class_labels: Sequence[str] | None = None, offset: ArrayLike | None = None,
) -> Design | RowDesign:
    """Validate ``X`` (n × p) and ``y`` (n,) once and compute the sufficient statistics.

    When p ≤ n the design is built from ``XᵀX`` and ``Xᵀ1`` (:func:`row_moments`) with no
    standardized copy of X; when p > n, or when raw moments would cancel, from one
    centered copy. Standardization uses the population sd (ddof = 0), as glmnet does.
    ``weights`` (one per row, ≥ 0) are normalized to sum to n (:func:`observation_weights`)
    and weight the datafit, the means and the sds; ``intercept=False`` fits b = 0.
    ``family="binomial"`` builds a :class:`RowDesign` (:func:`prepare_classification`),
    ``"multinomial"`` a :class:`MultinomialDesign`; for both, ``class_labels`` says that ``y`` holds
    the codes 0…K−1 of these labels (as :class:`reglab.Prepared` does), which the results then carry.
    ``"poisson"`` builds a :class:`PoissonDesign`, with ``offset`` (one value per row) if given.
    """
    datafit = datafit_of(family)
    if offset is not None and not datafit.takes_offset:
        raise ValueError(f"offset is offered for Poisson regression here, not for {datafit.model_name}.")
    if datafit.counts:
        return prepare_poisson(X, y, standardize, feature_names, weights=weights, intercept=intercept, offset=offset)
    if datafit.classifier:
        if datafit.per_class:
            return prepare_multinomial(X, y, standardize, feature_names, weights=weights, intercept=intercept,
                                       class_labels=class_labels)
        return prepare_classification(X, y, standardize, feature_names, weights=weights, intercept=intercept,
                                      positive_class=positive_class, class_labels=class_labels)
    names = _feature_names(X, np.shape(X)[1] if np.ndim(X) == 2 else 1, feature_names)
    X_arr, y_arr = validate_xy(X, y, check_finite=False)
    n, p = X_arr.shape
    counts = None if weights is None else observation_weights(weights, n)
    if counts is None and intercept and p <= n:
        moments = row_moments(X_arr)
        design = design_from_moments(moments.X, moments.offset, moments.gram, moments.total, y_arr, None,
                                     standardize, names)
        if design is not None:
            return design
    else:
        _require_finite(X_arr)
    return _prepare_from_rows(X_arr, y_arr, standardize, names, keep_rows=p > n, counts=counts, intercept=intercept)


def _prepare_from_rows(X: NDArray[np.float64], y: NDArray[np.float64], standardize: bool, names: tuple[str, ...],
                       keep_rows: bool, counts: NDArray[np.float64] | None = None, intercept: bool = True) -> Design:
    """:func:`prepare` through one centered, scaled copy of the rows (kept when ``keep_rows``).

    With row weights c (Σc = n) the copy is ``√c ∘ (X − x̄_c)`` and the target ``√c ∘ (y − ȳ_c)``,
    so ``ZcᵀZc`` and ``Zcᵀyc`` are the weighted statistics and ridge's SVD of ``Zc`` solves the
    weighted problem; without an intercept nothing is centered.
    """
    n = X.shape[0]
    x_mean = X.mean(axis=0) if counts is None else counts @ X / n
    y_mean = float(y.mean()) if counts is None else float(counts @ y / n)
    # One Fortran-ordered copy, centered and scaled in place: at 100k × 100 every extra
    # temporary costs as much as the Gram product itself.
    Zc = np.array(X, dtype=float, order="F", copy=True)
    centered_ss = None
    if intercept:
        Zc -= x_mean
        yc = y - y_mean
    else:
        yc = np.array(y, dtype=float, copy=True)
        c = np.ones(n) if counts is None else counts
        centered_ss = c @ (X - x_mean) ** 2
    if counts is not None:
        root = np.sqrt(counts)
        Zc *= root[:, None]
        yc *= root
    design = standardized_design(Zc.T @ Zc, Zc.T @ yc, x_mean, n, y_mean if intercept else 0.0, float(yc @ yc),
                           standardize, names, centered_ss=centered_ss, intercept=intercept)
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
