"""A new draft made in two parts (:mod:`temir.notes.store.new_draft`): checked, identified and
signed in a read session, then written in a unit of work of its own. It must be the same note
``create_note`` makes in one unit of work, signed by a key that is current when it is stored,
and a refused draft must stop before the write."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import func, select

from temir.accounts.tables import AuditRow
from temir.kit.db import UnitOfWork
from temir.kit.errors import PermissionDenied, ValidationFailed
from temir.notes.store import new_draft, service
from temir.notes.store.tables import NoteRow, NoteSignatureRow, NoteVersionRow
from temir.signing import service as key_service
from tests.notes.store_helpers import SECRET, World, draft, make_world


@pytest.fixture
def world(uow: UnitOfWork) -> World:
    return make_world(uow)


def _counts(uow: UnitOfWork) -> tuple[int, int, int, int]:
    with uow.read() as s:
        return tuple(  # type: ignore[return-value]
            s.scalar(select(func.count()).select_from(t)) or 0
            for t in (NoteRow, NoteVersionRow, NoteSignatureRow, AuditRow)
        )


def test_created_in_two_parts_is_the_note_create_note_makes(uow: UnitOfWork, world: World) -> None:
    with uow() as s:
        once = service.create_note(s, world.shipper, draft(), secret=SECRET)
    twice = service.create_note_in(uow, world.shipper, draft(), secret=SECRET)

    a, b = copy.deepcopy(once.to_dict()), copy.deepcopy(twice.to_dict())
    for each in (a, b):  # what differs between any two notes
        for k in ("id", "created_at", "updated_at", "digest"):
            each.pop(k)
        each["document"].pop("note_id")
        for sig in each["signatures"]:
            for k in ("digest", "signed_at"):
                sig.pop(k)
    assert a == b
    with uow.read() as s:
        shown = service.get_note(s, world.shipper, twice.summary.id)
        report = service.verify(s, world.shipper, twice.summary.id)
    assert shown.to_dict() == twice.to_dict()
    assert report["valid"] is True
    assert [sig["role"] for sig in twice.signatures] == ["consignor"]


def test_a_key_rotated_between_the_parts_does_not_sign_the_stored_version(
    uow: UnitOfWork, world: World
) -> None:
    with uow() as s:  # the shipper's organisation has a key to sign ahead with
        service.create_note(s, world.shipper, draft(), secret=SECRET)
    with uow.read() as s:
        prepared = new_draft.prepare(s, world.shipper, draft(), secret=SECRET)
    assert prepared.presigned is not None
    old_key = prepared.presigned.signature.key_id
    with uow() as s:
        new_key = key_service.rotate_key(s, world.shipper, world.orgs["shipper"], SECRET).key_id
    with uow() as s:
        stored = new_draft.store(s, world.shipper, prepared, secret=SECRET)

    assert new_key != old_key
    assert [sig["key_id"] for sig in stored.signatures] == [new_key]
    with uow.read() as s:
        report = service.verify(s, world.shipper, stored.summary.id)
    assert report["valid"] is True


def test_an_organisation_without_a_key_gets_one_in_the_write(uow: UnitOfWork, world: World) -> None:
    with uow.read() as s:
        prepared = new_draft.prepare(s, world.shipper, draft(), secret=SECRET)
    assert prepared.presigned is None  # making the key is a write
    created = service.create_note_in(uow, world.shipper, draft(), secret=SECRET)
    assert len(created.signatures) == 1
    with uow.read() as s:
        assert service.verify(s, world.shipper, created.summary.id)["valid"] is True


def test_a_refused_draft_writes_nothing(uow: UnitOfWork, world: World) -> None:
    before = _counts(uow)
    bad = dict(draft(), consignment_number="KZ-1")  # box 29 is the store's
    with pytest.raises(ValidationFailed) as refused:
        service.create_note_in(uow, world.shipper, bad, secret=SECRET)
    assert (refused.value.code, refused.value.field) == ("note.store_boxes", "box 29")
    with pytest.raises(ValidationFailed):
        service.create_note_in(uow, world.shipper, {"goods": "none"}, secret=SECRET)
    with pytest.raises(PermissionDenied):  # a viewer may not create
        service.create_note_in(uow, world.viewer, draft(), secret=SECRET)
    assert _counts(uow) == before
