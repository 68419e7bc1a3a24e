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
* lasso / elastic net: scikit-learn's coordinate descent (``enet_path``) on the
  precomputed Gram, warm-started along decreasing λ, run to a tight tolerance so the
  KKT residual is ≤ 1e-5 · λ_max.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import enet_path

from .errors import DataError
from .objective import Penalty

#: Accuracy standard of the product: KKT residual relative to λ_max.
KKT_TOLERANCE = 1e-5
#: Coordinate descent runs at this duality-gap tolerance (KKT ≈ 3e-7·λ_max measured at 1k–100k rows);
#: any λ whose KKT residual still exceeds KKT_TOLERANCE is re-solved at _CD_TOL_STRICT.
_CD_TOL = 1e-6
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


def validate_xy(X: ArrayLike, y: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Check ``X`` (n × p numeric, finite) and ``y`` (length n, finite); return float arrays.

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
    bad_rows = ~np.isfinite(X_arr).all(axis=1)
    if bad_rows.any():
        first = int(np.flatnonzero(bad_rows)[0])
        raise DataError(
            f"{int(bad_rows.sum())} row(s) of the features contain missing or infinite values "
            f"(first at row {first + 1}). Drop or impute them first."
        )
    if not np.isfinite(y_arr).all():
        first = int(np.flatnonzero(~np.isfinite(y_arr))[0])
        raise DataError(
            f"The target contains missing or infinite values (first at row {first + 1}). "
            "Drop those rows first."
        )
    return X_arr, y_arr


@dataclass(frozen=True, eq=False)
class Design:
    """A validated regression problem and its sufficient statistics (built once per dataset).

    Attributes
    ----------
    Zc : ndarray of shape (n_samples, n_features)
        The design the solver sees, centered: ``(X − x̄) / scale`` (constant columns are 0).
    yc : ndarray of shape (n_samples,)
        Centered target ``y − ȳ``.
    x_mean, x_scale : ndarray of shape (n_features,)
        Column means and the scales divided out (population sd when standardizing, else 1;
        1 for constant columns, whose ``Zc`` column is 0).
    constant : ndarray of bool, shape (n_features,)
        Columns with zero variance: their coefficient is reported as 0.
    gram : ndarray of shape (n_features, n_features)
        ``ZcᵀZc`` (unnormalized).
    zy : ndarray of shape (n_features,)
        ``Zcᵀyc``.
    """

    Zc: NDArray[np.float64] | None
    yc: NDArray[np.float64]
    y_mean: float
    x_mean: NDArray[np.float64]
    x_scale: NDArray[np.float64]
    constant: NDArray[np.bool_]
    standardize: bool
    feature_names: tuple[str, ...]
    gram: NDArray[np.float64]
    zy: NDArray[np.float64]
    n: int = 0
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def n_samples(self) -> int:
        return int(self.n) if self.Zc is None else int(self.Zc.shape[0])

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



def prepare(
    X: ArrayLike, y: ArrayLike, standardize: bool = True, feature_names: Sequence[str] | None = None
) -> Design:
    """Validate ``X`` (n × p) and ``y`` (n,) once and compute the sufficient statistics.

    Standardization uses the population sd (ddof = 0), as glmnet does; a column whose sd is
    0 (or negligible against its mean, i.e. constant up to rounding) is flagged constant.
    """
    names = _feature_names(X, np.shape(X)[1] if np.ndim(X) == 2 else 1, feature_names)
    X_arr, y_arr = validate_xy(X, y)
    n = X_arr.shape[0]
    x_mean = X_arr.mean(axis=0)
    # One Fortran-ordered copy, centered and scaled in place: at 100k × 100 every extra
    # temporary costs as much as the Gram product itself.
    Zc = np.array(X_arr, dtype=float, order="F", copy=True)
    Zc -= x_mean
    sd = np.sqrt(np.einsum("ij,ij->j", Zc, Zc) / n)
    # Rounding makes a constant column's sd ~1e-17·|mean| instead of 0.
    constant = sd <= 1e-12 * np.maximum(np.abs(x_mean), 1.0)
    scale = np.where(constant | (not standardize), 1.0, sd)
    Zc /= scale
    Zc[:, constant] = 0.0
    y_mean = float(y_arr.mean())
    yc = y_arr - y_mean
    gram = Zc.T @ Zc
    zy = Zc.T @ yc
    return Design(
        Zc=Zc,
        yc=yc,
        y_mean=y_mean,
        x_mean=x_mean,
        x_scale=scale,
        constant=constant,
        standardize=bool(standardize),
        feature_names=names,
        gram=gram,
        zy=zy,
    )


def center_once(X: ArrayLike, y: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """``(X − x̄, y, x̄)``: one centered copy for :func:`prepare_counts`, made once per dataset."""
    X_arr, y_arr = validate_xy(X, y)
    x_mean = X_arr.mean(axis=0)
    return X_arr - x_mean, y_arr, x_mean


def prepare_counts(Xg: NDArray[np.float64], y: NDArray[np.float64], x_offset: NDArray[np.float64],
                   counts: NDArray[np.int_], standardize: bool = True,
                   feature_names: Sequence[str] | None = None) -> Design:
    """The :class:`Design` of the rows repeated ``counts`` times, without copying them.

    A bootstrap resample is a vector of row counts c (Σc = m). With ``Xg = X − x̄`` centered once::

        μ_c = Xgᵀc / m,   G_c = Xgᵀ diag(c) Xg − m·μ_c μ_cᵀ,   sdⱼ = √(G_c,jj / m)

    and the standardized Gram ``D⁻¹G_cD⁻¹`` equals ``prepare(X[rows], y[rows])``'s to rounding
    (centering once first keeps μ_c small, so the subtraction loses no digits). Valid for
    p ≤ m (ridge with p > m needs the rows' SVD).
    """
    counts = np.asarray(counts, dtype=float)
    m = float(counts.sum())
    p = Xg.shape[1]
    weighted = Xg * counts[:, None]
    mu = weighted.sum(axis=0) / m
    gram = Xg.T @ weighted - m * np.outer(mu, mu)
    x_mean = mu + x_offset
    sd = np.sqrt(np.clip(np.diag(gram) / m, 0.0, None))
    constant = sd <= 1e-12 * np.maximum(np.abs(x_mean), 1.0)
    scale = np.where(constant | (not standardize), 1.0, sd)
    y_mean = float(counts @ y / m)
    y_centered = y - y_mean
    gram = gram / np.outer(scale, scale)
    gram[constant, :] = 0.0
    gram[:, constant] = 0.0
    zy = (Xg.T @ (counts * y_centered)) / scale
    zy[constant] = 0.0
    # yc is only read for its squared norm Σ c·(y − ȳ)² (see _solver_inputs)
    yc = np.sqrt(counts) * y_centered
    names = tuple(feature_names) if feature_names is not None else tuple(f"x{j + 1}" for j in range(p))
    return Design(Zc=None, yc=yc, y_mean=y_mean, x_mean=x_mean, x_scale=scale, constant=constant,
                  standardize=bool(standardize), feature_names=names, gram=gram, zy=zy, n=int(m))


def lambda_grid(
    design: Design, penalty: Penalty, n_lambdas: int = 100, min_ratio: float | None = None
) -> NDArray[np.float64]:
    """glmnet's default grid: ``n_lambdas`` values log-spaced from λ_max down to λ_max·ratio.

    ``ratio`` is 1e-4 when n > p and 1e-2 otherwise; λ_max is
    :meth:`Penalty.lambda_max` of ``Zcᵀyc / n``.  Returned in decreasing order.
    """
    lam_max = design.lambda_max(penalty)
    if not np.isfinite(lam_max) or lam_max <= 0.0:
        raise DataError(
            "No feature varies together with the target (the target or every feature is constant), "
            "so there is nothing for regularization to do. Choose another target or other features."
        )
    if min_ratio is None:
        min_ratio = 1e-4 if design.n_samples > design.n_features else 1e-2
    if n_lambdas < 1:
        raise ValueError("n_lambdas must be at least 1.")
    return np.geomspace(lam_max, lam_max * min_ratio, num=n_lambdas) if n_lambdas > 1 else np.array([lam_max])


def _ridge_weights(design: Design, lambdas: NDArray[np.float64]) -> NDArray[np.float64]:
    """Closed-form ridge weights for every λ, shape (n_lambdas, p).

    ``w(λ) = (G + nλI)⁻¹ Zcᵀyc``.  With ``G = V diag(e) Vᵀ``:
    ``w(λ) = V diag(1/(e + nλ)) Vᵀ zy``; when p > n the thin SVD ``Zc = U S Vᵀ`` is cheaper:
    ``w(λ) = V diag(s/(s² + nλ)) Uᵀ yc``.  At λ = 0 the minimum-norm least-squares solution.
    """
    n = design.n_samples
    if "ridge_basis" not in design._cache:
        if design.n_features <= n:
            eigvals, V = np.linalg.eigh(design.gram)
            eigvals = np.clip(eigvals, 0.0, None)
            design._cache["ridge_basis"] = ("eig", eigvals, V, V.T @ design.zy)
        else:
            if design.Zc is None:
                raise ValueError("p > n ridge needs the rows: build the design with prepare(), not from counts.")
            U, s, Vt = np.linalg.svd(design.Zc, full_matrices=False)
            design._cache["ridge_basis"] = ("svd", s, Vt.T, U.T @ design.yc)
    kind, spectrum, V, rotated = design._cache["ridge_basis"]
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
    shape and y's squared norm (for its duality-gap scaling). A design built from row counts
    has no rows, so it passes a zero-stride X of the right shape and a vector with the right
    norm; the KKT check after solving verifies the result either way.
    """
    if design.Zc is not None:
        return design.Zc, design.yc
    placeholder = np.broadcast_to(np.zeros(1), (design.n_samples, design.n_features))
    y_equivalent = np.zeros(design.n_samples)
    y_equivalent[0] = np.sqrt(float(design.yc @ design.yc))
    return placeholder, y_equivalent


def _cd_weights(
    design: Design, penalty: Penalty, lambdas: NDArray[np.float64], w_init: NDArray[np.float64] | None = None,
    strict: bool = False,
) -> NDArray[np.float64]:
    """Coordinate descent at a moderate tolerance (strict if asked), then every λ checked against the KKT standard.

    Any λ whose KKT residual exceeds ``KKT_TOLERANCE · λ_max`` is solved again, warm-started,
    at a strict tolerance: the accuracy is verified, not assumed from the solver's stopping rule.
    """
    weights = _cd_run(design, penalty, lambdas, w_init, _CD_TOL_STRICT if strict else _CD_TOL)
    lam_max = design.lambda_max(penalty)
    bad = np.flatnonzero(kkt_residuals(design, penalty, lambdas, weights) > KKT_TOLERANCE * max(lam_max, 1e-300))
    for i in bad:
        weights[i] = _cd_run(design, penalty, lambdas[i : i + 1], weights[i], _CD_TOL_STRICT)[0]
    return weights


def _cd_run(
    design: Design, penalty: Penalty, lambdas: NDArray[np.float64], w_init: NDArray[np.float64] | None, tol: float
) -> NDArray[np.float64]:
    """Lasso/elastic-net weights via scikit-learn's Gram coordinate descent, warm-started.

    ``enet_path`` minimizes ``1/(2n)‖y − Xw‖² + λα‖w‖₁ + λ(1−α)/2‖w‖²`` with ``alpha=λ`` and
    ``l1_ratio=α``: exactly our objective on centered data.  Inputs are validated once in
    :func:`prepare`, so its checks and copies are skipped (``check_input=False``).
    """
    order = np.argsort(-lambdas, kind="stable")
    with warnings.catch_warnings():
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
            coef_init=None if w_init is None else np.asfortranarray(w_init, dtype=float),
            tol=tol,
            max_iter=_CD_MAX_ITER,
        )
    weights = np.empty((len(lambdas), design.n_features))
    weights[order] = coefs.T
    return weights


def solve(
    design: Design, penalty: Penalty, lambdas: ArrayLike, w_init: NDArray[np.float64] | None = None,
    strict: bool = True,
) -> NDArray[np.float64]:
    """Solver weights ``w`` (objective coordinates) at each λ; shape (n_lambdas, n_features).

    Every λ meets the KKT standard. ``strict`` (the default) also solves to a tight duality
    gap, so coefficients a user reads agree with an independent tight solver to ~1e-8;
    resampling loops whose outputs are errors or selection frequencies pass ``strict=False``.
    """
    lambdas = np.atleast_1d(np.asarray(lambdas, dtype=float))
    if np.any(~np.isfinite(lambdas)) or np.any(lambdas < 0):
        raise ValueError("λ must be a finite number ≥ 0.")
    if penalty.alpha == 0.0:
        return _ridge_weights(design, lambdas)
    if np.any(lambdas == 0):
        raise ValueError("λ must be > 0 for the l1 and elastic-net penalties.")
    return _cd_weights(design, penalty, lambdas, w_init, strict)


def kkt_residuals(design: Design, penalty: Penalty, lambdas: NDArray[np.float64], weights: NDArray[np.float64]) -> NDArray[np.float64]:
    """KKT residual of each row of ``weights`` (see :func:`reglab.objective.kkt_residual`).

    Computed from the Gram: the datafit gradient is ``(G w − zy)/n``; the intercept
    condition holds exactly because ``b = ȳ − z̄ᵀw``.
    """
    n = design.n_samples
    grads = (weights @ design.gram - design.zy) / n
    return np.array(
        [float(penalty.subdiff_distance(w, g, lam).max(initial=0.0)) for w, g, lam in zip(weights, grads, lambdas)]
    )


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
    def n_nonzero(self) -> int:
        """Number of coefficients that are exactly non-zero."""
        return int(np.count_nonzero(self.coef))

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
    def n_nonzero(self) -> NDArray[np.int_]:
        """Number of non-zero coefficients at each λ."""
        return np.count_nonzero(self.coefs, axis=1)

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
    weights = solve(design, penalty, [lam], w_init)[0]
    coef, intercept = design.to_original(weights)
    lam_max = design.lambda_max(penalty)
    kkt = kkt_residuals(design, penalty, np.array([lam]), weights[None, :])[0]
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


def path_design(
    design: Design, penalty: Penalty, lambdas: ArrayLike | None = None, n_lambdas: int = 100
) -> Path:
    """:func:`path` on a prepared :class:`Design`."""
    lam_grid = lambda_grid(design, penalty, n_lambdas) if lambdas is None else np.asarray(lambdas, dtype=float)
    lam_grid = np.sort(lam_grid)[::-1]
    weights = solve(design, penalty, lam_grid)
    coefs, intercepts = design.to_original(weights)
    lam_max = design.lambda_max(penalty)
    kkt = kkt_residuals(design, penalty, lam_grid, weights)
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
    (solved to the KKT standard, not the strict gap: only errors are read from it).
    """
    design = prepare(X_train, y_train, standardize)
    coefs, intercepts = design.to_original(solve(design, penalty, lambdas, strict=False))
    return coefs @ np.asarray(X_eval, dtype=float).T + intercepts[:, None]


def resample_predictions(Xg: NDArray[np.float64], y: NDArray[np.float64], x_offset: NDArray[np.float64],
                         rows: NDArray[np.int_], X_eval: ArrayLike, penalty: Penalty, lambdas: ArrayLike,
                         standardize: bool = True) -> NDArray[np.float64]:
    """:func:`path_predictions` for the resample ``rows`` of a centered-once design, without copying rows.

    Uses row counts (:func:`prepare_counts`) when p ≤ n; falls back to the copied rows when p > n.
    """
    n, p = Xg.shape
    if p <= n:
        design = prepare_counts(Xg, y, x_offset, np.bincount(rows, minlength=n), standardize)
        coefs, intercepts = design.to_original(solve(design, penalty, lambdas, strict=False))
        return coefs @ np.asarray(X_eval, dtype=float).T + intercepts[:, None]
    return path_predictions(Xg[rows] + x_offset, y[rows], X_eval, penalty, lambdas, standardize)
