"""Note store use cases: drafts, the lifecycle steps, signatures, verification and reads.

Each function takes the session of the caller's unit of work and never commits. A step first
decides everything that can fail — who acts (:func:`lifecycle.authorise`), whether the step is
allowed from the current status (:func:`lifecycle.next_status`), whether the resulting note
passes the rules — and only then writes: a new version if boxes changed, the note's summary
row, a ``note_events`` row and an audit record. A refused step therefore leaves nothing. How one
note is loaded, versioned and recorded is :mod:`temir.notes.store.records`.

Versions are chained by :func:`temir.notes.signatures.next_version` and signed with
:func:`temir.notes.signatures.sign_note`; verification is
:func:`temir.notes.signatures.verify_chain` over the stored versions with the stored public
keys only. Organisation keys are :mod:`temir.signing.service`; drafts in bulk,
:mod:`temir.notes.store.bulk_import`. One job — the store's use cases, each a short function
over :mod:`~temir.notes.store.records` and :mod:`~temir.notes.store.checks` — which is why this
module is about 510 lines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from temir.accounts import repository as accounts_repository
from temir.accounts.model import Actor, Role
from temir.accounts.rules import railway_of
from temir.kit import clock
from temir.kit.db import UnitOfWork
from temir.kit.errors import Conflict, NotFound, ValidationFailed
from temir.kit.i18n import N_
from temir.notes import lifecycle
from temir.notes.boxes import Stage
from temir.notes.lifecycle import NoteAction, NoteStatus, Party
from temir.notes.model import BorderPassage, Delivery, Handover, Note
from temir.notes.network import NetworkView
from temir.notes.signatures import digest, verify_chain
from temir.notes.store import checks, new_draft, records, repository, signer
from temir.notes.store.model import NoteDetail, NoteSummary
from temir.signing import service as signing_service

MAX_LIMIT = 500


# --- writes ------------------------------------------------------------------------------------
def create_note(
    session: Session, actor: Actor, document: Any, *, secret: str | None = None
) -> NoteDetail:
    """A new draft owned by the actor's organisation (the consignor). Drafts may be incomplete,
    but must have the shape of a note and leave the carriers' lifecycle boxes empty.

    ``secret`` (every step that makes a version takes it): the installation secret that opens
    the organisation's key, so the version is signed by the party that made it
    (:mod:`temir.notes.store.signer`). Entry points that hold a unit of work of their own use
    :func:`create_note_in`, which does the same with less inside the write lock."""
    draft = new_draft.prepare(session, actor, document, secret=secret)
    return new_draft.store(session, actor, draft, secret=secret)


def create_note_in(
    uow: UnitOfWork, actor: Actor, document: Any, *, secret: str | None = None
) -> NoteDetail:
    """:func:`create_note` in its own unit of work, what needs no write done before it
    (:mod:`temir.notes.store.new_draft`)."""
    return new_draft.create(uow, actor, document, secret=secret)


def edit_note(
    session: Session, actor: Actor, note_id: str, document: Any, *, secret: str | None = None
) -> NoteDetail:
    """Replace a draft's content: a new version chained to the previous one."""
    row, current, who, facts = records.load(session, actor, note_id, for_update=True)
    lifecycle.authorise(NoteAction.EDIT, who, facts)
    status = lifecycle.next_status(NoteAction.EDIT, facts.status)
    parsed = checks.parse(document)
    lifecycle.refuse_store_boxes(parsed)
    lifecycle.refuse_carrier_boxes(parsed)
    note = parsed.model_copy(
        update={
            "note_id": row.id,
            "version": current.version + 1,
            "previous_digest": digest(current),
        }
    )
    now = clock.now()
    stored = records.append_version(session, row, note, actor, "edited", now)
    signed = signer.sign_new(session, actor, row, stored, note, secret, now)
    row.status = str(status)
    records.record_event(session, row, NoteAction.EDIT, facts.status, actor, now)
    return records.detail_of(session, row, note, written=(stored, signed))


