"""Handover acts at a border: offered by the outgoing railway, accepted or disputed by the
incoming one. Custody moves on acceptance only.

The offer lists what is handed over — each wagon and container of the note still in the
outgoing railway's custody, with its seals (box 19) and goods mass (box 18) as the note has them,
or as found at the border when the outgoing railway says so — and the note version it is based
on. The incoming railway checks and either accepts it, or disputes it with the discrepancies it
found (a broken seal, a mass that differs), which draws up a commercial act. A disputed act
moves nothing; the outgoing railway may offer again.

A paper act (systems down) is entered later by each side with its paper reference and the
times written on the paper: the offer by the outgoing railway, the decision by the incoming.

Every step is idempotent by its act id: an offer sent again with the same content returns the
stored act; an acceptance of an accepted act returns it too. Each writes the ``handover_*``
events of its units, so timelines show the act where it happened.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, Final

from sqlalchemy.orm import Session

from temir.accounts import audit
from temir.accounts.model import Actor
from temir.kit import changes, clock, providers
from temir.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from temir.kit.i18n import N_
from temir.notes import lifecycle
from temir.notes.lifecycle import NoteAction
from temir.notes.model import Note
from temir.notes.store import service as notes
from temir.tracking import act_signing, repository, rules
from temir.tracking.model import (
    ActStatus,
    ActUnit,
    Discrepancy,
    DiscrepancyKind,
    Event,
    EventKind,
    HandoverAct,
    HandoverDecision,
    HandoverOffer,
    UnitKind,
    utc,
)
from temir.tracking.service import document_digest, reporter_party, write_act_events
from temir.tracking.tables import HandoverActRow, HandoverActSignatureRow
from temir.tracking.timeline import load_note, note_units

NO_ACT = N_("No handover act {id}.")
NO_NEXT = N_("Carrier {carrier} is the last carrier of box 22: there is no one to hand over to.")
NOT_IN_CUSTODY = N_("{unit} is not in the custody of {carrier}; it is with {custody}.")
NOT_ON_NOTE = N_("{unit} is not a wagon or container of this note.")
NOTHING_TO_HAND = N_("{carrier} has no wagon or container of this note to hand over.")
ONLY_OUTGOING = N_("Only the railway in custody ({carrier}) offers the handover.")
ONLY_INCOMING = N_("Only the incoming railway ({carrier}) accepts or disputes this act.")
ALREADY_OFFERED = N_("{unit} is already offered to {carrier} in act {act}, awaiting a decision.")
ACT_DECIDED = N_("Act {id} is already {status}.")
ACT_ID_REUSED = N_("Act {id} already exists with other content.")
BEFORE_OFFER = N_("The decision ({decided}) cannot come before the offer ({offered}).")
IN_FUTURE = N_("The time {value} is in the future.")
NO_DISCREPANCY = N_("A dispute names at least one discrepancy.")
BAD_DISCREPANCY = N_("Unknown discrepancy {value}; one of: {choices}.")
BAD_STATION = N_("The handover station {esr} is not a valid ESR code.")
BAD_MASS = N_("The mass of {unit} must be a whole number of kg between 0 and 10,000,000.")


def _not_found(act_id: str) -> NotFound:
    return NotFound(NO_ACT, code="handover.not_found", field="act_id", id=act_id[:40])


def _when(at: datetime | None, now: datetime, field: str) -> datetime:
    if at is None:
        return now
    if at.tzinfo is None:
        raise ValidationFailed(
            rules.NAIVE_TIME, code="handover.time_offset", field=field, value=at.isoformat()
        )
    if utc(at) > now + rules.FUTURE_SLACK:
        raise ValidationFailed(IN_FUTURE, code="handover.future", field=field, value=at.isoformat())
    return utc(at)


def _seals(note: Note, unit: str, single: bool) -> tuple[str, ...]:
    marks: list[str] = []
    for seal in note.seals:
        if seal.wagon_number == unit or (seal.wagon_number is None and single):
            marks += seal.marks
    return tuple(marks)


def _mass(note: Note, unit: str, kind: UnitKind) -> int | None:
    lines = [
        g.mass_kg
        for g in note.goods
        if g.mass_kg is not None
        and (
            g.wagon_number == unit
            if kind is UnitKind.WAGON
            else g.container is not None and g.container.number == unit
        )
    ]
    return sum(lines) if lines else None


def _section(note: Note, carrier: str) -> tuple[str, str | None]:
    """The border code where ``carrier``'s section of box 22 ends, and the next one's start."""
    sections = note.carriers
    for index, section in enumerate(sections):
        if rules.railway_abbr(section.carrier) == carrier:
            after = sections[index + 1] if index + 1 < len(sections) else None
            return section.to_station.esr, (after.from_station.esr if after else None) or None
    return "", None


def offer(
    session: Session,
    actor: Actor,
    note_id: str,
    *,
    station_esr: str | None = None,
    units: Sequence[str] | None = None,
    seals: Mapping[str, Sequence[str]] | None = None,
    masses: Mapping[str, int] | None = None,
    at: datetime | None = None,
    paper_reference: str | None = None,
    act_id: str | None = None,
    secret: str | None = None,
) -> HandoverAct:
    """The outgoing railway offers the note's units in its custody to the next carrier, and
    signs the offer (``secret``: the installation secret that opens its key)."""
    who = reporter_party(session, actor)
    summary = load_note(session, actor, note_id)
    note = summary.note
    lifecycle.next_status(NoteAction.HANDOVER, summary.status)
    acts = repository.acts_of_note(session, summary.id)
    all_units = note_units(note)
    kinds = dict(all_units)
    contractual = summary.carriers[0] if summary.carriers else None
    custody = rules.custody(kinds, contractual, acts)
    carrier = who.railway if not who.admin else (summary.custody or contractual)
    if carrier is None or carrier not in summary.carriers:
        raise PermissionDenied(ONLY_OUTGOING, carrier=summary.custody or "?")
    chosen = list(dict.fromkeys(u.strip().upper() for u in units)) if units else [
        u for u, _ in all_units if custody.get(u) == carrier
    ]  # fmt: skip
    if not chosen:
        raise Conflict(NOTHING_TO_HAND, code="handover.nothing", field="units", carrier=carrier)
    for unit in chosen:
        if unit not in kinds:
            raise ValidationFailed(NOT_ON_NOTE, code="handover.unit", field="units", unit=unit)
        if custody.get(unit) != carrier:
            raise Conflict(
                NOT_IN_CUSTODY, code="handover.not_in_custody", field="units", unit=unit,
                carrier=carrier, custody=custody.get(unit) or "-",
            )  # fmt: skip
    index = summary.carriers.index(carrier)
    if index + 1 >= len(summary.carriers):
        raise Conflict(NO_NEXT, code="handover.no_next_carrier", field="box 22", carrier=carrier)
    receiver = summary.carriers[index + 1]
    exit_esr, entry_esr = _section(note, carrier)
    station = _station((station_esr or "").strip() or exit_esr)
    now = clock.now()
    made = HandoverOffer(
        act_id=_act_id(act_id),
        note_id=summary.id,
        note_version=summary.version,
        from_railway=carrier,
        to_railway=receiver,
        station_esr=station,
        entry_esr=entry_esr if station == exit_esr else None,
        offered_at=_when(at, now, "at"),
        units=tuple(
            ActUnit(
                u, kinds[u], _observed_seals(seals, u) or _seals(note, u, len(kinds) == 1),
                _observed_mass(masses, u, _mass(note, u, kinds[u])),
            )
            for u in chosen
        ),
        paper_reference=(paper_reference or "").strip()[:100] or None,
    )  # fmt: skip
    existing = repository.act_row(session, made.act_id)
    if existing is not None:
        return _same_offer(session, existing, made)
    for found in acts:
        if found.status is ActStatus.OFFERED and set(found.offer.unit_numbers()) & set(chosen):
            unit = sorted(set(found.offer.unit_numbers()) & set(chosen))[0]
            raise Conflict(
                ALREADY_OFFERED, code="handover.already_offered", field="units", unit=unit,
                carrier=found.offer.to_railway, act=found.act_id,
            )  # fmt: skip
    digest = document_digest(made.document())
    row = HandoverActRow(
        id=made.act_id, note_id=made.note_id, note_version=made.note_version,
        from_railway=made.from_railway, to_railway=made.to_railway,
        station_esr=made.station_esr, entry_esr=made.entry_esr,
        status=str(ActStatus.OFFERED), offered_at=made.offered_at, offered_by=actor.label,
        offer_document=made.document(), offer_digest=digest,
        paper_reference=made.paper_reference, created_at=now,
    )  # fmt: skip
    repository.add_act(session, row, made.unit_numbers())
    signed = act_signing.sign_stage(session, actor, made.act_id, "offer", digest, secret, now)
    _publish(session, "handover_offer", made.note_id, made.act_id, made.document(), signed)
    offered = EventKind.HANDOVER_OFFERED
    write_handover_events(session, actor, made, offered, made.from_railway, made.offered_at)
    audit.record(
        session, actor, "handover.offered", "handover_act", made.act_id,
        {"note_id": made.note_id, "to": made.to_railway, "units": list(made.unit_numbers()),
         "paper_reference": made.paper_reference},
    )  # fmt: skip
    _publish_status(session, row)
    return _stored(session, row)


def _publish_status(session: Session, row: HandoverActRow) -> None:
    """Announce where an act stands now (``handover_status``: what webhooks tell subscribers)."""
    if changes.active():
        key = f"{row.id}:{row.status}"
        changes.publish(
            session, [changes.Change("handover_status", row.note_id, key, _status(row))]
        )


def _status(row: HandoverActRow) -> dict[str, Any]:
    """An act's two signed documents and where it stands."""
    return {
        "act_id": row.id, "note_id": row.note_id, "note_version": row.note_version,
        "status": row.status, "from_railway": row.from_railway, "to_railway": row.to_railway,
        "station_esr": row.station_esr, "offer": row.offer_document,
        "decision": row.decision_document, "commercial_act": row.commercial_act,
        "paper_reference": row.paper_reference,
    }  # fmt: skip


