"""Paths and cross-validation on a Dask cluster (reglab.distributed) equal the in-memory results.

Least squares: one pass gives the whole path and every fold's fit (1e-10 against reglab in memory
with the same fold ids); logistic and Poisson: Newton passes (1e-8). Every run is checked to have
gone through the cluster's scheduler, with its passes counted and within the stated bound."""

import numpy as np
import pandas as pd
import pytest

distributed = pytest.importorskip("distributed")

import dask.dataframe as dd

import reglab
from reglab import distributed as rd
from reglab.errors import DataError

from conftest import local_cluster_client, make_problem

N_LAMBDAS = 25


@pytest.fixture(scope="module")
def client():
    yield from local_cluster_client()


def frame_of(X, y, names=None, **extra) -> pd.DataFrame:
    names = names or [f"x{j}" for j in range(X.shape[1])]
    frame = pd.DataFrame(X, columns=names)
    frame["y"] = y
    for key, value in extra.items():
        frame[key] = value
    return frame


def parquet_table(tmp_path, frame: pd.DataFrame, target: str = "y", partitions: int = 4, **roles) -> rd.LazyTable:
    """The frame written as a Parquet folder of ``partitions`` files and read back lazily."""
    folder = tmp_path / "table"
    dd.from_pandas(frame, npartitions=partitions).to_parquet(folder, write_index=False)
    return reglab.read_parquet(str(folder), target=target, **roles)


def close(a, b, rtol):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * max(np.abs(b).max(), 1.0))


def same_cv(remote, local, rtol):
    close(remote.lambdas, local.lambdas, 1e-13)
    close(remote.mean_error, local.mean_error, rtol)
    close(remote.se, local.se, rtol)
    close(remote.fold_sizes, local.fold_sizes, 1e-12)
    assert remote.lambda_min == pytest.approx(local.lambda_min, rel=1e-12)
    assert remote.lambda_1se == pytest.approx(local.lambda_1se, rel=1e-12)
    close(remote.path.coefs, local.path.coefs, rtol)


@pytest.mark.parametrize("options", [
    dict(penalty="l1"),
    dict(penalty="elasticnet", l1_ratio=0.4, standardize=False),
    dict(penalty="l2"),
    dict(penalty="l1", penalty_factor=[0, 1, 1, 2, 1, 1]),
])
def test_least_squares_path_and_cv_in_one_pass_equal_memory(client, tmp_path, options):
    X, y, _ = make_problem(900, 6, rho=0.5, seed=3)
    table = parquet_table(tmp_path, frame_of(X, y))
    with distributed.get_task_stream(client) as stream:
        path = reglab.path(table, n_lambdas=N_LAMBDAS, **options)
        cv = reglab.cross_validate(table, folds=5, seed=7, n_lambdas=N_LAMBDAS, **options)
    assert len(stream.data) > 0, "the passes did not run on the cluster"
    assert path.passes == 2 and cv.passes == 2  # the first (levels, means) pass and the one moment pass
    local = reglab.path(X, y, n_lambdas=N_LAMBDAS, **options)
    close(path.lambdas, local.lambdas, 1e-13)
    close(path.coefs, local.coefs, 1e-10)
    close(path.intercepts, local.intercepts, 1e-10)
    assert path.feature_names == tuple(f"x{j}" for j in range(6))
    assert path.kkt.max() <= 1e-8
    ids = rd.fold_ids(table, 5, 7)
    same_cv(cv, reglab.cross_validate(X, y, foldid=ids, n_lambdas=N_LAMBDAS, **options), 1e-10)
    # a λ off the grid is solved on the driver's statistics, exactly as in memory
    lam = float(np.sqrt(path.lambdas[3] * path.lambdas[4]))
    close(path.fit_at(lam).coef, local.fit_at(lam).coef, 1e-10)


def test_weights_fold_column_and_no_intercept_equal_memory(client, tmp_path):
    X, y, _ = make_problem(700, 5, seed=4)
    rng = np.random.default_rng(0)
    w = rng.uniform(0.2, 3.0, size=len(y))
    fold = rng.integers(0, 4, size=len(y))
    table = parquet_table(tmp_path, frame_of(X, y, w=w, fold=fold), partitions=3, weights="w", fold_column="fold")
    cv = reglab.cross_validate(table, n_lambdas=N_LAMBDAS)
    same_cv(cv, reglab.cross_validate(X, y, weights=w, foldid=fold, n_lambdas=N_LAMBDAS), 1e-10)
    path = reglab.path(table, intercept=False, n_lambdas=N_LAMBDAS)
    local = reglab.path(X, y, weights=w, intercept=False, n_lambdas=N_LAMBDAS)
    close(path.coefs, local.coefs, 1e-10)
    assert np.all(path.intercepts == 0)


