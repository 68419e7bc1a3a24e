"""Rerun cost as a person feels it: Chromium against a real server, input → idle, in milliseconds.

For each data set: open Explore, then move λ through the "λ (exact)" input 15 times (Enter
sends it); each move is timed in the page from the key press to the first frame painted after
the rerun it starts has finished (the app's script state back to "notRunning"). Also timed: a switch from Explore to Compare and back
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
IDLE = "() => !!document.querySelector('[data-testid=\"stApp\"][data-test-script-state=\"notRunning\"]')"
#: λ-move goals of the speed issue (2-core machine; page switch ≤ 700 ms, cold Explore ≤ 1.5 s).
GOALS = {"diabetes 442×10": 120, "uploaded 20,000×30": 150}


def wait_idle(page) -> None:
    page.wait_for_function(IDLE, timeout=120_000, polling=10)


def metrics_text(page) -> str:
    return " ".join(page.locator('[data-testid="stMetric"]').all_inner_texts())


#: Installed once per page: records the Enter key's time and, after every run, the first frame
#: painted once the app is idle again (script state "running", then "notRunning", then a frame).
_RECORDER = """() => {
  window.__reglabEvents = [];
  const log = (what) => window.__reglabEvents.push([what, performance.now()]);
  document.addEventListener('keydown', e => { if (e.key === 'Enter') log('enter'); }, true);
  const app = document.querySelector('[data-testid=stApp]');
  new MutationObserver((records) => {
    // any state but "notRunning" (running, rerun requested…) is a run under way; a fast run can
    // start and end within one task, so its state may only be seen as a record's old value
    for (const r of records) if (r.oldValue && r.oldValue !== 'notRunning') log('busy');
    const state = app.getAttribute('data-test-script-state');
    log(state === 'notRunning' ? state : 'busy');
    if (state === 'notRunning') requestAnimationFrame(() => setTimeout(() => log('painted'), 0));
  }).observe(app, {attributes: true, attributeOldValue: true, attributeFilter: ['data-test-script-state']});
}"""
#: ms from the last Enter to the frame painted after the run it started, or null while running.
_SPAN = """() => { const e = window.__reglabEvents; const k = e.findLastIndex(x => x[0] === 'enter');
  if (k < 0) return null; const r = e.findIndex((x, i) => i > k && x[0] === 'busy');
  if (r < 0) return null; const d = e.findIndex((x, i) => i > r && x[0] === 'painted');
  return d < 0 ? null : e[d][1] - e[k][1]; }"""


def time_moves(page) -> list[float]:
    """ms from the Enter key in λ (exact) to the first frame painted after the rerun it starts,
    for MOVES moves: timed in the page (performance.now()), so the automation's own round trips
    are not counted; the metrics are also checked to have changed."""
    exact = page.locator('[data-testid="stNumberInput"]', has_text="λ (exact)").locator("input")
    page.evaluate(_RECORDER)
    times = []
    for move in range(MOVES):
        current = float(exact.input_value())
        exact.fill(f"{current * (0.6 if move % 2 == 0 else 1.55):.6g}")
        before = metrics_text(page)
        exact.press("Enter")
        try:
            page.wait_for_function(_SPAN, timeout=60_000, polling=5)
        except Exception:
            print("no rerun seen after Enter:", page.evaluate("() => window.__reglabEvents.slice(-8)"), file=sys.stderr)
            raise
        times.append(float(page.evaluate(_SPAN)))
        assert metrics_text(page) != before, "the metrics did not change with λ"
        wait_idle(page)
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
                page.wait_for_timeout(1000)  # a fresh page shows the λ input's minimum for a moment
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
                fresh = []  # a new visitor on a running server: a new browser context (no cache, no session)
                for _ in range(3):
                    context = browser.new_context(viewport={"width": 1400, "height": 1000})
                    visitor = context.new_page()
                    start = time.perf_counter()
                    visitor.goto(url + "/explore")
                    visitor.locator('[data-testid="stMetric"]').first.wait_for(timeout=120_000)
                    wait_idle(visitor)
                    fresh.append((time.perf_counter() - start) * 1000)
                    context.close()
                rows.append({"data": "diabetes 442×10", "moves": moves, "switch": switches, "cold": cold,
                             "fresh": statistics.median(fresh)})
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
                rows.append({"data": "uploaded 20,000×30", "moves": time_moves(page), "switch": [], "cold": float("nan"),
                             "fresh": float("nan")})
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=20)
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| data | λ move p50 (ms) | λ move p90 (ms) | goal p50 | page switch (ms) | cold Explore, first visit "
             "after start (ms) | cold Explore, new browser context (ms) |",
             "|---|---|---|---|---|---|---|"]
    for row in rows:
        moves = sorted(row["moves"])
        p90 = moves[int(0.9 * (len(moves) - 1))]
        switch = f"{statistics.median(row['switch']):.0f}" if row["switch"] else "—"
        cold = f"{row['cold']:.0f}" if np.isfinite(row["cold"]) else "—"
        fresh = f"{row['fresh']:.0f}" if np.isfinite(row["fresh"]) else "—"
        lines.append(f"| {row['data']} | {statistics.median(moves):.0f} | {p90:.0f} | ≤ {GOALS[row['data']]} | {switch} | {cold} "
                     f"| {fresh} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(run()))