def _publish(
    session: Session,
    kind: str,
    note_id: str,
    act_id: str,
    document: dict[str, Any],
    signed: HandoverActSignatureRow | None,
) -> None:
    """Announce one signed half of an act (:mod:`temir.kit.changes`) as the other railways
    receive it: the document and its signature, as stored."""
    if not changes.active():
        return
    signature = None if signed is None else act_signing.signature_dict(signed)
    payload = {"act_id": act_id, "note_id": note_id, "document": document, "signature": signature}
    changes.publish(session, [changes.Change(kind, note_id, f"{act_id}:{kind}", payload)])


def _act_id(given: str | None) -> str:
    if not given:
        return str(uuid.uuid4())
    try:
        return str(uuid.UUID(given))
    except ValueError:
        raise ValidationFailed(
            rules.BAD_NOTE_ID, code="handover.act_id", field="act_id", value=given[:40]
        ) from None


def _station(text: str) -> str:
    from temir.codes.esr import examine_esr

    checked = examine_esr(text)
    if checked.normalized is None:
        raise ValidationFailed(BAD_STATION, code="handover.station", field="station_esr", esr=text)
    return checked.normalized


def _observed_seals(seals: Mapping[str, Sequence[str]] | None, unit: str) -> tuple[str, ...]:
    if not seals or unit not in seals:
        return ()
    return tuple(str(s).strip()[:40] for s in seals[unit] if str(s).strip())


