"""Every page renders through streamlit.testing.v1.AppTest without an exception."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from conftest import open_page

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ["app.py", "pages/1_data.py", "pages/2_explore.py", "pages/3_compare.py", "pages/4_learn.py"]


def run_page(script: str, **query) -> AppTest:
    return open_page(script, **query)


@pytest.mark.parametrize("script", SCRIPTS)
def test_page_renders_with_shared_frame_and_no_exception(script):
    at = run_page(script)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, "every page has a title"
    sidebar_text = " ".join(t.value for t in at.sidebar.text)
    assert "Diabetes" in sidebar_text and "442 rows" in sidebar_text


def test_home_page_explains_and_shows_a_live_lasso_path():
    at = run_page("app.py")
    assert at.title[0].value == "Regularization Lab"
    assert "L1 (lasso)" in at.markdown[0].value and "L2 (ridge)" in at.markdown[0].value
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
