"""Recording events on SQLite and PostgreSQL: idempotent, all or nothing, attributed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from temir.accounts.tables import AuditRow
from temir.kit.db import UnitOfWork
from temir.kit.errors import PermissionDenied, ValidationFailed
from temir.tracking import bulk, service
from temir.tracking.tables import TrackingEventRow
from tests.tracking.helpers import (
    ARYS,
    KOSTANAY,
    KYZYLORDA,
    Shipment,
    event,
    new_wagon,
    railway_actor,
)


def stored(uow: UnitOfWork, **where: str) -> list[Any]:
    """Stored event rows (plain rows: readable after the session is gone)."""
    table = TrackingEventRow.__table__
    with uow.read() as session:
        query = select(table)
        for name, value in where.items():
            query = query.where(table.c[name] == value)
        return list(session.execute(query.order_by(table.c.at)))


def test_the_same_event_twice_changes_nothing(uow: UnitOfWork, shipment: Shipment) -> None:
    wagon = shipment.wagons[0]
    lines = [(1, event("departure", wagon, KOSTANAY, shipment.accepted_at))]
    with uow() as session:
        first = service.ingest(session, shipment.world.kzh, lines)
    with uow() as session:
        again = service.ingest(session, shipment.world.kzh, lines)
    assert (first.recorded, first.duplicates) == (1, 0)
    assert (again.recorded, again.duplicates, again.written) == (0, 1, True)
    rows = stored(uow, unit=wagon)
    assert len(rows) == 1
    assert rows[0].note_id == shipment.note_id  # found by the wagon of box 7
    assert rows[0].reporter == "KZH"
    assert rows[0].recorded_by == shipment.world.kzh.label


def test_a_key_reused_with_other_content_is_refused(uow: UnitOfWork, shipment: Shipment) -> None:
    wagon = shipment.wagons[0]
    key = f"k-{uuid.uuid4().hex}"
    with uow() as session:
        service.ingest(
            session,
            shipment.world.kzh,
            [(1, event("departure", wagon, KOSTANAY, shipment.accepted_at, key=key))],
        )
    with uow() as session:
        outcome = service.ingest(
            session,
            shipment.world.kzh,
            [(7, event("departure", wagon, ARYS, shipment.accepted_at, key=key))],
        )
    assert not outcome.written
    assert [(r.line, [p.code for p in r.problems]) for r in outcome.rejected] == [
        (7, ["event.key_reused"])
    ]
    assert [r.station_esr for r in stored(uow, unit=wagon)] == [KOSTANAY]  # fmt: skip


def test_a_batch_with_one_bad_line_writes_nothing_and_names_every_bad_line(
    uow: UnitOfWork, shipment: Shipment
) -> None:
    wagon = shipment.wagons[1]
    at = shipment.accepted_at
    lines = [
        (1, event("departure", wagon, KOSTANAY, at)),
        (2, event("station_arrival", wagon, "671708", at + timedelta(days=2))),
        (3, event("station_arrival", wagon, KYZYLORDA, at + timedelta(days=2))),
        (4, {**event("hold", wagon, KYZYLORDA, at + timedelta(days=2)), "hold": "lunch"}),
    ]
    with uow() as session:
        outcome = service.ingest(session, shipment.world.kzh, lines)
    assert [r.line for r in outcome.rejected] == [2, 4]
    assert outcome.recorded == 0
    assert stored(uow, unit=wagon) == []


def test_a_duplicate_key_within_one_batch(uow: UnitOfWork, shipment: Shipment) -> None:
    wagon = shipment.wagons[0]
    same = event("departure", wagon, KOSTANAY, shipment.accepted_at)
    other = {**same, "station_esr": ARYS}
    with uow() as session:
        ok = service.ingest(session, shipment.world.kzh, [(1, same), (2, dict(same))])
    assert (ok.recorded, ok.duplicates) == (1, 1)
    with uow() as session:
        bad = service.ingest(
            session,
            shipment.world.kzh,
            [(1, {**same, "key": "x" + same["key"]}), (2, {**other, "key": "x" + same["key"]})],
        )
    assert [(r.line, r.problems[0].code) for r in bad.rejected] == [(2, "event.key_twice")]


def test_only_railways_report_and_only_for_themselves(uow: UnitOfWork, shipment: Shipment) -> None:
    line = event("departure", shipment.wagons[0], KOSTANAY, shipment.accepted_at)
    with uow() as session, pytest.raises(PermissionDenied):
        service.ingest(session, shipment.world.shipper, [(1, line)])
    with uow() as session:
        outcome = service.ingest(session, shipment.world.kzh, [(1, {**line, "reporter": "UTI"})])
    assert outcome.rejected[0].problems[0].code == "event.other_reporter"


def test_a_named_note_must_be_carried_by_the_reporter(uow: UnitOfWork, shipment: Shipment) -> None:
    wagon = new_wagon()
    line = event("departure", wagon, KOSTANAY, shipment.accepted_at, note_id=shipment.note_id)
    with uow() as session:
        ok = service.ingest(session, shipment.world.uti, [(1, line)])  # UTI carries it too
    assert ok.recorded == 1
    assert stored(uow, unit=wagon)[0].note_id == shipment.note_id
    missing = {**line, "key": line["key"] + "b", "note_id": str(uuid.uuid4())}
    with uow() as session:
        refused = service.ingest(session, shipment.world.uti, [(1, missing)])
    assert refused.rejected[0].problems[0].code == "event.note_unknown"


def test_a_wagon_is_linked_only_to_a_note_its_reporter_carries(
    uow: UnitOfWork, shipment: Shipment
) -> None:
    krg = railway_actor(uow, "KRG")
    line = event("departure", shipment.wagons[0], KOSTANAY, shipment.accepted_at)
    with uow() as session:
        assert service.ingest(session, krg, [(1, line)]).recorded == 1
    assert stored(uow, key=line["key"])[0].note_id is None


def test_one_audit_record_per_batch(uow: UnitOfWork, shipment: Shipment) -> None:
    wagon = shipment.wagons[0]
    lines = [
        (n, event("station_arrival", wagon, KYZYLORDA, shipment.accepted_at + timedelta(hours=n)))
        for n in range(1, 6)
    ]
    with uow() as session:
        service.ingest(session, shipment.world.kzh, lines)
    with uow.read() as session:
        count = session.scalar(
            select(func.count()).select_from(AuditRow).where(
                AuditRow.action == "tracking.events_recorded",
                AuditRow.target_id == lines[0][1]["key"],
            )
        )  # fmt: skip
        details = session.scalar(
            select(AuditRow.details).where(AuditRow.target_id == lines[0][1]["key"])
        )
    assert count == 1
    assert details is not None
    assert details["count"] == 5


def test_a_single_event_through_the_service_says_recorded_then_duplicate(
    uow: UnitOfWork, shipment: Shipment
) -> None:
    line = event("departure", shipment.wagons[0], KOSTANAY, shipment.accepted_at)
    with uow() as session:
        assert service.record_event(session, shipment.world.kzh, line) == {"status": "recorded"}
    with uow() as session:
        assert service.record_event(session, shipment.world.kzh, line) == {"status": "duplicate"}
    with uow() as session, pytest.raises(ValidationFailed) as error:
        service.record_event(session, shipment.world.kzh, {**line, "kind": "teleport"})
    assert error.value.code == "event.kind"


def test_files_go_in_batch_by_batch_and_a_bad_batch_stays_out(
    uow: UnitOfWork, shipment: Shipment
) -> None:
    wagon = shipment.wagons[1]
    t = datetime.now(UTC) - timedelta(days=3)
    rows = ["key,kind,unit,station_esr,at,remarks"]
    rows += [f"f-{uuid.uuid4().hex},station_arrival,{wagon},{KYZYLORDA},"
             f"{(t + timedelta(minutes=n)).isoformat()}," for n in range(6)]  # fmt: skip
    rows[5] = rows[5].replace(KYZYLORDA, "671708")  # line 6 (the header is 1): bad check digit
    records = bulk.csv_records(rows)
    report = bulk.import_records(uow, shipment.world.kzh, records, batch=3)
    assert (report.read, report.recorded, report.batches_written, report.batches_refused) == (
        6, 3, 1, 1,
    )  # fmt: skip
    assert [r.line for r in report.rejected] == [6]
    assert len(stored(uow, unit=wagon)) == 3
    again = bulk.import_records(uow, shipment.world.kzh, bulk.csv_records(rows[:4]), batch=3)
    assert (again.recorded, again.duplicates) == (0, 3)


def test_ndjson_lines_that_are_not_objects_are_rejected_lines() -> None:
    found = list(bulk.ndjson_records(['{"kind": "x"}', "", "[1]", "{broken"]))
    assert [n for n, _ in found] == [1, 3, 4]
    assert isinstance(found[0][1], dict)
    assert not isinstance(found[1][1], dict)
    assert not isinstance(found[2][1], dict)