def _observed_mass(masses: Mapping[str, int] | None, unit: str, default: int | None) -> int | None:
    if not masses or unit not in masses:
        return default
    value = masses[unit]
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10_000_000:
        raise ValidationFailed(BAD_MASS, code="handover.mass", field="masses", unit=unit)
    return value


def _same_offer(session: Session, row: HandoverActRow, made: HandoverOffer) -> HandoverAct:
    """An offer sent again: the stored act if it is the same offer, 409 otherwise."""
    stored = HandoverOffer.from_document(row.offer_document)
    if stored.document() != {**made.document(), "offered_at": stored.document()["offered_at"]}:
        raise Conflict(ACT_ID_REUSED, code="handover.act_id_reused", field="act_id", id=row.id)
    return _stored(session, row)


def _stored(session: Session, row: HandoverActRow) -> HandoverAct:
    """The act as stored, with the verdict on its signatures."""
    act = repository.act_of(row, repository.signature_rows(session, [row.id]))
    return replace(act, verification=act_signing.verify(session, act))


def write_handover_events(
    session: Session,
    actor: Actor,
    made: HandoverOffer,
    kind: EventKind,
    reporter: str,
    at: datetime,
) -> None:
    """The ``handover_*`` events of the act's units (one per unit, keyed by act, kind and
    unit): recorded, and published like any event to the note's other carriers. The
    exchange writes the same for an act decided over the wire."""
    events = [
        Event(
            key=f"act:{made.act_id}:{kind}:{u.number}", kind=kind, unit=u.number,
            unit_kind=u.kind, station_esr=made.station_esr, at=at, reporter=reporter,
            note_id=made.note_id, act_id=made.act_id,
        )
        for u in made.units
    ]  # fmt: skip
    write_act_events(session, actor, events, clock.now())


