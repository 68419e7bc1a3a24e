"""Datasets: built-in (scikit-learn's bundled loaders, no downloads) and their metadata.

A :class:`Dataset` is a table plus what a model needs to know about it: which column is
the target, whether the task is regression or classification, and — for synthetic data
— the known truth, so later pages can show it next to the estimates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Literal

import numpy as np
import pandas as pd
from sklearn import datasets as _sk_datasets

Task = Literal["regression", "classification"]


@dataclass(frozen=True)
class Truth:
    """What generated a synthetic dataset.

    Attributes
    ----------
    coef : ndarray of shape (n_features,) or None
        True coefficients on the original feature scale (None when the truth is a curve).
    intercept : float
    noise_sd : float
        Standard deviation σ of the Gaussian noise added to the target (target units).
    """

    coef: np.ndarray | None
    intercept: float
    noise_sd: float
    notes: str = ""


@dataclass(frozen=True)
class Dataset:
    """A table ready for the Data page: features and target in one frame."""

    key: str
    title: str
    description: str
    frame: pd.DataFrame
    target: str
    task: Task
    source: Literal["builtin", "synthetic", "upload"]
    truth: Truth | None = None
    params: dict = field(default_factory=dict)

    @property
    def feature_names(self) -> list[str]:
        return [c for c in self.frame.columns if c != self.target]

    @property
    def shape_text(self) -> str:
        n, p = self.frame.shape
        return f"{n:,} rows × {p - 1} features"


def _diabetes() -> Dataset:
    raw = _sk_datasets.load_diabetes(scaled=False)
    frame = pd.DataFrame(raw.data, columns=raw.feature_names)
    frame["progression"] = raw.target
    return Dataset(
        key="diabetes",
        title="Diabetes (regression)",
        description=(
            "442 patients, 10 baseline measurements (age, sex, BMI, blood pressure, six blood "
            "serum values); target: disease progression one year later (Efron et al., 2004)."
        ),
        frame=frame,
        target="progression",
        task="regression",
        source="builtin",
    )


def _breast_cancer() -> Dataset:
    raw = _sk_datasets.load_breast_cancer()
    frame = pd.DataFrame(raw.data, columns=raw.feature_names)
    frame["malignant"] = (raw.target == 0).astype(int)
    return Dataset(
        key="breast_cancer",
        title="Breast cancer (classification)",
        description="569 tumours, 30 cell-nucleus measurements; target: malignant (1) or benign (0).",
        frame=frame,
        target="malignant",
        task="classification",
        source="builtin",
    )


def _wine() -> Dataset:
    raw = _sk_datasets.load_wine()
    frame = pd.DataFrame(raw.data, columns=raw.feature_names)
    frame["cultivar"] = raw.target
    return Dataset(
        key="wine",
        title="Wine (classification)",
        description="178 wines, 13 chemical measurements; target: which of 3 cultivars made the wine.",
        frame=frame,
        target="cultivar",
        task="classification",
        source="builtin",
    )


BUILTIN: dict[str, Callable[[], Dataset]] = {
    "diabetes": _diabetes,
    "breast_cancer": _breast_cancer,
    "wine": _wine,
}
DEFAULT_DATASET = "diabetes"


def load_builtin(key: str) -> Dataset:
    """One of scikit-learn's bundled datasets by key (see :data:`BUILTIN`)."""
    try:
        return BUILTIN[key]()
    except KeyError:
        raise KeyError(f"Unknown built-in dataset {key!r}; choose one of {', '.join(BUILTIN)}.") from None
