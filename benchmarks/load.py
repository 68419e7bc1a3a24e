"""`make test-load`: 20 browser sessions at once against one server, on loopback; stops by itself.

Each session (its own Chromium context, like a separate person) uploads its own CSV — a
distinct target name and row count — opens Explore, and moves λ five times through the
"λ (exact)" input. After every move it checks that the page shows only its own file and
target, never another session's, and no exception box. Printed: rerun latency (input →
idle, p50/p95), errors, and the server's peak resident memory (sampled every 0.2 s).
Then the attack phase (see PROBE_MOVES): a probe session's λ moves must stay under 1 s while
another session imports a crafted scenarios file and opens the heaviest link that runs unasked.
Exit status 1 on any error, cross-session leak, or slow probe move.

    make test-load            # 20 sessions
    SESSIONS=5 make test-load
"""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from server import CHROMIUM, CHROMIUM_ARGS, free_port, start_server  # noqa: E402

SESSIONS = int(os.environ.get("SESSIONS", "20"))
MOVES = 5
DEADLINE_S = 900  # the whole run stops by itself after this


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def session_file(folder: Path, i: int) -> Path:
    rng = np.random.default_rng(i)
    n = 150 + 7 * i  # a distinct shape per session
    X = rng.normal(size=(n, 6))
    frame = pd.DataFrame(X, columns=[f"s{i}_x{j}" for j in range(6)])
    frame[f"target_{i}"] = X @ rng.normal(size=6) + rng.normal(size=n)
    path = folder / f"session_{i}.csv"
    frame.to_csv(path, index=False)
    return path


IDLE = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"


async def idle(page) -> None:
    await page.wait_for_timeout(50)
    await page.wait_for_function(IDLE, timeout=120_000)


async def run_session(browser, url: str, i: int, path: Path, latencies: list[float], errors: list[str]) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    own_file, own_target = path.name, f"target_{i}"
    try:
        await page.goto(url + "/data")
        await page.locator('[data-testid="stButtonGroup"] button', has_text="Upload").first.click(timeout=60_000)
        await idle(page)
        await page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
        await page.get_by_text(f"Current file: {own_file}").wait_for(timeout=120_000)
        await idle(page)
        # In-app navigation keeps the session (a new page load would start a new one, without the file).
        await page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Explore").click()
        await page.locator('[data-testid="stMetric"]').first.wait_for(timeout=120_000)
        await idle(page)
        exact = page.locator('[data-testid="stNumberInput"]', has_text="λ (exact)").locator("input")
        for move in range(MOVES):
            current = float(await exact.input_value())
            target = current * (0.5 if move % 2 == 0 else 1.7)
            await exact.fill(f"{target:.6g}")
            start = time.perf_counter()
            await exact.press("Enter")
            await idle(page)
            latencies.append(time.perf_counter() - start)
            sidebar = await page.locator('[data-testid="stSidebar"]').inner_text()
            if own_file not in sidebar or own_target not in sidebar:
                errors.append(f"session {i}: its own data is not shown (sidebar: {sidebar[-160:]!r})")
            body = await page.content()
            leaked = [k for k in range(SESSIONS) if k != i and re.search(rf"(session|target)_{k}(?!\d)", body)]
            if leaked:
                errors.append(f"session {i}: sees another session's data: {leaked[:3]}")
            if await page.locator('[data-testid="stException"]').count() or "Something went wrong on this page" in body:
                errors.append(f"session {i}: an error box after move {move + 1}")
    except Exception as exc:  # a timeout or a missing element is a failed session
        errors.append(f"session {i}: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}")
    finally:
        await context.close()


#: The attack phase: while one session moves λ once a second on diabetes (the probe), another imports
#: a crafted scenarios file (an unclosed string of escaped quotes, 1 MB: quadratic for the old depth
#: check) and opens the heaviest link the page runs without asking (a two-class model whose estimated
#: cost sits just under reglab.limits.WORK_BUDGET_SECONDS). Every probe move must stay under 1 s.
PROBE_MOVES = 15
PROBE_LIMIT_S = 1.0
HEAVIEST_UNASKED = "/explore?dataset=logistic&n=4000&p=600&k=20&seed=11"


