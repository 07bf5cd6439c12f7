"""Note store use cases: drafts, the lifecycle steps, signatures, verification and reads.

Each function takes the session of the caller's unit of work and never commits. A step first
decides everything that can fail — who acts (:func:`lifecycle.authorise`), whether the step is
allowed from the current status (:func:`lifecycle.next_status`), whether the resulting note
passes the rules — and only then writes: a new version if boxes changed, the note's summary
row, a ``note_events`` row and an audit record. A refused step therefore leaves nothing.

Versions are chained by :func:`temir.notes.signing.next_version` and signed with
:func:`temir.notes.signing.sign_note`; verification is :func:`temir.notes.signing.verify_chain`
over the stored versions with the stored public keys only. Organisation keys are
:mod:`temir.notes.key_service`; drafts in bulk, :mod:`temir.notes.bulk_import`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from temir.accounts import audit
from temir.accounts.model import Actor
from temir.kit import clock
from temir.kit.errors import Conflict, NotFound, ValidationFailed
from temir.kit.i18n import N_
from temir.network.provider import view_for
from temir.notes import key_service, lifecycle, repository
from temir.notes import keys as org_keys
from temir.notes.lifecycle import NoteAction, NoteFacts, NoteStatus, Party
from temir.notes.model import BorderPassage, Delivery, Handover, Note
from temir.notes.network import NetworkView
from temir.notes.rules import (
    Issue,
    Stage,
    parse_note,
    railway_abbr,
    schema_issues,
    validate_note,
)
from temir.notes.signing import (
    FORMAT,
    KeyRing,
    Signature,
    SignedNote,
    SignedVersion,
    digest,
    next_version,
    sign_note,
    verify_chain,
)
from temir.notes.tables import (
    NoteEventRow,
    NoteRow,
    NoteSignatureRow,
    NoteVersionRow,
)

MAX_LIMIT = 500
REASON_MAX = 400


# --- views -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NoteSummary:
    id: str
    number: str | None
    status: NoteStatus
    version: int
    consignor: str | None
    departure_esr: str | None
    destination_esr: str | None
    cargo_etsng: str | None
    cargo_gng: str | None
    carriers: tuple[str, ...]
    custody: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "number": self.number,
            "status": str(self.status),
            "version": self.version,
            "consignor": self.consignor,
            "departure_esr": self.departure_esr,
            "destination_esr": self.destination_esr,
            "cargo_etsng": self.cargo_etsng,
            "cargo_gng": self.cargo_gng,
            "carriers": list(self.carriers),
            "custody": self.custody,
            "created_by": self.created_by,
            "created_at": repository.iso(self.created_at),
            "updated_at": repository.iso(self.updated_at),
        }


@dataclass(frozen=True)
class NoteDetail:
    summary: NoteSummary
    document: dict[str, Any]
    digest: str
    signatures: tuple[dict[str, Any], ...]
    warnings: tuple[Issue, ...] = ()

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            **self.summary.to_dict(),
            "digest": self.digest,
            "document": self.document,
            "signatures": list(self.signatures),
            "warnings": [w.to_dict(lang) for w in self.warnings],
        }


# --- who and what ------------------------------------------------------------------------------
def _railway(code: str | None) -> str | None:
    if not code:
        return None
    return railway_abbr(code) or code.strip().upper()


def party_of(session: Session, actor: Actor) -> Party:
    org = repository.organisation_by_id(session, actor.organisation_id)
    railway = _railway(org.railway_code) if org is not None and org.kind == "railway" else None
    return Party(actor.role, actor.organisation_id, railway)


def _carriers(note: Note) -> tuple[str, ...]:
    out: list[str] = []
    for section in note.carriers:
        code = _railway(section.carrier)
        if code and (not out or out[-1] != code):
            out.append(code)
    return tuple(out)


def _facts(row: NoteRow, note: Note) -> NoteFacts:
    return NoteFacts(
        status=NoteStatus(row.status),
        consignor_org_id=row.consignor_org_id,
        carriers=_carriers(note),
        custody=row.custody,
    )


def _not_found(note_id: str) -> NotFound:
    return NotFound(N_("No note {id}."), code="note.not_found", field="id", id=note_id)


def _load(
    session: Session, actor: Actor, note_id: str, *, for_update: bool = False
) -> tuple[NoteRow, Note, Party, NoteFacts]:
    """The note and its current version, if ``actor`` may see it (404 otherwise, not 403:
    a note's existence is not told to outsiders)."""
    try:
        note_id = str(uuid.UUID(str(note_id)))
    except ValueError:
        raise _not_found(str(note_id)[:40]) from None
    row = repository.note_row(session, note_id, for_update=for_update)
    if row is None:
        raise _not_found(note_id)
    version = repository.version_row(session, note_id, row.current_version)
    if version is None:  # pragma: no cover - the store always writes both together
        raise _not_found(note_id)
    note = Note.model_validate(version.document)
    who = party_of(session, actor)
    facts = _facts(row, note)
    if not lifecycle.may_read(who, facts):
        raise _not_found(note_id)
    return row, note, who, facts


def _invalid(issues: Sequence[Issue]) -> ValidationFailed:
    ordered = sorted(issues, key=lambda i: i.severity != "error")
    return ValidationFailed.from_problems([i.problem() for i in ordered])


def _parse(document: Any) -> Note:
    note, issues = parse_note(document)
    if note is None:
        raise _invalid(issues)
    return note


def _check(
    session: Session, note: Note, network: NetworkView | None, stage: Stage
) -> tuple[Issue, ...]:
    """422 with every issue when the note breaks a rule; the warnings otherwise.

    The network is the session's edition (the engine quotes use) unless the caller gives one.
    """
    result = validate_note(note, network or view_for(session), stage)
    if not result.valid:
        raise _invalid(result.issues)
    return result.warnings


def _reason(text: str | None, required: bool = False) -> str:
    value = (text or "").strip()
    if required and not value:
        raise ValidationFailed(N_("Give a reason."), code="note.reason_required", field="reason")
    if len(value) > REASON_MAX:
        raise ValidationFailed(
            N_("A reason has at most {max} characters."),
            code="note.reason_too_long",
            field="reason",
            max=REASON_MAX,
        )
    return value


# --- writes ------------------------------------------------------------------------------------
def note_document(note: Note) -> dict[str, Any]:
    """The note as a version row stores it: JSON, empty fields left out."""
    data: dict[str, Any] = note.model_dump(mode="json", exclude_none=True)
    return data


def index_row(row: NoteRow, note: Note) -> None:
    """Copy what lists filter on from the current version into the note row."""
    row.departure_esr = note.departure.esr or None
    row.destination_esr = note.destination.esr or None
    first = note.goods[0] if note.goods else None
    row.cargo_etsng = (first.etsng or None) if first else None
    row.cargo_gng = (first.gng or None) if first else None
    carriers = _carriers(note)
    row.carriers = "|" + "|".join(carriers) + "|" if carriers else ""
    row.number = note.consignment_number


def _append_version(
    session: Session, row: NoteRow, note: Note, actor: Actor, reason: str, now: datetime
) -> None:
    session.add(
        NoteVersionRow(
            note_id=row.id,
            version=note.version,
            document=note_document(note),
            digest=digest(note),
            previous_digest=note.previous_digest,
            created_by=actor.label,
            created_at=now,
            reason=reason[:REASON_MAX],
        )
    )
    row.current_version = note.version
    index_row(row, note)
    repository.replace_wagons(session, row.id, [w.number for w in note.wagons])


def _event(
    session: Session,
    row: NoteRow,
    action: NoteAction,
    from_status: NoteStatus | None,
    actor: Actor,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> None:
    session.add(
        NoteEventRow(
            note_id=row.id,
            version=row.current_version,
            action=str(action),
            from_status=None if from_status is None else str(from_status),
            to_status=row.status,
            actor=actor.label,
            actor_user_id=actor.user_id,
            organisation_id=actor.organisation_id,
            at=now,
            details=details,
        )
    )
    row.updated_at = now
    audit.record(
        session,
        actor,
        f"note.{action}",
        "note",
        row.id,
        {"version": row.current_version, "status": row.status, **(details or {})},
    )


def _detail(
    session: Session, row: NoteRow, note: Note, warnings: tuple[Issue, ...] = ()
) -> NoteDetail:
    slugs = repository.organisation_slugs(
        session, {row.consignor_org_id} if row.consignor_org_id else set()
    )
    summary = _summary(row, slugs)
    signatures = tuple(
        _signature_dict(s) for s in repository.signature_rows(session, row.id, row.current_version)
    )
    return NoteDetail(summary, note_document(note), digest(note), signatures, warnings)


def _summary(row: NoteRow, slugs: Mapping[int, str]) -> NoteSummary:
    return NoteSummary(
        id=row.id,
        number=row.number,
        status=NoteStatus(row.status),
        version=row.current_version,
        consignor=slugs.get(row.consignor_org_id) if row.consignor_org_id else None,
        departure_esr=row.departure_esr,
        destination_esr=row.destination_esr,
        cargo_etsng=row.cargo_etsng,
        cargo_gng=row.cargo_gng,
        carriers=tuple(c for c in row.carriers.split("|") if c),
        custody=row.custody,
        created_by=row.created_by,
        created_at=repository.aware(row.created_at),
        updated_at=repository.aware(row.updated_at),
    )


def _signature_dict(row: NoteSignatureRow) -> dict[str, Any]:
    return {
        "version": row.version,
        "organisation": row.organisation,
        "role": row.role,
        "key_id": row.key_id,
        "algorithm": row.algorithm,
        "signer_user": row.signer_user,
        "digest": row.digest,
        "signed_at": repository.iso(row.signed_at),
    }


def create_note(session: Session, actor: Actor, document: Any) -> NoteDetail:
    """A new draft owned by the actor's organisation (the consignor). Drafts may be incomplete,
    but must have the shape of a note and leave the carriers' lifecycle boxes empty."""
    who = party_of(session, actor)
    facts = NoteFacts(NoteStatus.DRAFT, actor.organisation_id, (), None)
    lifecycle.authorise(NoteAction.CREATE, who, facts)
    parsed = _parse(document)
    lifecycle.refuse_store_boxes(parsed)
    note_id = str(uuid.uuid4())
    note = parsed.model_copy(update={"note_id": note_id, "version": 1, "previous_digest": None})
    now = clock.now()
    row = NoteRow(
        id=note_id,
        status=str(NoteStatus.DRAFT),
        current_version=1,
        consignor_org_id=actor.organisation_id,
        carriers="",
        custody=None,
        created_by=actor.label,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    _append_version(session, row, note, actor, "created", now)
    _event(session, row, NoteAction.CREATE, None, actor, now)
    return _detail(session, row, note)


def edit_note(session: Session, actor: Actor, note_id: str, document: Any) -> NoteDetail:
    """Replace a draft's content: a new version chained to the previous one."""
    row, current, who, facts = _load(session, actor, note_id, for_update=True)
    lifecycle.authorise(NoteAction.EDIT, who, facts)
    status = lifecycle.next_status(NoteAction.EDIT, facts.status)
    parsed = _parse(document)
    lifecycle.refuse_store_boxes(parsed)
    note = parsed.model_copy(
        update={
            "note_id": row.id,
            "version": current.version + 1,
            "previous_digest": digest(current),
        }
    )
    now = clock.now()
    _append_version(session, row, note, actor, "edited", now)
    row.status = str(status)
    _event(session, row, NoteAction.EDIT, facts.status, actor, now)
    return _detail(session, row, note)


def submit(
    session: Session, actor: Actor, note_id: str, network: NetworkView | None = None
) -> NoteDetail:
    """Draft → submitted, only when every submission rule passes (422 with all issues)."""
    row, note, who, facts = _load(session, actor, note_id, for_update=True)
    lifecycle.authorise(NoteAction.SUBMIT, who, facts)
    status = lifecycle.next_status(NoteAction.SUBMIT, facts.status)
    warnings = _check(session, note, network, Stage.SUBMISSION)
    now = clock.now()
    row.status = str(status)
    index_row(row, note)
    _event(session, row, NoteAction.SUBMIT, facts.status, actor, now)
    return _detail(session, row, note, warnings)


def accept(
    session: Session,
    actor: Actor,
    note_id: str,
    *,
    consignment_number: str,
    contract_date: datetime | None = None,
    network: NetworkView | None = None,
) -> NoteDetail:
    """Submitted → accepted by the contractual carrier, which fills boxes 26 and 29."""
    row, note, who, facts = _load(session, actor, note_id, for_update=True)
    lifecycle.authorise(NoteAction.ACCEPT, who, facts)
    status = lifecycle.next_status(NoteAction.ACCEPT, facts.status)
    now = clock.now()
    changes = {
        "consignment_number": consignment_number,
        "contract_date": (contract_date or now).isoformat(),
    }
    accepted = _next(note, changes)
    warnings = _check(session, accepted, network, Stage.ACCEPTANCE)
    _append_version(session, row, accepted, actor, "accepted: boxes 26, 29", now)
    row.status = str(status)
    row.custody = facts.contractual_carrier
    _event(
        session,
        row,
        NoteAction.ACCEPT,
        facts.status,
        actor,
        now,
        {"box_26": changes["contract_date"], "box_29": accepted.consignment_number},
    )
    return _detail(session, row, accepted, warnings)


def _next(note: Note, changes: Mapping[str, Any]) -> Note:
    """The next version with ``changes``, or 422 naming the box of each bad field."""
    try:
        return next_version(note, changes)
    except ValidationError as exc:
        raise _invalid(schema_issues(exc)) from None


def refuse(session: Session, actor: Actor, note_id: str, *, reason: str) -> NoteDetail:
    """Submitted → refused by the contractual carrier, with its reason (no new version)."""
    row, note, who, facts = _load(session, actor, note_id, for_update=True)
    lifecycle.authorise(NoteAction.REFUSE, who, facts)
    status = lifecycle.next_status(NoteAction.REFUSE, facts.status)
    text = _reason(reason, required=True)
    now = clock.now()
    row.status = str(status)
    _event(session, row, NoteAction.REFUSE, facts.status, actor, now, {"reason": text})
    return _detail(session, row, note)


def handover(
    session: Session,
    actor: Actor,
    note_id: str,
    *,
    station_esr: str | None = None,
    at: datetime | None = None,
) -> NoteDetail:
    """The carrier in custody hands the goods to the next carrier of box 22 (boxes 33, 34)."""
    row, note, who, facts = _load(session, actor, note_id, for_update=True)
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
    station = (station_esr or "").strip() or _section_end(note, facts.custody)
    now = clock.now()
    when = at or now
    mark = Handover(from_carrier=facts.custody, to_carrier=receiver, station_esr=station, at=when)
    passage = BorderPassage(station_esr=station, at=when)
    changed = _next(
        note,
        {
            "handovers": [*_dump(note.handovers), mark.model_dump(mode="json")],
            "border_passages": [*_dump(note.border_passages), passage.model_dump(mode="json")],
        },
    )
    reason = f"handover {facts.custody} → {receiver} at {station}"
    _append_version(session, row, changed, actor, reason, now)
    row.status = str(status)
    row.custody = receiver
    details = {
        "box_33": {
            "from": facts.custody,
            "to": receiver,
            "station": station,
            "at": repository.iso(when),
        },
        "box_34": {"station": station, "at": repository.iso(when)},
    }
    _event(session, row, NoteAction.HANDOVER, facts.status, actor, now, details)
    return _detail(session, row, changed)


def _dump(items: Sequence[Any]) -> list[dict[str, Any]]:
    return [item.model_dump(mode="json", exclude_none=True) for item in items]


def _section_end(note: Note, carrier: str) -> str:
    """Where ``carrier``'s section of box 22 ends: its border station by default."""
    for section in note.carriers:
        if _railway(section.carrier) == carrier and section.to_station.esr:
            return section.to_station.esr
    return ""


def arrive(
    session: Session, actor: Actor, note_id: str, *, at: datetime | None = None
) -> NoteDetail:
    """The destination carrier, in custody, records the arrival (box 27)."""
    row, note, who, facts = _load(session, actor, note_id, for_update=True)
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
    changed = _next(note, {"arrival_date": when.isoformat()})
    _append_version(session, row, changed, actor, "arrived: box 27", now)
    row.status = str(status)
    _event(
        session, row, NoteAction.ARRIVE, facts.status, actor, now, {"box_27": repository.iso(when)}
    )
    return _detail(session, row, changed)


def deliver(
    session: Session,
    actor: Actor,
    note_id: str,
    *,
    received_by: str,
    at: datetime | None = None,
) -> NoteDetail:
    """The destination carrier hands the goods to the consignee (box 36)."""
    row, note, who, facts = _load(session, actor, note_id, for_update=True)
    lifecycle.authorise(NoteAction.DELIVER, who, facts)
    status = lifecycle.next_status(NoteAction.DELIVER, facts.status)
    name = _reason(received_by, required=True)
    now = clock.now()
    when = at or now
    stamp = Delivery(at=when, station_esr=note.destination.esr or None, received_by=name)
    changed = _next(note, {"delivery": stamp.model_dump(mode="json", exclude_none=True)})
    _append_version(session, row, changed, actor, "delivered: box 36", now)
    row.status = str(status)
    _event(
        session,
        row,
        NoteAction.DELIVER,
        facts.status,
        actor,
        now,
        {"box_36": {"at": repository.iso(when), "received_by": name}},
    )
    return _detail(session, row, changed)


_FIXED_FIELDS = frozenset({"form", "note_id", "version", "previous_digest"})


def correct(
    session: Session,
    actor: Actor,
    note_id: str,
    *,
    changes: Mapping[str, Any],
    reason: str,
    network: NetworkView | None = None,
) -> NoteDetail:
    """A correction after acceptance: a new version, valid at the acceptance stage, unsigned
    until its parties sign it again (their signatures of earlier versions stay valid for those)."""
    row, note, who, facts = _load(session, actor, note_id, for_update=True)
    lifecycle.authorise(NoteAction.CORRECT, who, facts)
    status = lifecycle.next_status(NoteAction.CORRECT, facts.status)
    text = _reason(reason, required=True)
    if not isinstance(changes, Mapping) or not changes:
        raise ValidationFailed(
            N_("Say which boxes change."), code="note.no_changes", field="changes"
        )
    fixed = sorted(_FIXED_FIELDS.intersection(changes))
    unknown = sorted(set(changes) - set(Note.model_fields))
    if fixed or unknown:
        raise ValidationFailed(
            N_("Field {name} cannot be corrected."),
            code="note.field_not_correctable",
            field=(fixed or unknown)[0],
            name=(fixed or unknown)[0],
        )
    lifecycle.refuse_store_boxes(dict(changes))
    changed = _next(note, changes)
    warnings = _check(session, changed, network, Stage.ACCEPTANCE)
    now = clock.now()
    _append_version(session, row, changed, actor, f"correction: {text}", now)
    row.status = str(status)
    _event(
        session,
        row,
        NoteAction.CORRECT,
        facts.status,
        actor,
        now,
        {"reason": text, "fields": sorted(changes)},
    )
    return _detail(session, row, changed, warnings)


# --- signatures --------------------------------------------------------------------------------
def sign(
    session: Session, actor: Actor, note_id: str, *, secret: str, version: int | None = None
) -> dict[str, Any]:
    """Sign the canonical form of one version with the current key of the actor's organisation."""
    row, _current, who, facts = _load(session, actor, note_id, for_update=True)
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
    org = repository.organisation_by_id(session, actor.organisation_id)
    if org is None:
        raise ValidationFailed(
            N_("Only a member of an organisation signs: the signature is the organisation's."),
            code="keys.no_organisation",
            field="organisation",
        )
    key = key_service.ensure_key(session, actor, org, secret)
    existing = repository.signature_rows(session, row.id, number)
    if any(s.key_id == key.key_id for s in existing):
        raise Conflict(
            N_("Version {version} is already signed with key {key_id}."),
            code="note.already_signed",
            field="version",
            version=number,
            key_id=key.key_id,
        )
    signer = org_keys.unseal(key.key_id, key.private_key_sealed, key.salt, secret)
    note = Note.model_validate(stored.document)
    role = "consignor" if org.id == row.consignor_org_id else "carrier"
    now = clock.now()
    signature = sign_note(note, signer, signed_at=now, signer_name=org.slug, role=role)
    sig_row = NoteSignatureRow(
        note_id=row.id,
        version=number,
        organisation_id=org.id,
        organisation=org.slug,
        role=role,
        key_id=signature.key_id,
        algorithm=signature.algorithm,
        signer_user=actor.label,
        digest=signature.digest,
        signature=signature.value,
        signed_at=now,
    )
    session.add(sig_row)
    _event(
        session,
        row,
        NoteAction.SIGN,
        facts.status,
        actor,
        now,
        {"signed_version": number, "key_id": key.key_id, "organisation": org.slug},
    )
    return _signature_dict(sig_row)


def _signed_note(
    session: Session, note_id: str
) -> tuple[SignedNote, list[dict[str, Any]], set[str]]:
    """The stored versions as a :class:`SignedNote`, plus problems the store itself detects."""
    problems: list[dict[str, Any]] = []
    signatures: dict[int, list[Signature]] = {}
    key_ids: set[str] = set()
    for s in repository.signature_rows(session, note_id):
        key_ids.add(s.key_id)
        signatures.setdefault(s.version, []).append(
            Signature(
                key_id=s.key_id,
                algorithm=s.algorithm,
                signer=s.organisation,
                role=s.role,
                signed_at=repository.aware(s.signed_at),
                digest=s.digest,
                value=s.signature,
            )
        )
    versions: list[SignedVersion] = []
    for v in repository.version_rows(session, note_id):
        try:
            note = Note.model_validate(v.document)
        except ValidationError:
            problems.append(_store_problem("store.unreadable", v.version))
            continue
        if digest(note) != v.digest:
            problems.append(_store_problem("store.digest_mismatch", v.version))
        versions.append(SignedVersion(note=note, signatures=signatures.get(v.version, [])))
    return SignedNote(format=FORMAT, versions=versions), problems, key_ids


_STORE_MESSAGES = {
    "store.unreadable": N_("Version {version} as stored is no longer a readable note."),
    "store.digest_mismatch": N_(
        "Version {version} as stored no longer matches the digest recorded when it was written."
    ),
}


def _store_problem(code: str, version: int) -> dict[str, Any]:
    return {"code": code, "version": version, "key_id": None, "msgid": _STORE_MESSAGES[code]}


def _key_ring(session: Session, key_ids: set[str]) -> KeyRing:
    rows = repository.key_rows(session, key_ids=key_ids)
    slugs = repository.organisation_slugs(session, {r.organisation_id for r in rows})
    return KeyRing(
        org_keys.entry(r.key_id, r.algorithm, r.public_key, slugs.get(r.organisation_id, ""))
        for r in rows
    )


def verify(session: Session, actor: Actor, note_id: str, lang: str = "en") -> dict[str, Any]:
    """Check every stored signature and the chain of versions with the stored public keys.

    ``intact`` is true when nothing was changed after it was written or signed; ``valid`` (the
    verdict of :func:`verify_chain`) additionally needs every version signed. Unsigned versions
    — a correction not yet signed again — are listed, not hidden.
    """
    from temir.kit.i18n import translate

    row, _note, _who, _facts = _load(session, actor, note_id)
    signed, store_problems, key_ids = _signed_note(session, row.id)
    report = verify_chain(signed, _key_ring(session, key_ids))
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
    row, _note, _who, _facts = _load(session, actor, note_id)
    signed, _problems, _keys = _signed_note(session, row.id)
    data: dict[str, Any] = signed.model_dump(mode="json", exclude_none=True)
    return data


# --- reads -------------------------------------------------------------------------------------
def get_note(session: Session, actor: Actor, note_id: str) -> NoteDetail:
    row, note, _who, _facts = _load(session, actor, note_id)
    return _detail(session, row, note)


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
) -> tuple[int, list[NoteSummary]]:
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
    who = party_of(session, actor)
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
    )
    slugs = repository.organisation_slugs(
        session, {r.consignor_org_id for r in rows if r.consignor_org_id}
    )
    return total, [_summary(r, slugs) for r in rows]


def history(session: Session, actor: Actor, note_id: str) -> dict[str, Any]:
    """The append-only record: every event, every version with its digest and signatures."""
    row, _note, _who, _facts = _load(session, actor, note_id)
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
                "signatures": [_signature_dict(s) for s in signatures if s.version == v.version],
            }
            for v in repository.version_rows(session, row.id)
        ],
    }
