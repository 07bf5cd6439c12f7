"""Peers, status and retry through the API, the CLI and the /exchange page, on a node's own
database (SQLite and PostgreSQL): every write audited, errors in the one shape."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from temir.accounts import service as accounts
from temir.accounts.model import Actor, Role
from temir.accounts.tables import AuditRow
from temir.cli import app
from temir.exchange import outbox, service
from temir.kit import migrate, runtime
from temir.kit.db import UnitOfWork, make_engine
from temir.signing.algorithms import Ed25519Signer
from temir.signing.keyring import public_entry
from tests.conftest import fresh_database_url, settings_for, worker_suffix

SYSTEM = Actor.system("tests")
runner = CliRunner()


@pytest.fixture(scope="module")
def node_engine(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A database of its own: a node with peers must not be the shared test database."""
    url = fresh_database_url(
        backend, f"exchange_peers_{worker_suffix()}", tmp_path_factory.mktemp("node")
    )
    engine = make_engine(url)
    migrate.upgrade(engine)
    with UnitOfWork(engine)() as session:
        service.init_node(session, SYSTEM, "KZH", "test-secret-key-not-for-production")
    yield engine
    engine.dispose()


@pytest.fixture
def api(
    node_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    from temir.app import create_app

    monkeypatch.setenv("TEMIR_EXCHANGE_WORKER", "0")
    with TestClient(create_app(settings_for(node_engine, tmp_path))) as client:
        yield client
    outbox.uninstall()


def _token(engine: Engine, role: Role) -> dict[str, str]:
    name = f"u-{uuid.uuid4().hex[:10]}"
    with UnitOfWork(engine)() as session:
        org = service.node_organisation(session) if role is Role.RAILWAY_OPERATOR else None
        accounts.create_user(session, SYSTEM, username=name, role=role, organisation=org)
        secret = accounts.issue_token(session, SYSTEM, username=name).secret
    return {"Authorization": f"Bearer {secret}"}


def _identity(railway: str) -> dict[str, Any]:
    signer = Ed25519Signer.generate()
    entry = public_entry(signer, railway)
    key = {
        "key_id": entry.key_id,
        "algorithm": "ed25519",
        "public_key": entry.public_key,
        "valid_from": datetime(2026, 1, 1, tzinfo=UTC).isoformat(),
    }
    return {"railway": railway, "keys": [key]}


def _audit(engine: Engine, action: str, target: str) -> int:
    with UnitOfWork(engine).read() as session:
        return len(
            session.scalars(
                select(AuditRow).where(AuditRow.action == action, AuditRow.target_id == target)
            ).all()
        )


def test_an_administrator_adds_lists_and_removes_a_peer(
    api: TestClient, node_engine: Engine
) -> None:
    admin = _token(node_engine, Role.ADMIN)
    body = {
        "railway": "uti",
        "base_url": "http://127.0.0.1:9/",
        **_identity("UTI"),
        "kinds": ["event", "handover_offer"],
    }
    added = api.post("/api/v1/exchange/peers", json=body, headers=admin)
    assert added.status_code == 201
    assert added.json()["railway"] == "UTI"
    assert added.json()["base_url"] == "http://127.0.0.1:9"
    assert added.json()["kinds"] == ["event", "handover_offer"]
    listed = api.get("/api/v1/exchange/peers", headers=admin).json()["peers"]
    assert [p["railway"] for p in listed] == ["UTI"]
    assert listed[0]["keys"][0]["key_id"] == body["keys"][0]["key_id"]
    assert _audit(node_engine, "exchange.peer_set", "UTI") == 1
    status = api.get("/api/v1/exchange/status", headers=admin).json()
    assert status["node"] == "KZH"
    assert status["links"][0]["peer"] == "UTI"
    assert status["links"][0]["queue_depth"] == 0
    gone = api.delete("/api/v1/exchange/peers/UTI", headers=admin)
    assert gone.status_code == 200
    assert api.get("/api/v1/exchange/peers", headers=admin).json()["peers"] == []
    assert _audit(node_engine, "exchange.peer_removed", "UTI") == 1
    again = api.delete("/api/v1/exchange/peers/UTI", headers=admin)
    assert again.status_code == 404
    assert again.json()["error"]["code"] == "exchange.no_peer"


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"railway": "KZH"}, 422, "exchange.peer_is_self"),
        ({"railway": "XXQ"}, 422, "exchange.railway"),
        ({"base_url": "ftp://x"}, 422, "exchange.url"),
        ({"keys": []}, 422, "exchange.no_keys"),
        ({"kinds": ["gossip"]}, 422, "exchange.kind"),
    ],
)
def test_a_bad_peer_is_refused_and_nothing_is_written(
    api: TestClient, node_engine: Engine, change: dict[str, Any], status: int, code: str
) -> None:
    admin = _token(node_engine, Role.ADMIN)
    body = {"railway": "TDZ", "base_url": "http://127.0.0.1:9", **_identity("TDZ"), **change}
    answer = api.post("/api/v1/exchange/peers", json=body, headers=admin)
    assert answer.status_code == status
    assert set(answer.json()["error"]) >= {"code", "message", "field"}
    assert answer.json()["error"]["code"] == code
    assert api.get("/api/v1/exchange/peers", headers=admin).json()["peers"] == []


