"""The pure state machine: which step follows which, and who may take it."""

from __future__ import annotations

import pytest

from temir.accounts.model import Role
from temir.kit.errors import Conflict, PermissionDenied, ValidationFailed
from temir.notes import lifecycle
from temir.notes.example import example_note
from temir.notes.lifecycle import NoteAction, NoteFacts, NoteStatus, Party

CARRIERS = ("KZH", "UTI", "TDZ")


def facts(status: NoteStatus, custody: str | None = None) -> NoteFacts:
    return NoteFacts(status, consignor_org_id=7, carriers=CARRIERS, custody=custody)


def test_the_happy_path_in_order() -> None:
    status = NoteStatus.DRAFT
    for action in (NoteAction.SUBMIT, NoteAction.ACCEPT, NoteAction.HANDOVER,
                   NoteAction.HANDOVER, NoteAction.ARRIVE, NoteAction.DELIVER):  # fmt: skip
        status = lifecycle.next_status(action, status)
    assert status is NoteStatus.DELIVERED


@pytest.mark.parametrize(
    ("action", "status"),
    [
        (NoteAction.ACCEPT, NoteStatus.DRAFT),
        (NoteAction.EDIT, NoteStatus.SUBMITTED),
        (NoteAction.REFUSE, NoteStatus.ACCEPTED),
        (NoteAction.DELIVER, NoteStatus.IN_TRANSIT),
        (NoteAction.CORRECT, NoteStatus.DRAFT),
        (NoteAction.SUBMIT, NoteStatus.REFUSED),
        (NoteAction.SIGN, NoteStatus.REFUSED),
    ],
)
def test_out_of_order_steps_are_409_naming_the_status(
    action: NoteAction, status: NoteStatus
) -> None:
    with pytest.raises(Conflict) as caught:
        lifecycle.next_status(action, status)
    assert caught.value.code == "note.invalid_transition"
    assert str(status) in caught.value.message()


def test_only_the_contractual_carrier_accepts() -> None:
    kzh = Party(Role.RAILWAY_OPERATOR, 1, "KZH")
    uti = Party(Role.RAILWAY_OPERATOR, 2, "UTI")
    lifecycle.authorise(NoteAction.ACCEPT, kzh, facts(NoteStatus.SUBMITTED))
    with pytest.raises(PermissionDenied):
        lifecycle.authorise(NoteAction.ACCEPT, uti, facts(NoteStatus.SUBMITTED))


def test_only_the_incoming_carrier_records_a_handover_and_the_last_one_delivers() -> None:
    kzh = Party(Role.RAILWAY_OPERATOR, 1, "KZH")
    uti = Party(Role.RAILWAY_OPERATOR, 2, "UTI")
    tdz = Party(Role.RAILWAY_OPERATOR, 3, "TDZ")
    lifecycle.authorise(NoteAction.HANDOVER, tdz, facts(NoteStatus.IN_TRANSIT, "UTI"))
    for outgoing_or_other in (uti, kzh):  # the one in custody only offers the act
        with pytest.raises(PermissionDenied):
            lifecycle.authorise(
                NoteAction.HANDOVER, outgoing_or_other, facts(NoteStatus.IN_TRANSIT, "UTI")
            )
    lifecycle.authorise(NoteAction.DELIVER, tdz, facts(NoteStatus.ARRIVED, "TDZ"))
    with pytest.raises(PermissionDenied):
        lifecycle.authorise(NoteAction.DELIVER, kzh, facts(NoteStatus.ARRIVED, "TDZ"))


def test_a_shipper_of_another_organisation_may_not_submit_and_an_admin_may() -> None:
    with pytest.raises(PermissionDenied):
        lifecycle.authorise(
            NoteAction.SUBMIT, Party(Role.SHIPPER, 8, None), facts(NoteStatus.DRAFT)
        )
    lifecycle.authorise(NoteAction.SUBMIT, Party(Role.SHIPPER, 7, None), facts(NoteStatus.DRAFT))
    lifecycle.authorise(
        NoteAction.ACCEPT, Party(Role.ADMIN, None, None), facts(NoteStatus.SUBMITTED)
    )


def test_next_carrier_follows_box_22() -> None:
    assert facts(NoteStatus.ACCEPTED, "KZH").next_carrier() == "UTI"
    assert facts(NoteStatus.IN_TRANSIT, "TDZ").next_carrier() is None


def test_a_draft_may_not_fill_the_carriers_lifecycle_boxes() -> None:
    full = example_note()
    assert lifecycle.store_boxes_filled(full) == [26, 27, 29, 33, 34, 35, 36]
    with pytest.raises(ValidationFailed) as caught:
        lifecycle.refuse_store_boxes(full)
    assert caught.value.code == "note.store_boxes"
    assert {p.field for p in caught.value.problems} >= {"box 26", "box 29", "box 36"}
    assert lifecycle.store_boxes_filled(lifecycle.draft_of(full)) == []
