"""The analyst's toolkit in Chromium on an uploaded CSV: the information criteria under the CV curve move λ,
the bootstrap intervals are drawn on the bars, the model checks draw their four charts, the What-if tab
fills its form from a row and its prediction follows a typed value; no exception box."""

import re

import numpy as np
import pandas as pd
import pytest

from test_browser import assert_no_exception, drawn_chart, follow_link, wait_for_app
from test_browser_data import choose_source

pytestmark = pytest.mark.browser

HOSTILE = '[x](http://e) **b** "]]; q <- 1'


def upload_and_explore(page, app_url, frame, tmp_path) -> None:
    """Upload ``frame`` as homes.csv on the Data page (its target: price) and follow the link to Explore."""
    csv = tmp_path / "homes.csv"
    frame.to_csv(csv, index=False)
    page.goto(app_url + "/data")
    wait_for_app(page)
    choose_source(page, "Upload")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(csv))
    page.get_by_text("target 'price'").first.wait_for(timeout=30_000)
    wait_for_app(page)
    follow_link(page, "Explore this dataset", "/explore")


def homes(seed: int, n: int, cities: list[str]) -> pd.DataFrame:
    """A homes table: size, a column with a hostile name, a city (text) and the price they explain."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"size": rng.normal(50, 10, n), HOSTILE: rng.normal(size=n), "city": rng.choice(cities, n)})
    frame["price"] = 0.3 * frame["size"] + 2 * frame[HOSTILE] + rng.normal(size=n)
    return frame


def test_criteria_and_what_if_on_an_uploaded_csv(app_url, page, tmp_path):
    frame = homes(0, 160, ["north", "south", "east"])
    upload_and_explore(page, app_url, frame, tmp_path)
    page.get_by_role("tab", name=re.compile("Cross-validation")).click()
    wait_for_app(page)
    drawn_chart(page, "criterion (smaller is better)", timeout=60_000)
    bic = page.get_by_role("button", name=re.compile(r"λ by BIC = "))
    chosen = re.search(r"= (\S+)", bic.inner_text()).group(1)
    bic.click()
    wait_for_app(page)
    page.wait_for_function("v => { const e = document.querySelector('input[aria-label=\"λ (exact)\"]');"
                           " return e && Number(e.value).toPrecision(3) === Number(v).toPrecision(3); }", arg=chosen,
                           timeout=30_000)
    assert_no_exception(page)

    page.get_by_role("tab", name=re.compile("Sparsity")).click()
    wait_for_app(page)
    page.get_by_text("Bootstrap intervals", exact=True).click()
    page.get_by_text("Grey whiskers").first.wait_for(timeout=60_000)
    wait_for_app(page)
    drawn_chart(page, "coefficient (standardized units)", timeout=30_000)
    assert_no_exception(page)

    page.get_by_role("tab", name=re.compile("Model checks")).click()
    wait_for_app(page)
    for title in ("predicted against observed", "residuals against predicted", "histogram", "normal Q–Q"):
        drawn_chart(page, title, timeout=30_000)
    assert_no_exception(page)

    page.get_by_role("tab", name=re.compile("What-if")).click()
    wait_for_app(page)
    start = page.get_by_role("spinbutton", name="Start from row of the table")
    start.fill("7")
    start.press("Enter")
    wait_for_app(page)
    size = page.get_by_role("spinbutton", name="size", exact=True)  # the typed row fills the form by itself
    page.wait_for_function("v => { const e = document.querySelector('input[aria-label=\"size\"]');"
                           " return e && Math.abs(Number(e.value) - v) < 1e-3 * Math.abs(v); }",
                           arg=float(frame["size"].iloc[6]), timeout=30_000)
    assert float(size.input_value()) == pytest.approx(frame["size"].iloc[6], rel=1e-5)
    card = page.locator('[data-testid="stMetric"]').filter(has_text="Predicted price")
    before = card.inner_text()
    size.fill(str(float(frame["size"].iloc[6]) + 30.0))
    size.press("Enter")
    page.wait_for_function("b => [...document.querySelectorAll('[data-testid=stMetric]')]"
                           ".some(e => e.innerText.includes('Predicted price') && e.innerText !== b)", arg=before,
                           timeout=30_000)
    wait_for_app(page)
    drawn_chart(page, "(intercept)", timeout=30_000)  # the waterfall
    page.get_by_text(HOSTILE, exact=True).first.wait_for(timeout=10_000)  # the column name shown as typed
    assert page.locator('a[href="http://e"]').count() == 0
    assert_no_exception(page)


def test_the_report_downloads_and_renders_every_chart_offline(app_url, page, browser, tmp_path):
    upload_and_explore(page, app_url, homes(1, 120, ["north", "<script>alert(1)</script>", "east"]), tmp_path)
    drawn_chart(page, timeout=60_000)
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name="Report (HTML)").click()
    report = tmp_path / "report.html"
    download.value.save_as(report)
    assert_no_exception(page)
    text = report.read_text(encoding="utf-8")
    assert "<script" not in text.lower().replace("&lt;script", "")  # the file runs nothing; the level stays text
    assert "homes.csv: target &#x27;price&#x27;" in text  # the upload, named as the session had it
    # offline: a context that refuses every request still shows the whole report
    context = browser.new_context(offline=True)
    requests = []
    context.on("request", lambda r: requests.append(r.url))
    offline = context.new_page()
    offline.goto(report.as_uri())
    assert offline.locator("figure svg").count() == 7  # path, CV, criteria and the four model checks, each drawn
    for svg in offline.locator("figure svg").all():
        box = svg.bounding_box()
        assert box["width"] > 200 and box["height"] > 100 and svg.locator("path, rect, circle").count() > 5
    assert offline.get_by_text(HOSTILE).count() >= 1 and offline.locator('a[href="http://e"]').count() == 0
    assert offline.get_by_text("<script>alert(1)</script>").count() >= 1  # a cell shown as text
    assert [u for u in requests if not u.startswith("file:")] == []
    for heading in ("Data", "Model", "Metrics at λ", "Coefficients at λ", "Model checks", "Scripts that refit this model"):
        assert offline.get_by_role("heading", name=heading, exact=True).count() == 1
    context.close()
