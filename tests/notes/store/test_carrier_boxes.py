"""Boxes 30–32 are the carriers' (issue 11.7), on SQLite and PostgreSQL: a consignor's draft
or correction that fills them is refused naming the box and writes nothing; the carrier in
custody records a commercial report (31) and an extension (32) as signed steps; nobody else
may, and box 32 holds at most two."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from temir.accounts.tables import AuditRow
from temir.kit import runtime
from temir.kit.db import UnitOfWork
from temir.kit.errors import Conflict, PermissionDenied, ValidationFailed
from temir.kit.settings import Settings
from temir.notes.store import bulk_import, carrier_steps, service
from temir.notes.store.tables import NoteEventRow, NoteRow
from tests.notes.store_helpers import SECRET, World, draft, make_world

SELF_EXTENSION = [{"reason": "сам себе продлил", "days": 30, "station_esr": "684001"}]


@pytest.fixture
def world(uow: UnitOfWork) -> World:
    return make_world(uow)


def accepted(uow: UnitOfWork, world: World) -> str:
    with uow() as s:
        note_id = service.create_note(s, world.shipper, draft(), secret=SECRET).summary.id
    with uow() as s:
        service.submit(s, world.shipper, note_id)
    with uow() as s:
        service.accept(s, world.kzh, note_id, consignment_number="KZ-31", secret=SECRET)
    return note_id


def count(uow: UnitOfWork, table: Any) -> int:
    with uow.read() as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


@pytest.mark.parametrize(
    ("field", "value", "box"),
    [
        ("carrier_remarks", ["Срок продлён"], 30),
        ("commercial_reports", [{"number": "1", "station_esr": "684001"}], 31),
        ("extensions", SELF_EXTENSION, 32),
    ],
)
def test_a_draft_may_not_fill_the_carriers_boxes(
    uow: UnitOfWork, world: World, field: str, value: Any, box: int
) -> None:
    before = count(uow, NoteRow)
    with pytest.raises(ValidationFailed) as refused, uow() as s:
        service.create_note(s, world.shipper, {**draft(), field: value}, secret=SECRET)
    problem = refused.value.problems[0]
    assert (problem.code, problem.field, problem.params) == (
        "note.carrier_box",
        f"box {box}",
        {"box": box},
    )
    assert f"Графа {box}" in problem.message("ru")
    assert count(uow, NoteRow) == before
    with uow() as s:
        note_id = service.create_note(s, world.shipper, draft(), secret=SECRET).summary.id
    with pytest.raises(ValidationFailed), uow() as s:
        service.edit_note(s, world.shipper, note_id, {**draft(), field: value}, secret=SECRET)
    with uow.read() as s:
        assert service.get_note(s, world.shipper, note_id).summary.version == 1


def test_bulk_import_refuses_a_line_with_box_32(uow: UnitOfWork, world: World) -> None:
    lines = [
        (1, json.dumps(draft()).encode()),
        (2, json.dumps({**draft(), "extensions": SELF_EXTENSION}).encode()),
    ]
    with uow() as s:
        outcome = bulk_import.import_batch(s, world.shipper, lines, skip_invalid=False)
    assert [n for n, _ in outcome.invalid] == [2]
    assert [(i.rule, i.box) for i in outcome.invalid[0][1]] == [("note.carrier_box", 32)]


def test_corrections_of_the_carriers_boxes(uow: UnitOfWork, world: World) -> None:
    note_id = accepted(uow, world)
    with pytest.raises(ValidationFailed) as by_shipper, uow() as s:
        service.correct(
            s, world.shipper, note_id, changes={"carrier_remarks": ["Принято"]}, reason="r"
        )
    assert by_shipper.value.problems[0].code == "note.carrier_box"
    with uow() as s:  # box 30 is the carrier's: its correction may write it
        done = service.correct(
            s, world.kzh, note_id, changes={"carrier_remarks": ["Пломбы проверены."]}, reason="r"
        )
    assert done.document["carrier_remarks"] == ["Пломбы проверены."]
    with pytest.raises(ValidationFailed) as by_kzh, uow() as s:
        service.correct(s, world.kzh, note_id, changes={"extensions": SELF_EXTENSION}, reason="r")
    assert (by_kzh.value.problems[0].code, by_kzh.value.problems[0].field) == (
        "note.step_box",
        "box 32",
    )


def test_the_carrier_in_custody_records_a_report_and_two_extensions(
    uow: UnitOfWork, world: World
) -> None:
    note_id = accepted(uow, world)
    audits = count(uow, AuditRow)
    for who in (world.shipper, world.uti, world.tdz):  # not in custody: KZH has the goods
        with pytest.raises(PermissionDenied), uow() as s:
            carrier_steps.extend_delivery_time(
                s, who, note_id, days=2, reason="r", station_esr="684001", secret=SECRET
            )
    with uow() as s:
        reported = carrier_steps.record_commercial_report(
            s, world.kzh, note_id, number="КА-17", station_esr="684001", secret=SECRET
        )
    assert reported.document["commercial_reports"][0]["number"] == "КА-17"
    assert reported.summary.status == "accepted"
    with uow() as s:
        first = carrier_steps.extend_delivery_time(
            s, world.kzh, note_id, days=2, reason="задержание по вине отправителя",
            station_esr="684001", secret=SECRET,
        )  # fmt: skip
    ext = first.document["extensions"][0]
    assert (ext["days"], ext["station_esr"]) == (2, "684001")
    assert first.summary.version == reported.summary.version + 1
    with uow() as s:
        carrier_steps.extend_delivery_time(
            s, world.kzh, note_id, days=1, reason="r", station_esr="684001", secret=SECRET
        )
    with pytest.raises(Conflict) as full, uow() as s:
        carrier_steps.extend_delivery_time(
            s, world.kzh, note_id, days=1, reason="r", station_esr="684001", secret=SECRET
        )
    assert full.value.code == "note.extensions_full"
    with pytest.raises(ValidationFailed) as zeros, uow() as s:
        carrier_steps.record_commercial_report(
            s, world.kzh, note_id, number="1", station_esr="000000", secret=SECRET
        )
    assert zeros.value.problems[0].code == "esr.all_zero"
    with uow.read() as s:
        actions = [e.action for e in s.scalars(
            select(NoteEventRow).where(NoteEventRow.note_id == note_id).order_by(NoteEventRow.id)
        )]  # fmt: skip
    assert actions[-3:] == ["report", "extend", "extend"]
    assert count(uow, AuditRow) == audits + 3
    with uow.read() as s:  # every version so far is signed by the party that made it
        verdict = service.verify(s, world.kzh, note_id)
    assert verdict["intact"] is True
    assert verdict["current_version_signed"] is True


def test_no_extension_before_acceptance(uow: UnitOfWork, world: World) -> None:
    with uow() as s:
        note_id = service.create_note(s, world.shipper, draft(), secret=SECRET).summary.id
    with pytest.raises((Conflict, PermissionDenied)), uow() as s:
        carrier_steps.extend_delivery_time(
            s, world.kzh, note_id, days=1, reason="r", station_esr="684001", secret=SECRET
        )


def test_cli_refuses_box_32_in_a_draft_and_extends_as_the_carrier(
    tmp_path: Path, world: World, engine: Engine, uow: UnitOfWork, monkeypatch: pytest.MonkeyPatch
) -> None:
    from temir.cli import app

    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False), home=tmp_path,
        secret_key=SECRET, host="127.0.0.1", port=8000, secure_cookies=False,
    )  # fmt: skip
    monkeypatch.setattr(runtime, "settings", lambda: settings)
    runner = CliRunner()
    path = tmp_path / "self.json"
    path.write_text(json.dumps({**draft(), "extensions": SELF_EXTENSION}), encoding="utf-8")
    out = runner.invoke(app, ["notes", "create", str(path), "--as", world.shipper.label, "--json"])
    assert out.exit_code == 1
    error = json.loads(out.stdout)["error"]
    assert (error["code"], error["field"]) == ("note.carrier_box", "box 32")
    note_id = accepted(uow, world)
    args = ["notes", "extend", note_id, "--days", "2", "--reason", "r", "--station", "684001"]
    denied = runner.invoke(app, [*args, "--as", world.shipper.label, "--json"])
    assert json.loads(denied.stdout)["error"]["code"] == "permission_denied"
    done = runner.invoke(app, [*args, "--as", world.kzh.label, "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["document"]["extensions"][0]["days"] == 2
    report = ["notes", "report", note_id, "--number", "7", "--station", "684001"]
    done = runner.invoke(app, [*report, "--as", world.kzh.label, "--json"])
    assert json.loads(done.stdout)["document"]["commercial_reports"][0]["number"] == "7"
