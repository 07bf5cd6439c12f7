"""The webhooks pages in a browser: a forwarder subscribes a receiver on loopback, sends a
test, reads the delivery log and sends the delivery again."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_tracking_pages import _log_in_as
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.browser
Shot = Callable[[str], Path]


def test_a_forwarder_subscribes_tests_and_redelivers(
    page: Any, live_server: Any, screenshot: Shot
) -> None:
    from playwright.sync_api import expect

    receiver = Receiver().start()
    try:
        _log_in_as(page, "demo-forwarder", "/webhooks")
        form = page.get_by_test_id("webhook-form")
        form.locator("input[name=url]").fill(receiver.url)
        form.locator("input[name='event:tracking.event']").check()
        page.get_by_test_id("webhook-add").click()
        expect(page.get_by_test_id("webhook-secret")).to_be_visible()
        row = page.get_by_test_id("webhook-row")
        expect(row).to_have_count(1)
        expect(row).to_contain_text("tracking.event")
        screenshot("webhooks-subscribed")
        row.get_by_test_id("webhook-test").click()
        expect(page.get_by_test_id("webhook-url")).to_have_text(receiver.url)
        log = page.get_by_test_id("delivery-row")
        expect(log).to_have_count(1)
        expect(log).to_contain_text("webhook.test")
        expect(log).to_contain_text("HTTP 200")
        screenshot("webhooks-delivery-log")
        assert len(receiver.received) == 1
        page.get_by_test_id("redeliver").click()
        expect(page.get_by_test_id("delivery-status")).to_contain_text("waiting to be sent")
        page.goto("/webhooks")
        page.get_by_test_id("webhook-remove").click()
        expect(page.get_by_test_id("webhook-row")).to_have_count(0)
    finally:
        receiver.stop()
