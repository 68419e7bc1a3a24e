"""Links and files that used to take the server down answer within seconds, in Chromium against a
real server, while the server's resident memory stays under 1 GB."""

import time

import openpyxl
import pytest

from conftest import SERVER
from test_browser import assert_no_exception, wait_for_app
from test_browser_data import choose_source

pytestmark = pytest.mark.browser


def server_rss_mb() -> float:
    with open(f"/proc/{SERVER['pid']}/status") as f:
        return next(int(line.split()[1]) / 1024 for line in f if line.startswith("VmRSS:"))


@pytest.mark.parametrize("query, shown", [
    ("dataset=sparse&n=200000&p=2000", "n=200000"),
    ("dataset=sparse&n=inf", "n=inf"),
    ("penalty=elasticnet&l1_ratio=0.02", "l1_ratio=0.02"),
    ("penalty=elasticnet&l1_ratio=0.98", "l1_ratio=0.98"),
])
def test_link_bombs_give_a_message_and_a_working_page(app_url, page, query, shown):
    start = time.monotonic()
    page.goto(f"{app_url}/explore?{query}")
    page.get_by_text(shown).first.wait_for(timeout=5_000)
    page.locator('[data-testid="stMetric"]').first.wait_for(timeout=30_000)
    wait_for_app(page)
    assert time.monotonic() - start < 30
    assert_no_exception(page)
    assert server_rss_mb() < 1000


def test_far_cell_workbook_is_refused_within_seconds(app_url, page, tmp_path):
    book = openpyxl.Workbook()
    book.active["A1"], book.active["B1"], book.active["A2"], book.active["B2"] = "x", "y", 1, 2
    book.active["XFD1048576"] = 1
    path = tmp_path / "far.xlsx"
    book.save(path)
    page.goto(app_url + "/data")
    wait_for_app(page)
    choose_source(page, "Upload")
    start = time.monotonic()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    page.get_by_text("far.xlsx could not be used").wait_for(timeout=5_000)
    assert time.monotonic() - start < 5
    assert "XFD1048576" in page.locator('[data-testid="stMain"]').inner_text()
    assert_no_exception(page)
    assert server_rss_mb() < 1000
