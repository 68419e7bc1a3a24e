"""Compare page in Chromium: three penalties drawn, a scenario saved and compared, no exception box."""

import pytest

from test_browser import assert_no_exception, wait_for_app

pytestmark = pytest.mark.browser


def test_three_penalties_drawn_and_scenarios_saved_and_compared(app_url, page):
    page.goto(app_url + "/compare")
    wait_for_app(page)
    main = page.locator('[data-testid="stMain"]')
    facets = page.locator('[data-testid="stVegaLiteChart"]').filter(has_text="L2 (ridge)")
    facets.first.wait_for(timeout=60_000)
    small_multiples = page.locator('[data-testid="stVegaLiteChart"]').filter(has_text="λ (log)")
    small_multiples.nth(2).wait_for(timeout=60_000)
    text = " ".join(chart.inner_text() for chart in small_multiples.all())
    assert "L1 (lasso)" in text and "L2 (ridge)" in text and "elastic net" in text
    page.get_by_role("button", name="Save these three fits as scenarios").click()
    wait_for_app(page)
    page.get_by_role("combobox", name="Scenario B").wait_for(timeout=60_000)
    wait_for_app(page)
    assert "Scenario A" in main.inner_text()
    # The scenario table and the two diff tables follow the side-by-side table (waited for, not
    # counted mid-rerun: the combobox can appear before the tables below it are drawn).
    page.locator('[data-testid="stDataFrame"]').nth(3).wait_for(timeout=60_000)
    assert_no_exception(page)


def test_the_browser_asks_before_a_reload_discards_saved_scenarios(app_url, page):
    page.goto(app_url + "/compare")
    wait_for_app(page)
    page.get_by_role("button", name="Save these three fits as scenarios").click()
    wait_for_app(page)
    page.get_by_role("combobox", name="Scenario B").wait_for(timeout=60_000)
    page.wait_for_function("() => !!window.__reglabAsk", timeout=10_000)  # the guard's frame has run
    # A reload as the page itself would do it (Playwright's own reload skips beforeunload).
    with page.expect_event("dialog", timeout=10_000) as asked:
        page.evaluate("() => setTimeout(() => location.reload(), 10)")
    assert asked.value.type == "beforeunload"
    asked.value.dismiss()  # stay on the page
    page.wait_for_timeout(500)
    assert page.get_by_role("combobox", name="Scenario B").count() == 1  # still here, scenarios kept
    assert_no_exception(page)
