"""``temir notes create|submit|…|list|import`` and ``temir keys`` against a real database."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from temir.cli import app
from temir.kit import runtime
from temir.kit.db import UnitOfWork
from temir.kit.settings import Settings
from temir.signing.canonical import canonical_json
from tests.notes.store_helpers import SECRET, World, draft, make_world

runner = CliRunner()


@pytest.fixture(autouse=True)
def cli_database(monkeypatch: pytest.MonkeyPatch, engine: Engine, tmp_path: Path) -> None:
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        home=tmp_path,
        secret_key=SECRET,
        host="127.0.0.1",
        port=8000,
        secure_cookies=False,
    )
    monkeypatch.setattr(runtime, "settings", lambda: settings)


@pytest.fixture
def world(uow: UnitOfWork) -> World:
    return make_world(uow)


def run(*args: str) -> tuple[int, object]:
    result = runner.invoke(app, [*args, "--json"])
    try:
        return result.exit_code, json.loads(result.stdout)
    except ValueError:
        return result.exit_code, result.output


def test_create_submit_accept_sign_show_history(tmp_path: Path, world: World) -> None:
    path = tmp_path / "draft.json"
    path.write_text(json.dumps(draft()), encoding="utf-8")
    code, created = run("notes", "create", str(path), "--as", world.shipper.label)
    assert code == 0, created
    assert isinstance(created, dict)
    note = created["id"]
    assert run("notes", "submit", note, "--as", world.shipper.label)[0] == 0
    code, refused = run("notes", "accept", note, "--number", "K-1", "--as", world.uti.label)
    assert code == 1
    assert isinstance(refused, dict)
    assert refused["error"]["code"] == "permission_denied"
    code, accepted = run("notes", "accept", note, "--number", "K-1", "--as", world.kzh.label)
    assert code == 0
    assert isinstance(accepted, dict)
    assert accepted["status"] == "accepted"
    assert [s["organisation"] for s in accepted["signatures"]] == [world.orgs["kzh"]]
    code, again = run("notes", "sign", note, "--as", world.kzh.label)  # signed as it accepted
    assert isinstance(again, dict)
    assert (code, again["error"]["code"]) == (1, "note.already_signed")
    code, signed = run("notes", "sign", note, "--as", world.shipper.label)  # a countersignature
    assert code == 0
    assert isinstance(signed, dict)
    assert signed["version"] == 2
    code, history = run("notes", "history", note, "--as", world.shipper.label)
    assert isinstance(history, dict)
    assert [e["action"] for e in history["events"]] == ["create", "submit", "accept", "sign"]
    code, check = run("notes", "check", note, "--as", world.shipper.label)
    assert isinstance(check, dict)
    assert check["intact"] is True
    code, listed = run("notes", "list", "--status", "accepted", "--as", world.kzh.label)
    assert isinstance(listed, dict)
    assert note in {n["id"] for n in listed["notes"]}
    code, keys = run("keys", "list", world.orgs["kzh"])
    assert isinstance(keys, list)
    assert [k["current"] for k in keys] == [True]
    code, _rotated = run("keys", "rotate", world.orgs["kzh"], "--as", world.kzh.label)
    assert code == 0
    code, keys = run("keys", "list", world.orgs["kzh"])
    assert isinstance(keys, list)
    assert [k["current"] for k in keys] == [False, True]


def test_import_reports_invalid_lines_by_number(tmp_path: Path, world: World) -> None:
    good = [canonical_json({**draft(), "note_id": "", "consignor_declarations": f"№ {n}"})
            .decode("utf-8") for n in range(3)]  # fmt: skip
    path = tmp_path / "notes.jsonl"
    path.write_text("\n".join([good[0], good[1], '{"goods": 1}', good[2]]) + "\n", "utf-8")
    code, report = run("notes", "import", str(path), "--batch", "2", "--as", world.shipper.label)
    assert code == 1
    assert isinstance(report, dict)
    assert report["written"] == 2
    assert report["batches_refused"] == 1
    assert [i["line"] for i in report["invalid"]] == [3]
    assert report["invalid"][0]["issues"][0]["box"] == 15


def test_create_without_json_prints_just_the_id(tmp_path: Path, world: World) -> None:
    """As the README says: ``id=$(temir notes create note.json --as …)``."""
    path = tmp_path / "draft.json"
    path.write_text(json.dumps(draft()), encoding="utf-8")
    result = runner.invoke(app, ["notes", "create", str(path), "--as", world.shipper.label])
    assert result.exit_code == 0, result.output
    note_id = result.stdout.strip()
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", note_id)
    code, shown = run("notes", "show", note_id, "--as", world.shipper.label)
    assert code == 0
    assert isinstance(shown, dict)
    assert shown["status"] == "draft"
