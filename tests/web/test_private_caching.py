"""Answers to a logged-in user are never cached; HTTPS-only installations send HSTS."""

from __future__ import annotations

import dataclasses
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from temir.accounts import service
from temir.accounts.model import Actor, Role
from temir.app import create_app
from temir.kit.db import UnitOfWork
from tests.conftest import settings_for

SYSTEM = Actor.system("tests")
PASSWORD = "a long enough password"


@pytest.fixture
def user(engine: Engine) -> str:
    username = f"cache-{uuid.uuid4().hex[:10]}"
    with UnitOfWork(engine)() as session:
        service.create_user(
            session, SYSTEM, username=username, role=Role.ADMIN, organisation=None,
            password=PASSWORD,
        )  # fmt: skip
    return username


def token(engine: Engine, username: str) -> str:
    with UnitOfWork(engine)() as session:
        return service.issue_token(session, SYSTEM, username=username).secret


def cookie(engine: Engine, username: str) -> str:
    with UnitOfWork(engine)() as session:
        outcome = service.log_in(session, username, PASSWORD, remote_addr="192.0.2.99")
    assert outcome.session is not None
    return outcome.session.cookie


@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/tokens", "/", "/audit"])
def test_answers_to_a_bearer_token_or_a_session_are_not_stored(
    client: TestClient, engine: Engine, user: str, path: str
) -> None:
    by_token = client.get(path, headers={"Authorization": f"Bearer {token(engine, user)}"})
    assert by_token.headers["cache-control"] == "no-store"
    client.cookies.set("temir_session", cookie(engine, user))
    by_cookie = client.get(path)
    assert by_cookie.status_code == 200
    assert by_cookie.headers["cache-control"] == "no-store"


def test_a_refused_credential_is_not_stored_either(client: TestClient) -> None:
    refused = client.get("/api/v1/me", headers={"Authorization": "Bearer tmr_wrong"})
    assert refused.status_code == 401
    assert refused.headers["cache-control"] == "no-store"


def test_anonymous_pages_and_static_files_may_be_cached(
    client: TestClient, engine: Engine, user: str
) -> None:
    assert "cache-control" not in client.get("/stations").headers
    client.cookies.set("temir_session", cookie(engine, user))
    assert client.get("/static/temir.css").headers.get("cache-control") != "no-store"


def test_hsts_only_when_cookies_are_secure(engine: Engine, tmp_path: Path) -> None:
    plain = settings_for(engine, tmp_path)
    with TestClient(create_app(plain)) as client:
        assert "strict-transport-security" not in client.get("/").headers
    secure = dataclasses.replace(plain, secure_cookies=True)
    with TestClient(create_app(secure), base_url="https://testserver") as client:
        for path in ("/", "/api/v1/railways", "/login"):
            hsts = client.get(path).headers["strict-transport-security"]
            assert hsts.startswith("max-age=")
            assert int(hsts.removeprefix("max-age=")) >= 180 * 24 * 3600
