"""Bad files given to ``temir notes import`` (JSON lines) and ``temir notes import-xml``: each
is answered with structured issues naming the line (and box) or the file, never a traceback,
and nothing is written. SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from temir.cli import app
from temir.kit import runtime
from temir.kit.db import UnitOfWork
from temir.kit.settings import Settings
from temir.notes.paper.xml import note_to_xml
from temir.notes.store.tables import NoteRow
from temir.signing.canonical import canonical_json
from tests.hostile import hostile_files
from tests.notes.store_helpers import SECRET, World, draft, make_world

runner = CliRunner()
KINDS = list(hostile_files("a\nb\n"))


@pytest.fixture(autouse=True)
def cli_database(monkeypatch: pytest.MonkeyPatch, engine: Engine, tmp_path: Path) -> None:
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False), home=tmp_path,
        secret_key=SECRET, host="127.0.0.1", port=8000, secure_cookies=False,
    )  # fmt: skip
    monkeypatch.setattr(runtime, "settings", lambda: settings)


@pytest.fixture
def world(uow: UnitOfWork) -> World:
    return make_world(uow)


def notes_of(uow: UnitOfWork, world: World) -> int:
    with uow.read() as session:
        org = world.shipper.organisation_id
        return session.scalar(
            select(func.count()).select_from(NoteRow).where(NoteRow.consignor_org_id == org)
        ) or 0  # fmt: skip


def invoke(*args: str) -> tuple[int, dict[str, object]]:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, json.loads(result.stdout)


@pytest.mark.parametrize("kind", KINDS)
def test_jsonl_import_answers_a_hostile_file_and_writes_nothing(
    tmp_path: Path, uow: UnitOfWork, world: World, kind: str
) -> None:
    good = "".join(canonical_json(draft()).decode() + "\n" for _ in range(2))
    path = tmp_path / "notes.jsonl"
    path.write_bytes(hostile_files(good)[kind])
    code, report = invoke("notes", "import", str(path), "--as", world.shipper.label)
    if report.get("read") == 0:
        assert code == 0
    else:
        assert code == 1, report
        if "error" not in report:
            assert report["written"] == 0, report
            assert report["invalid"], report
            for line in report["invalid"]:  # type: ignore[attr-defined]
                assert line["line"] >= 1, line
                assert line["issues"][0]["rule"], line
    assert notes_of(uow, world) == 0


@pytest.mark.parametrize("kind", KINDS)
def test_import_xml_answers_a_hostile_file(tmp_path: Path, kind: str) -> None:
    from temir.notes.boxes import parse_note

    note, _ = parse_note(canonical_json(draft()))
    assert note is not None
    good = note_to_xml(note).decode("utf-8")
    path = tmp_path / "note.xml"
    path.write_bytes(hostile_files(good)[kind])
    code, body = invoke("notes", "import-xml", str(path))
    assert code == 1
    error = body.get("error")
    if error is not None:
        assert error["code"], error  # type: ignore[index]
        assert error["field"], error  # type: ignore[index]
    else:
        assert body["valid"] is False, body
        assert body["issues"], body