def submit(
    session: Session, actor: Actor, note_id: str, network: NetworkView | None = None
) -> NoteDetail:
    """Draft → submitted, only when every submission rule passes (422 with all issues)."""
    row, note, who, facts = records.load(session, actor, note_id, for_update=True)
    lifecycle.authorise(NoteAction.SUBMIT, who, facts)
    status = lifecycle.next_status(NoteAction.SUBMIT, facts.status)
    warnings = checks.check(session, note, network, Stage.SUBMISSION)
    now = clock.now()
    row.status = str(status)
    records.index_row(row, note)
    records.record_event(session, row, NoteAction.SUBMIT, facts.status, actor, now)
    return records.detail_of(session, row, note, warnings)


def accept(
    session: Session,
    actor: Actor,
    note_id: str,
    *,
    consignment_number: str,
    contract_date: datetime | None = None,
    network: NetworkView | None = None,
    secret: str | None = None,
) -> NoteDetail:
    """Submitted → accepted by the contractual carrier, which fills boxes 26 and 29."""
    row, note, who, facts = records.load(session, actor, note_id, for_update=True)
    lifecycle.authorise(NoteAction.ACCEPT, who, facts)
    status = lifecycle.next_status(NoteAction.ACCEPT, facts.status)
    now = clock.now()
    changes = {
        "consignment_number": consignment_number,
        "contract_date": (contract_date or now).isoformat(),
    }
    accepted = checks.next_of(note, changes)
    warnings = checks.check(session, accepted, network, Stage.ACCEPTANCE)
    stored = records.append_version(session, row, accepted, actor, "accepted: boxes 26, 29", now)
    signed = signer.sign_new(session, actor, row, stored, accepted, secret, now)
    row.status = str(status)
    row.custody = facts.contractual_carrier
    records.record_event(
        session,
        row,
        NoteAction.ACCEPT,
        facts.status,
        actor,
        now,
        {"box_26": changes["contract_date"], "box_29": accepted.consignment_number},
    )
    return records.detail_of(session, row, accepted, warnings, written=(stored, signed))


def refuse(session: Session, actor: Actor, note_id: str, *, reason: str) -> NoteDetail:
    """Submitted → refused by the contractual carrier, with its reason (no new version)."""
    row, note, who, facts = records.load(session, actor, note_id, for_update=True)
    lifecycle.authorise(NoteAction.REFUSE, who, facts)
    status = lifecycle.next_status(NoteAction.REFUSE, facts.status)
    text = checks.reason(reason, required=True)
    now = clock.now()
    row.status = str(status)
    records.record_event(
        session, row, NoteAction.REFUSE, facts.status, actor, now, {"reason": text}
    )
    return records.detail_of(session, row, note)


def take_over(
    session: Session,
    actor: Actor,
    note_id: str,
    *,
    from_carrier: str,
    station_esr: str,
    at: datetime,
    act_id: str,
    secret: str | None = None,
) -> NoteDetail:
    """The incoming carrier records in boxes 33 and 34 the handover it accepted at a border.

    Why by the incoming carrier: a handover is an act the outgoing railway offers and the
    incoming one accepts (:mod:`temir.tracking.acts`); the goods are the incoming railway's
    only from its acceptance, so the new version is its statement, signed with its key. The
    act's id goes into the event, so box 33 can be traced to the signed act it came from.
    """
    row, note, who, facts = records.load(session, actor, note_id, for_update=True)
    lifecycle.authorise(NoteAction.HANDOVER, who, facts)
    status = lifecycle.next_status(NoteAction.HANDOVER, facts.status)
    receiver = facts.next_carrier()
    if receiver is None or facts.custody is None:
        raise Conflict(
            N_("Carrier {carrier} is the last carrier of box 22: there is no one to hand over to."),
            code="note.no_next_carrier",
            field="box 22",
            carrier=facts.custody or "?",
        )
    if from_carrier != facts.custody:
        raise Conflict(
            N_("The goods are with {carrier}, not with {given}."),
            code="note.not_in_custody",
            field="box 33",
            carrier=facts.custody,
            given=from_carrier,
        )
    now = clock.now()
    mark = Handover(from_carrier=facts.custody, to_carrier=receiver, station_esr=station_esr, at=at)
    passage = BorderPassage(station_esr=station_esr, at=at)
    changed = checks.next_of(
        note,
        {
            "handovers": [*_dump(note.handovers), mark.model_dump(mode="json")],
            "border_passages": [*_dump(note.border_passages), passage.model_dump(mode="json")],
        },
    )
    reason = f"handover {facts.custody} → {receiver} at {station_esr}, act {act_id}"
    stored = records.append_version(session, row, changed, actor, reason, now)
    signed = signer.sign_new(session, actor, row, stored, changed, secret, now)
    row.status = str(status)
    row.custody = receiver
    details = {
        "box_33": {"from": facts.custody, "to": receiver, "station": station_esr,
                   "at": repository.iso(at)},
        "box_34": {"station": station_esr, "at": repository.iso(at)},
        "act_id": act_id,
    }  # fmt: skip
    records.record_event(session, row, NoteAction.HANDOVER, facts.status, actor, now, details)
    return records.detail_of(session, row, changed, written=(stored, signed))


