"""One row through the model: the table's columns as a person sets them, the model row they make, and
each column's part of the prediction (a waterfall from the intercept to η).

The model works on its own columns (numbers in original units, a text column's one-hot levels), so a
what-if works there too: a number is one model column; a text column is its one-hot columns, set by
choosing a level (every one 0 is the baseline level that one-hot encoding without the first level, or a
merged rare level, leaves out). Values start from a training or test row, or from the training medians
(numbers) and most frequent levels (text), and the model row is exactly what the fit predicts from.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from .preprocess import Prepared
from .results import Fit

#: What a text column's level reads as when every one of its one-hot columns is 0.
BASELINE = "(baseline level)"


@dataclass(frozen=True)
class Column:
    """One table column of the model: a number (one model column) or a text column (its one-hot columns)."""

    name: str
    indices: tuple[int, ...]
    #: The levels of a text column, in model-column order (and :data:`BASELINE` last when some training
    #: row has every one-hot column 0); None for a number.
    levels: tuple[str, ...] | None
    #: The training range and median of a number (the most frequent level's position for text).
    low: float
    high: float
    median: float

    @property
    def is_number(self) -> bool:
        return self.levels is None


def columns_of(prepared: Prepared) -> list[Column]:
    """The model's table columns, in the order of their first model column."""
    sources = prepared.feature_sources or prepared.feature_names
    positions: dict[str, list[int]] = {}
    for j, source in enumerate(sources):
        positions.setdefault(source, []).append(j)
    X = prepared.X_train
    out = []
    for source, indices in positions.items():
        block = X[:, indices]
        names = [prepared.feature_names[j] for j in indices]
        if len(indices) == 1 and names[0] == source:  # a number
            values = block[:, 0]
            out.append(Column(source, tuple(indices), None, float(values.min()), float(values.max()),
                              float(np.median(values))))
            continue
        levels = [name[len(source) + 1:] if name.startswith(source + "=") else name for name in names]
        counts = block.sum(axis=0)
        baseline_rows = int(np.sum(block.sum(axis=1) == 0))
        if baseline_rows:
            levels.append(BASELINE)
            counts = np.append(counts, baseline_rows)
        out.append(Column(source, tuple(indices), tuple(levels), 0.0, float(len(levels) - 1), float(np.argmax(counts))))
    return out


def typical_values(columns: list[Column]) -> dict[str, float | str]:
    """Numbers at their training median, text at its most frequent training level."""
    return {c.name: c.median if c.is_number else c.levels[int(c.median)] for c in columns}


def values_of(columns: list[Column], x: NDArray[np.float64]) -> dict[str, float | str]:
    """The form's values that make the model row ``x`` (a training or test row)."""
    values: dict[str, float | str] = {}
    for c in columns:
        if c.is_number:
            values[c.name] = float(x[c.indices[0]])
        else:
            hot = np.flatnonzero(x[list(c.indices)] > 0.5)
            values[c.name] = c.levels[int(hot[0])] if hot.size else BASELINE
    return values


def model_row(columns: list[Column], values: dict[str, float | str], n_features: int) -> NDArray[np.float64]:
    """The model row (n_features,) the form's ``values`` make: a number as given, a text column's chosen
    level 1 and its other levels 0 (all 0 for the baseline level)."""
    x = np.zeros(n_features)
    for c in columns:
        value = values[c.name]
        if c.is_number:
            x[c.indices[0]] = float(value)
        elif value != BASELINE:
            x[c.indices[c.levels.index(str(value))]] = 1.0
    return x


def waterfall_frame(fit: Fit, x: NDArray[np.float64], columns: list[Column], class_index: int = 0) -> pd.DataFrame:
    """Each table column's part of η for the model row ``x`` (:meth:`reglab.Fit.contributions`, a text
    column's one-hot parts summed), as the steps of a waterfall from the intercept to η: ``step`` (its
    label), ``start``, ``end``, ``contribution``, ``value`` (the column's value as text), ``kind``
    ("intercept", "up", "down", "total"). Columns whose part is exactly 0 (not in the model at this λ)
    are left out; ``class_index`` picks the class of a multinomial fit."""
    parts = fit.contributions(x[None, :])[0]
    intercept = np.asarray(fit.intercept, dtype=float)
    if fit.datafit.per_class:
        parts, intercept = parts[class_index], intercept[class_index]
    values = values_of(columns, x)
    rows = [("(intercept)", 0.0, float(intercept), float(intercept), "", "intercept")]
    level = float(intercept)
    for c in columns:
        part = float(parts[list(c.indices)].sum())
        if part == 0.0:
            continue
        value = values[c.name]
        rows.append((c.name, level, level + part, part, f"{value:.4g}" if c.is_number else str(value),
                     "up" if part > 0 else "down"))
        level += part
    rows.append(("η (prediction)", 0.0, level, level, "", "total"))
    return pd.DataFrame(rows, columns=["step", "start", "end", "contribution", "value", "kind"])
