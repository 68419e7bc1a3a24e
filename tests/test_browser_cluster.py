"""Server datasets in Chromium: pick the operator's dataset, run its path and CV, move λ; no exception box."""

import pytest

from test_browser import assert_no_exception, follow_link, wait_for_app
from test_browser_data import choose_source, pick_option

pytestmark = pytest.mark.browser


def metric(page, label: str) -> str:
    box = page.locator('[data-testid="stMetric"]', has_text=label).first
    return box.locator('[data-testid="stMetricValue"]').inner_text()


def test_pick_a_server_dataset_run_it_and_move_lambda(app_url, page):
    page.goto(app_url + "/data")
    wait_for_app(page)
    choose_source(page, "On the server")
    page.get_by_text("3,000 rows × 7 columns · target: sales · least squares").wait_for(timeout=30_000)
    pick_option(page, "Server dataset", "Bought <b>it</b> *twice*")
    page.get_by_text("Bought <b>it</b> *twice*", exact=False).first.wait_for()  # the name as text, not markup
    pick_option(page, "Server dataset", "Store sales")
    follow_link(page, "Explore it", "/explore")
    page.get_by_role("button", name="Run on the cluster").click()
    page.locator('[data-testid="stMetric"]', has_text="Passes over the data").wait_for(timeout=120_000)
    wait_for_app(page)
    assert metric(page, "Passes over the data") == "2"
    before = metric(page, "CV mean squared error")
    exact = page.locator('[data-testid="stNumberInput"]', has_text="λ (exact)").locator("input")
    exact.fill("0.3")
    exact.press("Enter")
    page.wait_for_function(
        "(before) => [...document.querySelectorAll('[data-testid=\"stMetric\"]')].some(m => "
        "m.innerText.includes('CV mean squared error') && !m.innerText.includes(before))", arg=before, timeout=60_000)
    wait_for_app(page)
    assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 2
    assert "on the server (Dask)" in page.locator('[data-testid="stSidebar"]').inner_text()
    assert_no_exception(page)
