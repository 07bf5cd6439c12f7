"""The tracking pages in a browser: a wagon's timeline, map, custody and ETA; a border point;
a handover act offered by one railway and accepted by the next."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser
Shot = Callable[[str], Path]
IN_TRANSIT = [f"TRK{n:05d}" for n in range(25, 31)]
"""The demo's shipments on their way now (temir.demo.tracking)."""


def _log_in_as(page: Any, username: str, target: str) -> None:
    from temir.demo import accounts as demo_accounts
    from temir.demo import service as demo_service

    page.goto(target)
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(
        demo_accounts.demo_password(demo_service.DEFAULT_SEED, username)
    )
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"**{target.split('?')[0]}*")


def test_the_consignee_searches_and_sees_timeline_map_custody_and_eta(
    page: Any, live_server: Any, screenshot: Shot
) -> None:
    from playwright.sync_api import expect

    _log_in_as(page, "demo-consignee", "/tracking")
    page.get_by_test_id("track-search").locator("input[name=q]").fill(IN_TRANSIT[0])
    page.get_by_test_id("track-search").locator("button").click()
    result = page.get_by_test_id("track-result")
    expect(result).to_be_visible()
    expect(result).to_contain_text(IN_TRANSIT[0])
    expect(page.get_by_test_id("synthetic")).to_be_visible()
    expect(page.get_by_test_id("unit-row")).to_have_count(2)
    expect(page.get_by_test_id("custody").first).not_to_have_text("—")
    expect(page.get_by_test_id("eta")).to_contain_text("ETA by progress")
    expect(page.get_by_test_id("unverified-norms")).to_be_visible()
    expect(page.get_by_test_id("route-marker").first).to_be_attached()
    assert page.get_by_test_id("event-row").count() > 2
    screenshot("tracking-wagon-in-transit")
    page.get_by_test_id("border-link").first.click()
    expect(page.get_by_test_id("border-title")).to_contain_text("↔")


def test_a_border_point_shows_waiting_wagons_and_monthly_dwell(
    page: Any, live_server: Any, screenshot: Shot
) -> None:
    from playwright.sync_api import expect

    _log_in_as(page, "demo-kzh", "/tracking/borders/704101")
    expect(page.get_by_test_id("border-title")).to_contain_text("Saryagash")
    expect(page.get_by_test_id("waiting")).to_be_visible()
    assert page.get_by_test_id("dwell-month").count() >= 2
    screenshot("tracking-border-point")
    page.goto("/tracking/borders")
    expect(page.get_by_test_id("dwell-index")).to_contain_text("KZH → UTI")


def test_a_handover_act_is_offered_by_kzh_and_accepted_by_uti(
    page: Any, live_server: Any, screenshot: Shot
) -> None:
    from playwright.sync_api import expect

    _log_in_as(page, "demo-kzh", "/tracking")
    for number in IN_TRANSIT:  # a shipment KZH still has and has not offered yet
        page.goto(f"/tracking?q={number}")
        if page.get_by_test_id("offer-form").count():
            break
    else:
        pytest.fail("no demo shipment is with KZH and not yet offered")
    page.get_by_test_id("offer-act").click()
    expect(page.get_by_test_id("act-row").last).to_contain_text("KZH → UTI")
    target = page.url.split(live_server.url, 1)[1].split("#")[0]
    page.context.clear_cookies()
    _log_in_as(page, "demo-uti", target)
    expect(page.get_by_test_id("decide-act")).to_be_visible()
    screenshot("tracking-handover-offered")
    page.get_by_test_id("accept-act").click()
    expect(page.get_by_test_id("decide-act")).to_have_count(0)
    expect(page.get_by_test_id("custody").first).to_have_text("UTI")
    expect(page.get_by_test_id("act-verified").last).to_contain_text("signed")
