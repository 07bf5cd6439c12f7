"""Bad event files over ``temir events import`` and ``POST /api/v1/tracking/events/batch``:
every one is answered with structured errors naming the line (or the header), never a
traceback or a 500, and the batch holding a bad line writes nothing. SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
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
from tests.hostile import hostile_files
from tests.notes.store_helpers import SECRET
from tests.tracking.helpers import KOSTANAY, SARYAGASH_EXP, Shipment, event
from tests.tracking.test_ingest import stored

runner = CliRunner()
KINDS = list(hostile_files("a\nb\n"))


def good_files(shipment: Shipment) -> dict[str, str]:
    wagon, t = shipment.wagons[0], shipment.accepted_at
    one = event("departure", wagon, KOSTANAY, t)
    two = event("station_arrival", wagon, SARYAGASH_EXP, t.replace(hour=23))
    ndjson = "".join(json.dumps(e) + "\n" for e in (one, two))
    csv = "key,kind,unit,station_esr,at\n" + "".join(
        f"{e['key']},{e['kind']},{e['unit']},{e['station_esr']},{e['at']}\n" for e in (one, two)
    )
    return {"ndjson": ndjson, "csv": csv}


@pytest.fixture
def settings(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    s = Settings(
        database_url=engine.url.render_as_string(hide_password=False), home=tmp_path,
        secret_key=SECRET, host="127.0.0.1", port=8000, secure_cookies=False,
    )  # fmt: skip
    monkeypatch.setattr(runtime, "settings", lambda: s)
    return s


def structured(body: dict[str, Any]) -> None:
    """An error object, or an import report whose every rejected line names line and reason."""
    if "error" in body:
        assert body["error"]["code"], body
        assert body["error"]["field"], body
        rejected = body["error"].get("rejected", [])
    else:
        assert body["recorded"] == 0, body
        rejected = body["rejected"]
        assert body["read"] == 0 or rejected, body
    for line in rejected:
        assert line["line"] >= 1, line
        assert line["problems"], line
        assert all(p["code"] and p["message"] for p in line["problems"]), line


@pytest.mark.parametrize("fmt", ["ndjson", "csv"])
@pytest.mark.parametrize("kind", KINDS)
def test_cli_answers_a_hostile_event_file_and_writes_nothing(
    settings: Settings, uow: UnitOfWork, shipment: Shipment, tmp_path: Path, kind: str, fmt: str
) -> None:
    path = tmp_path / f"events.{fmt}"
    path.write_bytes(hostile_files(good_files(shipment)[fmt])[kind])
    result = runner.invoke(app, ["events", "import", str(path), "--as",
                                 shipment.world.kzh.label, "--json"])  # fmt: skip
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    body = json.loads(result.stdout)
    structured(body)
    assert result.exit_code == (0 if body.get("read") == 0 else 1), result.output
    assert stored(uow, unit=shipment.wagons[0]) == []


@pytest.fixture
def api(settings: Settings, uow: UnitOfWork, shipment: Shipment) -> Iterator[TestClient]:
    from temir.app import create_app

    with uow() as s:
        label = shipment.world.kzh.label
        token = accounts.issue_token(s, Actor.system("tests"), username=label).secret
    with TestClient(create_app(settings)) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


@pytest.mark.parametrize("fmt", ["ndjson", "csv"])
@pytest.mark.parametrize("kind", KINDS)
def test_api_answers_a_hostile_event_body_and_writes_nothing(
    api: TestClient, uow: UnitOfWork, shipment: Shipment, kind: str, fmt: str
) -> None:
    body = hostile_files(good_files(shipment)[fmt])[kind]
    response = api.post(
        "/api/v1/tracking/events/batch", params={"format": fmt}, content=body,
        headers={"Content-Type": "text/csv" if fmt == "csv" else "application/x-ndjson"},
    )  # fmt: skip
    assert response.status_code in (200, 422), response.text
    structured(response.json())
    assert stored(uow, unit=shipment.wagons[0]) == []


@pytest.mark.parametrize("text", ["a\u0000b", "\ud800", "bell\u0007"])
@pytest.mark.parametrize("field", ["key", "remarks"])
def test_escaped_control_characters_in_a_line_are_refused(
    api: TestClient, uow: UnitOfWork, shipment: Shipment, field: str, text: str
) -> None:
    line = event("departure", shipment.wagons[0], KOSTANAY, shipment.accepted_at)
    line[field] = text
    response = api.post("/api/v1/tracking/events/batch", content=json.dumps(line).encode() + b"\n")
    assert response.status_code == 422, response.text
    problems = response.json()["error"]["rejected"][0]["problems"]
    assert any(p["field"] == field for p in problems), problems
    assert stored(uow, unit=shipment.wagons[0]) == []