def _dump(items: Sequence[Any]) -> list[dict[str, Any]]:
    return [item.model_dump(mode="json", exclude_none=True) for item in items]


def arrive(
    session: Session,
    actor: Actor,
    note_id: str,
    *,
    at: datetime | None = None,
    secret: str | None = None,
) -> NoteDetail:
    """The destination carrier, in custody, records the arrival (box 27)."""
    row, note, who, facts = records.load(session, actor, note_id, for_update=True)
    lifecycle.authorise(NoteAction.ARRIVE, who, facts)
    status = lifecycle.next_status(NoteAction.ARRIVE, facts.status)
    if facts.custody != facts.destination_carrier:
        raise Conflict(
            N_("The goods are still with {carrier}; hand them over to {last} before arrival."),
            code="note.not_at_destination",
            field="box 33",
            carrier=facts.custody or "?",
            last=facts.destination_carrier or "?",
        )
    now = clock.now()
    when = at or now
    changed = checks.next_of(note, {"arrival_date": when.isoformat()})
    stored = records.append_version(session, row, changed, actor, "arrived: box 27", now)
    signed = signer.sign_new(session, actor, row, stored, changed, secret, now)
    row.status = str(status)
    records.record_event(
        session, row, NoteAction.ARRIVE, facts.status, actor, now, {"box_27": repository.iso(when)}
    )
    return records.detail_of(session, row, changed, written=(stored, signed))


def deliver(
    session: Session,
    actor: Actor,
    note_id: str,
    *,
    received_by: str,
    at: datetime | None = None,
    secret: str | None = None,
) -> NoteDetail:
    """The destination carrier hands the goods to the consignee (box 36)."""
    row, note, who, facts = records.load(session, actor, note_id, for_update=True)
    lifecycle.authorise(NoteAction.DELIVER, who, facts)
    status = lifecycle.next_status(NoteAction.DELIVER, facts.status)
    name = checks.reason(received_by, required=True)
    now = clock.now()
    when = at or now
    stamp = Delivery(at=when, station_esr=note.destination.esr or None, received_by=name)
    changed = checks.next_of(note, {"delivery": stamp.model_dump(mode="json", exclude_none=True)})
    stored = records.append_version(session, row, changed, actor, "delivered: box 36", now)
    signed = signer.sign_new(session, actor, row, stored, changed, secret, now)
    row.status = str(status)
    records.record_event(
        session,
        row,
        NoteAction.DELIVER,
        facts.status,
        actor,
        now,
        {"box_36": {"at": repository.iso(when), "received_by": name}},
    )
    return records.detail_of(session, row, changed, written=(stored, signed))


