"""Past one machine: Parquet data four times larger than the workers' memory, on a Dask cluster.

A generated Parquet folder (float64, ~4.2 GB) is analysed on a ``distributed.LocalCluster`` of one worker
process capped at a quarter of the data's size (1 GiB; the worker's own Python, numpy, pandas, Dask and
reglab take ~450 MiB of it). Rows:

* reglab's one-pass path (100 λ) + 5-fold CV: time, passes, the worker's peak memory;
* one λ (the CV's λ.1se, least squares without intercept or standardization, the objective both solve):
  reglab (its passes) against dask-glm's proximal gradient lasso on the same cluster, time and the KKT
  residual each reached (reglab's objective, from the pass's statistics; dask-glm's loss Σ(y − Xβ)² +
  lamduh‖β‖₁ is it with lamduh = 2nλ);
* pandas.read_parquet + reglab in memory (where it fits: this machine has 24 GB).

Run by ``make bench`` (benchmarks/run.py) and on its own: ``.venv/bin/python benchmarks/dask_bench.py``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

P = 30
FILES = 128
ROWS_PER_FILE = 130_000  # 128 × 130,000 × 31 float64 ≈ 4.2 GB on disk
#: A quarter of the data. (The worker's own Python, numpy, pandas, Dask and reglab take ~450 MiB of it, and
#: Dask pauses a worker at 80 % of its limit: 512 MiB would leave it no room at all.)
WORKER_MEMORY = 2**30
DASK_GLM_ITERATIONS = 3  # each is several passes over the data (gradient, line search)


def write_data(folder: Path) -> tuple[float, int]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    beta = np.zeros(P)
    beta[:5] = [1.5, -2.0, 0.7, 0.3, -0.4]
    for f in range(FILES):
        rng = np.random.default_rng(f)
        X = rng.normal(size=(ROWS_PER_FILE, P)) * np.linspace(0.5, 3.0, P)
        y = X @ beta + rng.normal(size=ROWS_PER_FILE)
        pq.write_table(pa.table({f"x{j}": X[:, j] for j in range(P)} | {"y": y}), folder / f"part-{f:03d}.parquet")
    size = sum(path.stat().st_size for path in folder.iterdir())
    return size, FILES * ROWS_PER_FILE


def peak_worker_mib(client) -> float:
    """The worker processes' own peak resident memory (VmHWM). Not ru_maxrss: Linux keeps it across
    exec, so a worker spawned (fork + exec) from make bench's process, grown to ~1.7 GB by the rows
    before, reported that size as its own peak."""
    peaks = client.run(lambda: int(next(line for line in open("/proc/self/status") if line.startswith("VmHWM")).split()[1]))
    return max(peaks.values()) / 1024


def run() -> list[dict]:
    import distributed
    import pandas as pd

    import reglab
    from reglab.objective import Penalty
    from reglab.solvers import kkt_residuals

    rows: list[dict] = []

    def add(row: dict) -> None:
        rows.append(row)
        print(table(rows[-1:]).splitlines()[-1], flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        size, n = write_data(folder)
        cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                           memory_limit=WORKER_MEMORY, dashboard_address=None)
        try:
            with distributed.Client(cluster) as client:
                lazy = reglab.read_parquet(str(folder), target="y")
                start = time.perf_counter()
                cv = reglab.cross_validate(lazy, folds=5, seed=0)
                cv_s = time.perf_counter() - start
                peak = peak_worker_mib(client)
                add({"what": f"path 100 λ + 5-fold CV, {n:,}×{P} Parquet ({size / 1e9:.1f} GB) on 1 worker "
                             f"capped at {WORKER_MEMORY / 2**20:.0f} MiB", "seconds": cv_s,
                             "note": f"{cv.passes} passes; worker peak {peak:.0f} MiB (limit {WORKER_MEMORY / 2**20:.0f})"})
                lam = cv.lambda_1se
                start = time.perf_counter()
                one = reglab.path(lazy, lambdas=[lam], intercept=False, standardize=False)
                one_s = time.perf_counter() - start
                design = one.solve_at.design
                penalty = Penalty.of("l1")
                ours_kkt = kkt_residuals(design, penalty, np.array([lam]), one.weights)[0] / design.lambda_max(penalty)
                add({"what": f"lasso at one λ (λ.1se = {lam:.3g}), no intercept, raw scale: reglab",
                             "seconds": one_s, "note": f"{one.passes} passes; KKT {ours_kkt:.1e}·λ_max"})
                try:
                    from dask_glm.algorithms import proximal_grad
                    from dask_glm.families import Normal
                    from dask_glm.regularizers import L1

                    frame = lazy.frame
                    start = time.perf_counter()
                    # one partition per file, each of ROWS_PER_FILE rows (Dask's lengths=True miscounts here)
                    lengths = [ROWS_PER_FILE] * frame.npartitions
                    values = frame[[f"x{j}" for j in range(P)] + ["y"]].to_dask_array(lengths=lengths)
                    X, y = values[:, :P], values[:, P]
                    beta = proximal_grad(X, y, regularizer=L1(), lamduh=2 * n * lam, family=Normal,
                                         max_iter=DASK_GLM_ITERATIONS, tol=1e-8)
                    glm_s = time.perf_counter() - start
                    glm_kkt = kkt_residuals(design, penalty, np.array([lam]), np.asarray(beta)[None, :])[0] \
                        / design.lambda_max(penalty)
                    add({"what": f"the same λ: dask-glm proximal_grad (L1, {DASK_GLM_ITERATIONS} iterations "
                                 "at most), same cluster", "seconds": glm_s,
                                 "note": f"KKT {glm_kkt:.1e}·λ_max; reglab {glm_s / one_s:.1f}× faster"})
                except ImportError:
                    add({"what": "dask-glm", "seconds": float("nan"), "note": "not installed"})
        finally:
            cluster.close()
        start = time.perf_counter()
        data = pd.read_parquet(folder)
        X_mem, y_mem = data.drop(columns="y").to_numpy(), data["y"].to_numpy()
        del data
        memory_cv = reglab.cross_validate(X_mem, y_mem, folds=5, seed=0)
        mem_s = time.perf_counter() - start
        same = np.allclose(memory_cv.path.lambdas, cv.lambdas, rtol=1e-12)
        add({"what": "pandas.read_parquet + reglab in memory (folds: scikit-learn's KFold)", "seconds": mem_s,
                     "note": f"fits in this machine's 24 GB; the same λ grid: {same}"})
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| what | time | notes |", "|---|---:|---|"]
    lines += [f"| {r['what']} | {r['seconds']:.1f} s | {r['note']} |" for r in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.setrecursionlimit(10_000)
    print(table(run()))
