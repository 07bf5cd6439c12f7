"""The note store on SQLite and PostgreSQL: lifecycle by the right parties, refusals that leave
nothing behind, corrections as new versions, signatures, tampering, sealed keys."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine

from temir.accounts.tables import AuditRow
from temir.kit.db import UnitOfWork
from temir.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from temir.notes.example import example_note
from temir.notes.store import bulk_import, service
from temir.notes.store.tables import NoteEventRow, NoteRow, NoteVersionRow
from temir.signing import service as key_service
from temir.signing.canonical import canonical_json
from temir.signing.tables import OrgKeyRow
from tests.notes.store_helpers import SECRET, World, draft, make_world


@pytest.fixture
def world(uow: UnitOfWork) -> World:
    return make_world(uow)


def new_draft(uow: UnitOfWork, world: World) -> str:
    with uow() as session:
        return service.create_note(session, world.shipper, draft()).summary.id


def handed(carrier: str, station: str) -> dict[str, Any]:
    """What an accepted handover act tells the note store (:mod:`temir.tracking.acts`)."""
    at = datetime(2026, 3, 6, 14, tzinfo=UTC)
    return {
        "from_carrier": carrier,
        "station_esr": station,
        "at": at,
        "act_id": f"act-at-{station}",
    }


def events(uow: UnitOfWork, note_id: str) -> list[str]:
    with uow.read() as session:
        return [e.action for e in session.scalars(
            select(NoteEventRow).where(NoteEventRow.note_id == note_id).order_by(NoteEventRow.id)
        )]  # fmt: skip


def test_full_lifecycle_by_the_right_parties(uow: UnitOfWork, world: World) -> None:
    note_id = new_draft(uow, world)
    with uow() as s:
        assert service.submit(s, world.shipper, note_id).summary.status == "submitted"
    with uow() as s:
        accepted = service.accept(s, world.kzh, note_id, consignment_number="KZ-0001")
    assert accepted.summary.number == "KZ-0001"
    assert accepted.document["consignment_number"] == "KZ-0001"
    assert "contract_date" in accepted.document
    assert accepted.summary.custody == "KZH"
    with uow() as s:  # UTI, having accepted the handover act at the border, records it
        first = service.take_over(s, world.uti, note_id, **handed("KZH", "704101"))
    assert (first.summary.status, first.summary.custody) == ("in_transit", "UTI")
    # box 33 names both carriers and the KZH border code (Saryagash exp.) from box 22
    assert first.document["handovers"][0]["from_carrier"] == "KZH"
    assert first.document["handovers"][0]["to_carrier"] == "UTI"
    assert first.document["handovers"][0]["station_esr"] == "704101"
    assert first.document["border_passages"][0]["station_esr"] == "704101"
    with uow() as s:
        taken = service.take_over(s, world.tdz, note_id, **handed("UTI", "736206"))
        assert taken.summary.custody == "TDZ"
    with uow() as s:
        arrived = service.arrive(s, world.tdz, note_id)
    assert arrived.summary.status == "arrived"
    assert "arrival_date" in arrived.document
    with uow() as s:
        delivered = service.deliver(s, world.tdz, note_id, received_by="F. Rahimov")
    assert delivered.summary.status == "delivered"
    assert delivered.document["delivery"]["received_by"] == "F. Rahimov"
    assert delivered.summary.version == 6  # draft, accept, 2 handovers, arrival, delivery
    assert events(uow, note_id) == [
        "create", "submit", "accept", "handover", "handover", "arrive", "deliver",
    ]  # fmt: skip
    with uow.read() as s:
        history = service.history(s, world.shipper, note_id)
        audited = s.scalar(
            select(func.count()).select_from(AuditRow).where(AuditRow.target_id == note_id)
        )
    assert [v["version"] for v in history["versions"]] == [1, 2, 3, 4, 5, 6]
    assert history["events"][3]["details"]["box_33"]["to"] == "UTI"
    assert history["events"][3]["details"]["act_id"] == "act-at-704101"
    assert audited == 7


@pytest.mark.parametrize("who", ["other_shipper", "kzh", "viewer"])
def test_a_draft_is_submitted_only_by_its_consignor(
    uow: UnitOfWork, world: World, who: str
) -> None:
    note_id = new_draft(uow, world)
    with pytest.raises((PermissionDenied, NotFound)), uow() as s:
        service.submit(s, getattr(world, who), note_id)
    assert events(uow, note_id) == ["create"]


def test_wrong_carrier_is_403_and_outsiders_do_not_see_the_note(
    uow: UnitOfWork, world: World
) -> None:
    note_id = new_draft(uow, world)
    with uow() as s:
        service.submit(s, world.shipper, note_id)
    with pytest.raises(PermissionDenied), uow() as s:
        service.accept(s, world.uti, note_id, consignment_number="X")  # UTI is not first
    with pytest.raises(PermissionDenied), uow() as s:
        service.accept(s, world.shipper, note_id, consignment_number="X")
    with pytest.raises(NotFound), uow.read() as s:
        service.get_note(s, world.other_shipper, note_id)
    with uow() as s:
        service.accept(s, world.kzh, note_id, consignment_number="X")
    for outgoing_or_other in (world.kzh, world.tdz):  # only UTI, the next carrier, takes over
        with pytest.raises(PermissionDenied), uow() as s:
            service.take_over(s, outgoing_or_other, note_id, **handed("KZH", "704101"))


def test_invalid_transition_is_409_and_changes_nothing(uow: UnitOfWork, world: World) -> None:
    note_id = new_draft(uow, world)
    with pytest.raises(Conflict) as caught, uow() as s:
        service.accept(s, world.kzh, note_id, consignment_number="X")
    assert caught.value.code == "note.invalid_transition"
    assert "draft" in caught.value.message()
    with uow() as s:
        service.submit(s, world.shipper, note_id)
    with pytest.raises(Conflict), uow() as s:
        service.edit_note(s, world.shipper, note_id, draft())
    with uow() as s:
        service.accept(s, world.kzh, note_id, consignment_number="X")
    with pytest.raises(Conflict) as early, uow() as s:
        service.arrive(s, world.kzh, note_id)  # goods still with KZH, not TDZ
    assert early.value.code == "note.not_at_destination"
    with uow.read() as s:
        row = s.get(NoteRow, note_id)
        assert row is not None
        assert (row.status, row.current_version) == ("accepted", 2)


def test_submitting_an_invalid_note_leaves_a_draft_and_no_event(
    uow: UnitOfWork, world: World
) -> None:
    broken = draft()
    broken["goods"][0]["gng"] = "1001"  # not 8 digits
    with uow() as s:
        note_id = service.create_note(s, world.shipper, broken).summary.id  # a draft may be wrong
    with pytest.raises(ValidationFailed) as caught, uow() as s:
        service.submit(s, world.shipper, note_id)
    assert caught.value.status == 422
    assert "N-015-GNG" in {p.code for p in caught.value.problems}
    with uow.read() as s:
        assert s.get(NoteRow, note_id).status == "draft"  # type: ignore[union-attr]
    assert events(uow, note_id) == ["create"]


def test_a_draft_with_carrier_boxes_or_a_bad_shape_is_refused_and_nothing_is_written(
    uow: UnitOfWork, world: World
) -> None:
    with uow.read() as s:
        before = s.scalar(select(func.count()).select_from(NoteRow))
    full = example_note().model_dump(mode="json", exclude_none=True)
    for bad in (full, b"{not json", {"goods": "many"}, {"consignor": {"name": "x" * 5000}}, [1]):
        with pytest.raises(ValidationFailed), uow() as s:
            service.create_note(s, world.shipper, bad)
    with uow.read() as s:
        assert s.scalar(select(func.count()).select_from(NoteRow)) == before


def accepted_and_signed(uow: UnitOfWork, world: World) -> str:
    note_id = new_draft(uow, world)
    with uow() as s:
        service.submit(s, world.shipper, note_id)
    with uow() as s:
        service.sign(s, world.shipper, note_id, secret=SECRET)
    with uow() as s:
        service.accept(s, world.kzh, note_id, consignment_number="KZ-7")
    with uow() as s:
        service.sign(s, world.kzh, note_id, secret=SECRET)
        service.sign(s, world.shipper, note_id, secret=SECRET)
    return note_id


def test_signed_chain_verifies_with_stored_keys(uow: UnitOfWork, world: World) -> None:
    note_id = accepted_and_signed(uow, world)
    with uow.read() as s:
        report = service.verify(s, world.uti, note_id)
    assert report["valid"] is True
    assert report["intact"] is True
    assert [(c["version"], c["valid"]) for c in report["signatures"]] == [
        (1, True), (2, True), (2, True),
    ]  # fmt: skip
    with pytest.raises(Conflict) as twice, uow() as s:
        service.sign(s, world.kzh, note_id, secret=SECRET)
    assert twice.value.code == "note.already_signed"


def test_a_correction_is_a_new_unsigned_version_and_old_signatures_stay_valid(
    uow: UnitOfWork, world: World
) -> None:
    note_id = accepted_and_signed(uow, world)
    with uow() as s:
        corrected = service.correct(
            s, world.kzh, note_id, changes={"carrier_remarks": ["Пломбы проверены."]},
            reason="remark added",
        )  # fmt: skip
    assert corrected.summary.version == 3
    assert corrected.summary.status == "accepted"
    assert corrected.signatures == ()
    with uow.read() as s:
        report = service.verify(s, world.shipper, note_id)
    assert report["intact"] is True
    assert report["valid"] is False  # the current version still needs signatures
    assert report["unsigned_versions"] == [3]
    assert report["current_version_signed"] is False
    assert all(c["valid"] for c in report["signatures"])
    assert {c["version"] for c in report["signatures"]} == {1, 2}
    with uow() as s:
        service.sign(s, world.kzh, note_id, secret=SECRET)
    with uow.read() as s:
        assert service.verify(s, world.shipper, note_id)["current_version_signed"] is True
    with pytest.raises(ValidationFailed) as store_box, uow() as s:
        service.correct(s, world.kzh, note_id, changes={"consignment_number": "Y"}, reason="r")
    assert store_box.value.code == "note.store_boxes"


def test_tampering_with_a_stored_version_is_detected(uow: UnitOfWork, world: World) -> None:
    note_id = accepted_and_signed(uow, world)
    with uow() as s:
        stored = s.scalars(
            select(NoteVersionRow).where(
                NoteVersionRow.note_id == note_id, NoteVersionRow.version == 1
            )
        ).one()
        document = dict(stored.document)
        document["goods_total_mass_kg"] = document["goods_total_mass_kg"] + 1000
        s.execute(
            update(NoteVersionRow).where(NoteVersionRow.id == stored.id).values(document=document)
        )
    with uow.read() as s:
        report = service.verify(s, world.shipper, note_id)
    assert report["intact"] is False
    assert report["valid"] is False
    codes = {(p["code"], p["version"]) for p in report["problems"]}
    assert ("signature.changed", 1) in codes  # the consignor's signature of version 1
    assert ("chain.previous", 2) in codes  # version 2 carries the digest of the true version 1
    assert ("store.digest_mismatch", 1) in codes
    failing = [c for c in report["signatures"] if not c["valid"]]
    assert [c["version"] for c in failing] == [1]


def test_private_keys_are_sealed_and_rotation_keeps_old_signatures_valid(
    uow: UnitOfWork, world: World
) -> None:
    note_id = accepted_and_signed(uow, world)
    with uow.read() as s:
        keys = key_service.list_keys(s, world.orgs["kzh"])
        row = s.get(OrgKeyRow, keys[0].key_id)
        assert row is not None
        key_id, salt = row.key_id, row.salt
        sealed, public = row.private_key_sealed, base64.b64decode(row.public_key)
    # the raw private key is not in the column, in any usual encoding
    from temir.signing import sealing as org_keys

    signer = org_keys.unseal(key_id, sealed, salt, SECRET)
    raw = signer._key.private_bytes_raw()
    assert raw not in sealed.encode()
    assert base64.b64encode(raw).decode() not in sealed
    assert raw.hex() not in sealed
    assert signer.public_bytes == public
    with pytest.raises(Conflict) as wrong:
        org_keys.unseal(key_id, sealed, salt, "another secret")
    assert wrong.value.code == "keys.unreadable"
    with uow() as s:
        new = key_service.rotate_key(s, world.kzh, world.orgs["kzh"], SECRET)
    with uow.read() as s:
        keys = key_service.list_keys(s, world.orgs["kzh"])
        report = service.verify(s, world.kzh, note_id)
    assert [k.retired_at is None for k in keys] == [False, True]
    assert keys[1].key_id == new.key_id
    assert report["valid"] is True  # the retired key still verifies version 2
    with pytest.raises(PermissionDenied), uow() as s:
        key_service.rotate_key(s, world.uti, world.orgs["kzh"], SECRET)


def test_refusal_needs_a_reason_and_ends_the_note(uow: UnitOfWork, world: World) -> None:
    note_id = new_draft(uow, world)
    with uow() as s:
        service.submit(s, world.shipper, note_id)
    with pytest.raises(ValidationFailed), uow() as s:
        service.refuse(s, world.kzh, note_id, reason="  ")
    with uow() as s:
        assert service.refuse(s, world.kzh, note_id, reason="no wagons").summary.status == "refused"
    with pytest.raises(Conflict), uow() as s:
        service.sign(s, world.shipper, note_id, secret=SECRET)


def test_list_filters_by_status_station_cargo_and_wagon(uow: UnitOfWork, world: World) -> None:
    mine = new_draft(uow, world)
    other = draft()
    other["wagons"][0]["number"] = "95125001"
    with uow() as s:
        second = service.create_note(s, world.shipper, other).summary.id
        service.submit(s, world.shipper, mine)

    def ids(**filters: str) -> set[str]:
        with uow.read() as s:
            _total, notes = service.list_notes(s, world.shipper, limit=500, **filters)
        return {n.id for n in notes}

    assert {mine, second} <= ids(station="684001", cargo="011005")
    assert ids(wagon="95125001") == {second}
    assert second in ids(status="draft")
    assert mine not in ids(status="draft")
    assert mine in ids(status="submitted")
    assert not ids(station="000000")
    with uow.read() as s:
        assert service.list_notes(s, world.other_shipper, limit=500)[0] == 0
    with pytest.raises(ValidationFailed), uow.read() as s:
        service.list_notes(s, world.shipper, status="lost")


def test_import_is_all_or_nothing_per_batch(uow: UnitOfWork, world: World, engine: Engine) -> None:
    def good(n: int) -> bytes:
        return canonical_json({**draft(), "note_id": "", "consignor_declarations": f"№ {n}"})

    lines = [good(1), good(2), b"{broken", good(4), b"", good(6)]
    report = bulk_import.import_jsonl(uow, world.shipper, lines, batch=2)
    # batches: [1,2] written; [3,4] refused (line 3 broken); [6] written
    assert (report.read, report.written) == (5, 3)
    assert (report.batches_written, report.batches_refused) == (2, 1)
    assert [line for line, _ in report.invalid] == [3]
    assert report.invalid[0][1][0].rule == "N-000-JSON"
    skipped = bulk_import.import_jsonl(uow, world.shipper, lines, batch=10, skip_invalid=True)
    assert (skipped.written, skipped.already_present) == (1, 3)  # line 4 was refused before
    with pytest.raises(PermissionDenied):
        bulk_import.import_jsonl(uow, world.viewer, [good(1)])
