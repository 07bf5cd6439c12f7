"""NUL and other control characters are refused at every edge a note's text comes through —
the API (create, edit, validate), ``temir notes import`` (JSON lines), ``temir notes import-xml``
and the web form — naming the box and field; tab and line breaks pass only in a text box with
lines. The XML export never writes one. SQLite and PostgreSQL where a database is involved."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from temir.cli import app
from temir.kit.db import UnitOfWork
from temir.kit.errors import ValidationFailed
from temir.notes.boxes import parse_note
from temir.notes.model import Note
from temir.notes.paper.xml import note_from_xml, note_to_xml
from temir.notes.store import service
from temir.notes.store.tables import NoteRow
from temir.notes.web_form import note_to_form
from tests.notes import test_api, test_web_steps
from tests.notes.store import test_cli
from tests.notes.store_helpers import World, draft
from tests.notes.test_web_steps import Login, People, csrf, new_draft

# the fixtures of the neighbouring tests, shared (pytest finds them by name in this module)
cli_database = test_cli.cli_database
client, auth, world = test_api.client, test_api.auth, test_api.world
login, people = test_web_steps.login, test_web_steps.people

BAD = ["nul\x00", "bell\x07", "escape\x1b[31m", "del\x7f", "\ufffe"]


def with_name(value: str) -> dict[str, object]:
    note = draft()
    note["consignor"]["name"] = value
    return note


def control_issue(issues: list[dict[str, object]], box: int, path: str) -> None:
    found = [i for i in issues if i["rule"] == "N-000-CONTROL"]
    assert found, issues
    assert (found[0]["box"], found[0]["path"]) == (box, path)


@pytest.mark.parametrize("value", BAD)
def test_parsing_refuses_a_control_character_naming_the_box(value: str) -> None:
    note, issues = parse_note(json.dumps(with_name(value)))
    assert note is None
    control_issue([i.to_dict() for i in issues], 1, "consignor.name")


def test_line_breaks_pass_in_a_box_with_lines_only() -> None:
    note = draft()
    note["consignor"]["address"] = "ул. Абая, 1\r\n\tКостанай"
    parsed, issues = parse_note(json.dumps(note))
    assert parsed is not None, issues
    assert parsed.consignor.address == "ул. Абая, 1\r\n\tКостанай"
    note["consignor"]["name"] = "ТОО\nЗерно"
    _, issues = parse_note(json.dumps(note))
    control_issue([i.to_dict() for i in issues], 1, "consignor.name")


def test_the_json_schema_carries_the_rule() -> None:
    schema = Note.model_json_schema()
    party = schema["$defs"]["Party"]["properties"]
    assert "\\u0000-\\u001f" in party["name"]["pattern"]
    assert "\\u000e-\\u001f" in party["address"]["pattern"]


def notes_of(uow: UnitOfWork, world: World) -> int:
    with uow.read() as session:
        org = world.shipper.organisation_id
        query = select(func.count()).select_from(NoteRow).where(NoteRow.consignor_org_id == org)
        return session.scalar(query) or 0


@pytest.mark.parametrize("value", ["nul\x00", "del\x7f"])
def test_api_create_edit_and_validate_refuse_it(
    client: TestClient, auth: dict[str, dict[str, str]], uow: UnitOfWork, world: World,
    value: str,
) -> None:  # fmt: skip
    body = json.dumps(with_name(value))
    created = client.post("/api/v1/notes", content=body, headers=auth["shipper"])
    assert created.status_code == 422, created.text
    error = created.json()["error"]
    assert (error["code"], error["field"]) == ("N-000-CONTROL", "box 1")
    assert "consignor.name" in error["message"]
    assert notes_of(uow, world) == 0
    checked = client.post("/api/v1/notes/validate", content=body).json()
    assert checked["valid"] is False
    control_issue(checked["issues"], 1, "consignor.name")
    note = client.post("/api/v1/notes", content=json.dumps(draft()), headers=auth["shipper"])
    note_id = note.json()["id"]
    edited = client.put(f"/api/v1/notes/{note_id}", content=body, headers=auth["shipper"])
    assert edited.status_code == 422, edited.text
    assert edited.json()["error"]["problems"] == error["problems"]
    assert notes_of(uow, world) == 1


@pytest.mark.usefixtures("cli_database")
def test_cli_import_refuses_the_line_naming_box_15(
    tmp_path: Path, uow: UnitOfWork, world: World
) -> None:
    note = draft()
    note["goods"][0]["description"] = "пшеница\x00"
    path = tmp_path / "notes.jsonl"
    path.write_text(json.dumps(note) + "\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["notes", "import", str(path), "--as", world.shipper.label, "--json"]
    )
    assert result.exit_code == 1
    line = json.loads(result.stdout)["invalid"][0]
    assert line["line"] == 1
    control_issue(line["issues"], 15, "goods[0].description")
    assert notes_of(uow, world) == 0


def test_xml_import_refuses_it_and_export_never_writes_it() -> None:
    note, _ = parse_note(json.dumps(draft()))
    assert note is not None
    xml = note_to_xml(note)
    name = note.consignor.name.encode("utf-8")
    with pytest.raises(ValidationFailed) as caught:
        note_from_xml(xml.replace(name, name + b"\x7f"))
    assert caught.value.problems[0].field == "consignor.name"
    stored_before = note.model_copy(update={"consignor": note.consignor.model_copy(
        update={"name": "old\x01"})})  # fmt: skip
    with pytest.raises(ValidationFailed) as export:
        note_to_xml(stored_before)
    assert (export.value.code, export.value.field) == ("notes.xml_control", "name")


def test_the_web_form_refuses_it_next_to_box_1(
    people: People, login: Login, uow: UnitOfWork
) -> None:
    note_id = new_draft(uow, people.shipper)
    client = login(people.shipper)
    with uow.read() as session:
        current = Note.model_validate(
            service.get_note(session, people.shipper.actor, note_id).document
        )
    form = note_to_form(current) | {"csrf_token": csrf(client), "consignor.name": "ТОО\x00"}
    answer = client.post(f"/notes/{note_id}/edit", data=form, follow_redirects=False)
    assert answer.status_code == 422
    box1 = answer.text.split('<div id="issues-1"')[1].split("</div>")[0]
    assert "control character" in box1
