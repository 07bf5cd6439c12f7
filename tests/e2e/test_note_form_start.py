"""The new-note form opens clean (errors come after the user acts) and a note can be started
from a quote's route, in a real browser."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_notes_pages import _log_in

pytestmark = pytest.mark.browser
Shot = Callable[[str], Path]


def test_new_form_shows_no_errors_until_the_user_types(
    page: Any, live_server: Any, screenshot: Shot
) -> None:
    from playwright.sync_api import expect

    _log_in(page, live_server, "/notes/new")
    page.wait_for_load_state("networkidle")
    expect(page.locator(".issue.error")).to_have_count(0)
    expect(page.get_by_test_id("check-summary")).to_have_text("")
    screenshot("notes-new-clean")
    page.get_by_test_id("f-wagons.0.number").fill("12345678")  # a wrong check digit
    expect(page.get_by_test_id("issues-7").locator(".issue").first).to_contain_text("Box 7")


def test_a_note_started_from_a_quote_has_route_borders_carriers_and_cargo(
    page: Any, live_server: Any, screenshot: Shot
) -> None:
    from playwright.sync_api import expect

    _log_in(page, live_server, "/notes")
    page.goto("/quote?from=684001&to=745309&cargo=011005&mass_kg=60000")
    first = page.get_by_test_id("alternative").first
    km = first.get_attribute("data-km")
    first.get_by_test_id("start-note").click()
    page.wait_for_url("**/notes/new?**")
    expect(page.get_by_test_id("from-quote")).to_contain_text(f"{km}")
    expect(page.get_by_test_id("f-departure.esr")).to_have_value("684001")
    expect(page.get_by_test_id("f-destination.esr")).to_have_value("745309")
    expect(page.get_by_test_id("f-border_stations.0.esr")).not_to_have_value("")
    expect(page.get_by_test_id("f-carriers.0.carrier")).to_have_value("KZH")
    expect(page.get_by_test_id("f-goods.0.etsng")).to_have_value("011005")
    expect(page.get_by_test_id("f-goods.0.mass_kg")).to_have_value("60000")
    screenshot("notes-new-from-quote")
