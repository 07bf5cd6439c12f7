"""Webhooks through the API, the command line and the pages: same rules, same error shapes,
someone else's subscription is not found, and the test ping verifies with the published key."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from temir.accounts.model import Actor
from temir.cli import app
from temir.kit import runtime
from temir.kit.db import UnitOfWork
from tests.tracking.helpers import KOSTANAY, Shipment, World, event
from tests.tracking.test_api_cli import _settings
from tests.tracking.test_web import bearer
from tests.webhooks.receiver import Receiver

runner = CliRunner()


@pytest.fixture
def api(engine: Engine, tmp_path: Path) -> Iterator[TestClient]:
    from temir.app import create_app

    with TestClient(create_app(_settings(engine, tmp_path))) as test_client:
        yield test_client


def test_the_api_subscribes_tests_lists_and_removes(
    api: TestClient, uow: UnitOfWork, world: World, receiver: Receiver
) -> None:
    mine, other = bearer(uow, world.shipper), bearer(uow, world.other_shipper)
    assert api.post("/api/v1/webhooks", json={"url": receiver.url}).status_code == 401
    made = api.post("/api/v1/webhooks", json={"url": receiver.url, "events": ["note.*"]},
                    headers=mine)  # fmt: skip
    assert made.status_code == 201, made.text
    sub = made.json()
    assert (sub["organisation"], sub["events"], len(sub["secret"]) >= 32) == (
        world.orgs["shipper"], ["note.*"], True,
    )  # fmt: skip
    listed = api.get("/api/v1/webhooks", headers=mine).json()["subscriptions"]
    assert [s["id"] for s in listed] == [sub["id"]]
    assert "secret" not in listed[0]
    assert api.get("/api/v1/webhooks", headers=other).json()["subscriptions"] == []
    assert api.get(f"/api/v1/webhooks/{sub['id']}", headers=other).status_code == 404
    assert api.delete(f"/api/v1/webhooks/{sub['id']}", headers=other).status_code == 404

    tested = api.post(f"/api/v1/webhooks/{sub['id']}/test", headers=mine)
    assert tested.status_code == 200, tested.text
    assert (tested.json()["status"], tested.json()["status_code"]) == ("delivered", 200)
    (got,) = receiver.received
    assert json.loads(got.body)["type"] == "webhook.test"
    keys = api.get("/api/v1/webhooks/keys").json()["keys"]  # public: no log-in
    (key,) = [k for k in keys if k["key_id"] == got.headers["temir-key-id"]]
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(key["public_key"]))
    signed = got.headers["temir-timestamp"].encode() + b"." + got.body
    public.verify(
        base64.b64decode(got.headers["temir-signature-ed25519"]),
        b"temir/webhook/v1\n" + hashlib.sha256(signed).hexdigest().encode(),
    )

    log = api.get(f"/api/v1/webhooks/{sub['id']}/deliveries", headers=mine).json()["deliveries"]
    assert [(d["event_type"], d["status"]) for d in log] == [("webhook.test", "delivered")]
    assert log[0]["log"][0]["status_code"] == 200
    again = api.post(f"/api/v1/webhooks/deliveries/{log[0]['id']}/redeliver", headers=mine)
    assert again.json()["status"] == "pending"
    twice = api.post(f"/api/v1/webhooks/deliveries/{log[0]['id']}/redeliver", headers=mine)
    assert (twice.status_code, twice.json()["error"]["code"]) == (409, "webhooks.pending")
    gone = api.delete(f"/api/v1/webhooks/{sub['id']}", headers=mine)
    assert (gone.status_code, gone.json()["active"]) == (200, False)
    assert api.get("/api/v1/webhooks", headers=mine).json()["subscriptions"] == []


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://example.org/hook", "webhooks.url"),
        ("https://user:pw@example.org/hook", "webhooks.url_credentials"),
        ("http://169.254.169.254/latest", "webhooks.url_address"),
        ("https:///no-host", "webhooks.url"),
    ],
)
def test_the_api_refuses_bad_urls_with_the_error_shape(
    api: TestClient, uow: UnitOfWork, world: World, url: str, code: str
) -> None:
    got = api.post("/api/v1/webhooks", json={"url": url}, headers=bearer(uow, world.shipper),
                   params={"lang": "ru"})  # fmt: skip
    assert got.status_code == 422
    error = got.json()["error"]
    assert (error["code"], error["field"]) == (code, "url")
    assert any("а" <= ch <= "я" for ch in error["message"])  # in Russian


def test_the_api_refuses_an_unknown_event_type(
    api: TestClient, uow: UnitOfWork, world: World
) -> None:
    got = api.post("/api/v1/webhooks", json={"url": "https://example.org/h", "events": ["fly"]},
                   headers=bearer(uow, world.shipper))  # fmt: skip
    assert (got.status_code, got.json()["error"]["field"]) == (422, "events")


@pytest.fixture
def cli_database(monkeypatch: pytest.MonkeyPatch, engine: Engine, tmp_path: Path) -> None:
    settings = _settings(engine, tmp_path)
    monkeypatch.setattr(runtime, "settings", lambda: settings)


def run(*args: str) -> tuple[int, Any]:
    result = runner.invoke(app, [*args, "--json"])
    try:
        return result.exit_code, json.loads(result.stdout)
    except ValueError:
        return result.exit_code, result.output


@pytest.mark.usefixtures("cli_database")
def test_the_cli_adds_lists_and_the_worker_delivers(
    uow: UnitOfWork, shipment: Shipment, receiver: Receiver
) -> None:
    w = shipment.world
    code, sub = run("webhooks", "add", receiver.url, "--events", "tracking.event",
                    "--as", w.shipper.label)  # fmt: skip
    assert code == 0, sub
    code, listed = run("webhooks", "list", "--as", w.shipper.label)
    assert [s["id"] for s in listed] == [sub["id"]]
    code, refused = run("webhooks", "add", "https://a:b@example.org/", "--as", w.shipper.label)
    assert (code, refused["error"]["code"]) == (1, "webhooks.url_credentials")
    code, none = run("webhooks", "deliveries", sub["id"], "--as", w.other_shipper.label)
    assert (code, none["error"]["code"]) == (1, "webhooks.not_found")
    ingest(uow, w.kzh, event("departure", shipment.wagons[0], KOSTANAY, shipment.accepted_at))
    code, outcomes = run("webhooks", "worker", "--once")
    assert code == 0
    mine = [o for o in outcomes if o["status"] == "delivered"]
    assert len(receiver.received) == len(mine) >= 1
    code, log = run("webhooks", "deliveries", sub["id"], "--as", w.shipper.label)
    assert [(d["event_type"], d["status"]) for d in log] == [("tracking.event", "delivered")]
    code, tested = run("webhooks", "test", sub["id"], "--as", w.shipper.label)
    assert (code, tested["status"]) == (0, "delivered")
    code, removed = run("webhooks", "remove", sub["id"], "--as", w.shipper.label)
    assert (code, removed["active"]) == (0, False)


def ingest(uow: UnitOfWork, actor: Actor, *lines: dict[str, Any]) -> None:
    from temir.tracking import service

    with uow() as s:
        assert service.ingest(s, actor, list(enumerate(lines, 1))).written


def test_the_pages_list_add_and_show_the_delivery_log(
    api: TestClient, uow: UnitOfWork, world: World, receiver: Receiver
) -> None:
    headers = bearer(uow, world.shipper)
    assert api.get("/webhooks", follow_redirects=False).status_code == 303  # log in first
    made = api.post("/webhooks", data={"url": receiver.url, "event:note.accept": "1"},
                       headers=headers)  # fmt: skip
    assert made.status_code == 201
    assert 'data-testid="webhook-secret"' in made.text
    bad = api.post("/webhooks", data={"url": "gopher://x"}, headers=headers)
    assert bad.status_code == 422
    assert 'data-testid="webhooks-error"' in bad.text
    page = api.get("/webhooks", headers=headers, params={"lang": "ru"})
    assert page.text.count('data-testid="webhook-row"') == 1
    assert "Вебхуки" in page.text
    with uow.read() as s:
        from temir.webhooks import service

        (sub,) = service.list_subscriptions(s, world.shipper)
    assert sub.events == ("note.accept",)
    tested = api.post(f"/webhooks/{sub.id}/test", headers=headers, follow_redirects=False)
    assert tested.status_code == 303
    assert tested.headers["location"] == f"/webhooks/{sub.id}"
    log = api.get(f"/webhooks/{sub.id}", headers=headers)
    assert log.text.count('data-testid="delivery-row"') == 1
    assert "HTTP 200" in log.text
    other = api.get(f"/webhooks/{sub.id}", headers=bearer(uow, world.other_shipper))
    assert other.status_code == 404
