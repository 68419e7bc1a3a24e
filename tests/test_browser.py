"""Browser smoke test: a real `streamlit run`, headless Chromium, deep link first."""

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

pytestmark = pytest.mark.browser

PAGES = [
    ("/learn", "Learn"),  # first request to the fresh server is a deep link
    ("/", "Regularization Lab"),
    ("/data", "Data"),
    ("/explore", "Explore"),
    ("/compare", "Compare"),
    ("/learn", "Learn"),
]
NAV_LABELS = ["Home", "Data", "Explore", "Compare", "Learn"]


def wait_for_app(page):
    page.wait_for_selector('[data-testid="stAppViewContainer"]', timeout=30_000)
    page.wait_for_selector("h1", timeout=30_000)
    # The sidebar menu is drawn by every page's first call (the shared frame).
    page.locator('[data-testid="stSidebar"] a').first.wait_for(timeout=60_000)
    # The script finished: Streamlit's own end-to-end tests wait on the app root's script state.
    # (The running indicator alone is not enough: it appears only after 500 ms of running, so an
    # action in a run's first half second would meet a page about to be redrawn.)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', state="attached", timeout=60_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)


def follow_link(page, name, path: str) -> None:
    """Click the page link ``name`` and wait until the app is on ``path`` with its script finished.

    A person whose click met a page still busy (a grid committing an edit under a loaded CI machine
    once swallowed it, and once took the page back after it had moved) clicks again; so does this,
    up to three times."""
    link = page.get_by_role("link", name=name).first
    target = re.compile(re.escape(path) + r"(\?|$)")
    for attempt in range(3):
        link.click()
        try:
            page.wait_for_url(target, timeout=15_000 if attempt < 2 else 30_000)
        except PlaywrightTimeoutError:
            if attempt == 2:
                raise
            continue
        wait_for_app(page)
        # A rerun still in flight from the previous page (a grid edit's) can finish after the click and take
        # the page back (seen on a loaded CI machine): a person on the old page clicks again.
        if target.search(page.url):
            return
    raise AssertionError(f"{name!r} did not lead to {path}: the page is {page.url}")


def drawn_chart(page, has_text: str | None = None, timeout: int = 30_000):
    """The first visible chart (holding ``has_text``, e.g. an axis title), once it is drawn."""
    charts = page.locator('[data-testid="stVegaLiteChart"]:visible')
    chart = (charts.filter(has_text=has_text) if has_text else charts).first
    chart.locator("canvas, svg").first.wait_for(timeout=timeout)
    return chart


def assert_no_exception(page):
    boxes = page.locator('[data-testid="stException"]')
    assert boxes.count() == 0, boxes.first.inner_text()
    # reglab.ui.page_guard turns an unexpected failure into a message with an incident id: a failure too.
    guarded = page.get_by_text("Something went wrong on this page")
    assert guarded.count() == 0, guarded.first.inner_text()


def test_deep_link_then_every_page_has_its_content_sidebar_and_no_exception(app_url, page):
    for path, heading in PAGES:
        page.goto(app_url + path)
        wait_for_app(page)
        assert page.locator("h1").first.inner_text().strip().startswith(heading)
        sidebar = page.locator('[data-testid="stSidebar"]')
        for label in NAV_LABELS:
            sidebar.get_by_role("link", name=label).first.wait_for(timeout=30_000)
        assert "Diabetes" in sidebar.inner_text()
        assert_no_exception(page)


def test_sidebar_link_navigates_to_the_page(app_url, page):
    page.goto(app_url + "/")
    wait_for_app(page)
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Learn").click()
    page.wait_for_url(re.compile(r"/learn(\?|$)"))  # the view's query string follows the path
    wait_for_app(page)
    assert page.locator("h1").first.inner_text().startswith("Learn")


def test_home_chart_is_drawn(app_url, page):
    page.goto(app_url + "/")
    wait_for_app(page)
    page.wait_for_selector('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg', timeout=30_000)
    assert_no_exception(page)
