"""Learn page in Chromium: the seed numbers are visible and the geometry chart is really drawn."""

import pytest

from test_browser import assert_no_exception, wait_for_app

pytestmark = pytest.mark.browser


def test_geometry_chart_is_drawn_and_seed_numbers_are_visible(app_url, page, tmp_path):
    page.goto(app_url + "/learn")
    wait_for_app(page)
    main = page.locator('[data-testid="stMain"]')
    page.get_by_text("1.269").first.wait_for(timeout=30_000)
    for number in ("2.515", "−0.8084", "0.1048", "1.234", "2.519", "−0.809", "0.104", "0.103"):
        assert number in main.inner_text()
    chart = page.locator('[data-testid="stVegaLiteChart"]').filter(has_text="constraint ‖w‖ ≤ t").first
    chart.scroll_into_view_if_needed()
    chart.locator("canvas, svg").first.wait_for(timeout=30_000)
    chart.screenshot(path=str(tmp_path / "geometry.png"))  # kept for a person to look at on failure
    box = chart.bounding_box()
    assert box["width"] > 300 and box["height"] > 300
    # A drawn chart is not a blank rectangle: its SVG holds the contour and ball paths, in several colours.
    stats = chart.locator("svg").first.evaluate(
        """s => { const marks = [...s.querySelectorAll('path, line, circle')];
                  const strokes = new Set(marks.map(m => m.getAttribute('stroke') || m.style.stroke).filter(Boolean));
                  const longPaths = marks.filter(m => (m.getAttribute('d') || '').length > 200).length;
                  return {marks: marks.length, strokes: strokes.size, longPaths: longPaths}; }"""
    )
    assert stats["longPaths"] >= 6 and stats["strokes"] >= 3, stats  # ≥ 4 contours + 2 balls, grey + 2 colours
    assert_no_exception(page)
