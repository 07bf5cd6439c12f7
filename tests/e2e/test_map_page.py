"""The network map in Chromium: sections through stations without a position are drawn dashed,
estimated positions look different from surveyed ones, and the legend and hover text say so."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

STYLE = """sel => { const e = document.querySelector(sel); const s = getComputedStyle(e);
  return {fill: s.fill, stroke: s.stroke, dash: s.strokeDasharray}; }"""


def test_dashed_courses_and_estimated_positions(
    page: Any, screenshot: Callable[[str], Path]
) -> None:
    page.goto("/map")
    bridges = page.locator("[data-testid=map-bridges] path")
    assert bridges.count() > 10
    titles = [t or "" for t in bridges.locator("title").all_text_contents()]
    assert any("Shu" in t and t.startswith("Estimated course") for t in titles)
    assert any("Merke" in t for t in titles)  # the KRG line to Bishkek
    dashed = page.evaluate(STYLE, "[data-testid=map-bridges] path")
    solid = page.evaluate(STYLE, "svg.netmap .lines path")
    assert dashed["dash"] not in ("none", "")
    assert solid["dash"] == "none"
    estimated = page.evaluate(STYLE, "circle.st.rw-KZH.approx")
    surveyed = page.evaluate(STYLE, "circle.st.rw-KZH:not(.approx)")
    assert estimated["fill"] != surveyed["fill"]
    assert estimated["stroke"] != surveyed["stroke"]
    hover = page.locator("circle.st.approx title").first.text_content() or ""
    assert "estimated position" in hover
    expect(page.get_by_test_id("legend-estimated-position")).to_contain_text("estimated position")
    expect(page.get_by_test_id("legend-estimated-course")).to_contain_text("estimated course")
    screenshot("map-estimated")