def crafted_scenarios(folder: Path) -> Path:
    head = '{"format": "reglab-scenarios", "version": 1, "scenarios": [{"name": "'
    path = folder / "crafted.json"
    path.write_text(head + '\\"' * 500_000)
    return path


async def probe(browser, url: str, latencies: list[float], errors: list[str], started: asyncio.Event) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    try:
        await page.goto(url + "/explore?dataset=diabetes")
        await page.locator('[data-testid="stMetric"]').first.wait_for(timeout=120_000)
        await idle(page)
        exact = page.locator('[data-testid="stNumberInput"]', has_text="λ (exact)").locator("input")
        started.set()
        for move in range(PROBE_MOVES):
            current = float(await exact.input_value())
            await exact.fill(f"{current * (0.6 if move % 2 == 0 else 1.6):.6g}")
            start = time.perf_counter()
            await exact.press("Enter")
            await idle(page)
            latencies.append(time.perf_counter() - start)
            await page.wait_for_timeout(max(0.0, 1000 - 1000 * latencies[-1]))
    except Exception as exc:
        errors.append(f"probe: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}")
    finally:
        await context.close()


async def attacker(browser, url: str, crafted: Path, errors: list[str], started: asyncio.Event) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    try:
        await started.wait()
        await page.goto(url + "/compare?dataset=diabetes")
        await page.locator('[data-testid="stFileUploader"] input[type="file"]').last.set_input_files(str(crafted))
        await page.get_by_text("not valid JSON").first.wait_for(timeout=60_000)
        await page.goto(url + HEAVIEST_UNASKED)
        await page.locator('[data-testid="stMetric"]').first.wait_for(timeout=300_000)
    except Exception as exc:
        errors.append(f"attacker: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}")
    finally:
        await context.close()


async def main() -> int:
    from playwright.async_api import async_playwright

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp, open(Path(tmp) / "server.log", "w") as log:
        files = [session_file(Path(tmp), i) for i in range(SESSIONS)]
        server = start_server(port, log)
        peak = [rss_mb(server.pid)]
        start_rss = peak[0]

        async def sample() -> None:
            while True:
                peak.append(rss_mb(server.pid))
                await asyncio.sleep(0.2)

        latencies: list[float] = []
        probe_latencies: list[float] = []
        errors: list[str] = []
        sampler = asyncio.create_task(sample())
        started = time.perf_counter()
        try:
            async with async_playwright() as pw:
                browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                await asyncio.wait_for(asyncio.gather(*(run_session(browser, url, i, f, latencies, errors)
                                                        for i, f in enumerate(files))), DEADLINE_S)
                ready = asyncio.Event()
                await asyncio.wait_for(asyncio.gather(probe(browser, url, probe_latencies, errors, ready),
                                                      attacker(browser, url, crafted_scenarios(Path(tmp)), errors, ready)),
                                       DEADLINE_S)
                await browser.close()
        finally:
            sampler.cancel()
            elapsed = time.perf_counter() - started
            server.terminate()
            server.wait(timeout=20)
    q = statistics.quantiles(latencies, n=20) if len(latencies) >= 2 else [float("nan")] * 19
    print("| sessions | λ moves | p50 rerun (s) | p95 rerun (s) | errors | server RSS start → peak (MB) | wall (s) |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {SESSIONS} | {len(latencies)} | {statistics.median(latencies) if latencies else float('nan'):.2f} | "
          f"{q[18]:.2f} | {len(errors)} | {start_rss:.0f} → {max(peak):.0f} | {elapsed:.0f} |")
    slow = [t for t in probe_latencies if t > PROBE_LIMIT_S]
    print(f"\nProbe while another session imports a crafted 1 MB scenarios file and opens {HEAVIEST_UNASKED}:")
    print(f"{len(probe_latencies)} λ moves, max {max(probe_latencies, default=float('nan')):.2f} s, "
          f"median {statistics.median(probe_latencies) if probe_latencies else float('nan'):.2f} s, "
          f"{len(slow)} over {PROBE_LIMIT_S:g} s")
    for line in errors:
        print("ERROR", line)
    return 1 if errors or slow or len(latencies) < SESSIONS * MOVES or len(probe_latencies) < PROBE_MOVES else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