def test_groups_and_relaxed_lasso_from_the_same_statistics(client, tmp_path):
    X, y, _ = make_problem(600, 6, rho=0.3, seed=5)
    table = parquet_table(tmp_path, frame_of(X, y))
    groups = [0, 0, 1, 1, 2, 3]
    grouped = reglab.path(table, penalty="elasticnet", l1_ratio=0.7, groups=groups, n_lambdas=N_LAMBDAS)
    close(grouped.coefs, reglab.path(X, y, penalty="elasticnet", l1_ratio=0.7, groups=groups,
                                     n_lambdas=N_LAMBDAS).coefs, 1e-10)
    relaxed = reglab.path(table, relax=True, n_lambdas=N_LAMBDAS)
    local = reglab.path(X, y, relax=True, n_lambdas=N_LAMBDAS)
    for gamma in (0.0, 0.5):
        close(relaxed.blend(gamma).coefs, local.blend(gamma).coefs, 1e-9)


def test_text_columns_one_hot_and_gaps_filled_with_the_training_means(client, tmp_path):
    """Levels come from the first pass; a missing cell is the training rows' mean of its column (a text
    column's: the levels' shares), per fold in CV: checked against a by-hand reference in memory."""
    rng = np.random.default_rng(8)
    n = 800
    colour = rng.choice(["red", "green", "blue"], size=n)
    x1 = rng.normal(3.0, 2.0, size=n)
    x2 = rng.normal(-1.0, 0.5, size=n)
    y = 2.0 * x1 - x2 + np.where(colour == "red", 1.5, 0.0) + rng.normal(size=n)
    x1_gaps = x1.copy()
    x1_gaps[rng.random(n) < 0.1] = np.nan
    colour_gaps = colour.astype(object)
    colour_gaps[rng.random(n) < 0.05] = None
    frame = pd.DataFrame({"x1": x1_gaps, "colour": colour_gaps, "x2": x2, "y": y})
    table = parquet_table(tmp_path, frame, partitions=3)
    path = reglab.path(table, n_lambdas=N_LAMBDAS)
    assert path.feature_names == ("x1", "x2", "colour=blue", "colour=green", "colour=red")

    def encoded(rows, fill_from):
        onehot = np.column_stack([(colour_gaps == level).astype(float) for level in ("blue", "green", "red")])
        onehot[pd.isna(colour_gaps)] = np.nan
        M = np.column_stack([x1_gaps, x2, onehot])
        means = np.nanmean(M[fill_from], axis=0)
        return np.where(np.isnan(M[rows]), means, M[rows])

    everything = np.arange(n)
    local = reglab.path(encoded(everything, everything), y, n_lambdas=N_LAMBDAS)
    close(path.coefs, local.coefs, 1e-10)
    cv = reglab.cross_validate(table, folds=4, seed=2, lambdas=path.lambdas)
    ids = rd.fold_ids(table, 4, 2)
    for k in range(4):
        train, test = np.flatnonzero(ids != k), np.flatnonzero(ids == k)
        fold_path = reglab.path(encoded(train, train), y[train], lambdas=path.lambdas)
        predictions = fold_path.predict(encoded(test, train))
        close(cv.fold_errors[k], ((predictions - y[test]) ** 2).mean(axis=1), 1e-9)