def _open(session: Session, actor: Actor, act_id: str) -> tuple[HandoverActRow, HandoverOffer]:
    """The act, locked, if the actor may decide it (404 if its note is not visible)."""
    who = reporter_party(session, actor)
    try:
        key = str(uuid.UUID(act_id))
    except ValueError:
        raise _not_found(act_id) from None
    row = repository.act_row(session, key, for_update=True)
    if row is None:
        raise _not_found(key)
    try:
        load_note(session, actor, row.note_id)
    except NotFound:
        raise _not_found(key) from None
    if not who.admin and who.railway != row.to_railway:
        raise PermissionDenied(ONLY_INCOMING, carrier=row.to_railway)
    return row, HandoverOffer.from_document(row.offer_document)


def _decide(
    session: Session,
    actor: Actor,
    row: HandoverActRow,
    made: HandoverOffer,
    decision: HandoverDecision,
    secret: str | None,
) -> HandoverAct:
    if decision.decided_at < made.offered_at:
        raise ValidationFailed(
            BEFORE_OFFER, code="handover.before_offer", field="at",
            decided=decision.decided_at.isoformat(), offered=made.offered_at.isoformat(),
        )  # fmt: skip
    row.status = str(decision.status)
    row.decided_at = decision.decided_at
    row.decided_by = actor.label
    row.decision_document = decision.document()
    row.decision_digest = document_digest(decision.document())
    row.commercial_act = decision.commercial_act
    now = clock.now()
    signed = act_signing.sign_stage(
        session, actor, row.id, "decision", row.decision_digest, secret, now
    )
    kind_name = f"handover_{'accept' if decision.status is ActStatus.ACCEPTED else 'dispute'}"
    _publish(session, kind_name, row.note_id, row.id, decision.document(), signed)
    kind = (
        EventKind.HANDOVER_ACCEPTED
        if decision.status is ActStatus.ACCEPTED
        else EventKind.HANDOVER_DISPUTED
    )
    write_handover_events(session, actor, made, kind, made.to_railway, decision.decided_at)
    audit.record(
        session, actor, f"handover.{decision.status}", "handover_act", row.id,
        {"note_id": row.note_id, "from": row.from_railway,
         "discrepancies": [d.document() for d in decision.discrepancies],
         "commercial_act": decision.commercial_act},
    )  # fmt: skip
    _publish_status(session, row)
    if decision.status is ActStatus.ACCEPTED:
        _take_over(session, actor, made, decision.decided_at, secret)
    return _stored(session, row)


def _take_over(
    session: Session, actor: Actor, made: HandoverOffer, at: datetime, secret: str | None
) -> None:
    """Once every unit of the note is with the incoming railway, it records the handover in
    boxes 33 and 34 (a new note version it signs) and the note's custody moves to it."""
    found = load_note(session, actor, made.note_id)
    units = [u for u, _ in note_units(found.note)]
    held = rules.custody(units, found.carriers[0] if found.carriers else None,
                         repository.acts_of_note(session, made.note_id))  # fmt: skip
    if found.custody != made.from_railway or any(held[u] != made.to_railway for u in units):
        return
    notes.take_over(
        session, actor, made.note_id, from_carrier=made.from_railway,
        station_esr=made.station_esr, at=at, act_id=made.act_id, secret=secret,
    )  # fmt: skip


def accept(
    session: Session,
    actor: Actor,
    act_id: str,
    *,
    at: datetime | None = None,
    secret: str | None = None,
) -> HandoverAct:
    """The incoming railway accepts and signs: custody of the act's units moves to it."""
    row, made = _open(session, actor, act_id)
    if row.status == str(ActStatus.ACCEPTED):
        return _stored(session, row)
    if row.status != str(ActStatus.OFFERED):
        raise Conflict(ACT_DECIDED, code="handover.decided", field="act_id", id=row.id,
                       status=row.status)  # fmt: skip
    if _received(row, secret):
        return _over_the_wire(session, actor, row, accepted=True, secret=secret, at=at)
    decision = HandoverDecision(
        act_id=row.id,
        offer_digest=row.offer_digest,
        status=ActStatus.ACCEPTED,
        decided_at=_when(at, clock.now(), "at"),
    )
    return _decide(session, actor, row, made, decision, secret)


RECEIVED_BY: Final = "exchange:"
"""How an act a peer node offered is marked here (``offered_by``): :mod:`temir.exchange`
wrote it from the peer's signed offer."""


