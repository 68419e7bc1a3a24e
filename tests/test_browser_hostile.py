"""Hostile text in Chromium: a file whose column names are Markdown, links, LaTeX and colour
directives is shown literally everywhere, tooltips included; no link, no markup, no exception."""

import numpy as np
import pandas as pd
import pytest

from test_browser import assert_no_exception, wait_for_app
from test_browser_data import choose_source

pytestmark = pytest.mark.browser

TARGET = "[click me](https://example.com) **bold** :red[x] $x^2$"
FEATURE = "<img src=x onerror=alert(1)> www.example.org a@b.co"


def hostile_csv(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3))
    frame = pd.DataFrame({"plain": X[:, 0], FEATURE: X[:, 1], "other": X[:, 2]})
    frame[TARGET] = X @ [1.0, -2.0, 0.5] + rng.normal(size=80)
    path = tmp_path / "hostile.csv"
    frame.to_csv(path, index=False)
    return path


def assert_inert(page):
    main = page.locator('[data-testid="stMain"]')
    for host in ("example.com", "example.org", "mailto:"):
        assert main.locator(f'a[href*="{host}"]').count() == 0, host
    assert main.locator("strong", has_text="bold").count() == 0
    assert main.locator("img").count() == 0
    assert main.locator(".katex").count() == 0
    assert_no_exception(page)


def test_hostile_names_are_text_on_every_page_and_in_tooltips(app_url, page, tmp_path):
    page.goto(app_url + "/data")
    wait_for_app(page)
    choose_source(page, "Upload")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(hostile_csv(tmp_path)))
    page.get_by_text("Current file: hostile.csv").wait_for(timeout=30_000)
    wait_for_app(page)
    assert_inert(page)
    # In-app navigation keeps the session (a new page load starts a new one, without the file).
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Explore").click()
    wait_for_app(page)
    page.locator('[data-testid="stMetric"]').first.wait_for(timeout=60_000)
    assert_inert(page)
    # The Training RMSE tooltip names the target: literally.
    metric = page.locator('[data-testid="stMetric"]', has_text="Training RMSE")
    metric.locator('[data-testid="stTooltipHoverTarget"], [data-testid="stTooltipIcon"]').first.hover()
    tip = page.locator('[data-testid="stTooltipContent"]')
    tip.wait_for(timeout=10_000)
    # Shown literally; the invisible word joiner that breaks autolinking is the only addition.
    assert TARGET in tip.inner_text().replace("\u2060", "")
    assert tip.locator("a").count() == 0 and tip.locator("strong").count() == 0
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Compare").click()
    wait_for_app(page)
    page.get_by_text("Side by side").wait_for(timeout=60_000)
    assert_inert(page)
