"""The note pages in a browser: the form checks a box as you type; a note's detail and its PDF."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser
Shot = Callable[[str], Path]


def _log_in(page: Any, live_server: Any, target: str) -> None:
    page.goto(target)
    page.get_by_test_id("login-username").fill(live_server.demo.username)
    page.get_by_test_id("login-password").fill(live_server.demo.password)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"**{target}")


def test_form_shows_and_clears_the_box_7_error_inline(
    page: Any, live_server: Any, screenshot: Shot
) -> None:
    from playwright.sync_api import expect

    _log_in(page, live_server, "/notes/new?example=1")
    summary = page.get_by_test_id("check-summary")
    expect(summary).to_contain_text("No errors")
    wagon = page.get_by_test_id("f-wagons.0.number")
    good = wagon.input_value()
    issues = page.get_by_test_id("issues-7")
    expect(issues.locator(".issue")).to_have_count(0)

    wagon.fill(good[:-1] + str((int(good[-1]) + 1) % 10))  # a wrong check digit
    expect(issues.locator(".issue").first).to_contain_text("Box 7")
    expect(summary).to_contain_text("errors")
    screenshot("notes-form-box7-error")

    wagon.fill(good)
    expect(issues.locator(".issue")).to_have_count(0)
    expect(summary).to_contain_text("No errors")

    page.get_by_test_id("save-note").click()
    expect(page.get_by_test_id("note-status")).to_have_text("draft")
    screenshot("notes-new-draft")
    response = page.request.get(page.get_by_test_id("print-pdf").get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")


def test_list_filters_and_a_signed_notes_detail_with_pdf(
    page: Any, live_server: Any, screenshot: Shot
) -> None:
    from playwright.sync_api import expect

    _log_in(page, live_server, "/notes")
    table = page.get_by_test_id("notes-table")
    expect(table).to_be_visible()
    screenshot("notes-list")
    page.select_option("select[name=status]", "submitted")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("[data-testid=notes-table] .status-submitted").first).to_be_visible()
    assert (
        page.locator("[data-testid=notes-table] tbody tr").count()
        == page.locator("[data-testid=notes-table] .status-submitted").count()
    )
    page.get_by_test_id("note-link").first.click()
    expect(page.get_by_test_id("signatures")).to_be_visible()
    expect(page.get_by_test_id("chain-verdict")).to_contain_text("verify")
    expect(page.get_by_test_id("history").locator("li").first).to_be_visible()
    screenshot("notes-detail")
    href = page.get_by_test_id("print-pdf").get_attribute("href")
    response = page.request.get(href + "?sheets=1,4")
    assert response.status == 200
    pdf = response.body()
    assert pdf.startswith(b"%PDF")
    assert b"TEMIR1:" in pdf


def test_public_verify_page_takes_a_qr_line(page: Any, live_server: Any, screenshot: Shot) -> None:
    from playwright.sync_api import expect

    page.goto("/notes/verify")
    page.get_by_test_id("qr-input").fill("TEMIR1:broken")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_test_id("verify-error")).to_contain_text("TEMIR")
    screenshot("notes-verify-error")


def test_form_and_detail_in_russian(page: Any, live_server: Any, screenshot: Shot) -> None:
    from playwright.sync_api import expect

    _log_in(page, live_server, "/notes/new")
    page.goto("/lang/ru?next=/notes/new%3Fexample%3D1")
    expect(page.locator("legend").first).to_contain_text("Отправитель")
    page.get_by_test_id("f-goods.0.gng").fill("1001")
    expect(page.get_by_test_id("issues-15").locator(".issue").first).to_contain_text("Графа 15")
    screenshot("notes-form-ru")
    page.goto("/notes")
    expect(page.get_by_test_id("notes-table")).to_contain_text("подана")


def _log_in_as(page: Any, username: str, target: str) -> None:
    from temir.demo import accounts as demo_accounts
    from temir.demo import service as demo_service

    page.goto(target)
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(
        demo_accounts.demo_password(demo_service.DEFAULT_SEED, username)
    )
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"**{target}")


GOOD_WAGON = "95122008"  # a valid 1520 mm number (check digit 8), not used by the demo notes
BAD_WAGON = "95122009"


def test_shipper_edits_a_draft_adds_a_wagon_row_and_fixes_its_number(
    page: Any, live_server: Any, screenshot: Shot
) -> None:
    from playwright.sync_api import expect

    _log_in(page, live_server, "/notes?status=draft")
    page.get_by_test_id("note-link").first.click()
    versions_before = page.get_by_test_id("versions").locator("li").count()
    page.get_by_test_id("edit-note").click()
    expect(page.get_by_test_id("note-form")).to_be_visible()
    rows = page.get_by_test_id("rows-7").locator(".row")
    count = rows.count()
    page.get_by_test_id("add-7").click()
    expect(rows).to_have_count(count + 1)
    new_number = rows.nth(count).locator("input[name$='.number']")
    new_number.fill(BAD_WAGON)
    issues = page.get_by_test_id("issues-7")
    expect(issues).to_contain_text(BAD_WAGON)
    screenshot("notes-edit-form-bad-wagon")

    new_number.fill(GOOD_WAGON)
    expect(issues).not_to_contain_text(BAD_WAGON)
    rows.nth(count).locator("select[name$='.provided_by']").select_option("consignor")
    expect(issues).not_to_contain_text("say who provided")
    expect(issues).to_contain_text(f"no goods line is loaded in wagon {GOOD_WAGON}")
    page.get_by_test_id("save-note").click()
    expect(page.get_by_test_id("note-status")).to_have_attribute("data-status", "draft")
    expect(page.locator(".sheet")).to_contain_text(GOOD_WAGON)
    expect(page.get_by_test_id("versions").locator("li")).to_have_count(versions_before + 1)
    expect(page.get_by_test_id("history")).to_contain_text("edit")


def test_kzh_operator_accepts_a_submitted_note(
    page: Any, live_server: Any, screenshot: Shot
) -> None:
    from playwright.sync_api import expect

    _log_in(page, live_server, "/notes/new?example=1")
    expect(page.get_by_test_id("check-summary")).to_contain_text("No errors")
    page.get_by_test_id("save-note").click()
    page.get_by_test_id("submit-note").click()
    status = page.get_by_test_id("note-status")
    expect(status).to_have_attribute("data-status", "submitted")
    expect(page.get_by_test_id("step-accept")).to_have_count(0)  # not the shipper's step
    note_path = page.url.split(live_server.url, 1)[1].split("#")[0]

    page.context.clear_cookies()
    _log_in_as(page, "demo-kzh", note_path)
    expect(page.get_by_test_id("step-accept")).to_be_visible()
    expect(page.get_by_test_id("step-refuse")).to_be_visible()
    page.get_by_test_id("accept-note").click()  # box 29 empty: the browser asks for it
    expect(status).to_have_attribute("data-status", "submitted")
    screenshot("notes-detail-carrier-steps")
    page.get_by_test_id("accept-number").fill("KZH2026-0001")
    page.get_by_test_id("accept-note").click()
    expect(status).to_have_attribute("data-status", "accepted")
    expect(page.locator("[data-box='29']")).to_contain_text("KZH2026-0001")
    expect(page.get_by_test_id("history").locator("li[data-action=accept]")).to_have_count(1)
    expect(page.get_by_test_id("step-handover")).to_be_visible()
    screenshot("notes-detail-accepted")


def test_form_asks_gasoline_for_its_un_entry_and_checks_the_declared_value_in_box_3(
    page: Any, live_server: Any, screenshot: Shot
) -> None:
    """Typed as a shipper would: GNG 27101245 (motor gasoline) makes box 15 ask for UN 1203
    (ADR 2017 Table A: 1203, class 3, packing group II); a declared value in a currency that
    does not exist is shown in box 3 and clears once corrected."""
    from playwright.sync_api import expect

    _log_in(page, live_server, "/notes/new?example=1")
    summary = page.get_by_test_id("check-summary")
    expect(summary).to_contain_text("No errors")
    goods = page.get_by_test_id("issues-15")
    page.get_by_test_id("f-goods.0.etsng").fill("")
    page.get_by_test_id("f-goods.0.gng").fill("27101245")
    expect(goods.locator(".issue").first).to_contain_text("UN 1203")
    page.get_by_test_id("f-goods.0.un_number").fill("1203")
    page.get_by_test_id("f-goods.0.hazard_class").fill("3")
    page.get_by_test_id("f-goods.0.packing_group").fill("II")
    expect(goods.locator(".issue")).to_have_count(0)

    box3 = page.get_by_test_id("issues-3")
    page.get_by_test_id("f-declared_value.amount").fill("48000000.00")
    page.get_by_test_id("f-declared_value.currency").fill("ABC")
    expect(box3.locator(".issue").first).to_contain_text("ISO 4217")
    screenshot("notes-form-declared-value-error")
    page.get_by_test_id("f-declared_value.currency").fill("KZT")
    expect(box3.locator(".issue")).to_have_count(0)
    expect(summary).to_contain_text("No errors")