def _received(row: HandoverActRow, secret: str | None) -> bool:
    """An act offered by a peer node, decided where a decision can be signed and sent."""
    return (
        row.offered_by.startswith(RECEIVED_BY)
        and secret is not None
        and providers.provided("received_act_decision") is not None
    )


def _over_the_wire(
    session: Session,
    actor: Actor,
    row: HandoverActRow,
    *,
    accepted: bool,
    secret: str | None,
    at: datetime | None,
    discrepancies: Sequence[Mapping[str, Any]] = (),
    commercial_act: str | None = None,
) -> HandoverAct:
    """Decide a peer's act through the exchange: signed by this node, sent to the other
    carriers, custody moved at every node (no boxes 33/34 version here: the note is the
    offering railway's record)."""
    decide = providers.provided("received_act_decision")
    assert decide is not None
    assert secret is not None
    decide(session, actor, row.id, accepted=accepted, secret=secret,
           discrepancies=discrepancies, commercial_act=commercial_act,
           at=None if at is None else _when(at, clock.now(), "at"))  # fmt: skip
    session.flush()
    session.refresh(row)
    return _stored(session, row)


def parse_discrepancies(
    raw: Sequence[Mapping[str, Any]], units: Sequence[str]
) -> tuple[Discrepancy, ...]:
    """Discrepancies as sent (kind, unit, expected, found, remarks), each checked."""
    if not raw:
        raise ValidationFailed(
            NO_DISCREPANCY, code="handover.no_discrepancy", field="discrepancies"
        )
    out: list[Discrepancy] = []
    for item in raw:
        kind_text = str(item.get("kind", "")).strip().lower()
        try:
            kind = DiscrepancyKind(kind_text)
        except ValueError:
            raise ValidationFailed(
                BAD_DISCREPANCY, code="handover.discrepancy", field="discrepancies",
                value=kind_text[:40], choices=", ".join(DiscrepancyKind),
            ) from None  # fmt: skip
        unit = str(item.get("unit", "")).strip().upper()
        if unit not in units:
            raise ValidationFailed(NOT_ON_NOTE, code="handover.unit", field="discrepancies",
                                   unit=unit[:20] or "-")  # fmt: skip
        texts = [_short(item.get(name)) for name in ("expected", "found", "remarks")]
        out.append(Discrepancy(kind, unit, *texts))
    return tuple(out)


def _short(value: Any) -> str | None:
    return None if value in (None, "") else str(value).strip()[:200]


def dispute(
    session: Session,
    actor: Actor,
    act_id: str,
    *,
    discrepancies: Sequence[Mapping[str, Any]],
    commercial_act: str | None = None,
    at: datetime | None = None,
    secret: str | None = None,
) -> HandoverAct:
    """The incoming railway refuses the act as offered, naming what differs: a commercial act
    is drawn up (its number given, or made from the act id); custody stays where it was."""
    row, made = _open(session, actor, act_id)
    if row.status != str(ActStatus.OFFERED):
        raise Conflict(ACT_DECIDED, code="handover.decided", field="act_id", id=row.id,
                       status=row.status)  # fmt: skip
    found = parse_discrepancies(discrepancies, made.unit_numbers())
    if _received(row, secret):
        return _over_the_wire(
            session, actor, row, accepted=False, secret=secret, at=at,
            discrepancies=discrepancies, commercial_act=commercial_act,
        )  # fmt: skip
    number = (commercial_act or "").strip()[:40] or f"KA-{made.station_esr}-{row.id[:8].upper()}"
    decision = HandoverDecision(
        act_id=row.id,
        offer_digest=row.offer_digest,
        status=ActStatus.DISPUTED,
        decided_at=_when(at, clock.now(), "at"),
        discrepancies=found,
        commercial_act=number,
    )
    return _decide(session, actor, row, made, decision, secret)


def show(session: Session, actor: Actor, ref: str) -> list[HandoverAct]:
    """One act by its id, or every act of a note by the note's id."""
    try:
        key = str(uuid.UUID(ref.strip()))
    except ValueError:
        raise _not_found(ref) from None
    row = repository.act_row(session, key)
    note_id = row.note_id if row is not None else key
    try:
        load_note(session, actor, note_id)
    except NotFound:
        raise _not_found(key) from None
    if row is not None:
        return [_stored(session, row)]
    return [_stored(session, r) for r in repository.act_rows_of_note(session, note_id)]
