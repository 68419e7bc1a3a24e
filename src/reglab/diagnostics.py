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

from .datafits import Logistic
from .design import RowDesign, Design
from .results import Fit, Path, nonzero_mask
from .solvers import ridge_df
from .objective import Penalty


def effective_df(design: Design | RowDesign, penalty: Penalty, lam: float, weights: NDArray[np.float64],
                 intercept: float = 0.0, nonzero: NDArray[np.bool_] | None = None) -> float:
    """Effective degrees of freedom of the fit with solver weights ``weights`` (formula above);
    ``nonzero`` is the fit's own non-zero mask (:attr:`reglab.Fit.nonzero`), by default the
    relative rule of :func:`reglab.results.nonzero_mask` alone.

    For logistic regression the Gram is the Hessian's, ``Z_Aᵀ diag(c·p(1−p)) Z_A`` at the fitted
    probabilities (``intercept`` is the solver-coordinate intercept b of η = b + Zw): the df of the
    fit's last Newton step, glmnet's and Hastie–Tibshirani's working-response definition.
    """
    if np.ndim(weights) == 2:  # multinomial: the classes' blocks, each at its own fitted probabilities
        eta = design.Zt.T @ np.asarray(weights).T + intercept
        prob = design.datafit.response(eta)
        total = 0.0
        mask = nonzero_mask(weights, 2) if nonzero is None else nonzero
        for k in range(weights.shape[0]):
            active = np.flatnonzero(mask[k])
            if active.size:
                scaled = design.Zt[active] * np.sqrt(design.c * prob[:, k] * (1.0 - prob[:, k]))
                eig = np.clip(np.linalg.eigvalsh(scaled @ scaled.T), 0.0, None)
                lam_ridge = lam * (1.0 - penalty.alpha)
                total += (ridge_df(eig, design.n_samples, lam_ridge) if lam_ridge > 0
                          else float(np.count_nonzero(eig > 1e-10 * max(eig.max(), 1e-300))))
        return total
    active = np.flatnonzero(nonzero_mask(weights) if nonzero is None else nonzero)
    if active.size == 0:
        return 0.0
    if isinstance(design, RowDesign):  # the rows: the Hessian at the fitted mean
        rows = design.Zt[active]
        eta = design.eta_offset + intercept + weights[active] @ rows
        scaled = rows * np.sqrt(design.c * design.datafit.hessian_weights(eta))
        gram = scaled @ scaled.T
    else:
        gram = design.gram[np.ix_(active, active)]
    eigvals = np.clip(np.linalg.eigvalsh(gram), 0.0, None)
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
        df=relaxed_df(effective_df(design, penalty, fit.lam, fit.weights, nonzero=fit.nonzero), fit.n_nonzero, fit.gamma),
    )


def relaxed_df(penalized_df: float, n_active: int, gamma: float) -> float:
    """Effective df of a relaxed-lasso blend γ·β̂ + (1 − γ)·β̃ on a fixed active set A: both fits are
    linear in y given A, so the trace of the blended hat matrix is γ·df(β̂) + (1 − γ)·|A| (the
    unpenalized refit's df is |A|). γ = 1 is the penalized fit's own df."""
    return penalized_df if gamma == 1.0 else gamma * penalized_df + (1.0 - gamma) * n_active


def log_loss(y: NDArray[np.float64], prob: NDArray[np.float64]) -> float:
    """Mean log-loss −[y·log p + (1 − y)·log(1 − p)] in nats (half the mean deviance), p clipped to
    [1e-15, 1 − 1e-15] so a confident mistake is large but finite (nan when there are no rows)."""
    return float(Logistic().mean_loss(y, prob)) if len(y) else float("nan")


def roc_auc(y: NDArray[np.float64], score: NDArray[np.float64]) -> float:
    """Area under the ROC curve (nan unless both classes are present)."""
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, score)) if len(np.unique(y)) == 2 else float("nan")


@dataclass(frozen=True)
class ClassificationMetrics:
    """Errors and complexity of one classifier: log-loss in nats per row, the rest shares (0–1)."""

    train_log_loss: float
    test_log_loss: float
    train_accuracy: float
    test_accuracy: float
    test_balanced_accuracy: float
    train_auc: float
    test_auc: float
    n_nonzero: int
    df: float


def multiclass_log_loss(y: NDArray[np.float64], prob: NDArray[np.float64]) -> float:
    """Mean −log p(yᵢ) over rows (nats; ``prob`` (n, K), y class codes), p clipped at 1e-15."""
    if not len(y):
        return float("nan")
    return float(-np.mean(np.log(np.clip(prob[np.arange(len(y)), y.astype(int)], 1e-15, 1.0))))


