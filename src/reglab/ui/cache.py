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


@st.cache_resource(show_spinner="Connecting to the Dask scheduler…")
def _dask_client(address: str) -> list:
    """One client per process. Returned in a list: a Client is awaitable, which Streamlit's
    cache would otherwise mistake for a coroutine to await."""
    from distributed import Client

    return [Client(address, timeout="10s")]


def cluster():
    """A Dask client when ``REGLAB_DASK_SCHEDULER`` names a reachable scheduler, else None (run here)."""
    from reglab.parallel import scheduler_address

    address = scheduler_address()
    if address is None:
        return None
    try:
        return _dask_client(address)[0]
    except (OSError, TimeoutError) as exc:  # unreachable scheduler: keep working locally, say so
        st.sidebar.caption(f":material/cloud_off: Dask scheduler unreachable ({type(exc).__name__}); computing here.")
        return None


def resampling():
    """Context for resampling work: on the configured Dask cluster, or in this process."""
    from reglab.parallel import resampling_context

    return resampling_context(cluster())
