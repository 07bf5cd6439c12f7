"""The demo's signed protocol in headless Chromium: two valid signatures, a PDF that opens."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.browser


def test_the_protocol_page_shows_two_valid_signatures_and_serves_the_pdf(
    page: Any, live_server: LiveServer, screenshot: Callable[[str], Path]
) -> None:
    page.goto("/stats/protocol?lang=en")
    page.get_by_test_id("protocol-link").first.click()
    page.get_by_test_id("protocol-signatures").wait_for()
    assert page.url.endswith("/stats/protocol/2025-KZ-TJ")
    for party, signer in (("KZH", "demo-kzh"), ("TDZ", "demo-tdz")):
        card = page.get_by_test_id(f"signature-{party}")
        assert card.get_attribute("data-valid") == "true"
        assert "Signature valid" in card.inner_text()
        assert signer in card.inner_text()
    assert page.get_by_test_id("protocol-verdict").inner_text() == "Valid"
    assert page.get_by_test_id("synthetic-badge").is_visible()
    screenshot("stats-protocol")
    href = page.get_by_test_id("pdf-ru").get_attribute("href")
    response = page.request.get(live_server.url + href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")