def multiclass_auc(y: NDArray[np.float64], prob: NDArray[np.float64]) -> float:
    """One-vs-rest ROC AUC averaged over the classes present (nan unless two or more are)."""
    from sklearn.metrics import roc_auc_score

    present = np.unique(y.astype(int))
    if len(present) < 2:
        return float("nan")
    scores = [roc_auc_score(y.astype(int) == k, prob[:, k]) for k in present]
    return float(np.mean(scores))


def _multinomial_metrics(fit: Fit, design, penalty: Penalty, X_train, y_train, X_test, y_test) -> ClassificationMetrics:
    from sklearn.metrics import balanced_accuracy_score

    train_prob = fit.predict(X_train)
    test_prob = fit.predict(X_test) if len(y_test) else np.empty((0, len(fit.classes)))
    nan = float("nan")
    b_solver = np.asarray(fit.intercept) + fit.coef @ design.x_mean
    return ClassificationMetrics(
        train_log_loss=multiclass_log_loss(y_train, train_prob),
        test_log_loss=multiclass_log_loss(y_test, test_prob),
        train_accuracy=float(np.mean(np.argmax(train_prob, axis=1) == y_train)),
        test_accuracy=float(np.mean(np.argmax(test_prob, axis=1) == y_test)) if len(y_test) else nan,
        test_balanced_accuracy=(float(balanced_accuracy_score(y_test, np.argmax(test_prob, axis=1)))
                                if len(y_test) else nan),
        train_auc=multiclass_auc(y_train, train_prob),
        test_auc=multiclass_auc(y_test, test_prob) if len(y_test) else nan,
        n_nonzero=fit.n_nonzero,
        df=relaxed_df(effective_df(design, penalty, fit.lam, fit.weights, b_solver, fit.nonzero), fit.n_nonzero, fit.gamma),
    )


def classification_metrics(fit: Fit, design: RowDesign, penalty: Penalty, X_train, y_train, X_test,
                           y_test) -> ClassificationMetrics:
    """Log-loss, accuracy (probability > ½ predicts class 1), balanced accuracy, ROC AUC, non-zero
    count and effective df of a binary ``fit`` (``y`` as 0/1 codes); for a multinomial fit the
    most probable class, and the one-vs-rest AUC averaged over the classes."""
    from sklearn.metrics import balanced_accuracy_score

    if fit.datafit.per_class:
        return _multinomial_metrics(fit, design, penalty, X_train, y_train, X_test, y_test)
    train_prob = fit.predict(X_train)
    test_prob = fit.predict(X_test) if len(y_test) else np.empty(0)
    nan = float("nan")
    b_solver = fit.intercept + fit.coef @ design.x_mean if fit.fit_intercept else 0.0
    return ClassificationMetrics(
        train_log_loss=log_loss(y_train, train_prob),
        test_log_loss=log_loss(y_test, test_prob),
        train_accuracy=float(np.mean((train_prob > 0.5) == (y_train > 0.5))),
        test_accuracy=float(np.mean((test_prob > 0.5) == (y_test > 0.5))) if len(y_test) else nan,
        test_balanced_accuracy=(float(balanced_accuracy_score(y_test > 0.5, test_prob > 0.5))
                                if len(np.unique(y_test)) == 2 else nan),
        train_auc=roc_auc(y_train, train_prob),
        test_auc=roc_auc(y_test, test_prob) if len(y_test) else nan,
        n_nonzero=fit.n_nonzero,
        df=relaxed_df(effective_df(design, penalty, fit.lam, fit.weights, b_solver, fit.nonzero), fit.n_nonzero, fit.gamma),
    )


def roc_frame(y: NDArray[np.float64], prob: NDArray[np.float64]):
    """The ROC curve: ``false_positive_rate``, ``true_positive_rate`` and the ``threshold`` on the
    positive class's probability at each step (sklearn's ``roc_curve``, every threshold kept)."""
    import pandas as pd
    from sklearn.metrics import roc_curve

    fpr, tpr, thresholds = roc_curve(y, prob, drop_intermediate=False)
    return pd.DataFrame({"false_positive_rate": fpr, "true_positive_rate": tpr,
                         "threshold": np.clip(thresholds, 0.0, 1.0)})


def confusion_frame(y: NDArray[np.float64], prob: NDArray[np.float64], classes: tuple[str, ...]):
    """Counts of (true class, predicted class), every cell present (long table): the ½ threshold
    for a binary ``prob`` (n,), the most probable class for a multinomial ``prob`` (n, K)."""
    import pandas as pd

    truth = y.astype(int) if prob.ndim == 2 else (y > 0.5).astype(int)
    predicted = np.argmax(prob, axis=1) if prob.ndim == 2 else (prob > 0.5).astype(int)
    rows = [{"true class": classes[t], "predicted class": classes[q], "count": int(np.sum((truth == t) & (predicted == q)))}
            for t in range(len(classes)) for q in range(len(classes))]
    return pd.DataFrame(rows)


