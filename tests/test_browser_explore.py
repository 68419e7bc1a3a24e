"""Explore page in Chromium on the diabetes data: charts drawn, λ moves the non-zero count."""

import re

import pytest

from test_browser import assert_no_exception, wait_for_app

pytestmark = pytest.mark.browser


def nonzero_count(page) -> int:
    card = page.locator('[data-testid="stMetric"]').filter(has_text="Non-zero coefficients")
    return int(re.search(r"(\d+) of \d+", card.inner_text()).group(1))


def test_charts_are_drawn_and_moving_lambda_changes_the_nonzero_count(app_url, page):
    page.goto(app_url + "/explore")
    wait_for_app(page)
    page.wait_for_selector('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg', timeout=60_000)
    assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 1
    before = nonzero_count(page)
    exact = page.get_by_role("spinbutton", name="λ (exact)")
    exact.fill("30")
    exact.press("Enter")
    page.wait_for_function(
        "n => [...document.querySelectorAll('[data-testid=stMetric]')].some(e => e.innerText.includes('Non-zero') && !e.innerText.includes(n + ' of'))",
        arg=str(before), timeout=30_000,
    )
    wait_for_app(page)
    assert nonzero_count(page) < before
    for name in ("Sparsity", "Cross-validation", "Bias–variance"):
        page.get_by_role("tab", name=re.compile(name)).click()
        page.wait_for_timeout(500)
        wait_for_app(page)
        visible = page.locator('[data-testid="stVegaLiteChart"]:visible canvas, [data-testid="stVegaLiteChart"]:visible svg')
        visible.first.wait_for(timeout=30_000)
    assert_no_exception(page)
    assert "lam=30" in page.url
