"""Password spraying: one address trying one password against many usernames is stopped."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
from fastapi.testclient import TestClient

from temir.accounts import rules, service
from temir.accounts.model import LoginFailure
from temir.app import create_app
from temir.kit.db import UnitOfWork
from temir.kit.settings import Settings
from tests.accounts.accounts_helpers import PASSWORD, MakeAccount, unique


def _client_from(settings: Settings, address: str) -> TestClient:
    return TestClient(create_app(settings), client=(address, 40000))


def _login(client: TestClient, username: str, password: str) -> httpx.Response:
    page = client.get("/login")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match is not None
    form = {"username": username, "password": password, "csrf_token": match.group(1)}
    return client.post("/login", data=form, follow_redirects=False)


def test_one_password_against_forty_usernames_is_throttled_by_address(
    settings: Settings, make_account: MakeAccount
) -> None:
    victim = make_account()  # a real account among the sprayed names, with the right password
    names = [unique("sprayed") for _ in range(39)] + [victim.username]
    with _client_from(settings, "203.0.113.41") as client:
        answers = [_login(client, name, "Spring2026!") for name in names]
        statuses = [a.status_code for a in answers]
        assert statuses[: rules.LOGIN_MAX_FAILURES_PER_ADDRESS] == [401] * 20
        assert statuses[rules.LOGIN_MAX_FAILURES_PER_ADDRESS :] == [429] * 20
        throttled = answers[-1]
        assert throttled.headers["content-type"].startswith("application/json")
        error = throttled.json()["error"]
        assert error["code"] == "login_throttled"
        assert error["field"] == "username"
        assert "Too many failed attempts" in error["message"]
        retry_after = int(throttled.headers["retry-after"])
        assert 1 <= retry_after <= int(rules.LOGIN_WINDOW.total_seconds())
        # even the right password is not checked from this address now
        assert _login(client, victim.username, PASSWORD).status_code == 429
    with _client_from(settings, "203.0.113.42") as elsewhere:  # another address is not locked
        assert _login(elsewhere, victim.username, PASSWORD).status_code == 303


def test_a_browser_is_shown_the_form_with_the_reason_and_retry_after(
    settings: Settings,
) -> None:
    with _client_from(settings, "203.0.113.43") as client:
        client.headers["accept"] = "text/html"
        for _ in range(rules.LOGIN_MAX_FAILURES_PER_ADDRESS):
            _login(client, unique("sprayed"), "Spring2026!")
        page = _login(client, unique("sprayed"), "Spring2026!")
        assert page.status_code == 429
        assert 'data-testid="login-error"' in page.text
        assert int(page.headers["retry-after"]) >= 1


def test_the_throttle_by_address_is_in_the_service_too(
    uow: UnitOfWork, make_account: MakeAccount
) -> None:
    account = make_account()
    address = "198.51.100.77"
    for _ in range(rules.LOGIN_MAX_FAILURES_PER_ADDRESS):
        with uow() as session:
            outcome = service.log_in(session, unique("ghost"), "nope", remote_addr=address)
        assert outcome.failure is LoginFailure.NO_SUCH_USER
    with uow() as session:
        blocked = service.log_in(session, account.username, PASSWORD, remote_addr=address)
    assert blocked.failure is LoginFailure.RATE_LIMITED
    assert blocked.retry_after is not None
    with uow() as session:
        assert service.log_in(session, account.username, PASSWORD, remote_addr="198.51.100.78").ok


def test_per_user_throttling_answers_with_retry_after_too(
    uow: UnitOfWork, make_account: MakeAccount
) -> None:
    account = make_account()
    for _ in range(rules.LOGIN_MAX_FAILURES):
        with uow() as session:
            service.log_in(session, account.username, "nope", remote_addr="198.51.100.79")
    with uow() as session:
        blocked = service.log_in(session, account.username, PASSWORD, remote_addr="198.51.100.79")
    assert blocked.failure is LoginFailure.RATE_LIMITED
    assert blocked.retry_after is not None
    assert 1 <= blocked.retry_after <= int(rules.LOGIN_WINDOW.total_seconds())


def test_retry_after_counts_to_when_enough_failures_leave_the_window() -> None:
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert rules.login_retry_after(now, now + timedelta(seconds=90.2)) == 91
    assert rules.login_retry_after(now, now - timedelta(seconds=5)) == 1
    assert rules.login_throttled(0, rules.LOGIN_MAX_FAILURES_PER_ADDRESS)
    assert not rules.login_throttled(0, rules.LOGIN_MAX_FAILURES_PER_ADDRESS - 1)
