"""A step that makes a version answers with what it wrote, built without reading it back
(:func:`temir.notes.store.records.detail_of` with ``written``): that answer must be exactly
what a later read of the stored note shows — summary, document, digest and signatures."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from temir.kit.db import UnitOfWork
from temir.notes.store import service
from temir.notes.store.model import NoteDetail
from temir.notes.store.tables import NoteWagonRow
from tests.notes.store_helpers import SECRET, World, draft, make_world


@pytest.fixture
def world(uow: UnitOfWork) -> World:
    return make_world(uow)


def shown(uow: UnitOfWork, world: World, note_id: str) -> NoteDetail:
    with uow.read() as session:
        return service.get_note(session, world.shipper, note_id)


def test_create_edit_and_accept_answer_what_is_stored(uow: UnitOfWork, world: World) -> None:
    with uow() as s:
        created = service.create_note(s, world.shipper, draft(), secret=SECRET)
    note_id = created.summary.id
    assert created.to_dict() == shown(uow, world, note_id).to_dict()
    assert [sig["role"] for sig in created.signatures] == ["consignor"]
    with uow.read() as s:  # a new note's wagons are written without a DELETE first
        wagons = s.scalar(select(func.count()).where(NoteWagonRow.note_id == note_id))
    assert wagons == len({w["number"] for w in draft()["wagons"] if w.get("number")})

    changed = dict(draft(), consignor_declarations="изменено")
    with uow() as s:
        edited = service.edit_note(s, world.shipper, note_id, changed, secret=SECRET)
    assert edited.summary.version == 2
    assert edited.to_dict() == shown(uow, world, note_id).to_dict()

    with uow() as s:
        service.submit(s, world.shipper, note_id)
    with uow() as s:
        accepted = service.accept(
            s, world.kzh, note_id, consignment_number="KZ-7001", secret=SECRET
        )
    assert accepted.summary.version == 3
    assert [sig["role"] for sig in accepted.signatures] == ["carrier"]
    assert accepted.to_dict() == shown(uow, world, note_id).to_dict()


def test_an_unsigned_step_answers_no_signature(uow: UnitOfWork, world: World) -> None:
    with uow() as s:
        created = service.create_note(s, world.shipper, draft())
    assert created.signatures == ()
    assert created.to_dict() == shown(uow, world, created.summary.id).to_dict()