def correct(
    session: Session,
    actor: Actor,
    note_id: str,
    *,
    changes: Mapping[str, Any],
    reason: str,
    network: NetworkView | None = None,
    secret: str | None = None,
) -> NoteDetail:
    """A correction after acceptance: a new version, valid at the acceptance stage, signed by
    the corrector; the other parties sign it again if they agree (their signatures of earlier
    versions stay valid for those)."""
    row, note, who, facts = records.load(session, actor, note_id, for_update=True)
    lifecycle.authorise(NoteAction.CORRECT, who, facts)
    status = lifecycle.next_status(NoteAction.CORRECT, facts.status)
    text = checks.reason(reason, required=True)
    checks.correctable(changes)
    lifecycle.refuse_store_boxes(dict(changes))
    if who.role is Role.SHIPPER:  # the consignor: not the carriers' boxes 30–32
        lifecycle.refuse_carrier_boxes(dict(changes))
    lifecycle.refuse_step_boxes(dict(changes))
    changed = checks.next_of(note, changes)
    warnings = checks.check(session, changed, network, Stage.ACCEPTANCE)
    now = clock.now()
    stored = records.append_version(session, row, changed, actor, f"correction: {text}", now)
    signed = signer.sign_new(session, actor, row, stored, changed, secret, now)
    row.status = str(status)
    records.record_event(
        session,
        row,
        NoteAction.CORRECT,
        facts.status,
        actor,
        now,
        {"reason": text, "fields": sorted(changes)},
    )
    return records.detail_of(session, row, changed, warnings, written=(stored, signed))


# --- signatures --------------------------------------------------------------------------------
def sign(
    session: Session, actor: Actor, note_id: str, *, secret: str, version: int | None = None
) -> dict[str, Any]:
    """Sign the canonical form of one version with the current key of the actor's organisation."""
    row, _current, who, facts = records.load(session, actor, note_id, for_update=True)
    lifecycle.authorise(NoteAction.SIGN, who, facts)
    lifecycle.next_status(NoteAction.SIGN, facts.status)
    number = row.current_version if version is None else version
    stored = repository.version_row(session, row.id, number)
    if stored is None:
        raise NotFound(
            N_("Note {id} has no version {version}."),
            code="note.version_not_found",
            field="version",
            id=row.id,
            version=number,
        )
    now = clock.now()
    note = Note.model_validate(stored.document)
    sig_row = signer.sign_version(
        session, actor, row, note, secret=secret, now=now, note_digest=stored.digest
    )
    records.record_event(
        session,
        row,
        NoteAction.SIGN,
        facts.status,
        actor,
        now,
        {"signed_version": number, "key_id": sig_row.key_id, "organisation": sig_row.organisation},
    )
    return records.signature_dict(sig_row)


def verify(session: Session, actor: Actor, note_id: str, lang: str = "en") -> dict[str, Any]:
    """Check every stored signature and the chain of versions with the stored public keys.

    ``intact`` is true when nothing was changed after it was written or signed; ``valid`` (the
    verdict of :func:`verify_chain`) additionally needs every version signed. Unsigned versions
    — a correction not yet signed again — are listed, not hidden.
    """
    from temir.kit.i18n import translate

    row, _note, _who, _facts = records.load(session, actor, note_id)
    signed, store_problems, key_ids = records.signed_note(session, row.id)
    report = verify_chain(signed, signing_service.key_ring(session, key_ids))
    problems = [p.to_dict(lang) for p in report.problems]
    problems += [
        {
            "code": p["code"],
            "version": p["version"],
            "key_id": None,
            "message": translate(p["msgid"], lang, version=p["version"]),
        }
        for p in store_problems
    ]
    unsigned = sorted(p["version"] for p in problems if p["code"] == "chain.unsigned")
    tampering = [p for p in problems if p["code"] != "chain.unsigned"]
    body = report.to_dict(lang)
    body.update(
        {
            "note_id": row.id,
            "valid": report.valid and not store_problems,
            "intact": not tampering,
            "unsigned_versions": unsigned,
            "current_version_signed": row.current_version not in unsigned,
            "problems": problems,
        }
    )
    return body


