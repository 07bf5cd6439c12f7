"""The life of a stored note: which step may follow which, and who may take it. Pure.

Why a state machine of its own: the SMGS note is a contract that passes from hand to hand — the
consignor drafts and submits it, the contractual carrier (first in box 22) accepts it and
assigns boxes 26 and 29, each carrier in turn has custody until the next carrier of box 22
accepts the handover act it offers at a border (boxes 33/34, written by the incoming carrier
that accepted, :mod:`temir.tracking.acts`), the last one records the arrival (box 27) and the
delivery (box 36). A step out of order or by the wrong party must be refused with a
clear reason, whatever entry point (API, CLI, another railway's node) asked for it.

The rules here read like the rulebook: :func:`next_status` says which status a step leads to
from which, :func:`authorise` says which party may take it. Neither touches a database.

Boxes the store itself writes during the life of a note (26, 27, 29, 33, 34, 35, 36) are not
accepted from a consignor's draft: they are filled by the step that owns them, so a draft can
never arrive "already delivered". The carriers' own boxes 30 (remarks), 31 (commercial report)
and 32 (extension of the delivery time) are refused from a consignor too — a shipper must not
grant itself a 30-day extension (issue 11.7); 31 and 32 are written by the carrier steps
:data:`NoteAction.REPORT` and :data:`NoteAction.EXTEND`, 30 by a carrier's correction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from temir.accounts.model import Role
from temir.kit.errors import Conflict, PermissionDenied, Problem, ValidationFailed
from temir.kit.i18n import N_
from temir.notes.model import Note


class NoteStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    IN_TRANSIT = "in_transit"
    ARRIVED = "arrived"
    DELIVERED = "delivered"
    REFUSED = "refused"


class NoteAction(StrEnum):
    CREATE = "create"
    EDIT = "edit"
    SUBMIT = "submit"
    ACCEPT = "accept"
    REFUSE = "refuse"
    HANDOVER = "handover"
    ARRIVE = "arrive"
    DELIVER = "deliver"
    CORRECT = "correct"
    SIGN = "sign"
    REPORT = "report"  # box 31: a commercial report drawn up by the carrier in custody
    EXTEND = "extend"  # box 32: an extension of the delivery time, by the carrier in custody


S, A = NoteStatus, NoteAction

TRANSITIONS: Final[dict[NoteAction, dict[NoteStatus, NoteStatus]]] = {
    A.EDIT: {S.DRAFT: S.DRAFT},
    A.SUBMIT: {S.DRAFT: S.SUBMITTED},
    A.ACCEPT: {S.SUBMITTED: S.ACCEPTED},
    A.REFUSE: {S.SUBMITTED: S.REFUSED},
    A.HANDOVER: {S.ACCEPTED: S.IN_TRANSIT, S.IN_TRANSIT: S.IN_TRANSIT},
    A.ARRIVE: {S.ACCEPTED: S.ARRIVED, S.IN_TRANSIT: S.ARRIVED},
    A.DELIVER: {S.ARRIVED: S.DELIVERED},
    A.CORRECT: {S.ACCEPTED: S.ACCEPTED, S.IN_TRANSIT: S.IN_TRANSIT, S.ARRIVED: S.ARRIVED},
    A.SIGN: {status: status for status in NoteStatus if status is not S.REFUSED},
    A.REPORT: {S.ACCEPTED: S.ACCEPTED, S.IN_TRANSIT: S.IN_TRANSIT, S.ARRIVED: S.ARRIVED},
    A.EXTEND: {S.ACCEPTED: S.ACCEPTED, S.IN_TRANSIT: S.IN_TRANSIT},
}
"""Action → {status it may be taken from: status it leads to}. Creation makes a draft."""

STORE_BOXES: Final = (26, 27, 29, 33, 34, 35, 36)
"""Boxes filled only by the lifecycle steps (acceptance, handover, arrival, delivery)."""

_STORE_FIELDS: Final = {
    "contract_date": 26,
    "arrival_date": 27,
    "consignment_number": 29,
    "handovers": 33,
    "border_passages": 34,
    "arrival_notice_at": 35,
    "delivery": 36,
}

CARRIER_BOXES: Final = (30, 31, 32)
"""Boxes only a carrier fills: remarks, commercial report, extension of the delivery time."""

_CARRIER_FIELDS: Final = {"carrier_remarks": 30, "commercial_reports": 31, "extensions": 32}

INVALID_TRANSITION = N_(
    "A note in status {status} does not allow the step {action}; it is allowed from: {allowed}."
)
ONLY_CONSIGNOR = N_("Only a shipper user of the consignor's organisation may do this.")
ONLY_CONTRACTUAL = N_("Only the contractual carrier ({carrier}) may accept or refuse this note.")
ONLY_CUSTODY = N_("Only the carrier in custody ({carrier}) may record this.")
ONLY_INCOMING = N_(
    "Only the incoming carrier ({carrier}), having accepted the handover act, records it."
)
ONLY_DESTINATION = N_("Only the destination carrier ({carrier}) may record the delivery.")
ONLY_CORRECTOR = N_(
    "Only the consignor or the carrier in custody ({carrier}) may correct this note."
)
ONLY_SIGNER = N_("Only the consignor or a carrier of box 22 may sign this note.")
ONLY_CUSTODY_RECORDS = N_(
    "Only the carrier in custody ({carrier}) may record a commercial report or an extension."
)
CARRIER_BOX = N_("Box {box} is filled only by a carrier, not in the consignor's note.")
STEP_BOX = N_(
    "Box {box} is recorded by its own carrier step (commercial report, extension), not by a"
    " correction."
)


def next_status(action: NoteAction, status: NoteStatus) -> NoteStatus:
    """The status ``action`` leads to from ``status``; 409 ``note.invalid_transition`` if none."""
    allowed = TRANSITIONS[action]
    target = allowed.get(status)
    if target is None:
        raise Conflict(
            INVALID_TRANSITION,
            code="note.invalid_transition",
            field="status",
            status=str(status),
            action=str(action),
            allowed=", ".join(str(s) for s in allowed) or "-",
        )
    return target


@dataclass(frozen=True)
class Party:
    """Who is acting, as the rules need it: role, organisation and its railway code, if any."""

    role: Role
    organisation_id: int | None
    railway: str | None
    """OSJD Latin abbreviation of the actor's railway (``KZH``), for railway organisations."""

    @property
    def admin(self) -> bool:
        return self.role is Role.ADMIN


