"""Shared fixtures: random problems, a running Streamlit server and a headless Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"

settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("default")


def make_problem(n: int, p: int, rho: float = 0.0, seed: int = 0, n_informative: int = 3, noise: float = 1.0):
    """Gaussian features with Toeplitz correlation ρ^|i−j|, varied scales and offsets, sparse truth."""
    rng = np.random.default_rng(seed)
    cov = rho ** np.abs(np.subtract.outer(np.arange(p), np.arange(p)))
    X = rng.multivariate_normal(np.zeros(p), cov, size=n) if p > 1 else rng.normal(size=(n, 1))
    X = X * rng.uniform(0.2, 20.0, size=p) + rng.normal(0.0, 10.0, size=p)
    beta = np.zeros(p)
    k = min(n_informative, p)
    beta[:k] = rng.choice([-1.0, 1.0], size=k) * rng.uniform(0.5, 3.0, size=k) / X[:, :k].std(axis=0)
    y = 5.0 + X @ beta + noise * rng.normal(size=n)
    return X, y, beta


def local_cluster_client():
    """A client of a two-worker in-process ``distributed.LocalCluster`` (a module fixture yields from this)."""
    import distributed

    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None)
    with distributed.Client(cluster) as client:
        yield client
    cluster.close()


def standardize(X: np.ndarray) -> np.ndarray:
    """Column-standardize with the population sd; constant columns become 0."""
    sd = X.std(axis=0)
    Z = (X - X.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    Z[:, sd == 0] = 0.0
    return Z


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


#: The test server's process id, once app_url has started it (for memory checks).
SERVER: dict[str, int] = {}


def write_server_catalog(folder: Path) -> Path:
    """An operator's catalog (REGLAB_DATASETS) of two server datasets on one Parquet folder of 3 files:
    sales (least squares, a text column) and 'bought' (two-class logistic, a name with markup in it)."""
    import pandas as pd

    rng = np.random.default_rng(0)
    n = 3000
    X = rng.normal(size=(n, 4))
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(4)])
    frame["region"] = rng.choice(["north", "south", "east"], size=n)
    frame["sales"] = 3 + X[:, 0] - 2 * X[:, 1] + (frame["region"] == "north") + rng.normal(size=n)
    frame["bought"] = np.where(rng.random(n) < 1 / (1 + np.exp(-X[:, 0])), "yes", "no")
    (folder / "sales").mkdir(parents=True, exist_ok=True)
    for i, part in enumerate(np.array_split(np.arange(n), 3)):
        frame.iloc[part].to_parquet(folder / "sales" / f"part-{i}.parquet", index=False)
    catalog = folder / "datasets.toml"
    catalog.write_text(
        '[[dataset]]\nname = "Store sales"\npath = "sales"\ntarget = "sales"\n'
        'features = ["x0", "x1", "x2", "x3", "region"]\ndescription = "Synthetic sales, one row per store-day."\n\n'
        '[[dataset]]\nname = "Bought <b>it</b> *twice*"\npath = "sales"\ntarget = "bought"\nfamily = "binomial"\n'
        'features = ["x0", "x1", "x2"]\n', encoding="utf-8")
    return catalog


@pytest.fixture(scope="session")
def server_catalog(tmp_path_factory) -> Path:
    return write_server_catalog(tmp_path_factory.mktemp("server-data"))


@pytest.fixture(scope="session")
def app_url(server_catalog):
    """The app started as `make run` starts it (`python -m reglab.ui.serve app.py`: streamlit run with the
    modules warmed) on a free loopback port, with the operator's catalog of server datasets
    (REGLAB_DATASETS); yields its base URL."""
    port = free_port()
    artifacts = ROOT / "tests" / "artifacts"
    artifacts.mkdir(exist_ok=True)
    log = open(artifacts / "streamlit.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "reglab.ui.serve", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "REGLAB_DATASETS": str(server_catalog)},
    )
    url = f"http://127.0.0.1:{port}"
    SERVER["pid"] = proc.pid
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"streamlit did not start; see {log.name}")
        time.sleep(0.3)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright (no browser download exists here)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (`.ci/run` does it).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync"],
        )
        yield b
        b.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # Kept on the item so the `page` fixture can tell, at teardown, whether its test failed.
    report = yield
    setattr(item, "report_" + report.when, report)
    return report


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    yield pg
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        # A failed browser test leaves what the person would have seen: a screenshot in
        # tests/artifacts and the page's text in the test output (CI shows only the output).
        artifacts = ROOT / "tests" / "artifacts"
        try:
            pg.screenshot(path=str(artifacts / f"{request.node.name}.png"), full_page=True)
            text = pg.locator("body").inner_text(timeout=5_000)
            print(f"\n--- page text at failure ({pg.url}) ---\n{text[:4000]}")
        except Exception as exc:  # the page may be gone; the test's own failure is the story
            print(f"(no page capture: {exc})")
    context.close()


def each_explore_tab(at):
    """Open every Explore tab in turn (tabs are lazy: a closed tab's content does not run); yield its label."""
    from reglab.ui import state

    for label in [t.label for t in at.tabs]:
        at.session_state[state.EXPLORE_TAB] = label
        at.run()
        yield label


def open_page(script: str, timeout: int = 180, **query):
    """An AppTest that starts at the entry point (as a browser does), then switches to ``script``."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    if script != "app.py":
        at.switch_page(script).run()
    return at
