"""Where resampling work runs: in this process, or on a Dask cluster.

Every resampling loop in reglab (CV folds, bootstrap replicates, stability resamples) runs
through ``joblib.Parallel``. So the same code runs on a cluster when wrapped in
``joblib.parallel_config(backend="dask")`` with a ``distributed.Client`` connected — in a
notebook by hand, in the app when ``REGLAB_DASK_SCHEDULER`` names a scheduler address::

    REGLAB_DASK_SCHEDULER=tcp://scheduler:8786 make run
"""

from __future__ import annotations

import os
from contextlib import contextmanager, nullcontext
from typing import Iterator

from joblib import parallel_config

SCHEDULER_ENV = "REGLAB_DASK_SCHEDULER"


def scheduler_address() -> str | None:
    """The configured Dask scheduler address, if any."""
    address = os.environ.get(SCHEDULER_ENV, "").strip()
    return address or None


@contextmanager
def on_dask(client) -> Iterator[None]:
    """Run the joblib work inside this block on the cluster behind ``client`` (a distributed.Client)."""
    with parallel_config(backend="dask", n_jobs=-1, wait_for_workers_timeout=30):
        yield


def resampling_context(client=None):
    """``on_dask(client)`` when a client is given, else a no-op (work stays in this process)."""
    return on_dask(client) if client is not None else nullcontext()
