"""Server-side datasets in the app: the Data page's list, and Explore on one of them.

The datasets are the operator's (:mod:`reglab.serverdata`, ``REGLAB_DATASETS``): a visitor picks one by
name and never names a path. The path and its K-fold CV are computed on the cluster
``REGLAB_DASK_SCHEDULER`` names (else with this process's threads) by :mod:`reglab.distributed`, on a
button press, with a progress bar per pass and a Stop button; the result stays in the shared cache,
so the λ slider then works on the driver's statistics (least squares: exact at any λ) as fast as for
an uploaded file.
"""

from __future__ import annotations

import os
import threading

import numpy as np
import streamlit as st

from reglab import charts
from reglab.distributed import Stopped, cluster_cross_validate, pass_bound
from reglab.errors import DataError
from reglab.objective import ModelSpec, Penalty
from reglab.datafits import datafit_of
from reglab.serverdata import ServerDataset, catalog_path, read_catalog

from . import bind, show_error, state
from .cache import cluster, memoized, shared_cache
from .explore import lambda_controls, settle_lambda

#: Set by the Stop button: the running job stops at its next progress tick.
_STOP = "reglab.cluster_stop"


def _stamp(path: str) -> int | None:
    """When a file or folder last changed (None when it is not there): cache keys follow the operator's edits."""
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


def server_catalog() -> tuple[tuple[ServerDataset, ...], str | None]:
    """The operator's datasets (``REGLAB_DATASETS``, read once per change of the file, not on every rerun of
    every page) and an error message when the catalog cannot be read."""
    path = catalog_path()
    if path is None:
        return (), None
    try:
        return memoized(("server-catalog", path, _stamp(path)), lambda: read_catalog(path)), None
    except DataError as exc:
        return (), str(exc)


def chosen_server_dataset() -> ServerDataset | None:
    """The server dataset the Data page chose (None when the data comes from elsewhere)."""
    if st.session_state.get(state.SOURCE) != "server":
        return None
    datasets, _ = server_catalog()
    name = st.session_state.get(state.SERVER_DATASET)
    return next((d for d in datasets if d.name == name), datasets[0] if datasets else None)


def dataset_shape(dataset: ServerDataset) -> tuple[int, int]:
    """(rows, columns) from the Parquet metadata, cached per dataset and file change."""
    return memoized(("server-shape", dataset, _stamp(dataset.path)), dataset.shape)


def where_it_runs() -> str:
    client = cluster()
    return f"the Dask cluster at {client.scheduler.address}" if client is not None else "this server (local threads)"


def server_picker() -> ServerDataset | None:
    """The Data page's list of server datasets: name, shape from the metadata, description (plain text)."""
    datasets, error = server_catalog()
    if error:
        show_error(error)
        return None
    names = [d.name for d in datasets]
    if st.session_state.get(state.SERVER_DATASET) not in names:
        st.session_state[state.SERVER_DATASET] = names[0]
    name = st.selectbox("Server dataset", names, **bind(state.SERVER_DATASET),
                        help="Datasets the operator of this server listed; they stay on the server and are analysed "
                             "on its Dask cluster, by passes over the data.")
    dataset = next(d for d in datasets if d.name == name)
    try:
        rows, columns = dataset_shape(dataset)
    except DataError as exc:
        show_error(str(exc))
        return None
    model = datafit_of(dataset.family).model_name
    st.text(f"{dataset.name}\n{rows:,} rows × {columns} columns · target: {dataset.target} · {model}"
            + (f"\n{dataset.description}" if dataset.description else ""))
    return dataset


def _stop() -> None:
    st.session_state[_STOP] = True


def _job_key(dataset: ServerDataset, penalty: str, ratio: float, standardize: bool, folds: int) -> tuple:
    return ("cluster-cv", dataset, _stamp(dataset.path), penalty, float(ratio), bool(standardize), int(folds))