@dataclass(frozen=True)
class NoteFacts:
    """What the rules need to know about one stored note."""

    status: NoteStatus
    consignor_org_id: int | None
    carriers: tuple[str, ...]
    """Box 22 carriers in route order, as OSJD Latin abbreviations."""
    custody: str | None
    """The carrier that has the goods now (None before acceptance)."""
    consignee_org_id: int | None = None
    """The organisation box 4 names, by its client code (it sees the note and its tracking)."""

    @property
    def contractual_carrier(self) -> str | None:
        return self.carriers[0] if self.carriers else None

    @property
    def destination_carrier(self) -> str | None:
        return self.carriers[-1] if self.carriers else None

    def next_carrier(self) -> str | None:
        """The carrier after the one in custody, along box 22 (None at the last one)."""
        if self.custody is None or self.custody not in self.carriers:
            return None
        index = self.carriers.index(self.custody)
        return self.carriers[index + 1] if index + 1 < len(self.carriers) else None


def _deny(msgid: str, carrier: str | None = None) -> PermissionDenied:
    return PermissionDenied(msgid, carrier=carrier or "?")


def _is_consignor(who: Party, facts: NoteFacts) -> bool:
    return (
        who.role is Role.SHIPPER
        and who.organisation_id is not None
        and who.organisation_id == facts.consignor_org_id
    )


def _is_operator_of(who: Party, railway: str | None) -> bool:
    return who.role is Role.RAILWAY_OPERATOR and railway is not None and who.railway == railway


def may_read(who: Party, facts: NoteFacts) -> bool:
    """Admins, the consignor's and the consignee's organisations, and the carriers of box 22
    see a note (and its tracking); nobody else."""
    if who.admin:
        return True
    if who.organisation_id is not None and who.organisation_id in (
        facts.consignor_org_id,
        facts.consignee_org_id,
    ):
        return True
    return who.railway is not None and who.railway in facts.carriers


