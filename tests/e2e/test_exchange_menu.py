"""The /exchange page is in the menu for those who may see it: a railway's operator reaches
it by the menu, a consignee sees no such entry (and is refused at the address)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.test_tracking_pages import _log_in_as

pytestmark = pytest.mark.browser


def test_an_operator_reaches_the_exchange_page_from_the_menu(page: Any, live_server: Any) -> None:
    from playwright.sync_api import expect

    _log_in_as(page, "demo-kzh", "/tracking")
    link = page.get_by_test_id("nav-exchange")
    expect(link).to_be_visible()
    link.click()
    page.wait_for_url("**/exchange")
    expect(page.get_by_test_id("nav-exchange")).to_have_attribute("aria-current", "page")
    expect(page.locator("main h1")).to_be_visible()


def test_a_consignee_has_no_exchange_entry(page: Any, live_server: Any) -> None:
    from playwright.sync_api import expect

    _log_in_as(page, "demo-consignee", "/tracking")
    expect(page.get_by_test_id("current-user")).to_be_visible()
    expect(page.get_by_test_id("nav-exchange")).to_have_count(0)
    answer = page.goto("/exchange")
    assert answer is not None
    assert answer.status == 403
