"""An event of a container links to the note that carries it in box 15 even when the event
names no note — as a wagon's does by box 7 — and tracking the container shows that note."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from temir.codes.container import container_check_digit
from temir.kit.db import UnitOfWork
from temir.notes.store import service as notes
from temir.tracking import service, timeline
from temir.tracking.tables import TrackingEventRow
from tests.notes.store_helpers import draft
from tests.tracking.helpers import KOSTANAY, KYZYLORDA, World, event, new_wagon


def new_container() -> str:
    body = f"TEMU{random.randrange(10**6):06d}"
    return body + str(container_check_digit(body))


def container_note(uow: UnitOfWork, world: World) -> tuple[str, str]:
    """An accepted note whose first goods line travels in a container (box 15)."""
    doc = draft()
    swap = {w["number"]: new_wagon() for w in doc["wagons"]}
    for w in doc["wagons"]:
        w["number"] = swap[w["number"]]
    for part in doc["goods"] + doc["seals"]:
        part["wagon_number"] = swap[part["wagon_number"]]
    container = new_container()
    doc["goods"][0]["container"] = {"number": container}
    with uow() as s:
        note_id = notes.create_note(s, world.shipper, doc).summary.id
        notes.submit(s, world.shipper, note_id)
        notes.accept(s, world.kzh, note_id, consignment_number=f"C{uuid.uuid4().hex[:8]}",
                     contract_date=datetime.now(UTC) - timedelta(days=3))  # fmt: skip
    return note_id, container


def test_a_container_event_without_a_note_links_to_its_note(uow: UnitOfWork, world: World) -> None:
    note_id, container = container_note(uow, world)
    t = datetime.now(UTC) - timedelta(days=2)
    lines = [
        event("departure", container, KOSTANAY, t),
        event("station_arrival", container.lower(), KYZYLORDA, t + timedelta(days=1)),
    ]
    with uow() as s:
        assert service.ingest(s, world.kzh, list(enumerate(lines, 1))).recorded == 2
    with uow.read() as s:
        linked = s.scalars(
            select(TrackingEventRow.note_id).where(TrackingEventRow.unit == container)
        ).all()
        found = timeline.track(s, world.shipper, container)
    assert linked == [note_id, note_id]
    assert found.note is not None
    assert found.note.id == note_id
    assert [u.unit for u in found.units] == [container]
    assert len(found.units[0].entries) == 2


def test_another_railways_report_of_the_container_is_not_linked(
    uow: UnitOfWork, world: World
) -> None:
    """Only a carrier of the note links a report to it (as for wagons)."""
    from tests.tracking.helpers import railway_actor

    _note_id, container = container_note(uow, world)
    krg = railway_actor(uow, "KRG")
    with uow() as s:
        service.ingest(s, krg, [(1, event("departure", container, KOSTANAY,
                                          datetime.now(UTC) - timedelta(hours=5)))])  # fmt: skip
    with uow.read() as s:
        linked = s.scalars(
            select(TrackingEventRow.note_id).where(TrackingEventRow.unit == container)
        ).all()
    assert linked == [None]