def test_only_an_administrator_configures_peers(api: TestClient, node_engine: Engine) -> None:
    operator = _token(node_engine, Role.RAILWAY_OPERATOR)
    body = {"railway": "TDZ", "base_url": "http://127.0.0.1:9", **_identity("TDZ")}
    answer = api.post("/api/v1/exchange/peers", json=body, headers=operator)
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "exchange.admin_only"
    assert api.get("/api/v1/exchange/status").status_code == 401
    viewer = _token(node_engine, Role.VIEWER)
    assert api.get("/api/v1/exchange/status", headers=viewer).status_code == 403


def test_the_exchange_page_shows_the_links(api: TestClient, node_engine: Engine) -> None:
    admin = _token(node_engine, Role.ADMIN)
    body = {"railway": "TDZ", "base_url": "http://127.0.0.1:9", **_identity("TDZ")}
    api.post("/api/v1/exchange/peers", json=body, headers=admin)
    page = api.get("/exchange?lang=ru", headers=admin)
    assert page.status_code == 200
    assert "TDZ" in page.text
    assert "Этот узел — KZH." in page.text
    assert api.get("/exchange", follow_redirects=False).status_code == 303
    api.delete("/api/v1/exchange/peers/TDZ", headers=admin)


def _run(*args: str) -> tuple[int, Any]:
    result = runner.invoke(app, [*args, "--json"])
    try:
        return result.exit_code, json.loads(result.stdout)
    except ValueError:
        return result.exit_code, result.output


def test_the_cli_adds_lists_retries_and_removes_peers(
    node_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_for(node_engine, tmp_path)
    monkeypatch.setattr(runtime, "settings", lambda: settings)
    keys = tmp_path / "uti.json"
    keys.write_text(json.dumps(_identity("UTI")))
    code, peer = _run("peers", "add", "UTI", "http://127.0.0.1:9", "--keys", str(keys))
    assert code == 0, peer
    assert peer["railway"] == "UTI"
    code, wrong = _run("peers", "add", "TDZ", "http://127.0.0.1:9", "--keys", str(keys))
    assert code == 1
    assert wrong["error"]["code"] == "exchange.identity"  # the file is UTI's, not TDZ's
    code, listed = _run("peers", "list")
    assert [p["railway"] for p in listed] == ["UTI"]
    code, status = _run("exchange", "status")
    assert code == 0
    assert [s["peer"] for s in status["links"]] == ["UTI"]
    code, retried = _run("exchange", "retry")
    assert (code, retried) == (0, {"rescheduled": 0})
    code, identity = _run("exchange", "identity")
    assert identity["railway"] == "KZH"
    assert identity["keys"]
    code, removed = _run("peers", "remove", "UTI")
    assert code == 0
    assert removed["railway"] == "UTI"
    code, listed = _run("peers", "list")
    assert listed == []