@pytest.mark.parametrize("family, target", [("binomial", "label"), ("binomial", "code"), ("poisson", "count")])
def test_logistic_and_poisson_by_newton_passes_equal_memory(client, tmp_path, family, target):
    rng = np.random.default_rng(11)
    n, p = 1200, 4
    X = rng.normal(size=(n, p)) * [1.0, 2.0, 0.5, 3.0] + [0.0, 4.0, -1.0, 10.0]
    eta = 0.3 + X[:, 0] - 0.4 * (X[:, 1] - 4.0)
    code = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    frame = frame_of(X, code)
    frame["label"] = np.where(code == 1, "yes", "no")
    frame["code"] = code
    frame["count"] = rng.poisson(np.exp(0.2 + 0.3 * X[:, 0] - 0.2 * X[:, 2]))
    frame = frame[[f"x{j}" for j in range(p)] + [target]]
    table = parquet_table(tmp_path, frame, target=target)
    with distributed.get_task_stream(client) as stream:
        path = reglab.path(table, family=family, n_lambdas=15)
        cv = reglab.cross_validate(table, family=family, folds=4, seed=1, n_lambdas=15)
    assert len(stream.data) > 0
    bound = rd.pass_bound(path.spec, 15, True)
    assert 2 < path.passes <= bound and 2 < cv.passes <= bound
    local = reglab.path(X, frame[target].to_numpy(), family=family, n_lambdas=15)
    assert path.classes == local.classes
    close(path.lambdas, local.lambdas, 1e-12)
    close(path.coefs, local.coefs, 1e-8)
    close(path.intercepts, local.intercepts, 1e-8)
    assert path.kkt.max() <= 1e-8
    ids = rd.fold_ids(table, 4, 1)
    same_cv(cv, reglab.cross_validate(X, frame[target].to_numpy(), family=family, foldid=ids, n_lambdas=15), 1e-8)


def test_budget_and_bad_tables_say_what_to_do(client, tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(300, 8)), columns=[f"x{j}" for j in range(8)])
    frame["y"] = rng.normal(size=300)
    frame["id"] = [f"row {i}" for i in range(300)]
    table = parquet_table(tmp_path, frame)
    with pytest.raises(DataError, match="more than 200 distinct values"):
        reglab.path(table)
    numeric = rd.LazyTable(table.frame, "y", features=tuple(f"x{j}" for j in range(8)))
    monkeypatch.setattr(rd, "MAX_FEATURES", 5)
    with pytest.raises(DataError, match=r"8 features .* at most 5"):
        reglab.path(numeric)
    monkeypatch.undo()
    with pytest.raises(DataError, match="not in the table"):
        reglab.read_parquet(str(tmp_path / "table"), target="nope")
    with pytest.raises(DataError, match="names a column"):
        reglab.path(numeric, weights=np.ones(300))
    with pytest.raises(DataError, match="Multinomial"):
        reglab.path(numeric, family="multinomial")


def test_stop_cancels_between_passes(client, tmp_path):
    import threading

    X, y, _ = make_problem(300, 3, seed=1)
    table = parquet_table(tmp_path, frame_of(X, y))
    stop = threading.Event()
    seen = []

    def progress(done, bound, what):
        seen.append((done, bound, what))
        if done == 1:
            stop.set()

    with pytest.raises(rd.Stopped):
        rd.cluster_path(table, None, reglab.ModelSpec(reglab.Penalty.of("l1")), progress=progress, stop=stop)
    assert seen[0][1] is None or seen[0][0] == 0
    assert any("types, levels and means" in what for _, _, what in seen)


def test_a_slow_pass_ticks_and_a_pass_the_cluster_cancels_says_so(client):
    """While a pass runs the caller hears ticks (its chance to stop) and then gets the pass's value; a pass
    cancelled on the cluster, not by this job's Stop, ends in ``Stopped`` with a message (not in distributed's
    internals: a timed ``result()`` could lose the value, an UnboundLocalError seen in CI)."""
    import threading
    import time

    import dask

    def sleep_then(seconds, value):
        time.sleep(seconds)
        return value

    ticks = []
    runner = rd.PassRunner(bound=1, progress=lambda done, bound, what: ticks.append(done), client=client)
    assert runner.run(dask.delayed(sleep_then)(1.0, 7), "a slow pass") == 7
    assert ticks.count(0) >= 3 and ticks[-1] == 1

    task = dask.delayed(sleep_then, pure=False)(3.0, 8)
    threading.Timer(0.5, lambda: distributed.Future(task.key, client).cancel()).start()
    with pytest.raises(rd.Stopped, match="cluster cancelled"):
        rd.PassRunner(client=client).run(task, "a pass the cluster cancels")


