"""Cached wrappers around pure reglab functions (shared across sessions, keyed on arguments only)."""

from __future__ import annotations

import streamlit as st

import reglab
from reglab.data import Dataset, load_builtin


@st.cache_data(max_entries=8, show_spinner=False)
def builtin_dataset(key: str) -> Dataset:
    """A built-in dataset by key (its content is fixed, so the key identifies the data)."""
    return load_builtin(key)


@st.cache_data(max_entries=16, show_spinner="Computing the regularization path…")
def builtin_path(key: str, penalty: str, l1_ratio: float) -> reglab.Path:
    """The default path of a built-in dataset's target on all its features."""
    dataset = load_builtin(key)
    X = dataset.frame[dataset.feature_names]
    return reglab.path(X, dataset.frame[dataset.target], penalty=penalty, l1_ratio=l1_ratio)
