"""Resampling runs unchanged on a Dask cluster (joblib's dask backend) and gives the same numbers."""

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")

import reglab
from reglab import biasvariance, compare
from reglab.objective import Penalty
from reglab.parallel import on_dask

from conftest import local_cluster_client, make_problem


@pytest.fixture(scope="module")
def client():
    yield from local_cluster_client()


def test_cv_bootstrap_and_stability_on_dask_match_the_local_run(client):
    X, y, _ = make_problem(150, 8, rho=0.5, seed=1)
    grid = reglab.path(X, y, penalty="l1", n_lambdas=15).lambdas
    pen = Penalty.of("l1")
    lam = grid[5]

    def run_all():
        cv = reglab.cross_validate(X, y, penalty="l1", folds=5, seed=2, lambdas=grid)
        bv = biasvariance.bootstrap(X[:110], y[:110], X[110:], y[110:], pen, grid, repeats=8, seed=3)
        freq = compare.selection_frequency(X, y, "l1", 1.0, lam, resamples=12, seed=4)
        return cv, bv, freq

    local = run_all()
    with distributed.get_task_stream(client) as stream, on_dask(client):
        remote = run_all()
    assert len(stream.data) > 0, "the work did not run on the Dask cluster"
    np.testing.assert_allclose(remote[0].mean_error, local[0].mean_error, rtol=1e-12)
    assert (remote[0].lambda_min, remote[0].lambda_1se) == (local[0].lambda_min, local[0].lambda_1se)
    np.testing.assert_allclose(remote[1].variance, local[1].variance, rtol=1e-12)
    np.testing.assert_array_equal(remote[2], local[2])


def test_the_app_sends_resampling_to_the_configured_scheduler(monkeypatch):
    from conftest import open_page

    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp",
                                       host="127.0.0.1", dashboard_address=None)
    try:
        with distributed.Client(cluster) as watcher, distributed.get_task_stream(watcher) as stream:
            monkeypatch.setenv("REGLAB_DASK_SCHEDULER", cluster.scheduler_address)
            at = open_page("pages/2_explore.py", dataset="sparse", n="120", p="9", seed="11")
            assert not at.exception, [e.value for e in at.exception]
            assert any("Dask cluster" in c.value for c in at.sidebar.caption)
        assert len(stream.data) > 0, "no task reached the scheduler"
    finally:
        from reglab.ui.cache import _dask_client

        _dask_client(cluster.scheduler_address)[0].close()  # the app's cached client, shared per process
        _dask_client.clear()
        cluster.close()
