"""Model checks at one λ: predicted against observed, residuals against predicted, their histogram and
normal Q–Q plot, on the training and test rows, each point carrying its row's values for the hover.

Residuals are the datafit's (:attr:`reglab.datafits._Datafit.residual_kinds`): y − ŷ for least squares,
Pearson (y − μ)/√μ or deviance residuals for counts. Classifiers are checked by calibration and confusion
instead (Explore's Classification tab).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.stats import norm

from .preprocess import Prepared
from .results import Fit

#: Points drawn at most per chart (a seeded sample beyond it): a browser draws ~2,000 marks at once
#: without delay, and the residual pattern does not need more.
MAX_POINTS = 2_000
#: Model columns whose values a point's hover shows (those with the largest typical part |βⱼ|·sdⱼ).
HOVER_COLUMNS = 8

#: Residual kinds by name on screen.
RESIDUAL_LABELS = {"response": "residual y − ŷ", "pearson": "Pearson residual (y − μ)/√μ",
                   "deviance": "deviance residual"}


def check_frame(fit: Fit, prepared: Prepared, kind: str | None = None, max_points: int = MAX_POINTS,
                seed: int = 0) -> tuple[pd.DataFrame, dict[str, str]]:
    """One row per training and test row (a seeded sample of ``max_points`` when more): ``set``,
    ``row`` (the table's row number, 1 = first data row), ``observed``, ``predicted``, ``residual``
    (the datafit's ``kind``, its first by default) and hover columns ``v0``, ``v1``, … holding the row's
    values of the model columns that matter most at this fit. Returns the frame and the hover columns'
    names (``v0`` → the column's name), so field names never carry a file's text."""
    datafit = fit.datafit
    kind = kind or datafit.residual_kinds[0]
    weight = np.abs(np.asarray(fit.coef, dtype=float)) * prepared.X_train.std(axis=0)
    hover = [int(j) for j in np.argsort(-weight, kind="stable")[:HOVER_COLUMNS] if weight[j] > 0]
    parts = []
    for name, X, y, rows in (("training", prepared.X_train, prepared.y_train, prepared.train_rows),
                             ("test", prepared.X_test, prepared.y_test, prepared.test_rows)):
        if not len(y):
            continue
        predicted = fit.predict(X)
        part = pd.DataFrame({"set": name, "row": np.asarray(rows) + 1, "observed": y, "predicted": predicted,
                             "residual": datafit.residuals(y, predicted, kind)})
        for slot, j in enumerate(hover):
            part[f"v{slot}"] = X[:, j]
        parts.append(part)
    frame = pd.concat(parts, ignore_index=True)
    if len(frame) > max_points:
        keep = np.sort(np.random.default_rng(seed).choice(len(frame), max_points, replace=False))
        frame = frame.iloc[keep].reset_index(drop=True)
    return frame, {f"v{slot}": prepared.feature_names[j] for slot, j in enumerate(hover)}


def qq_frame(residuals: NDArray[np.float64]) -> pd.DataFrame:
    """Normal Q–Q points: ``theoretical`` N(0, 1) quantiles at (i − ½)/n against ``sample``, the
    residuals standardized (mean 0, sd 1) and sorted. On the line y = x when they are normal."""
    r = np.sort(np.asarray(residuals, dtype=float))
    n = len(r)
    sd = r.std()
    standardized = (r - r.mean()) / (sd if sd > 0 else 1.0)
    return pd.DataFrame({"theoretical": norm.ppf((np.arange(1, n + 1) - 0.5) / n), "sample": standardized})
