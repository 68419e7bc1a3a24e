"""Results: a model at one λ (:class:`Fit`) and along a λ grid (:class:`Path`), and the one
definition of "non-zero" every count and chart uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from .errors import DataError
from .datafits import Datafit, datafit_of
from .design import checked_offset
from .objective import ModelSpec


#: A weight counts as non-zero when it exceeds this share of the largest weight of its fit.
#: Coordinate descent leaves exact zeros for features it never moves; a feature it moved and
#: then cancelled against a collinear twin (a one-hot level kept with all its levels) can be
#: left at ~1e-11 of the others: solver noise, not a selected feature.
NONZERO_RELATIVE = 1e-9
#: ...and when it moves its feature's gradient by more than this share of λ_max: |wⱼ|·hⱼ > 1e-10·λ_max,
#: hⱼ the feature's curvature (mean square of its solver column). The solver is accurate to 1e-8·λ_max
#: in the gradient, so a smaller weight is below what it resolves: at (or a rounding error below) λ_max
#: every weight is ~1e-15 and the relative rule alone would count the largest as selected.
NONZERO_ABSOLUTE = 1e-10


def weight_floor(lambda_max: float, curvature: ArrayLike) -> NDArray[np.float64]:
    """Per-feature absolute floor of the non-zero rule: ``NONZERO_ABSOLUTE · λ_max / hⱼ`` (weight
    units; a column without curvature, a constant one, gets the floor of a unit column)."""
    h = np.asarray(curvature, dtype=float)
    return NONZERO_ABSOLUTE * float(lambda_max) / np.where(h > 0, h, 1.0)


def feature_matrix(X: ArrayLike, feature_names: tuple[str, ...]) -> NDArray[np.float64]:
    """``X`` as the model's n × p float matrix, checked against the features it was fitted on.

    A DataFrame is matched by column name (any order; extra columns are ignored), so a table
    whose columns were reordered still predicts with the right coefficients; an array must have
    exactly p columns, in the fitted order. Anything else raises :class:`~reglab.DataError`.
    """
    p = len(feature_names)
    if isinstance(X, pd.DataFrame):
        columns = [str(c) for c in X.columns]
        missing = [name for name in feature_names if name not in columns]
        if missing:
            shown = ", ".join(repr(m) for m in missing[:5]) + (" …" if len(missing) > 5 else "")
            raise DataError(f"The table to predict is missing {len(missing)} feature column(s) the model was "
                            f"fitted on: {shown}.")
        if len(set(columns)) != len(columns):
            raise DataError("The table to predict has duplicate column names: each feature must appear once.")
        X = X.set_axis(columns, axis=1)[list(feature_names)]
        non_numeric = [str(c) for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
        if non_numeric:
            raise DataError(f"Feature column(s) {', '.join(repr(c) for c in non_numeric[:5])} to predict are not numeric.")
    try:
        X_arr = np.asarray(X, dtype=float)
    except (TypeError, ValueError) as exc:
        raise DataError(f"The features to predict must be numbers ({exc}).") from None
    if X_arr.ndim == 1:
        X_arr = X_arr.reshape(-1, 1) if p == 1 else X_arr.reshape(1, -1)
    if X_arr.ndim != 2:
        raise DataError(f"The features to predict must form a table (2-D), got {X_arr.ndim} dimensions.")
    if X_arr.shape[1] != p:
        raise DataError(f"The model was fitted on {p} feature(s) but the data to predict has {X_arr.shape[1]} "
                        "column(s). Pass the same features, in the same order (or a table with their names).")
    return X_arr


def nonzero_mask(weights: ArrayLike, per_fit_axes: int = 1, floor: ArrayLike | None = None) -> NDArray[np.bool_]:
    """Which solver weights are non-zero at the solver's precision (row-wise for a 2-D array):
    ``|wⱼ| > max(NONZERO_RELATIVE · maxₖ |wₖ|, floorⱼ)``, the maximum over one fit's weights (its
    last ``per_fit_axes`` axes: 2 for a multinomial fit's classes × features), ``floor`` the
    per-feature absolute floor (:func:`weight_floor`; none when omitted). The one definition
    used by every count and chart."""
    magnitude = np.abs(np.asarray(weights, dtype=float))
    axes = tuple(range(-per_fit_axes, 0))
    largest = magnitude.max(axis=axes, keepdims=True) if magnitude.size else magnitude
    threshold = NONZERO_RELATIVE * largest
    if floor is not None:
        threshold = np.maximum(threshold, np.asarray(floor, dtype=float))
    return magnitude > threshold


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
    family : {"gaussian", "binomial"}
        The datafit (glmnet's name).
    classes : tuple of str
        For ``"binomial"``: ``(negative, positive)`` class labels; empty for regression.
    penalty_factor : tuple of float or None
        Per-feature penalty factors (rescaled to sum to p), None when every factor is 1.
    gamma : float
        1 for the penalized fit; below 1 a relaxed-lasso blend γ·β̂ + (1 − γ)·β̃ (see
        :mod:`reglab.relaxed`; its ``kkt`` is then NaN: not an optimum of the penalized objective).
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
    fit_intercept: bool = True
    family: str = "gaussian"
    classes: tuple[str, ...] = ()
    penalty_factor: tuple[float, ...] | None = None
    gamma: float = 1.0
    #: Per-feature absolute floor of the non-zero rule (:func:`weight_floor`), set by the solvers.
    weight_floor: NDArray[np.float64] | None = field(default=None, repr=False, compare=False)
    #: The whole model (:class:`reglab.objective.ModelSpec`) where the caller had one (the public calls do).
    spec: ModelSpec | None = field(default=None, repr=False, compare=False)

    @property
    def datafit(self) -> Datafit:
        """The datafit this model was fitted with (asked, never its family's name, by the layers above)."""
        return datafit_of(self.family)

    def linear_predictor(self, X: ArrayLike, offset: ArrayLike | None = None) -> NDArray[np.float64]:
        """``η = offset + β₀ + Xβ`` for original-scale features ``X`` (n × p; a table is matched by
        feature name, see :func:`feature_matrix`): glmnet's ``type="link"``; (n, K) for a
        multinomial fit. ``offset`` (Poisson regression: one per row, e.g. log exposure) defaults to 0."""
        X_arr = feature_matrix(X, self.feature_names)
        if self.datafit.per_class:
            return X_arr @ np.asarray(self.coef).T + self.intercept
        eta = self.intercept + X_arr @ self.coef
        return eta if offset is None else eta + checked_offset(offset, len(eta))

    def contributions(self, X: ArrayLike) -> NDArray[np.float64]:
        """Each feature's part ``βⱼ·xⱼ`` of the linear predictor, per row of original-scale ``X``:
        shape (n, p), or (n, K, p) for a multinomial fit (each class's η). With the intercept (and a
        Poisson model's offset) a row's parts sum to its :meth:`linear_predictor`:
        ``η = offset + β₀ + Σⱼ contributions[:, j]`` — target units for least squares, log-odds for
        logistic regression, log expected count for Poisson regression."""
        X_arr = feature_matrix(X, self.feature_names)
        coef = np.asarray(self.coef, dtype=float)
        return X_arr[:, None, :] * coef[None, :, :] if self.datafit.per_class else X_arr * coef

    def predict(self, X: ArrayLike, offset: ArrayLike | None = None) -> NDArray[np.float64]:
        """glmnet's ``type="response"``: target units for ``"gaussian"``; for ``"binomial"`` the
        probability of the positive class ``classes[1]``, ``1/(1 + e^−η)``; for ``"multinomial"``
        every class's probability, shape (n, K) in the order of ``classes``; for ``"poisson"`` the
        expected count e^η (with the rows' ``offset``, if the model was fitted with one)."""
        return self.datafit.response(self.linear_predictor(X, offset))

    def predict_class(self, X: ArrayLike) -> NDArray[np.object_]:
        """The most probable class label of each row (binary: probability > ½ → ``classes[1]``, as glmnet)."""
        if not self.classes:
            raise DataError("This is a regression model: it predicts numbers, not classes.")
        eta = self.linear_predictor(X)
        if self.datafit.per_class:
            return np.asarray(self.classes, dtype=object)[np.argmax(eta, axis=1)]
        return np.where(eta > 0.0, self.classes[1], self.classes[0]).astype(object)

    @property
    def nonzero(self) -> NDArray[np.bool_]:
        """Which coefficients are non-zero at the solver's precision (:func:`nonzero_mask`); (K, p)
        for a multinomial fit."""
        return nonzero_mask(self.weights, self.datafit.fit_axes, self.weight_floor)

    @property
    def n_nonzero(self) -> int:
        """Number of features in the model (non-zero at the solver's precision, :func:`nonzero_mask`;
        in any class for a multinomial fit, as glmnet's df)."""
        mask = self.nonzero
        return int((mask.any(axis=0) if mask.ndim == 2 else mask).sum())

    def to_frame(self, intercept: bool = True) -> pd.DataFrame:
        """Coefficients as a table: feature, original-scale coefficient, standardized weight; for a
        multinomial fit one block per class, under a first ``class`` column (the target's labels)."""

        def block(coef, weights, b0) -> pd.DataFrame:
            table = pd.DataFrame({"feature": self.feature_names, "coefficient": coef, "standardized": weights})
            if not intercept:
                return table
            head = pd.DataFrame({"feature": ["(intercept)"], "coefficient": [float(b0)], "standardized": [np.nan]})
            return pd.concat([head, table], ignore_index=True)

        if np.ndim(self.coef) == 2:
            tables = [block(c, w, b0).assign(**{"class": label}) for label, c, w, b0
                      in zip(self.classes, self.coef, self.weights, np.asarray(self.intercept))]
            combined = pd.concat(tables, ignore_index=True)
            return combined[["class", "feature", "coefficient", "standardized"]]
        return block(self.coef, self.weights, self.intercept)


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
    fit_intercept: bool = True
    family: str = "gaussian"
    classes: tuple[str, ...] = ()
    penalty_factor: tuple[float, ...] | None = None
    #: Per-feature absolute floor of the non-zero rule (:func:`weight_floor`), set by the solvers.
    weight_floor: NDArray[np.float64] | None = field(default=None, repr=False, compare=False)
    #: Solves exactly at a λ off the grid (set by :func:`reglab.fitting.path_design`).
    solve_at: Callable[[float, NDArray[np.float64] | None], "Fit"] | None = field(
        default=None, repr=False, compare=False)
    #: The whole model (:class:`reglab.objective.ModelSpec`) where the caller had one: a path is reused
    #: for another call exactly when ``path.spec == spec`` (and the λ grid agrees).
    spec: ModelSpec | None = field(default=None, repr=False, compare=False)
    #: Passes over the data on a Dask cluster (:mod:`reglab.distributed`); None for data in memory.
    passes: int | None = field(default=None, compare=False)

    @property
    def datafit(self) -> Datafit:
        """The datafit this path was fitted with (see :attr:`Fit.datafit`)."""
        return datafit_of(self.family)

    def index_of(self, lam: float) -> int | None:
        """The grid index of ``lam`` (to 1e-12 relative), or None when it is not on the grid."""
        close = np.flatnonzero(np.isclose(self.lambdas, float(lam), rtol=1e-12, atol=0.0))
        return int(close[0]) if close.size else None

    def fit_at(self, lam: float) -> "Fit":
        """The model at ``lam``: the path's own row when ``lam`` is on the grid, else solved
        exactly there (warm-started from the nearest row), to the same KKT standard."""
        lam = float(lam)
        if not np.isfinite(lam) or lam < 0:
            raise DataError(f"λ must be a finite number ≥ 0, got {lam!r}.")
        i = self.index_of(lam)
        if i is None:
            if self.solve_at is None:
                raise DataError(f"λ = {lam:.6g} is not on this path's grid; pass one of path.lambdas.")
            nearest = int(np.argmin(np.abs(np.log(self.lambdas) - np.log(max(lam, 1e-300)))))
            return self.solve_at(lam, self.weights[nearest])
        return Fit(penalty=self.penalty, l1_ratio=self.l1_ratio, lam=float(self.lambdas[i]),
                   standardize=self.standardize, coef=self.coefs[i],
                   intercept=float(self.intercepts[i]) if self.intercepts.ndim == 1 else self.intercepts[i].copy(),
                   weights=self.weights[i], feature_names=self.feature_names, lambda_max=self.lambda_max,
                   kkt=float(self.kkt[i]), fit_intercept=self.fit_intercept, family=self.family,
                   classes=self.classes, penalty_factor=self.penalty_factor, weight_floor=self.weight_floor,
                   spec=self.spec)

    def predict(self, X: ArrayLike, lam: float | ArrayLike | None = None, offset: ArrayLike | None = None
                ) -> NDArray[np.float64]:
        """Predictions for features ``X`` (n × p, see :func:`feature_matrix`): target units, or the
        positive class's probability for ``"binomial"`` (as :meth:`Fit.predict`).

        ``lam=None``: every λ of the grid, shape (n_lambdas, n); a number: that λ, shape (n,)
        (exact also off the grid, as :meth:`fit_at`); a list of λ: shape (len, n).
        """
        X_arr = feature_matrix(X, self.feature_names)
        if lam is None:
            if self.datafit.per_class:  # (k, n, K)
                return self.datafit.response(np.einsum("nj,lkj->lnk", X_arr, self.coefs)
                                                        + self.intercepts[:, None, :])
            eta = self.coefs @ X_arr.T + self.intercepts[:, None]
            return self.datafit.response(eta if offset is None else eta + checked_offset(offset, X_arr.shape[0]))
        if np.ndim(lam) == 0:
            return self.fit_at(float(lam)).predict(X_arr, offset)
        return np.vstack([self.fit_at(float(value)).predict(X_arr, offset) for value in np.asarray(lam, dtype=float)])

    @property
    def nonzero(self) -> NDArray[np.bool_]:
        """Which coefficients are non-zero at each λ (at the solver's precision, :func:`nonzero_mask`)."""
        return nonzero_mask(self.weights, self.datafit.fit_axes, self.weight_floor)

    def accuracy_note(self, tolerance: float = 1e-8) -> str | None:
        """None when every λ meets the KKT standard (residual ≤ ``tolerance``·λ_max), else a
        sentence naming the λ values where the solver stopped short, for the page to show."""
        short = np.flatnonzero(~(self.kkt <= tolerance))
        if not len(short):
            return None
        worst = int(short[np.argmax(np.nan_to_num(self.kkt[short], nan=np.inf))])
        return (f"The solver stopped short of the accuracy standard (KKT residual ≤ {tolerance:g}·λ_max) at "
                f"{len(short)} of {len(self.lambdas)} λ values, from λ = {self.lambdas[short].max():.4g} to "
                f"{self.lambdas[short].min():.4g} (worst {self.kkt[worst]:.2g}·λ_max at λ = {self.lambdas[worst]:.4g}): "
                "the numbers there may be off in their last digits. Nearly separable classes or duplicated features "
                "cause it; a larger λ, or fewer features, avoids it.")

    @property
    def n_nonzero(self) -> NDArray[np.int_]:
        """Number of features in the model at each λ (in any class for a multinomial path)."""
        mask = self.nonzero
        return (mask.any(axis=1) if mask.ndim == 3 else mask).sum(axis=1)

    def nonzero_frame(self) -> pd.DataFrame:
        """λ and the number of non-zero coefficients there."""
        return pd.DataFrame({"lambda": self.lambdas, "n_nonzero": self.n_nonzero})

    def to_frame(self) -> pd.DataFrame:
        """Tidy (long) table: one row per (λ, feature) with both coefficient scales.

        ``l1_fraction`` is ‖w(λ)‖₁ / max over the path of ‖w‖₁ (standardized weights).
        """
        if self.datafit.per_class:
            return self._class_frame()
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

    def group_norms_frame(self, groups: Sequence[str]) -> pd.DataFrame:
        """One row per (λ, group): ``norm`` = ‖w_g(λ)‖₂, the Euclidean norm of the group's standardized
        weights (what the group penalty acts on: a group is in the model exactly when it is > 0);
        ``groups`` names each feature's group, in feature order (a feature alone is its own group:
        its norm is |wⱼ|). With ``lambda``, ``feature`` (the group's name) and ``l1_fraction`` as
        :meth:`to_frame`, so the same path chart draws it."""
        if self.datafit.per_class:
            raise ValueError("Group norms are drawn for one coefficient vector per λ (not a multinomial path).")
        labels = np.asarray(groups, dtype=object)
        if labels.shape != (self.weights.shape[1],):
            raise ValueError(f"groups names {labels.size} features; the path has {self.weights.shape[1]}.")
        names = list(dict.fromkeys(labels))
        norms = np.column_stack([np.linalg.norm(self.weights[:, labels == name], axis=1) for name in names])
        l1 = np.abs(self.weights).sum(axis=1)
        fraction = l1 / l1.max() if l1.max() > 0 else l1
        k, g = norms.shape
        return pd.DataFrame({"lambda": np.repeat(self.lambdas, g), "feature": np.tile(np.array(names, dtype=object), k),
                             "norm": norms.reshape(-1), "l1_fraction": np.repeat(fraction, g)})

    def _class_frame(self) -> pd.DataFrame:
        """:meth:`to_frame` for a multinomial path: one row per (λ, class, feature)."""
        k, n_classes, p = self.coefs.shape
        l1 = np.abs(self.weights).sum(axis=(1, 2))
        fraction = l1 / l1.max() if l1.max() > 0 else l1
        return pd.DataFrame({
            "lambda": np.repeat(self.lambdas, n_classes * p),
            "class": np.tile(np.repeat(np.array(self.classes, dtype=object), p), k),
            "feature": np.tile(np.array(self.feature_names, dtype=object), k * n_classes),
            "coef": self.coefs.reshape(-1),
            "coef_standardized": self.weights.reshape(-1),
            "l1_fraction": np.repeat(fraction, n_classes * p),
        })
