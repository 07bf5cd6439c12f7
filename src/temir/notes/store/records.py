"""How the store keeps one note: loaded with its visibility, versioned, recorded, shown.

Why apart from the use cases: every step (:mod:`temir.notes.store.service`) and the bulk import
(:mod:`temir.notes.store.bulk_import`) write a note the same way — an append-only version row
with its digest, the summary row that lists filter on, an event and an audit record — and read
it the same way: 404 (not 403) for a note the actor may not see, so its existence is not told
to outsiders.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from temir.accounts import audit
from temir.accounts import repository as accounts_repository
from temir.accounts.model import Actor
from temir.accounts.rules import railway_of
from temir.codes.railways import railway_key
from temir.kit import changes
from temir.kit.errors import NotFound
from temir.kit.i18n import N_
from temir.notes import lifecycle
from temir.notes.boxes import Issue
from temir.notes.lifecycle import NoteAction, NoteFacts, NoteStatus, Party
from temir.notes.model import Note
from temir.notes.signatures import FORMAT, SignedNote, SignedVersion, digest
from temir.notes.store import repository
from temir.notes.store.model import NoteDetail, NoteSummary
from temir.notes.store.tables import NoteEventRow, NoteRow, NoteSignatureRow, NoteVersionRow
from temir.signing.model import Signature

REASON_MAX = 400


def party_of(session: Session, actor: Actor) -> Party:
    """Who acts on a note: role, organisation, and the railway it is (if it is one)."""
    org = accounts_repository.organisation_by_id(session, actor.organisation_id)
    return Party(actor.role, actor.organisation_id, railway_of(org))


def carriers_of(note: Note) -> tuple[str, ...]:
    out: list[str] = []
    for section in note.carriers:
        code = railway_key(section.carrier)
        if code and (not out or out[-1] != code):
            out.append(code)
    return tuple(out)


def unit_numbers(note: Note) -> list[str]:
    """Box 7 wagons and box 15 containers: what a report of a wagon or container finds its
    note by (``note_wagons``)."""
    out = [w.number for w in note.wagons if w.number]
    out += [
        g.container.number.strip().upper()
        for g in note.goods
        if g.container is not None and g.container.number
    ]
    return list(dict.fromkeys(out))


def facts_of(row: NoteRow, note: Note) -> NoteFacts:
    return NoteFacts(
        status=NoteStatus(row.status),
        consignor_org_id=row.consignor_org_id,
        carriers=carriers_of(note),
        custody=row.custody,
        consignee_org_id=row.consignee_org_id,
    )


def not_found(note_id: str) -> NotFound:
    return NotFound(N_("No note {id}."), code="note.not_found", field="id", id=note_id)


def load(
    session: Session, actor: Actor, note_id: str, *, for_update: bool = False
) -> tuple[NoteRow, Note, Party, NoteFacts]:
    """The note and its current version, if ``actor`` may see it (404 otherwise, not 403:
    a note's existence is not told to outsiders)."""
    try:
        note_id = str(uuid.UUID(str(note_id)))
    except ValueError:
        raise not_found(str(note_id)[:40]) from None
    row = repository.note_row(session, note_id, for_update=for_update)
    if row is None:
        raise not_found(note_id)
    version = repository.version_row(session, note_id, row.current_version)
    if version is None:  # pragma: no cover - the store always writes both together
        raise not_found(note_id)
    note = Note.model_validate(version.document)
    who = party_of(session, actor)
    facts = facts_of(row, note)
    if not lifecycle.may_read(who, facts):
        raise not_found(note_id)
    return row, note, who, facts


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
    carriers = carriers_of(note)
    row.carriers = "|" + "|".join(carriers) + "|" if carriers else ""
    row.number = note.consignment_number


@dataclass(frozen=True)
class VersionFacts:
    """What :func:`append_version` looks up and works out for a version, when the caller has
    it from before its unit of work (:mod:`temir.notes.store.new_draft`)."""

    consignee_org_id: int | None
    digest: str


def version_facts(session: Session, note: Note) -> VersionFacts:
    return VersionFacts(
        accounts_repository.organisation_id_by_client_code(session, note.consignee.client_code),
        digest(note),
    )


def append_version(
    session: Session,
    row: NoteRow,
    note: Note,
    actor: Actor,
    reason: str,
    now: datetime,
    facts: VersionFacts | None = None,
) -> NoteVersionRow:
    """Store ``note`` as the note's new current version (its digest computed once, here, or
    given in ``facts``).

    A new note (``row`` not yet in the session) is inserted first, complete and on its own:
    no ``relationship()`` orders the rows that refer to it after it, and setting its index
    columns before the INSERT spares an UPDATE. The consignee is looked up before anything is
    added, so the look-up flushes nothing.
    """
    if facts is None:
        facts = version_facts(session, note)
    consignee_org_id = facts.consignee_org_id
    row.current_version = note.version
    index_row(row, note)
    row.consignee_org_id = consignee_org_id
    new = row not in session
    if new:
        session.add(row)
        session.flush()
    version = NoteVersionRow(
        note_id=row.id,
        version=note.version,
        document=note_document(note),
        digest=facts.digest,
        previous_digest=note.previous_digest,
        created_by=actor.label,
        created_at=now,
        reason=reason[:REASON_MAX],
    )
    session.add(version)
    repository.replace_wagons(session, row.id, unit_numbers(note), stored=not new)
    if changes.active():
        changes.publish(session, [version_change(version)])
    return version


def version_change(version: NoteVersionRow) -> changes.Change:
    """A stored version as other nodes receive it (:mod:`temir.kit.changes`)."""
    return changes.Change(
        "note_version",
        version.note_id,
        f"{version.note_id}:v{version.version}",
        {
            "note_id": version.note_id,
            "version": version.version,
            "document": version.document,
            "digest": version.digest,
            "previous_digest": version.previous_digest,
            "created_at": repository.iso(version.created_at),
            "reason": version.reason,
        },
    )


def record_event(
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
    if changes.active():
        step = {
            "note_id": row.id, "number": row.number, "action": str(action),
            "version": row.current_version, "from_status": None if from_status is None
            else str(from_status), "to_status": row.status, "custody": row.custody,
            "at": now, "actor_organisation_id": actor.organisation_id, "details": details or {},
        }  # fmt: skip
        key = f"{row.id}:v{row.current_version}:{action}"
        changes.publish(session, [changes.Change("note_step", row.id, key, step)])


def detail_of(
    session: Session,
    row: NoteRow,
    note: Note,
    warnings: tuple[Issue, ...] = (),
    *,
    written: tuple[NoteVersionRow, NoteSignatureRow | None] | None = None,
    slugs: Mapping[int, str] | None = None,
) -> NoteDetail:
    """The note as the caller is shown it.

    ``written``: the version a step has just stored and its maker's signature (None when it
    signed nothing). A version made in this unit of work has no other signature, so the answer
    is built from what was written instead of being read back (and digested again).
    ``slugs``: the consignor's slug by id, when the caller has it (else it is read).
    """
    if slugs is None:
        consignor = accounts_repository.organisation_by_id(session, row.consignor_org_id)
        slugs = {consignor.id: consignor.slug} if consignor else {}
    summary = summary_of(row, slugs)
    if written is None:
        stored = repository.signature_rows(session, row.id, row.current_version)
        document, note_digest = note_document(note), digest(note)
    else:
        version, signature = written
        stored = [] if signature is None else [signature]
        document, note_digest = version.document, version.digest
    signatures = tuple(signature_dict(s) for s in stored)
    return NoteDetail(summary, document, note_digest, signatures, warnings)


def summary_of(row: NoteRow, slugs: Mapping[int, str]) -> NoteSummary:
    consignor = slugs.get(row.consignor_org_id) if row.consignor_org_id else None
    return _summary(row, consignor)


def listed_summary(row: repository.Listed) -> NoteSummary:
    """A row of :data:`repository.SUMMARY_COLUMNS` (a list's page) as its summary; the same
    summary :func:`summary_of` makes of the stored note."""
    return _summary(row, row.consignor if row.consignor_org_id else None)


def _summary(row: NoteRow | repository.Listed, consignor: str | None) -> NoteSummary:
    """The summary of a stored note or of a list's row: both have the note's columns by name."""
    return NoteSummary(
        id=row.id,
        number=row.number,
        status=NoteStatus(row.status),
        version=row.current_version,
        consignor=consignor,
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


def signature_dict(row: NoteSignatureRow) -> dict[str, Any]:
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


def signed_note(
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
            problems.append(store_problem("store.unreadable", v.version))
            continue
        if digest(note) != v.digest:
            problems.append(store_problem("store.digest_mismatch", v.version))
        versions.append(SignedVersion(note=note, signatures=signatures.get(v.version, [])))
    return SignedNote(format=FORMAT, versions=versions), problems, key_ids


STORE_MESSAGES = {
    "store.unreadable": N_("Version {version} as stored is no longer a readable note."),
    "store.digest_mismatch": N_(
        "Version {version} as stored no longer matches the digest recorded when it was written."
    ),
}


def store_problem(code: str, version: int) -> dict[str, Any]:
    return {"code": code, "version": version, "key_id": None, "msgid": STORE_MESSAGES[code]}
