"""What a person does in the browser: find a station, open it, switch language, read the map,
log in and out. Headless Debian Chromium against a live server (fixtures in conftest.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

Shot = Callable[[str], Path]


def test_home_explains_temir_and_links_to_the_pages(page: Any, screenshot: Shot) -> None:
    page.goto("/")
    expect(page.locator("h1")).to_contain_text("1520 mm")
    expect(page.locator("nav.mainnav a[href='/stations']")).to_have_text("Stations")
    expect(page.locator("nav.mainnav a[href='/map']")).to_have_text("Map")
    screenshot("home")


@pytest.mark.parametrize("typed", ["Костанай", "kostanay"])
def test_type_a_name_and_open_the_station(page: Any, screenshot: Shot, typed: str) -> None:
    page.goto("/stations")
    page.get_by_test_id("station-query").press_sequentially(typed, delay=40)
    results = page.get_by_test_id("station-results")
    link = results.locator("a.code[href='/stations/684001']")
    expect(link).to_be_visible()  # appeared without submitting: the live search
    expect(page).to_have_url(re.compile(r"/stations\?q="))
    if typed == "Костанай":
        screenshot("stations-search")
    results.locator("a.station-name").first.click()
    expect(page).to_have_url(re.compile(r"/stations/684001$"))
    expect(page.get_by_test_id("station-name")).to_contain_text("Kostanay")
    expect(page.get_by_test_id("station-codes")).to_contain_text("684001")
    if typed == "Костанай":
        screenshot("station-detail")


def test_a_station_with_an_export_code_shows_both_codes(page: Any) -> None:
    page.goto("/stations/708403")  # Достык
    codes = page.get_by_test_id("station-codes")
    expect(codes).to_contain_text("708403")
    expect(codes).to_contain_text("708507")
    expect(codes).to_contain_text("export code")
    expect(page.get_by_test_id("station-crossings")).to_contain_text("Alashankou")


def test_search_without_javascript_is_a_plain_form(browser: Any, live_server: Any) -> None:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto("/stations")
        tab.fill("input[name=q]", "Сарыагаш")
        tab.click("button[type=submit]")
        expect(tab).to_have_url(re.compile(r"/stations\?q="))
        expect(tab.locator("table.results")).to_contain_text("704101")
    finally:
        context.close()


def test_switch_language_and_back(page: Any) -> None:
    page.goto("/stations/684001")
    expect(page.locator("nav.mainnav a[href='/stations']")).to_have_text("Stations")
    page.locator(".langs a[data-lang='ru']").click()
    expect(page).to_have_url(re.compile(r"/stations/684001$"))  # stays on the same page
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator("nav.mainnav a[href='/stations']")).to_have_text("Станции")
    expect(page.get_by_test_id("station-name")).to_have_text("Костанай")
    page.goto("/map")  # the choice is remembered
    expect(page.locator("h1")).to_have_text("Карта сети")
    page.locator(".langs a[data-lang='en']").click()
    expect(page.locator("h1")).to_have_text("Network map")


def test_map_draws_the_network_with_border_points(page: Any, screenshot: Shot) -> None:
    page.goto("/map")
    svg = page.locator("svg.netmap.overview")
    expect(svg).to_be_visible()
    assert svg.locator("path").count() >= 5  # one layer per railway
    assert svg.locator("[data-border='true']").count() >= 30
    box = svg.bounding_box()
    assert box is not None
    assert box["width"] > 600
    assert box["height"] > 300
    expect(svg).to_contain_text("© OpenStreetMap contributors")
    expect(page.get_by_test_id("map-legend")).to_be_visible()
    screenshot("map")
    svg.locator("a[href='/stations/684001']").click()
    expect(page).to_have_url(re.compile(r"/stations/684001$"))


def test_unknown_station_is_a_page_not_an_error_body(page: Any, screenshot: Shot) -> None:
    response = page.goto("/stations/999999")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_test_id("not-found")).to_be_visible()
    screenshot("not-found")


def test_log_in_as_a_demo_user_and_out(page: Any, live_server: Any, screenshot: Shot) -> None:
    demo = live_server.demo
    page.goto("/stations")
    page.get_by_test_id("login-link").click()
    page.get_by_test_id("login-username").fill(demo.username)
    page.get_by_test_id("login-password").fill(demo.password)
    screenshot("login")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("current-user")).to_have_text(demo.full_name)
    page.goto("/map")
    expect(page.get_by_test_id("current-user")).to_have_text(demo.full_name)
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_test_id("login-link")).to_be_visible()
    expect(page.get_by_test_id("current-user")).to_have_count(0)


def test_wrong_password_is_refused(page: Any, live_server: Any) -> None:
    page.goto("/login")
    page.get_by_test_id("login-username").fill(live_server.demo.username)
    page.get_by_test_id("login-password").fill("not-the-password")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("login-error")).to_be_visible()
    expect(page.get_by_test_id("current-user")).to_have_count(0)
