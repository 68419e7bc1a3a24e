"""Cached wrappers around pure reglab functions (shared across sessions, keyed on arguments only).

One mechanism: :class:`SharedCache` (bounded by entries and bytes, thread-safe, each key computed
once), in two instances: the shared cache for datasets, designs, paths and analyses, and a small one
for the per-λ fits a slider makes (:func:`fit_cache`). ``st.cache_resource`` only creates those
process-wide singletons (and the Dask client); no result is cached by Streamlit's own caches."""

from __future__ import annotations

import functools
import inspect
import os
import threading
from collections import OrderedDict
from typing import Callable, TypeVar

import streamlit as st

import reglab
from reglab.data import load_builtin

T = TypeVar("T")


def builtin_path(key: str, penalty: str, l1_ratio: float) -> reglab.Path:
    """The default path of a built-in dataset's target on all its features."""

    def compute() -> reglab.Path:
        with st.spinner("Computing the regularization path…"):
            dataset = load_builtin(key)
            return reglab.path(dataset.frame[dataset.feature_names], dataset.frame[dataset.target], penalty=penalty,
                               l1_ratio=l1_ratio)

    return memoized(("builtin_path", key, penalty, l1_ratio), compute)


def nbytes(value: object, _depth: int = 0) -> int:
    """Approximate memory held by ``value``: arrays and frames by their buffers, containers summed.

    Object (text) columns are estimated at 64 bytes a cell rather than measured cell by cell:
    the estimate must cost nothing next to the work being cached.
    """
    import dataclasses
    import sys

    import numpy as np
    import pandas as pd

    if _depth > 6:
        return 0
    if isinstance(value, np.ndarray):
        return int(value.nbytes) + (64 * value.size if value.dtype == object else 0)
    if isinstance(value, pd.DataFrame):
        shallow = int(value.memory_usage(index=True, deep=False).sum())
        objects = sum(len(value) for c in value.columns if value[c].dtype == object)
        return shallow + 64 * objects
    if isinstance(value, pd.Series):
        return int(value.memory_usage(deep=False)) + (64 * len(value) if value.dtype == object else 0)
    if isinstance(value, (tuple, list, set, frozenset)):
        return sys.getsizeof(value) + sum(nbytes(v, _depth + 1) for v in value)
    if isinstance(value, dict):
        return sys.getsizeof(value) + sum(nbytes(k, _depth + 1) + nbytes(v, _depth + 1) for k, v in value.items())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return sys.getsizeof(value) + sum(nbytes(getattr(value, f.name), _depth + 1) for f in dataclasses.fields(value))
    if hasattr(value, "__dict__"):
        return sys.getsizeof(value) + nbytes(vars(value), _depth + 1)
    return sys.getsizeof(value)


class SharedCache:
    """One process-wide LRU cache for every session, bounded by entries *and* bytes, thread-safe.

    Streamlit runs each session's script in its own thread, and ``st.cache_resource`` bounds
    only the number of entries: eight cached 300 MB tables would be 2.4 GB. Here the total
    size (:func:`nbytes`) of what is kept stays under ``max_bytes``; the least recently used
    entries go first, and a result larger than the whole budget is returned but not kept.
    Two sessions asking for the same key at once compute it once (the second waits).
    Keys must identify the data by content (a fingerprint) and every setting the result
    depends on; results are shared, so they are never mutated.
    """

    def __init__(self, max_entries: int, max_bytes: int):
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._entries: OrderedDict = OrderedDict()  # key -> (value, size)
        self._bytes = 0
        self._lock = threading.Lock()
        self._computing: dict = {}  # key -> Lock held while one thread computes it

    @property
    def total_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def _lookup(self, key):
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return True, self._entries[key][0]
            return False, None

    def peek(self, key: tuple) -> tuple[bool, object]:
        """``(found, value)`` without computing: for results made only on request (a button)."""
        return self._lookup(key)

    def get_or_compute(self, key: tuple, compute: Callable[[], T]) -> T:
        found, value = self._lookup(key)
        if found:
            return value
        with self._lock:
            gate = self._computing.setdefault(key, threading.Lock())
        with gate:
            found, value = self._lookup(key)
            if found:
                return value
            try:
                value = compute()
                self._store(key, value)
            finally:
                with self._lock:
                    self._computing.pop(key, None)
            return value

    def _store(self, key, value) -> None:
        size = nbytes(value)
        if size > self.max_bytes:
            return
        with self._lock:
            if key in self._entries:
                self._bytes -= self._entries.pop(key)[1]
            self._entries[key] = (value, size)
            self._bytes += size
            while self._entries and (len(self._entries) > self.max_entries or self._bytes > self.max_bytes):
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


#: Entries and bytes the shared cache may hold (datasets, prepared designs, Grams, analyses).
CACHE_ENTRIES = 256
CACHE_MB = int(os.environ.get("REGLAB_CACHE_MB", "1024"))


@st.cache_resource(show_spinner=False)
def shared_cache() -> SharedCache:
    """The process's one :class:`SharedCache` (created once, shared by every session)."""
    return SharedCache(CACHE_ENTRIES, CACHE_MB * 1_000_000)


#: Per-λ fits kept: a λ slider makes a fit per stop (~400 stops), each small; kept in a cache of their
#: own so that a session sweeping λ never pushes the designs and paths every session relies on out
#: of the shared cache's LRU.
FIT_ENTRIES = 256
FIT_MB = 64


@st.cache_resource(show_spinner=False)
def fit_cache() -> SharedCache:
    """The process's cache of fits at one λ (and their metrics), apart from :func:`shared_cache`."""
    return SharedCache(FIT_ENTRIES, FIT_MB * 1_000_000)


def memoized(key: tuple, compute: Callable[[], T], store: Callable[[], SharedCache] = shared_cache) -> T:
    """``compute()`` through the shared cache, or the cache ``store`` gives (for results whose
    computation drives a progress bar: Streamlit forbids a ``st.cache_*`` function from updating
    an element created outside it)."""
    return store().get_or_compute(key, compute)


def cached(spinner: str | None = None, store: Callable[[], SharedCache] = shared_cache):
    """Decorator: cache a function's result in the shared cache (or the one ``store`` gives), keyed
    on its name and its arguments, except those whose names start with ``_`` (unhashable inputs
    identified by another argument, e.g. a data fingerprint), as Streamlit's caches did."""

    def decorate(function: Callable[..., T]) -> Callable[..., T]:
        signature = inspect.signature(function)

        @functools.wraps(function)
        def wrapper(*args, **kwargs) -> T:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            key = (function.__module__, function.__qualname__,
                   *((name, value) for name, value in bound.arguments.items() if not name.startswith("_")))

            def compute() -> T:
                if spinner:
                    with st.spinner(spinner):
                        return function(*args, **kwargs)
                return function(*args, **kwargs)

            return memoized(key, compute, store)

        return wrapper

    return decorate


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
