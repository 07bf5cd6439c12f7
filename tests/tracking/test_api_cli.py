"""Tracking through HTTP and the command line: same rules, same shapes, never a 500."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from temir.accounts import service as accounts
from temir.accounts.model import Actor
from temir.cli import app
from temir.kit import runtime
from temir.kit.db import UnitOfWork
from temir.kit.settings import Settings
from tests.notes.store_helpers import SECRET
from tests.tracking.helpers import KOSTANAY, KYZYLORDA, SARYAGASH_EXP, Shipment, event

runner = CliRunner()


def _settings(engine: Engine, home: Path) -> Settings:
    return Settings(
        database_url=engine.url.render_as_string(hide_password=False), home=home,
        secret_key=SECRET, host="127.0.0.1", port=8000, secure_cookies=False,
    )  # fmt: skip


@pytest.fixture
def api(engine: Engine, tmp_path: Path) -> Iterator[TestClient]:
    from temir.app import create_app

    with TestClient(create_app(_settings(engine, tmp_path))) as test_client:
        yield test_client


@pytest.fixture
def auth(uow: UnitOfWork, shipment: Shipment) -> dict[str, dict[str, str]]:
    headers = {}
    with uow() as s:
        for name in ("shipper", "other_shipper", "kzh", "uti"):
            actor: Actor = getattr(shipment.world, name)
            token = accounts.issue_token(s, Actor.system("tests"), username=actor.label).secret
            headers[name] = {"Authorization": f"Bearer {token}"}
    return headers


def test_events_one_by_one_and_in_batches(
    api: TestClient, auth: dict[str, dict[str, str]], shipment: Shipment
) -> None:
    wagon, t = shipment.wagons[0], shipment.accepted_at
    one = event("departure", wagon, KOSTANAY, t)
    assert api.post("/api/v1/tracking/events", json=one, headers=auth["kzh"]).status_code == 201
    again = api.post("/api/v1/tracking/events", json=one, headers=auth["kzh"])
    assert (again.status_code, again.json()) == (200, {"status": "duplicate"})
    bad = api.post("/api/v1/tracking/events", json={**one, "kind": "fly"}, headers=auth["kzh"],
                   params={"lang": "ru"})  # fmt: skip
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "kind"
    assert "Неизвестный вид события" in bad.json()["error"]["message"]
    assert api.post("/api/v1/tracking/events", json=one).status_code == 401
    denied = api.post("/api/v1/tracking/events", json=one, headers=auth["shipper"])
    assert denied.status_code == 403
    lines = [event("station_arrival", wagon, KYZYLORDA, t + timedelta(days=d)) for d in (1, 2)]
    body = "\n".join(json.dumps(x) for x in lines)
    ok = api.post("/api/v1/tracking/events/batch", content=body, headers=auth["kzh"])
    assert ok.status_code == 200
    assert ok.json()["recorded"] == 2
    csv_body = "kind,unit,station_esr,at\nstation_arrival,{w},{s},{a}\nstation_arrival,{w},1,{a}\n"
    refused = api.post(
        "/api/v1/tracking/events/batch",
        content=csv_body.format(w=wagon, s=KYZYLORDA, a=(t + timedelta(days=3)).isoformat()),
        headers={**auth["kzh"], "content-type": "text/csv"},
    )
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "tracking.batch_refused"
    assert [r["line"] for r in error["rejected"]] == [3]
    broken = api.post("/api/v1/tracking/events/batch", content=b"{nope\n", headers=auth["kzh"])
    assert broken.status_code == 422


def test_track_and_handover_over_http(
    api: TestClient, auth: dict[str, dict[str, str]], shipment: Shipment
) -> None:
    found = api.get(f"/api/v1/tracking/{shipment.wagons[0]}", headers=auth["shipper"])
    assert found.status_code == 200
    assert found.json()["note"]["id"] == shipment.note_id
    hidden = api.get(f"/api/v1/tracking/{shipment.note_id}", headers=auth["other_shipper"])
    assert hidden.status_code == 404
    assert hidden.json()["error"]["code"] == "tracking.not_found"
    offered = api.post("/api/v1/handovers", json={"note_id": shipment.note_id},
                       headers=auth["kzh"])  # fmt: skip
    assert offered.status_code == 201
    act_id = offered.json()["act_id"]
    wrong = api.post(f"/api/v1/handovers/{act_id}/accept", json={}, headers=auth["kzh"])
    assert wrong.status_code == 403
    disputed = api.post(
        f"/api/v1/handovers/{act_id}/dispute",
        json={"discrepancies": [{"kind": "seal_missing", "unit": shipment.wagons[0]}]},
        headers=auth["uti"],
    )
    assert disputed.status_code == 200
    assert disputed.json()["status"] == "disputed"
    assert (
        api.get(f"/api/v1/handovers/{act_id}", headers=auth["shipper"])
        .json()["acts"][0]["decision"]["commercial_act"]
        .startswith("KA-")
    )
    border = api.get(f"/api/v1/tracking/borders/{SARYAGASH_EXP}", headers=auth["kzh"])
    assert border.status_code == 200
    assert border.json()["crossing"]["b_esr"] == "720602"
    assert api.get("/api/v1/tracking/dwell", headers=auth["kzh"]).status_code == 200


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
def test_cli_imports_tracks_and_hands_over(tmp_path: Path, shipment: Shipment) -> None:
    w, wagon, t = shipment.world, shipment.wagons[0], shipment.accepted_at
    path = tmp_path / "events.ndjson"
    lines = [event("departure", wagon, KOSTANAY, t),
             event("station_arrival", wagon, SARYAGASH_EXP, t + timedelta(days=4))]  # fmt: skip
    path.write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    code, report = run("events", "import", str(path), "--as", w.kzh.label)
    assert (code, report["recorded"], report["batches_refused"]) == (0, 2, 0)
    code, report = run("events", "import", str(path), "--as", w.kzh.label)
    assert (code, report["duplicates"]) == (0, 2)
    bad = tmp_path / "bad.csv"
    bad.write_text(f"kind,unit,station_esr,at\nhold,{wagon},{KOSTANAY},{t.isoformat()}\n")
    code, report = run("events", "import", str(bad), "--as", w.kzh.label)
    assert code == 1
    assert report["rejected"][0]["line"] == 2
    code, found = run("track", wagon, "--as", w.shipper.label)
    assert code == 0
    assert found["units"][0]["position"]["station_esr"] == SARYAGASH_EXP
    code, offered = run("handover", "offer", shipment.note_id, "--as", w.kzh.label,
                        "--at", (t + timedelta(days=4, hours=1)).isoformat())  # fmt: skip
    assert code == 0
    act_id = offered["acts"][0]["act_id"]
    code, naive = run("handover", "accept", act_id, "--as", w.uti.label, "--at", "2026-03-01T10:00")
    assert code == 1
    assert naive["error"]["code"] == "event.time_offset"
    code, accepted = run("handover", "accept", act_id, "--as", w.uti.label)
    assert (code, accepted["acts"][0]["status"]) == (0, "accepted")
    code, shown = run("handover", "show", shipment.note_id, "--as", w.shipper.label)
    assert [a["act_id"] for a in shown["acts"]] == [act_id]
    code, found = run("track", shipment.note_id, "--as", w.uti.label)
    assert {u["custody"] for u in found["units"]} == {"UTI"}
    plain = runner.invoke(app, ["track", wagon, "--as", w.shipper.label])
    assert plain.exit_code == 0
    assert "UTI" in plain.output
