"""``temir audit verify``, ``GET /api/v1/audit/verify`` and the /audit page name the break."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from temir.accounts import service
from temir.accounts.model import Actor, Role
from temir.app import create_app
from temir.cli import app as cli
from temir.kit import migrate, runtime
from temir.kit.db import UnitOfWork, make_engine
from tests.conftest import fresh_database_url, settings_for, worker_suffix

SYSTEM = Actor.system("tests")
PASSWORD = "a long enough password"
runner = CliRunner()


@pytest.fixture
def fresh(backend: str, tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(fresh_database_url(backend, f"temir_verify_{worker_suffix()}", tmp_path))
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def people(fresh: Engine) -> dict[str, str]:
    """An admin and a shipper (each write is an audit row), by role."""
    names = {"admin": f"admin-{uuid.uuid4().hex[:6]}", "viewer": f"viewer-{uuid.uuid4().hex[:6]}"}
    with UnitOfWork(fresh)() as session:
        for role, name in names.items():
            service.create_user(
                session, SYSTEM, username=name, role=Role(role), organisation=None,
                password=PASSWORD,
            )  # fmt: skip
    return names


@pytest.fixture
def client(fresh: Engine, tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for(fresh, tmp_path))) as test_client:
        yield test_client


def bearer(engine: Engine, username: str) -> dict[str, str]:
    with UnitOfWork(engine)() as session:
        return {
            "Authorization": "Bearer "
            + service.issue_token(session, SYSTEM, username=username).secret
        }


def tamper(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET action = 'nothing.happened' WHERE seq = 1"))


def test_the_command_says_intact_or_names_the_changed_row(
    fresh: Engine, people: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime, "settings", lambda: settings_for(fresh, tmp_path))
    monkeypatch.setenv("TEMIR_LANG", "en")
    ok = runner.invoke(cli, ["audit", "verify", "--json"])
    assert ok.exit_code == 0, ok.output
    verdict = json.loads(ok.stdout)
    assert (verdict["ok"], verdict["length"], verdict["checked"]) == (True, 2, 2)
    assert len(verdict["head_digest"]) == 64
    tamper(fresh)
    broken = runner.invoke(cli, ["audit", "verify", "--json"])
    assert broken.exit_code == 1
    verdict = json.loads(broken.stdout)
    assert verdict["ok"] is False
    assert verdict["break"]["kind"] == "changed"
    assert verdict["break"]["seq"] == 1
    text_out = runner.invoke(cli, ["audit", "verify"], env={"COLUMNS": "200"})
    assert text_out.exit_code == 1
    assert "Audit chain broken" in text_out.output
    assert "position 1" in text_out.output


def test_the_command_speaks_russian(
    fresh: Engine, people: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime, "settings", lambda: settings_for(fresh, tmp_path))
    monkeypatch.setenv("TEMIR_LANG", "ru")
    tamper(fresh)
    result = runner.invoke(cli, ["audit", "verify", "--json"])
    assert "изменена" in json.loads(result.stdout)["break"]["message"]


def test_the_endpoint_is_for_admins_and_names_the_break(
    client: TestClient, fresh: Engine, people: dict[str, str]
) -> None:
    assert client.get("/api/v1/audit/verify").status_code == 401
    viewer = client.get("/api/v1/audit/verify", headers=bearer(fresh, people["viewer"]))
    assert viewer.status_code == 403
    admin = bearer(fresh, people["admin"])
    assert client.get("/api/v1/audit/verify", headers=admin).json()["ok"] is True
    with fresh.begin() as connection:
        connection.execute(text("DELETE FROM audit_log WHERE seq = 2"))
    verdict = client.get("/api/v1/audit/verify", headers=admin).json()
    assert verdict["ok"] is False
    assert verdict["break"]["kind"] == "deleted"
    assert verdict["break"]["seq"] == 2


def _log_in(client: TestClient, fresh: Engine, username: str) -> None:
    with UnitOfWork(fresh)() as session:
        outcome = service.log_in(session, username, PASSWORD, remote_addr="192.0.2.5")
    assert outcome.session is not None
    client.cookies.set("temir_session", outcome.session.cookie)


def test_the_page_shows_the_state_to_admins_only(
    client: TestClient, fresh: Engine, people: dict[str, str]
) -> None:
    anonymous = client.get("/audit", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login?next=/audit"
    _log_in(client, fresh, people["viewer"])
    assert client.get("/audit", headers={"accept": "text/html"}).status_code == 403
    _log_in(client, fresh, people["admin"])
    page = client.get("/audit")
    assert page.status_code == 200
    assert 'data-ok="true"' in page.text
    assert "login.succeeded" in page.text  # the latest entries are listed
    tamper(fresh)
    page = client.get("/audit", headers={"accept-language": "ru"})
    assert 'data-ok="false"' in page.text
    assert 'data-kind="changed"' in page.text
    assert "Хеш-цепочка нарушена" in page.text