def test_a_pass_whose_client_closes_says_so():
    """The app's cluster client closing during a pass (the scheduler went away) ends in ``Stopped`` with a message,
    not in distributed's ClosedClientError from cancelling through the closed client."""
    import threading
    import time

    import dask

    def sleep_then(seconds, value):
        time.sleep(seconds)
        return value

    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None)
    try:
        client = distributed.Client(cluster)
        threading.Timer(0.5, client.close).start()
        with pytest.raises(rd.Stopped, match="connection to the cluster closed"):
            rd.PassRunner(client=client).run(dask.delayed(sleep_then, pure=False)(3.0, 1), "a pass")
    finally:
        cluster.close()


def test_data_larger_than_the_workers_memory_streams_through_them(tmp_path):
    """1.3 GB of Parquet on a cluster whose one worker process may hold 1 GiB: the one-pass path and 5-fold CV
    finish, stay under the limit (the nanny would kill a worker that passed it) and equal the in-memory run."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = tmp_path / "big"
    folder.mkdir()
    p, files, rows = 28, 96, 60_000  # partitions of ~14 MB: a worker reads a few at a time
    beta = np.zeros(p)
    beta[:4] = [1.5, -2.0, 0.7, 0.3]
    for f in range(files):
        rng = np.random.default_rng(100 + f)
        X = rng.normal(size=(rows, p)) * np.linspace(0.5, 4.0, p) + np.linspace(-3.0, 30.0, p)
        y = 2.0 + X @ beta + rng.normal(size=rows)
        columns = {f"x{j}": X[:, j] for j in range(p)} | {"y": y}
        pq.write_table(pa.table(columns), folder / f"part-{f:03d}.parquet")
    on_disk = sum(path.stat().st_size for path in folder.iterdir())
    limit = 1 << 30
    assert on_disk > 1.2 * limit
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=True, memory_limit=limit,
                                       dashboard_address=None)
    try:
        with distributed.Client(cluster) as client, distributed.get_task_stream(client) as stream:
            table = reglab.read_parquet(str(folder), target="y")
            assert table.partitions >= files
            cv = reglab.cross_validate(table, folds=5, seed=0, n_lambdas=20)
            # VmHWM (kB): the worker's own peak. ru_maxrss is not: Linux keeps it across exec, so a worker
            # spawned (fork + exec) from a large parent reports the parent's size at the fork.
            peaks = client.run(lambda: int(next(line for line in open("/proc/self/status")
                                                if line.startswith("VmHWM")).split()[1]))
            restarts = [w.get("nanny") for w in client.scheduler_info()["workers"].values()]
        assert len(stream.data) >= files, "the partitions were not processed on the cluster"
        assert cv.passes == 2 and len(restarts) == 1
        assert max(peaks.values()) * 1024 < limit, f"a worker peaked at {max(peaks.values()) / 1024:.0f} MiB"
    finally:
        cluster.close()
    frame = pd.read_parquet(folder)
    X, y = frame.drop(columns="y").to_numpy(), frame["y"].to_numpy()
    del frame
    local = reglab.path(X, y, n_lambdas=20)
    close(cv.lambdas, local.lambdas, 1e-13)
    close(cv.path.coefs, local.coefs, 1e-10)
    close(cv.path.intercepts, local.intercepts, 1e-10)
    assert np.isfinite(cv.mean_error).all() and cv.lambda_min <= cv.lambda_1se


def test_poisson_with_weights_and_an_offset_column_and_one_lambda(client, tmp_path):
    rng = np.random.default_rng(3)
    n = 900
    X = rng.normal(size=(n, 3)) * [1.0, 0.5, 2.0]
    exposure = rng.uniform(0.5, 3.0, size=n)
    w = rng.uniform(0.5, 2.0, size=n)
    counts = rng.poisson(exposure * np.exp(0.1 + 0.5 * X[:, 0] - 0.3 * X[:, 2]))
    table = parquet_table(tmp_path, frame_of(X, counts, w=w, log_exposure=np.log(exposure)), weights="w",
                          offset="log_exposure")
    path = reglab.path(table, family="poisson", n_lambdas=12)
    local = reglab.path(X, counts, family="poisson", weights=w, offset=np.log(exposure), n_lambdas=12)
    close(path.lambdas, local.lambdas, 1e-12)
    close(path.coefs, local.coefs, 1e-8)
    lam = float(local.lambdas[5] * 0.9)
    close(reglab.fit(table, family="poisson", lam=lam).coef,
          reglab.fit(X, counts, family="poisson", weights=w, offset=np.log(exposure), lam=lam).coef, 1e-8)
