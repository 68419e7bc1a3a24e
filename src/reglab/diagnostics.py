"""What a fit at one λ did: errors, effective degrees of freedom, and support recovery.

Effective degrees of freedom of the elastic net (Zou, Hastie & Tibshirani 2007; Tibshirani
& Taylor 2012) on the active set A = {j : wⱼ ≠ 0}::

    df(λ) = tr( Z_A (Z_AᵀZ_A + nλ(1−α) I)⁻¹ Z_Aᵀ ) = Σₖ eₖ / (eₖ + nλ(1−α))

with eₖ the eigenvalues of the centered Gram ``Z_AᵀZ_A``.  For the lasso (α = 1) this is the
rank of Z_A — the number of non-zero coefficients for a design in general position — and
for ridge (A = all features) the trace of the hat matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .design import Design
from .results import Fit, Path, nonzero_mask
from .solvers import ridge_df
from .objective import Penalty


def effective_df(design: Design, penalty: Penalty, lam: float, weights: NDArray[np.float64]) -> float:
    """Effective degrees of freedom of the fit with solver weights ``weights`` (formula above)."""
    active = np.flatnonzero(nonzero_mask(weights))
    if active.size == 0:
        return 0.0
    eigvals = np.clip(np.linalg.eigvalsh(design.gram[np.ix_(active, active)]), 0.0, None)
    lam_ridge = lam * (1.0 - penalty.alpha)
    if lam_ridge == 0.0:
        return float(np.count_nonzero(eigvals > 1e-10 * max(eigvals.max(), 1e-300)))
    return ridge_df(eigvals, design.n_samples, lam_ridge)


def rmse(y: NDArray[np.float64], prediction: NDArray[np.float64]) -> float:
    """Root mean squared error, in target units (nan when there are no rows)."""
    return float(np.sqrt(np.mean((y - prediction) ** 2))) if len(y) else float("nan")


def r_squared(y: NDArray[np.float64], prediction: NDArray[np.float64]) -> float:
    """1 − SS_res / SS_tot (nan when y has no spread or no rows)."""
    if len(y) < 2:
        return float("nan")
    total = float(np.sum((y - y.mean()) ** 2))
    return 1.0 - float(np.sum((y - prediction) ** 2)) / total if total > 0 else float("nan")


@dataclass(frozen=True)
class FitMetrics:
    """Errors and complexity of one fit (RMSE in target units; R² unitless)."""

    train_rmse: float
    test_rmse: float
    train_r2: float
    test_r2: float
    n_nonzero: int
    df: float


def fit_metrics(
    fit: Fit, design: Design, penalty: Penalty, X_train, y_train, X_test, y_test
) -> FitMetrics:
    """Train/test RMSE and R², non-zero count and effective df of ``fit``."""
    train_pred = fit.predict(X_train)
    test_pred = fit.predict(X_test) if len(y_test) else np.empty(0)
    return FitMetrics(
        train_rmse=rmse(y_train, train_pred),
        test_rmse=rmse(y_test, test_pred),
        train_r2=r_squared(y_train, train_pred),
        test_r2=r_squared(y_test, test_pred),
        n_nonzero=fit.n_nonzero,
        df=effective_df(design, penalty, fit.lam, fit.weights),
    )


def error_curves(path: Path, X_train, y_train, X_test, y_test):
    """Train and test MSE at every λ of ``path`` (the validation curve), target units squared.

    Tidy table with columns ``lambda``, ``component`` ("training error" / "test error"), ``value``.
    """
    import pandas as pd

    train_pred = X_train @ path.coefs.T + path.intercepts
    parts = [pd.DataFrame({"lambda": path.lambdas, "component": "training error (MSE)",
                           "value": np.mean((y_train[:, None] - train_pred) ** 2, axis=0)})]
    if len(y_test):
        test_pred = X_test @ path.coefs.T + path.intercepts
        parts.append(pd.DataFrame({"lambda": path.lambdas, "component": "test error (MSE)",
                                   "value": np.mean((y_test[:, None] - test_pred) ** 2, axis=0)}))
    return pd.concat(parts, ignore_index=True)


@dataclass(frozen=True)
class SupportRecovery:
    """How well the non-zero pattern along a path matches the true one.

    ``tpr`` = share of truly non-zero coefficients selected; ``fpr`` = share of truly zero
    coefficients selected; ``coef_error`` = ‖β̂ − β‖₂ on the original scale.
    """

    lambdas: NDArray[np.float64]
    tpr: NDArray[np.float64]
    fpr: NDArray[np.float64]
    coef_error: NDArray[np.float64]

    def error_frame(self):
        """Tidy table of ‖β̂ − β‖₂ against λ."""
        import pandas as pd

        return pd.DataFrame({"lambda": self.lambdas, "component": "‖β̂ − β‖₂", "value": self.coef_error})

    def to_frame(self):
        """Tidy table of the two rates (λ, component, value); ‖β̂ − β‖₂ is :meth:`error_frame`."""
        import pandas as pd

        return pd.concat([
            pd.DataFrame({"lambda": self.lambdas, "component": "true positive rate", "value": self.tpr}),
            pd.DataFrame({"lambda": self.lambdas, "component": "false positive rate", "value": self.fpr}),
        ], ignore_index=True)


def support_recovery(path: Path, true_coef: NDArray[np.float64]) -> SupportRecovery:
    """True/false positive rates of the selected features and ‖β̂ − β‖₂ at each λ."""
    truth = np.asarray(true_coef, dtype=float)
    if truth.shape != (path.coefs.shape[1],):
        raise ValueError(f"true_coef has shape {truth.shape}; the path has {path.coefs.shape[1]} features.")
    selected = path.nonzero
    relevant = truth != 0.0
    n_rel, n_irr = int(relevant.sum()), int((~relevant).sum())
    tpr = selected[:, relevant].sum(axis=1) / n_rel if n_rel else np.full(len(path.lambdas), np.nan)
    fpr = selected[:, ~relevant].sum(axis=1) / n_irr if n_irr else np.full(len(path.lambdas), np.nan)
    error = np.linalg.norm(path.coefs - truth, axis=1)
    return SupportRecovery(path.lambdas, tpr.astype(float), fpr.astype(float), error)


def coefficient_frame(fit: Fit, true_weights: NDArray[np.float64] | None = None):
    """Standardized coefficients at one λ (``feature``, ``coef``, ``nonzero`` at the solver's precision),
    with the truth on the same scale if known."""
    import pandas as pd

    table = pd.DataFrame({"feature": fit.feature_names, "coef": fit.weights, "nonzero": fit.nonzero})
    if true_weights is not None:
        table["true_coef"] = true_weights
    return table
