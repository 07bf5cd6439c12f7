"""The notes API: steps by HTTP, error shapes (401/403/404/409/422), never a 500."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from temir.accounts import service as accounts
from temir.accounts.model import Actor
from temir.app import create_app
from temir.kit.db import UnitOfWork
from temir.kit.settings import Settings
from temir.notes.store.tables import NoteRow
from tests.notes.store_helpers import SECRET, World, draft, make_world


@pytest.fixture
def client(engine: Engine, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        home=tmp_path,
        secret_key=SECRET,
        host="127.0.0.1",
        port=8000,
        secure_cookies=False,
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def world(uow: UnitOfWork) -> World:
    return make_world(uow)


@pytest.fixture
def auth(uow: UnitOfWork, world: World) -> dict[str, dict[str, str]]:
    headers = {}
    with uow() as s:
        for name in ("shipper", "other_shipper", "kzh", "uti", "tdz"):
            actor: Actor = getattr(world, name)
            token = accounts.issue_token(s, Actor.system("tests"), username=actor.label).secret
            headers[name] = {"Authorization": f"Bearer {token}"}
    return headers


def test_schema_and_stateless_validation_are_public(client: TestClient) -> None:
    schema = client.get("/api/v1/notes/schema").json()
    assert schema["x-smgs-form"] == "SMGS-2015"
    ok = client.post("/api/v1/notes/validate", content=json.dumps(draft()))
    assert ok.status_code == 200
    assert ok.json()["valid"] is True
    broken = client.post("/api/v1/notes/validate", content=b"{oops")
    assert broken.status_code == 200
    assert broken.json()["issues"][0]["rule"] == "N-000-JSON"


def test_lifecycle_over_http_with_sign_verify_and_export(
    client: TestClient, auth: dict[str, dict[str, str]]
) -> None:
    created = client.post("/api/v1/notes", content=json.dumps(draft()), headers=auth["shipper"])
    assert created.status_code == 201, created.text
    note = created.json()["id"]
    base = f"/api/v1/notes/{note}"
    assert created.json()["signatures"][0]["role"] == "consignor"  # signed as it was made
    assert client.post(f"{base}/submit", headers=auth["shipper"]).json()["status"] == "submitted"
    again = client.post(f"{base}/sign", headers=auth["shipper"])
    assert (again.status_code, again.json()["error"]["code"]) == (409, "note.already_signed")
    accepted = client.post(
        f"{base}/accept", json={"consignment_number": "KZ-9"}, headers=auth["kzh"]
    )
    assert accepted.json()["number"] == "KZ-9"
    assert client.post(f"{base}/handover", json={}, headers=auth["kzh"]).status_code == 404
    for outgoing, incoming in (("kzh", "uti"), ("uti", "tdz")):  # handover acts, both signed
        act = client.post("/api/v1/handovers", json={"note_id": note}, headers=auth[outgoing])
        done = client.post(
            f"/api/v1/handovers/{act.json()['act_id']}/accept", json={}, headers=auth[incoming]
        ).json()
        assert done["verification"]["valid"] is True
    assert client.get(base, headers=auth["tdz"]).json()["custody"] == "TDZ"
    assert client.post(f"{base}/arrive", headers=auth["tdz"]).json()["status"] == "arrived"
    delivered = client.post(f"{base}/deliver", json={"received_by": "F. R."}, headers=auth["tdz"])
    assert delivered.json()["status"] == "delivered"
    assert client.post(f"{base}/sign", headers=auth["shipper"]).status_code == 201  # countersign
    history = client.get(f"{base}/history", headers=auth["uti"]).json()
    assert [e["action"] for e in history["events"]][-3:] == ["arrive", "deliver", "sign"]
    verify = client.get(f"{base}/verify", headers=auth["shipper"]).json()
    assert verify["intact"] is True
    assert verify["unsigned_versions"] == []
    assert verify["valid"] is True  # every version signed by the party that made it
    listed = client.get("/api/v1/notes", params={"wagon": "95120341"}, headers=auth["tdz"])
    assert note in {n["id"] for n in listed.json()["notes"]}
    # the export and the public keyring verify offline with `temir notes verify`
    exported = client.get(f"{base}/export.json", headers=auth["shipper"]).json()
    assert [v["note"]["version"] for v in exported["versions"]] == [1, 2, 3, 4, 5, 6]
    keys = client.get("/api/v1/keys").json()["keys"]
    key_id = exported["versions"][5]["signatures"][0]["key_id"]
    one = client.get(f"/api/v1/keys/{key_id}").json()
    assert one["public_key_pem"].startswith("-----BEGIN PUBLIC KEY-----")
    assert key_id in {k["key_id"] for k in keys}
    assert "private" not in json.dumps(keys)


def test_error_shapes(client: TestClient, auth: dict[str, dict[str, str]], uow: UnitOfWork) -> None:
    with uow.read() as s:
        before = s.scalar(select(func.count()).select_from(NoteRow))
    assert client.post("/api/v1/notes", content=json.dumps(draft())).status_code == 401
    for body in (b"{broken", b"[]", json.dumps({"goods": 5}).encode(), b"x" * 2_100_000):
        response = client.post("/api/v1/notes", content=body, headers=auth["shipper"])
        assert response.status_code == 422, response.text
        assert set(response.json()["error"]) >= {"code", "message", "field"}
    with uow.read() as s:
        assert s.scalar(select(func.count()).select_from(NoteRow)) == before
    note = client.post("/api/v1/notes", content=json.dumps(draft()), headers=auth["shipper"])
    base = f"/api/v1/notes/{note.json()['id']}"
    wrong_org = client.post(f"{base}/submit", headers=auth["kzh"])
    assert wrong_org.status_code == 403
    assert wrong_org.json()["error"]["code"] == "permission_denied"
    early = client.post(f"{base}/accept", json={"consignment_number": "1"}, headers=auth["kzh"])
    assert early.status_code == 409
    assert early.json()["error"]["code"] == "note.invalid_transition"
    bad_body = client.post(f"{base}/accept", json={"consignment_number": 5}, headers=auth["kzh"])
    assert bad_body.status_code == 422
    assert client.get(f"{base}", headers=auth["other_shipper"]).status_code == 404
    assert client.get("/api/v1/notes/not-a-uuid", headers=auth["shipper"]).status_code == 404
    bad_filter = client.get("/api/v1/notes", params={"status": "x"}, headers=auth["shipper"])
    assert bad_filter.status_code == 422
    assert client.get("/api/v1/keys/ed25519:0000").status_code == 404


def test_carrier_boxes_over_http(client: TestClient, auth: dict[str, dict[str, str]]) -> None:
    """A shipper's box 32 is refused naming the box; the carrier in custody extends (issue 11.7)."""
    extension = [{"reason": "сам себе", "days": 30, "station_esr": "684001"}]
    refused = client.post(
        "/api/v1/notes", content=json.dumps({**draft(), "extensions": extension}),
        headers=auth["shipper"],
    )  # fmt: skip
    assert refused.status_code == 422
    assert (refused.json()["error"]["code"], refused.json()["error"]["field"]) == (
        "note.carrier_box",
        "box 32",
    )
    note = client.post("/api/v1/notes", content=json.dumps(draft()), headers=auth["shipper"])
    base = f"/api/v1/notes/{note.json()['id']}"
    assert client.post(f"{base}/submit", headers=auth["shipper"]).status_code == 200
    accept = client.post(f"{base}/accept", json={"consignment_number": "A-32"}, headers=auth["kzh"])
    assert accept.status_code == 200
    body = {"days": 2, "reason": "задержание", "station_esr": "684001"}
    assert client.post(f"{base}/extend", json=body, headers=auth["shipper"]).status_code == 403
    assert client.post(f"{base}/extend", json=body, headers=auth["uti"]).status_code == 403
    done = client.post(f"{base}/extend", json=body, headers=auth["kzh"])
    assert done.status_code == 200, done.text
    assert done.json()["document"]["extensions"][0]["days"] == 2
    report = {"number": "КА-1", "station_esr": "684001"}
    done = client.post(f"{base}/commercial-report", json=report, headers=auth["kzh"])
    assert done.status_code == 200, done.text
    assert done.json()["document"]["commercial_reports"][0]["number"] == "КА-1"
    bad = client.post(f"{base}/extend", json={**body, "days": 0}, headers=auth["kzh"])
    assert bad.status_code == 422
