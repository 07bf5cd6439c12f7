"""Review findings, pinned: no off-site redirects, no cookie use beside an Authorization header,
no hint about which usernames or token ids exist, a log-in with any text is a plain failure."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from temir.accounts.model import Role
from tests.accounts.accounts_helpers import PASSWORD, Account, MakeAccount, unique
from tests.accounts.test_accounts_web import log_in, login_token, session_csrf

OFF_SITE = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "/\\/evil.example/",
    "/\t/evil.example/",
    "/x\r\nSet-Cookie: a=b",
    "https:evil.example",
]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("target", OFF_SITE)
def test_language_switch_goes_back_only_to_a_path_here(client: TestClient, target: str) -> None:
    response = client.get("/lang/ru", params={"next": target}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/"


@pytest.mark.parametrize("target", OFF_SITE)
def test_log_in_goes_back_only_to_a_path_here(
    client: TestClient, make_account: MakeAccount, target: str
) -> None:
    page = client.get("/login", params={"next": target})
    assert 'name="next" value="/"' in page.text
    response = log_in(client, make_account().username, PASSWORD, next=target)
    assert response.headers["location"] == "/"  # type: ignore[attr-defined]


def test_a_path_with_a_query_is_kept(client: TestClient) -> None:
    target = "/stations?q=%D0%94%D0%BE%D1%81%D1%82%D1%8B%D0%BA"
    response = client.get("/lang/en", params={"next": target}, follow_redirects=False)
    assert response.headers["location"] == target


def test_a_request_with_an_authorization_header_ignores_the_session_cookie(
    client: TestClient, make_account: MakeAccount
) -> None:
    """Otherwise ``Authorization: junk`` would switch off the CSRF check for cookie routes."""
    account = make_account()
    log_in(client, account.username, PASSWORD)
    assert client.get("/api/v1/me").status_code == 200
    # /logout acts on the session itself: without the CSRF token it must not end it
    cookie = client.cookies["temir_session"]
    client.post("/logout", headers={"Authorization": "Basic junk"}, follow_redirects=False)
    client.cookies.set("temir_session", cookie)  # the answer told the browser to forget it
    assert client.get("/api/v1/me").status_code == 200
    page = client.get("/", headers={"Authorization": "Bearer junk"})
    assert account.username not in page.text
    # the right way still works
    client.post("/logout", data={"csrf_token": session_csrf(client)}, follow_redirects=False)
    assert client.get("/api/v1/me").status_code == 401


def test_a_non_admin_cannot_tell_which_usernames_exist(
    client: TestClient, make_account: MakeAccount, token_for: Callable[[Account], str]
) -> None:
    me, other = make_account(Role.SHIPPER), make_account(Role.SHIPPER)
    headers = bearer(token_for(me))
    nobody = unique("nobody")
    for name in (other.username, nobody):
        issued = client.post("/api/v1/tokens", json={"username": name}, headers=headers)
        listed = client.get("/api/v1/tokens", params={"username": name}, headers=headers)
        assert issued.status_code == 403, name
        assert listed.status_code == 403, name
        assert issued.json()["error"]["code"] == "permission_denied"


def test_someone_elses_token_id_looks_like_a_missing_one(
    client: TestClient, make_account: MakeAccount, token_for: Callable[[Account], str]
) -> None:
    owner, intruder = make_account(Role.SHIPPER), make_account(Role.SHIPPER)
    headers = bearer(token_for(owner))
    token_id = client.post("/api/v1/tokens", json={"name": "mine"}, headers=headers).json()["id"]
    theirs = client.delete(f"/api/v1/tokens/{token_id}", headers=bearer(token_for(intruder)))
    assert theirs.status_code == 404
    assert theirs.json()["error"]["code"] == "token_not_found"
    mine = client.get("/api/v1/tokens", headers=headers).json()["tokens"]
    assert next(t for t in mine if t["id"] == token_id)["status"] == "active"


@pytest.mark.parametrize("username", ["a\x00b", "x" * 500, "\u0007bell"])
def test_a_log_in_with_any_username_text_is_a_plain_failure(
    client: TestClient, username: str
) -> None:
    token = login_token(client)
    response = client.post(
        "/login",
        data={"username": username, "password": "whatever-it-is", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 401
    assert "Wrong username or password." in response.text
