"""Cached wrappers around pure reglab functions (shared across sessions, keyed on arguments only)."""

from __future__ import annotations

import streamlit as st

import reglab
from reglab.data import load_builtin


@st.cache_data(max_entries=16, show_spinner="Computing the regularization path…")
def builtin_path(key: str, penalty: str, l1_ratio: float) -> reglab.Path:
    """The default path of a built-in dataset's target on all its features."""
    dataset = load_builtin(key)
    X = dataset.frame[dataset.feature_names]
    return reglab.path(X, dataset.frame[dataset.target], penalty=penalty, l1_ratio=l1_ratio)
