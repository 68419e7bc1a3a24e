"""Cached wrappers around pure reglab functions (shared across sessions, keyed on arguments only)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Callable, TypeVar

import streamlit as st

import reglab
from reglab.data import load_builtin

T = TypeVar("T")


@st.cache_data(max_entries=16, show_spinner="Computing the regularization path…")
def builtin_path(key: str, penalty: str, l1_ratio: float) -> reglab.Path:
    """The default path of a built-in dataset's target on all its features."""
    dataset = load_builtin(key)
    X = dataset.frame[dataset.feature_names]
    return reglab.path(X, dataset.frame[dataset.target], penalty=penalty, l1_ratio=l1_ratio)


@st.cache_resource(show_spinner=False)
def _memo_store() -> OrderedDict:
    return OrderedDict()


MEMO_ENTRIES = 48


def memoized(key: tuple, compute: Callable[[], T]) -> T:
    """A process-wide LRU cache for results whose computation drives a live progress bar.

    ``st.cache_data`` cannot be used there: Streamlit forbids a cached function from
    updating an element created outside it. ``key`` must identify the data by content
    (a fingerprint) and every setting the result depends on; results are never mutated.
    """
    store = _memo_store()
    if key in store:
        store.move_to_end(key)
        return store[key]
    value = compute()
    store[key] = value
    while len(store) > MEMO_ENTRIES:
        store.popitem(last=False)
    return value
