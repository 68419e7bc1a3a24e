"""Rerun cost as a person feels it: Chromium against a real server, input → idle, in milliseconds.

For each data set: open Explore, then move λ through the "λ (exact)" input 15 times (Enter
sends it); each move is timed from the key press to the moment the page is idle again (no
running indicator, metrics redrawn). Also timed: a switch from Explore to Compare and back
(in-app link, the session kept) and a cold page load. Prints a Markdown table; run by
`make bench` (benchmarks/run.py) and on its own:

    .venv/bin/python benchmarks/browser.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from server import CHROMIUM, CHROMIUM_ARGS, free_port, start_server  # noqa: E402

MOVES = 15
IDLE = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
#: Goals from the "what a newcomer tripped on" issue (2-core machine).
GOALS = {"diabetes 442×10": 150, "uploaded 20,000×30": 250}


def wait_idle(page) -> None:
    page.wait_for_function(IDLE, timeout=120_000, polling=10)


def metrics_text(page) -> str:
    return " ".join(page.locator('[data-testid="stMetric"]').all_inner_texts())


def time_moves(page) -> list[float]:
    """ms from Enter in λ (exact) to idle with the metrics redrawn, for MOVES moves."""
    exact = page.locator('[data-testid="stNumberInput"]', has_text="λ (exact)").locator("input")
    times = []
    for move in range(MOVES):
        current = float(exact.input_value())
        exact.fill(f"{current * (0.6 if move % 2 == 0 else 1.55):.6g}")
        before = metrics_text(page)
        start = time.perf_counter()
        exact.press("Enter")
        page.wait_for_function("b => [...document.querySelectorAll('[data-testid=stMetric]')].map(e => e.innerText)"
                               ".join(' ') !== b", arg=before, timeout=60_000, polling=5)
        wait_idle(page)
        times.append((time.perf_counter() - start) * 1000)
    return times


def upload_table(folder: Path) -> Path:
    rng = np.random.default_rng(0)
    n, p = 20_000, 30
    X = rng.normal(size=(n, p))
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(p)])
    frame["y"] = X[:, :5] @ np.array([2.0, -1.5, 1.0, 0.5, -0.5]) + rng.normal(size=n)
    path = folder / "wide20k.csv"
    frame.to_csv(path, index=False)
    return path


def run() -> list[dict]:
    from playwright.sync_api import sync_playwright

    rows = []
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp, open(Path(tmp) / "server.log", "w") as log:
        csv = upload_table(Path(tmp))
        server = start_server(port, log)
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                start = time.perf_counter()
                page.goto(url + "/explore")
                page.locator('[data-testid="stMetric"]').first.wait_for(timeout=120_000)
                wait_idle(page)
                cold = (time.perf_counter() - start) * 1000
                moves = time_moves(page)
                switches = []
                for _ in range(3):
                    start = time.perf_counter()
                    page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Compare").click()
                    page.get_by_text("Side by side").wait_for(timeout=120_000)
                    wait_idle(page)
                    page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Explore").click()
                    page.locator('[data-testid="stMetric"]').first.wait_for(timeout=120_000)
                    wait_idle(page)
                    switches.append((time.perf_counter() - start) * 1000 / 2)
                rows.append({"data": "diabetes 442×10", "moves": moves, "switch": switches, "cold": cold})
                page.goto(url + "/data")
                wait_idle(page)
                page.locator('[data-testid="stButtonGroup"] button', has_text="Upload").first.click()
                wait_idle(page)
                page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(csv))
                page.get_by_text("Current file: wide20k.csv").wait_for(timeout=120_000)
                wait_idle(page)
                page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Explore").click()
                page.locator('[data-testid="stMetric"]').first.wait_for(timeout=120_000)
                wait_idle(page)
                rows.append({"data": "uploaded 20,000×30", "moves": time_moves(page), "switch": [], "cold": float("nan")})
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=20)
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| data | λ move p50 (ms) | λ move p90 (ms) | goal p50 | page switch (ms) | cold Explore (ms) |",
             "|---|---|---|---|---|---|"]
    for row in rows:
        moves = sorted(row["moves"])
        p90 = moves[int(0.9 * (len(moves) - 1))]
        switch = f"{statistics.median(row['switch']):.0f}" if row["switch"] else "—"
        cold = f"{row['cold']:.0f}" if np.isfinite(row["cold"]) else "—"
        lines.append(f"| {row['data']} | {statistics.median(moves):.0f} | {p90:.0f} | ≤ {GOALS[row['data']]} | {switch} | {cold} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(run()))