def roc_frames(y: NDArray[np.float64], prob: NDArray[np.float64], classes: tuple[str, ...]):
    """One-vs-rest ROC curves of a multinomial fit, one ``class`` per curve (:func:`roc_frame` columns)."""
    import pandas as pd

    parts = [roc_frame((y.astype(int) == k).astype(float), prob[:, k]).assign(**{"class": name})
             for k, name in enumerate(classes) if 0 < np.sum(y.astype(int) == k) < len(y)]
    return pd.concat(parts, ignore_index=True)


def calibration_frame(y: NDArray[np.float64], prob: NDArray[np.float64], bins: int = 8):
    """Reliability curve: rows sorted by predicted probability and cut into ``bins`` groups of equal
    size (quantile bins, so every point averages as many rows), each with its mean predicted
    probability, the observed share of the positive class and its number of rows."""
    import pandas as pd

    order = np.argsort(prob, kind="stable")
    groups = [g for g in np.array_split(order, min(bins, len(order))) if g.size]
    rows = [{"predicted": float(prob[g].mean()), "observed": float(y[g].mean()), "rows": int(g.size)} for g in groups]
    return pd.DataFrame(rows, columns=["predicted", "observed", "rows"])


def calibration_frames(y: NDArray[np.float64], prob: NDArray[np.float64], classes: tuple[str, ...], bins: int = 8):
    """One-vs-rest reliability curves of a multinomial fit, one ``class`` per curve
    (:func:`calibration_frame` columns): each class's predicted probability against how often
    the rows in its bin belong to that class."""
    import pandas as pd

    codes = y.astype(int)
    parts = [calibration_frame((codes == k).astype(float), prob[:, k], bins).assign(**{"class": name})
             for k, name in enumerate(classes)]
    return pd.concat(parts, ignore_index=True)


def error_curves(path: Path, X_train, y_train, X_test, y_test):
    """Train and test error at every λ of ``path`` (the validation curve): MSE (target units
    squared), or for a classifier the mean log-loss (nats per row).

    Tidy table with columns ``lambda``, ``component`` ("training error" / "test error"), ``value``.
    """
    import pandas as pd

    if path.datafit.classifier:
        loss = multiclass_log_loss if path.datafit.per_class else log_loss
        parts = [pd.DataFrame({"lambda": path.lambdas, "component": f"{part} error (log-loss)",
                               "value": [loss(y, p) for p in path.predict(X)]})
                 for part, X, y in (("training", X_train, y_train), ("test", X_test, y_test)) if len(y)]
        return pd.concat(parts, ignore_index=True)
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
    """True/false positive rates of the selected coefficients and ‖β̂ − β‖₂ at each λ.

    A multinomial path's coefficients (K, p) are counted entry by entry. Its probabilities fix
    them only up to a shift shared by every class (β̂ₖ + c gives the same model), so the error
    compares both centred over the classes: ‖(β̂ − mean over k) − (β − mean over k)‖₂.
    """
    truth = np.asarray(true_coef, dtype=float)
    if truth.shape != path.coefs.shape[1:]:
        raise ValueError(f"true_coef has shape {truth.shape}; the path's coefficients have {path.coefs.shape[1:]}.")
    count = len(path.lambdas)
    selected = path.nonzero.reshape(count, -1)
    relevant = truth.reshape(-1) != 0.0
    n_rel, n_irr = int(relevant.sum()), int((~relevant).sum())
    tpr = selected[:, relevant].sum(axis=1) / n_rel if n_rel else np.full(count, np.nan)
    fpr = selected[:, ~relevant].sum(axis=1) / n_irr if n_irr else np.full(count, np.nan)
    difference = path.coefs - truth
    if truth.ndim == 2:  # remove the shift all classes share
        difference = difference - difference.mean(axis=1, keepdims=True)
    error = np.linalg.norm(difference.reshape(count, -1), axis=1)
    return SupportRecovery(path.lambdas, tpr.astype(float), fpr.astype(float), error)


def coefficient_frame(fit: Fit, true_weights: NDArray[np.float64] | None = None):
    """Standardized coefficients at one λ (``feature``, ``coef``, ``nonzero`` at the solver's precision),
    with the truth on the same scale if known."""
    import pandas as pd

    if fit.datafit.per_class:  # one row per (class, feature)
        K, p = fit.weights.shape
        table = pd.DataFrame({"class": np.repeat(np.array(fit.classes, dtype=object), p),
                              "feature": np.tile(np.array(fit.feature_names, dtype=object), K),
                              "coef": fit.weights.reshape(-1), "nonzero": fit.nonzero.reshape(-1)})
    else:
        table = pd.DataFrame({"feature": fit.feature_names, "coef": fit.weights, "nonzero": fit.nonzero})
    if true_weights is not None:
        table["true_coef"] = np.asarray(true_weights, dtype=float).reshape(-1)
    return table