def authorise(action: NoteAction, who: Party, facts: NoteFacts) -> None:
    """Raise 403 ``permission_denied`` unless ``who`` may take ``action`` on this note."""
    if who.admin:
        return
    if action in (A.CREATE, A.EDIT, A.SUBMIT):
        if not _is_consignor(who, facts):
            raise _deny(ONLY_CONSIGNOR)
    elif action in (A.ACCEPT, A.REFUSE):
        if not _is_operator_of(who, facts.contractual_carrier):
            raise _deny(ONLY_CONTRACTUAL, facts.contractual_carrier)
    elif action is A.HANDOVER:
        if not _is_operator_of(who, facts.next_carrier()):
            raise _deny(ONLY_INCOMING, facts.next_carrier())
    elif action is A.ARRIVE:
        if not _is_operator_of(who, facts.custody):
            raise _deny(ONLY_CUSTODY, facts.custody)
    elif action is A.DELIVER:
        if not _is_operator_of(who, facts.destination_carrier):
            raise _deny(ONLY_DESTINATION, facts.destination_carrier)
    elif action is A.CORRECT:
        if not (_is_consignor(who, facts) or _is_operator_of(who, facts.custody)):
            raise _deny(ONLY_CORRECTOR, facts.custody)
    elif action in (A.REPORT, A.EXTEND):
        if not _is_operator_of(who, facts.custody):
            raise _deny(ONLY_CUSTODY_RECORDS, facts.custody)
    elif action is A.SIGN and not (
        _is_consignor(who, facts)
        or (who.role is Role.RAILWAY_OPERATOR and who.railway in facts.carriers)
    ):
        raise _deny(ONLY_SIGNER)


def store_boxes_filled(note: Note | dict[str, Any]) -> list[int]:
    """Which of :data:`STORE_BOXES` a note (or a dict of changes) fills; drafts leave them empty."""

    def value(name: str) -> Any:
        return note.get(name) if isinstance(note, dict) else getattr(note, name)

    return sorted(n for name, n in _STORE_FIELDS.items() if value(name) not in (None, [], {}, ""))


def refuse_store_boxes(note: Note | dict[str, Any]) -> None:
    """422 ``note.store_boxes`` when a draft or a correction fills a box a lifecycle step owns."""
    boxes = store_boxes_filled(note)
    if boxes:
        problems = tuple(
            Problem(
                "note.store_boxes",
                N_("Box {box} is filled by the carriers during carriage, not by this change."),
                f"box {b}",
                {"box": b},
            )
            for b in boxes
        )
        raise ValidationFailed.from_problems(problems)


def carrier_boxes_filled(note: Note | dict[str, Any]) -> list[int]:
    """Which of :data:`CARRIER_BOXES` a note (or a dict of changes) fills."""

    def value(name: str) -> Any:
        return note.get(name) if isinstance(note, dict) else getattr(note, name)

    return sorted(n for name, n in _CARRIER_FIELDS.items() if value(name) not in (None, [], ""))


def refuse_carrier_boxes(note: Note | dict[str, Any]) -> None:
    """422 ``note.carrier_box`` naming each carrier-only box a consignor's note or change fills."""
    boxes = carrier_boxes_filled(note)
    if boxes:
        raise ValidationFailed.from_problems(
            tuple(Problem("note.carrier_box", CARRIER_BOX, f"box {b}", {"box": b}) for b in boxes)
        )


def refuse_step_boxes(changes: dict[str, Any]) -> None:
    """422 ``note.step_box``: boxes 31 and 32 are written by their own signed carrier steps
    (entries are added, never rewritten), not by a correction."""
    boxes = [b for b in carrier_boxes_filled(changes) if b != 30]
    boxes += [b for name, b in _CARRIER_FIELDS.items() if b != 30 and changes.get(name) == []]
    if boxes:
        raise ValidationFailed.from_problems(
            tuple(
                Problem("note.step_box", STEP_BOX, f"box {b}", {"box": b})
                for b in sorted(set(boxes))
            )
        )


def draft_of(note: Note) -> Note:
    """``note`` with every store and carrier box emptied: what a consignor may submit."""
    return note.model_copy(
        update={
            "contract_date": None,
            "arrival_date": None,
            "consignment_number": None,
            "handovers": [],
            "border_passages": [],
            "arrival_notice_at": None,
            "delivery": None,
            "carrier_remarks": [],
            "commercial_reports": [],
            "extensions": [],
        }
    )


def custody_of(carriers: Iterable[str], handed_to: Iterable[str], status: NoteStatus) -> str | None:
    """The carrier in custody: none before acceptance, the first carrier of box 22 after it,
    then whoever the last handover (box 33) went to."""
    carriers = tuple(carriers)
    if status in (S.DRAFT, S.SUBMITTED, S.REFUSED) or not carriers:
        return None
    last = None
    for carrier in handed_to:
        last = carrier
    return last or carriers[0]