def export(session: Session, actor: Actor, note_id: str) -> dict[str, Any]:
    """Every version with its signatures, in the file format ``temir notes verify`` reads."""
    row, _note, _who, _facts = records.load(session, actor, note_id)
    signed, _problems, _keys = records.signed_note(session, row.id)
    data: dict[str, Any] = signed.model_dump(mode="json", exclude_none=True)
    return data


# --- reads -------------------------------------------------------------------------------------
def get_note(session: Session, actor: Actor, note_id: str) -> NoteDetail:
    row, note, _who, _facts = records.load(session, actor, note_id)
    return records.detail_of(session, row, note)


def _party(session: Session, text: str) -> tuple[set[int] | None, str | None]:
    """The organisations whose slug or name contains ``text``, and ``text`` as a railway code."""
    if not text:
        return None, None
    folded = text.casefold()
    orgs = {
        row.id
        for row in accounts_repository.organisation_rows(session)
        if folded in row.slug.casefold() or folded in row.name.casefold()
    }
    railway = text.upper() if text.isalpha() and len(text) <= 4 else None
    return orgs, railway


def _day_start(day: date | None) -> datetime | None:
    return None if day is None else datetime(day.year, day.month, day.day, tzinfo=UTC)


def list_notes(
    session: Session,
    actor: Actor,
    *,
    status: str | None = None,
    station: str | None = None,
    cargo: str | None = None,
    wagon: str | None = None,
    limit: int = 50,
    offset: int = 0,
    number: str | None = None,
    party: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> tuple[int, list[NoteSummary]]:
    """Notes the actor may see; ``party`` is a consignor organisation (slug or words of its
    name) or a carrier railway code; ``date_from``..``date_to`` (inclusive, UTC days) bound
    when the note was created."""
    if date_from is not None and date_to is not None and date_from > date_to:
        raise ValidationFailed(
            N_("The date range ends before it starts."), code="note.invalid_dates", field="date_to"
        )
    if status is not None and status not in {s.value for s in NoteStatus}:
        raise ValidationFailed(
            N_("Unknown status {value}; one of: {choices}."),
            code="note.invalid_status",
            field="status",
            value=status[:40],
            choices=", ".join(s.value for s in NoteStatus),
        )
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        raise ValidationFailed(
            N_("limit is 1 to {max} and offset at least 0."),
            code="note.invalid_page",
            field="limit",
            max=MAX_LIMIT,
        )
    org = repository.organisation_kind(session, actor.organisation_id)
    who = Party(actor.role, actor.organisation_id, railway_of(org))
    party_orgs, party_railway = _party(session, (party or "").strip()[:80])
    total, rows = repository.list_note_rows(
        session,
        visible_to_org=who.organisation_id,
        visible_to_railway=who.railway,
        everyone=who.admin,
        status=status,
        station=(station or "").strip() or None,
        cargo=(cargo or "").strip() or None,
        wagon=(wagon or "").strip() or None,
        limit=limit,
        offset=offset,
        number=(number or "").strip()[:40] or None,
        party_orgs=party_orgs,
        party_railway=party_railway,
        created_from=_day_start(date_from),
        created_before=_day_start(date_to + timedelta(days=1)) if date_to else None,
    )
    return total, [records.listed_summary(r) for r in rows]


def history(session: Session, actor: Actor, note_id: str) -> dict[str, Any]:
    """The append-only record: every event, every version with its digest and signatures."""
    row, _note, _who, _facts = records.load(session, actor, note_id)
    signatures = repository.signature_rows(session, row.id)
    return {
        "note_id": row.id,
        "status": row.status,
        "events": [
            {
                "action": e.action,
                "version": e.version,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "actor": e.actor,
                "at": repository.iso(e.at),
                "details": e.details,
            }
            for e in repository.event_rows(session, row.id)
        ],
        "versions": [
            {
                "version": v.version,
                "digest": v.digest,
                "previous_digest": v.previous_digest,
                "created_by": v.created_by,
                "created_at": repository.iso(v.created_at),
                "reason": v.reason,
                "signatures": [
                    records.signature_dict(s) for s in signatures if s.version == v.version
                ],
            }
            for v in repository.version_rows(session, row.id)
        ],
    }
