"""A forwarder compares routes in the browser: station suggestions, the form, the alternatives.

Headless Debian Chromium against a live server (fixtures in conftest.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

Shot = Callable[[str], Path]


def choose_suggestion(page: Any, field: str, typed: str, esr: str) -> str:
    """Type part of a name, wait for htmx to fill the datalist, take the suggestion."""
    box = page.get_by_test_id(f"field-{field}")
    box.press_sequentially(typed, delay=40)
    option = page.locator(f"#{field}-options option[value^='{esr} ']")
    expect(option).to_have_count(1)  # suggested while typing, nothing submitted yet
    value = str(option.get_attribute("value"))
    box.fill(value)
    return value


def test_compare_routes_with_suggestions_marks_and_maps(page: Any, screenshot: Shot) -> None:
    page.goto("/")
    page.locator("nav.mainnav a[href='/quote']").click()
    expect(page.locator("h1")).to_have_text("Routes & quotes")

    chosen = choose_suggestion(page, "from", "Костан", "684001")
    assert chosen.startswith("684001 ")
    choose_suggestion(page, "to", "Душанбе I", "745309")
    page.get_by_test_id("field-cargo").fill("011005 Пшеница")
    page.get_by_test_id("field-mass").fill("60000")
    page.get_by_test_id("quote-submit").click()

    alternatives = page.get_by_test_id("alternative")
    expect(alternatives.first).to_be_visible()
    assert alternatives.count() >= 2
    expect(page.get_by_test_id("demo-banner")).to_contain_text("Demo rates")
    for mark in ("fastest", "shortest"):
        expect(page.get_by_test_id(f"mark-{mark}").first).to_be_visible()
    # KZH's and TDZ's legs are national (not loaded): partial totals, none marked cheapest
    expect(page.get_by_test_id("partial-charge").first).to_be_visible()
    expect(page.get_by_test_id("leg-not-charged").first).to_contain_text("not loaded")
    assert page.get_by_test_id("mark-cheapest").count() == 0
    maps = page.get_by_test_id("route-map")
    assert maps.count() == alternatives.count()
    expect(maps.first).to_be_visible()
    assert maps.first.locator("path.leg").count() >= 2  # one per railway of the route
    assert maps.first.locator("[data-border='true']").count() >= 1

    first = alternatives.first
    first.get_by_test_id("explanation").locator("summary").click()
    expect(first.get_by_test_id("explanation")).to_contain_text("CHF/t")
    screenshot("quote-compare")
