"""An administrator manages users, API tokens and organisations in headless Chromium; anyone
else gets 403. The pages read in each of the four languages."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from temir.demo import accounts as demo_accounts
from temir.demo import service as demo_service
from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.browser
Shot = Callable[[str], Path]

ADMIN = "demo-admin"


def log_in(page: Any, username: str, password: str, target: str) -> None:
    page.goto(f"/login?next={target}")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"**{target}")


def log_in_as_admin(page: Any, target: str = "/admin/users") -> None:
    log_in(page, ADMIN, demo_accounts.demo_password(demo_service.DEFAULT_SEED, ADMIN), target)


def test_admin_creates_changes_and_deactivates_a_user(page: Any, screenshot: Shot) -> None:
    log_in_as_admin(page)
    expect(page.get_by_test_id("admin-link")).to_be_visible()
    form = page.get_by_test_id("new-user-form")
    name = f"e2e-{uuid.uuid4().hex[:8]}"
    form.get_by_test_id("field-username").fill("No Spaces")
    form.get_by_test_id("field-password").fill("correct horse battery staple")
    form.get_by_test_id("create-user").click()
    error = page.get_by_test_id("error-username")
    expect(error).to_contain_text("A username has 3 to 64 characters")
    expect(page.get_by_test_id("field-username")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_test_id("field-username")).to_have_value("No Spaces")
    expect(page.get_by_test_id("field-password")).to_have_value("")
    screenshot("admin-users-error")

    page.get_by_test_id("field-username").fill(name)
    page.get_by_test_id("field-full_name").fill("E2E Analyst")
    page.get_by_test_id("field-organisation").select_option("demo-kzh")
    page.get_by_test_id("field-role").select_option("analyst")
    page.get_by_test_id("field-password").fill("correct horse battery staple")
    page.get_by_test_id("create-user").click()
    row = page.get_by_test_id(f"user-{name}")
    expect(row).to_contain_text("E2E Analyst")
    expect(page.get_by_test_id(f"role-{name}")).to_have_value("analyst")

    page.get_by_test_id(f"role-{name}").select_option("railway_operator")
    page.get_by_test_id(f"set-role-{name}").click()
    expect(page.get_by_test_id(f"role-{name}")).to_have_value("railway_operator")

    page.get_by_test_id(f"deactivate-{name}").click()
    expect(page.get_by_test_id(f"user-{name}")).to_have_attribute("data-active", "false")
    screenshot("admin-users-deactivated")
    page.get_by_test_id(f"reactivate-{name}").click()
    expect(page.get_by_test_id(f"user-{name}")).to_have_attribute("data-active", "true")

    page.get_by_test_id(f"deactivate-{ADMIN}").click()  # not oneself
    expect(page.get_by_test_id(f"row-error-{ADMIN}")).to_contain_text("your own account")


def test_admin_issues_a_token_once_and_revokes_it(page: Any, screenshot: Shot) -> None:
    log_in_as_admin(page, "/admin/tokens")
    page.get_by_test_id("field-username").select_option("demo-analyst")
    page.get_by_test_id("field-name").fill("e2e-etl")
    page.get_by_test_id("field-expires_days").fill("30")
    page.get_by_test_id("create-token").click()
    secret = page.get_by_test_id("token-secret").inner_text().strip()
    assert len(secret) > 20
    me = page.request.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.json()["user"]["username"] == "demo-analyst"
    screenshot("admin-token-issued")

    page.goto("/admin/tokens")
    assert secret not in page.content()
    row = page.locator("tr[data-status='active']", has_text="e2e-etl").last
    token_id = (row.get_attribute("data-testid") or "").removeprefix("token-")
    page.get_by_test_id(f"revoke-{token_id}").click()
    expect(page.get_by_test_id(f"token-{token_id}")).to_have_attribute("data-status", "revoked")
    again = page.request.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert again.status == 401


def test_admin_creates_and_edits_an_organisation(page: Any, screenshot: Shot) -> None:
    log_in_as_admin(page, "/admin/organisations")
    slug = f"e2e-{uuid.uuid4().hex[:8]}"
    page.get_by_test_id("field-slug").fill(slug)
    page.get_by_test_id("field-name").fill("Shymkent Flour (test)")
    page.get_by_test_id("field-kind").select_option("shipper")
    page.get_by_test_id("field-country").fill("Kazakhstan")
    page.get_by_test_id("create-organisation").click()
    expect(page.get_by_test_id("error-country")).to_contain_text("two-letter ISO 3166 code")
    page.get_by_test_id("field-country").fill("KZ")
    page.get_by_test_id("create-organisation").click()
    expect(page.get_by_test_id(f"org-{slug}")).to_contain_text("Shymkent Flour (test)")

    page.get_by_test_id(f"edit-{slug}").click()
    page.get_by_test_id("field-name").fill("Shymkent Flour LLP (test)")
    page.get_by_test_id("field-client_code").fill("12")
    page.get_by_test_id("save-organisation").click()
    expect(page.get_by_test_id("error-client_code")).to_contain_text("4 to 16 digits")
    page.get_by_test_id("field-client_code").fill("770011")
    page.get_by_test_id("save-organisation").click()
    expect(page.get_by_test_id(f"org-{slug}")).to_contain_text("Shymkent Flour LLP (test)")
    expect(page.get_by_test_id(f"org-{slug}")).to_contain_text("770011")
    screenshot("admin-organisations")


def test_a_shipper_is_refused(page: Any, live_server: LiveServer) -> None:
    log_in(page, live_server.demo.username, live_server.demo.password, "/")
    expect(page.get_by_test_id("admin-link")).to_have_count(0)
    for path in ("/admin/users", "/admin/tokens", "/admin/organisations"):
        response = page.goto(path)
        assert response is not None
        assert response.status == 403


HEADINGS = {
    "en": ("Users", "API tokens", "Organisations"),
    "ru": ("Пользователи", "API-токены", "Организации"),
    "kk": ("Пайдаланушылар", "API токендері", "Ұйымдар"),
    "tg": ("Корбарон", "Токенҳои API", "Ташкилотҳо"),
}


@pytest.mark.parametrize("lang", sorted(HEADINGS))
def test_the_pages_read_in_each_language(page: Any, lang: str) -> None:
    log_in_as_admin(page)
    page.goto(f"/lang/{lang}?next=/admin/users")
    for path, heading in zip(
        ("/admin/users", "/admin/tokens", "/admin/organisations"), HEADINGS[lang], strict=True
    ):
        page.goto(path)
        expect(page.locator("h1")).to_have_text(heading)
        expect(page.locator("html")).to_have_attribute("lang", lang)
