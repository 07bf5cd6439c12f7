"""Log-in, log-out and CSRF through the browser's eyes (TestClient keeps cookies)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from temir.accounts.tables import AuditRow
from temir.app import create_app
from temir.kit.db import UnitOfWork
from temir.kit.settings import Settings
from tests.accounts.accounts_helpers import PASSWORD, MakeAccount, unique

SESSION = "temir_session"


def login_token(client: TestClient, path: str = "/login") -> str:
    page = client.get(path)
    assert page.status_code == 200
    match = re.search(r'name="csrf_token" value="([^"]+)" data-testid="login-csrf"', page.text)
    assert match is not None
    return match.group(1)


def log_in(client: TestClient, username: str, password: str, **extra: str) -> object:
    token = login_token(client)
    form = {"username": username, "password": password, "csrf_token": token, **extra}
    return client.post("/login", data=form, follow_redirects=False)


def session_csrf(client: TestClient) -> str:
    """The session's CSRF token, as the page hands it to forms."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text)
    assert match is not None
    return match.group(1)


def audit(uow: UnitOfWork, action: str, target_id: str) -> list[tuple[str, str, str | None]]:
    with uow.read() as session:
        rows = session.scalars(
            select(AuditRow).where(AuditRow.action == action, AuditRow.target_id == target_id)
        ).all()
        return [(row.actor, row.via, row.remote_addr) for row in rows]


def test_log_in_sets_a_safe_session_cookie_and_is_audited(
    client: TestClient, make_account: MakeAccount, uow: UnitOfWork
) -> None:
    account = make_account()
    response = log_in(client, account.username, PASSWORD, next="/?x=1")
    assert response.status_code == 303
    assert response.headers["location"] == "/?x=1"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION))
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    assert "Secure" not in cookie
    home = client.get("/")
    assert f"Full {account.username}" in home.text
    assert 'action="/logout"' in home.text
    assert audit(uow, "login.succeeded", account.username) == [
        (account.username, "web", "testclient")
    ]
    assert client.get("/api/v1/me").json()["via"] == "web"


def test_wrong_password_and_unknown_user_get_the_same_answer(
    client: TestClient, make_account: MakeAccount, uow: UnitOfWork
) -> None:
    account = make_account()
    wrong = log_in(client, account.username, "not the password")
    ghost_name = unique("ghost")
    ghost = log_in(client, ghost_name, "not the password")
    assert wrong.status_code == ghost.status_code == 401
    assert SESSION not in client.cookies
    for response in (wrong, ghost):
        assert "Wrong username or password." in response.text
    assert audit(uow, "login.failed", account.username) == [("anonymous", "web", "testclient")]
    assert audit(uow, "login.failed", ghost_name) == [("anonymous", "web", "testclient")]


def test_the_login_form_needs_its_double_submit_token(
    client: TestClient, make_account: MakeAccount, uow: UnitOfWork
) -> None:
    account = make_account()
    login_token(client)  # the browser has the cookie, but a forged form cannot know its value
    forged = client.post(
        "/login",
        data={"username": account.username, "password": PASSWORD, "csrf_token": "guess"},
        follow_redirects=False,
    )
    assert forged.status_code == 403
    assert SESSION not in client.cookies
    assert audit(uow, "login.succeeded", account.username) == []


def test_log_in_rotates_the_session_id(client: TestClient, make_account: MakeAccount) -> None:
    account = make_account()
    log_in(client, account.username, PASSWORD)
    first = client.cookies[SESSION]
    log_in(client, account.username, PASSWORD)
    second = client.cookies[SESSION]
    assert first != second
    stale = TestClient(client.app)
    stale.cookies.set(SESSION, first)
    assert stale.get("/api/v1/me").status_code == 401


def test_cookie_writes_need_the_csrf_token(client: TestClient, make_account: MakeAccount) -> None:
    account = make_account()
    log_in(client, account.username, PASSWORD)
    without = client.post("/api/v1/tokens", json={"name": "browser"})
    assert without.status_code == 403
    assert without.json()["error"]["code"] == "csrf_failed"
    wrong = client.post(
        "/api/v1/tokens", json={"name": "browser"}, headers={"X-CSRF-Token": "wrong"}
    )
    assert wrong.status_code == 403
    right = client.post(
        "/api/v1/tokens", json={"name": "browser"}, headers={"X-CSRF-Token": session_csrf(client)}
    )
    assert right.status_code == 201


def test_logout_needs_the_form_token_then_clears_the_cookie(
    client: TestClient, make_account: MakeAccount, uow: UnitOfWork
) -> None:
    account = make_account()
    log_in(client, account.username, PASSWORD)
    refused = client.post("/logout", data={}, follow_redirects=False)
    assert refused.status_code == 403
    assert client.get("/api/v1/me").status_code == 200
    done = client.post("/logout", data={"csrf_token": session_csrf(client)}, follow_redirects=False)
    assert done.status_code == 303
    cleared = next(c for c in done.headers.get_list("set-cookie") if c.startswith(SESSION))
    assert "Max-Age=0" in cleared or "expires=Thu, 01 Jan 1970" in cleared.lower()
    assert SESSION not in client.cookies
    assert client.get("/api/v1/me").status_code == 401
    assert audit(uow, "logout", account.username) == [(account.username, "web", "testclient")]


def test_a_bearer_request_needs_no_csrf_token(
    client: TestClient, make_account: MakeAccount
) -> None:
    account = make_account()
    log_in(client, account.username, PASSWORD)
    created = client.post(
        "/api/v1/tokens", json={"name": "first"}, headers={"X-CSRF-Token": session_csrf(client)}
    )
    secret = created.json()["token"]
    client.cookies.clear()
    response = client.post(
        "/api/v1/tokens", json={"name": "second"}, headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 201


def test_log_in_never_redirects_off_site(client: TestClient, make_account: MakeAccount) -> None:
    account = make_account()
    response = log_in(client, account.username, PASSWORD, next="https://evil.example/")
    assert response.headers["location"] == "/"


def test_the_login_page_speaks_russian(client: TestClient) -> None:
    page = client.get("/login", headers={"Accept-Language": "ru"})
    assert "Имя пользователя" in page.text
    assert "Пароль" in page.text


@pytest.mark.parametrize("secure", [True])
def test_cookies_are_secure_when_configured(
    settings: Settings, make_account: MakeAccount, secure: bool
) -> None:
    account = make_account()
    secured = Settings(**{**settings.__dict__, "secure_cookies": secure})
    with TestClient(create_app(secured), base_url="https://testserver") as client:
        response = log_in(client, account.username, PASSWORD)
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION))
    assert "Secure" in cookie
