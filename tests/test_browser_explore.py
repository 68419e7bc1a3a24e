"""Explore page in Chromium on the diabetes data: charts drawn, λ moves the non-zero count."""

import re

import pytest

from test_browser import assert_no_exception, drawn_chart, wait_for_app

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
        "n => [...document.querySelectorAll('[data-testid=stMetric]')]"
        ".some(e => e.innerText.includes('Non-zero') && !e.innerText.includes(n + ' of'))",
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
    # the translator opens on a click and shows this λ in glmnet's terms (drawn only while open)
    page.get_by_role("button", name=re.compile("Same model in scikit-learn")).click()
    page.get_by_text("glmnet(x, y, alpha = 1, lambda = 30").wait_for(timeout=30_000)
    wait_for_app(page)
    assert_no_exception(page)


def test_clicking_the_cv_chart_moves_lambda(app_url, page):
    page.goto(app_url + "/explore?dataset=diabetes&penalty=l1&lam=4.40206")
    wait_for_app(page)
    # The λ input shows its minimum for a moment while the first run settles: start from the linked λ.
    lambda_is = "v => { const e = document.querySelector('input[aria-label=\"λ (exact)\"]'); return e && e.value === v; }"
    page.wait_for_function(lambda_is, arg="4.40206", timeout=30_000)
    page.get_by_role("tab", name=re.compile("Cross-validation")).click()
    chart = drawn_chart(page, "λ.min")
    chart.scroll_into_view_if_needed()
    wait_for_app(page)
    page.wait_for_function(lambda_is, arg="4.40206", timeout=30_000)
    before = page.get_by_role("spinbutton", name="λ (exact)").input_value()
    box = chart.bounding_box()
    # A point on the curve near the left (small λ): the nearest-point selection picks its λ.
    page.mouse.click(box["x"] + box["width"] * 0.15, box["y"] + box["height"] * 0.55)
    page.wait_for_function(
        "v => { const e = [...document.querySelectorAll('input[aria-label=\"λ (exact)\"]')][0]; return e && e.value !== v; }",
        arg=before, timeout=30_000,
    )
    wait_for_app(page)
    after = float(page.get_by_role("spinbutton", name="λ (exact)").input_value())
    assert after < float(before)  # clicked left of the current λ: a smaller λ
    assert_no_exception(page)


def test_a_second_click_on_the_same_chart_spot_after_a_lambda_button_moves_lambda_again(app_url, page):
    page.goto(app_url + "/explore?dataset=diabetes&penalty=l1&lam=4.40206")
    wait_for_app(page)
    exact = page.get_by_role("spinbutton", name="λ (exact)")
    page.get_by_role("tab", name=re.compile("Cross-validation")).click()
    chart = drawn_chart(page, "λ.min")
    chart.scroll_into_view_if_needed()
    wait_for_app(page)

    def click_spot():
        box = chart.bounding_box()
        before = exact.input_value()
        page.mouse.click(box["x"] + box["width"] * 0.15, box["y"] + box["height"] * 0.55)
        page.wait_for_function(
            "v => { const e = document.querySelector('input[aria-label=\"λ (exact)\"]'); return e && e.value !== v; }",
            arg=before, timeout=30_000)
        wait_for_app(page)
        return exact.input_value()

    picked = click_spot()
    page.get_by_role("button", name=re.compile("λ.1se")).click()
    page.wait_for_function(
        "v => { const e = document.querySelector('input[aria-label=\"λ (exact)\"]'); return e && e.value !== v; }",
        arg=picked, timeout=30_000)
    wait_for_app(page)
    chart = drawn_chart(page, "λ.min")
    page.wait_for_timeout(500)  # the redrawn chart's Vega view attaches its click handlers after rendering
    assert click_spot() == picked
    assert_no_exception(page)


def test_the_relaxed_lasso_tab_moves_gamma_from_the_keyboard(app_url, page):
    page.goto(app_url + "/explore?dataset=diabetes&tab=relaxed")
    wait_for_app(page)
    page.get_by_text("Cross-validation over (λ, γ)").first.wait_for(timeout=60_000)
    page.locator('[data-testid="stMetric"]').filter(has_text="Test RMSE, γ = 0").first.wait_for(timeout=30_000)
    # the γ slider, as a person would: focus its handle and press the right arrow once (0 → 0.25)
    gamma = page.locator('[data-testid="stSlider"]').filter(has_text="Relaxation γ").get_by_role("slider")
    gamma.focus()
    gamma.press("ArrowRight")
    page.locator('[data-testid="stMetric"]').filter(has_text="Test RMSE, γ = 0.25").first.wait_for(timeout=30_000)
    wait_for_app(page)
    for title in ("standardized coefficient", "mean squared error (CV)"):
        drawn_chart(page, title)
    assert "gamma=0.25" in page.url
    assert_no_exception(page)