def run_on_cluster(dataset: ServerDataset, spec: ModelSpec, folds: int):
    """The path and its CV on the cluster, with a progress bar per pass; Stop cancels it (a DataError
    or the stop is shown as a message, never a traceback). None when it did not finish."""
    bar = st.progress(0.0, text="Starting…")
    stop = threading.Event()

    def progress(done: int, bound: int, what: str) -> None:
        if st.session_state.get(_STOP):
            stop.set()
        bar.progress(min(done / bound, 1.0), text=f"Pass {done + 1} (at most {bound}): {what}")

    try:
        table = dataset.table()
        return cluster_cross_validate(table, None, spec, folds=folds, seed=0, progress=progress, stop=stop,
                                      client=cluster())
    except Stopped:
        st.info("Stopped: nothing was kept. Press Run to start again.", icon=":material/stop_circle:")
    except DataError as exc:
        show_error(str(exc))
    finally:
        bar.empty()
        st.session_state.pop(_STOP, None)
    return None


def cluster_explore(dataset: ServerDataset, penalty: str, ratio: float, standardize: bool, folds: int) -> None:
    """Explore for a server dataset: run (or reuse) the path and its CV, then λ, metrics, path and CV charts."""
    try:
        rows, columns = dataset_shape(dataset)
    except DataError as exc:
        show_error(str(exc))
        return
    datafit = datafit_of(dataset.family)
    st.text(f"{dataset.name}: {rows:,} rows × {columns} columns · target {dataset.target} · {datafit.model_name}\n"
            f"Runs on {where_it_runs()}.")
    spec = ModelSpec(Penalty.of(penalty, ratio), datafit, standardize=standardize)
    key = _job_key(dataset, penalty, ratio, standardize, folds)
    found, cv = shared_cache().peek(key)
    if not found:
        slot = st.empty()  # the buttons go once the result is there
        with slot.container():
            left, right = st.columns([1, 4])
            run = left.button("Run on the cluster", type="primary", icon=":material/play_arrow:")
            right.button("Stop", icon=":material/stop:", on_click=_stop, help="Cancel the passes under way.")
            st.caption(f"The path (100 λ) and its {folds}-fold cross-validation: "
                       + ("one pass over the data after a first one for the columns' levels and means."
                          if datafit.quadratic else f"Newton passes, at most {pass_bound(spec, 100, True)}."))
        if not run:
            return
        cv = run_on_cluster(dataset, spec, folds)
        if cv is None:
            return
        slot.empty()
        memoized(key, lambda: cv)
    show_cluster_result(cv, datafit)


def show_cluster_result(cv, datafit) -> None:
    """λ controls, the metrics at λ, the path and the CV curve of a cluster result (all on the driver)."""
    path = cv.path
    lam = settle_lambda(path.lambdas, default=cv.lambda_1se)
    lambda_controls(path.lambdas, lam)
    index = int(np.argmin(np.abs(np.log(cv.lambdas) - np.log(lam))))  # the CV curve's nearest λ
    exact = path.solve_at is not None
    if not exact:  # logistic / Poisson: the grid's models (an off-grid λ would need more passes)
        lam = float(cv.lambdas[index])
    fit = path.fit_at(lam)
    m = st.columns(5)
    m[0].metric(f"CV {datafit.measure_label(cv.measure)}", f"{cv.mean_error[index]:.4g}",
                help=f"Mean held-out error over the {cv.folds} folds at the grid λ nearest this one (± {cv.se[index]:.3g}).")
    m[1].metric("Non-zero coefficients", f"{int(np.count_nonzero(fit.coef))} of {len(fit.feature_names)}")
    m[2].metric("λ.min", f"{cv.lambda_min:.4g}")
    m[3].metric("λ.1se", f"{cv.lambda_1se:.4g}")
    m[4].metric("Passes over the data", f"{cv.passes}")
    if not exact:
        st.caption(f"λ = {lam:.4g}: the nearest λ of the path's grid (each λ of a logistic or Poisson model costs "
                   "Newton passes on the cluster).")
    left, right = st.columns(2)
    with left:
        st.altair_chart(charts.path_chart(path.to_frame(), lam, value="coef_standardized",
                                          value_title="standardized coefficient"), width="stretch")
    with right:
        st.altair_chart(charts.cv_chart(cv.to_frame(), cv.lambda_min, cv.lambda_1se, lam,
                                        error_title=f"mean CV {datafit.measure_label(cv.measure)}", selectable=False),
                        width="stretch")
    st.dataframe(fit.to_frame(), hide_index=True, width="stretch", height=260)
