"""Drafts in bulk: JSON lines of notes imported as drafts, batch by batch.

A batch is checked whole before anything is written (an invalid line keeps the batch out unless
invalid lines are skipped) and goes in with executemany inserts under one audit record; each
batch is its own unit of work, so an interruption rolls back only the batch in flight.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from temir.accounts import audit
from temir.accounts import repository as accounts_repository
from temir.accounts.model import Actor
from temir.kit import clock
from temir.kit.db import UnitOfWork
from temir.kit.errors import Severity, ValidationFailed
from temir.kit.i18n import N_
from temir.notes import lifecycle
from temir.notes.boxes import Issue, parse_note
from temir.notes.lifecycle import NoteAction, NoteFacts, NoteStatus
from temir.notes.model import Note
from temir.notes.signatures import digest
from temir.notes.store import records, repository
from temir.notes.store.records import index_row, note_document, party_of
from temir.notes.store.tables import NoteEventRow, NoteRow, NoteVersionRow, NoteWagonRow


@dataclass
class ImportOutcome:
    """What one batch did: notes written, or the invalid lines that kept it out."""

    written: int = 0
    present: int = 0
    invalid: list[tuple[int, list[Issue]]] = field(default_factory=list)


#: Names the content key of a line without ``note_id`` (uuid5 of organisation and digest).
_CONTENT_KEY = uuid.UUID("6f1d3c0e-8a52-5b8e-9a35-2f3c4e1b7d90")


def import_id(note: Note, organisation_id: int | None) -> str | None:
    """The id a line is stored under: its own ``note_id`` (a UUID), or, when it has none, a
    UUID derived from its organisation and content, so that the same line imported again —
    a rerun after a crash — finds itself instead of being written twice. None: not a UUID."""
    if note.note_id:
        try:
            return str(uuid.UUID(note.note_id))
        except ValueError:
            return None
    blank = note.model_copy(update={"note_id": "", "version": 1, "previous_digest": None})
    return str(uuid.uuid5(_CONTENT_KEY, f"{organisation_id}|{digest(blank)}"))


def _id_issue(msgid: str) -> Issue:
    return Issue("note.import_id", None, Severity.ERROR, msgid, {}, "note_id")


def _not_yet_stored(
    session: Session, actor: Actor, candidates: list[tuple[int, str, Note]], outcome: ImportOutcome
) -> list[tuple[str, Note, str]]:
    """The candidates to write (id, note, digest). A line already stored with the same content
    by the same organisation is counted present; an id stored with other content, or by
    another organisation, or twice in one batch with different content, is an invalid line."""
    stored = repository.first_versions(session, [note_id for _, note_id, _ in candidates])
    seen: dict[str, str] = {}
    out: list[tuple[str, Note, str]] = []
    for number, note_id, note in candidates:
        note_digest = digest(note)
        known = seen.get(note_id)
        if known is None and note_id in stored:
            organisation, known = stored[note_id]
            if organisation != actor.organisation_id:
                known = ""
        if known is None:
            seen[note_id] = note_digest
            out.append((note_id, note, note_digest))
        elif known == note_digest:
            outcome.present += 1
        else:
            outcome.invalid.append((number, [_id_issue(_ID_TAKEN)]))
    return out


def import_batch(
    session: Session, actor: Actor, lines: Sequence[tuple[int, bytes]], *, skip_invalid: bool
) -> ImportOutcome:
    """Drafts from JSON lines, all in the caller's one transaction.

    Every line is checked first (shape, empty lifecycle boxes); with any invalid line the batch
    writes nothing unless ``skip_invalid``. Rows go in with executemany inserts, and one audit
    record covers the batch (``note.imported`` with the count and the first and last id).
    """
    who = party_of(session, actor)
    lifecycle.authorise(
        NoteAction.CREATE, who, NoteFacts(NoteStatus.DRAFT, actor.organisation_id, (), None)
    )
    outcome = ImportOutcome()
    candidates: list[tuple[int, str, Note]] = []
    for number, raw in lines:
        note, issues = parse_note(raw)
        if note is not None:
            boxes = lifecycle.store_boxes_filled(note)
            carrier = lifecycle.carrier_boxes_filled(note)
            if boxes or carrier:
                issues = tuple(
                    Issue("note.store_boxes", b, Severity.ERROR, _STORE_BOX_MSG, {"box": b})
                    for b in boxes
                ) + tuple(
                    Issue("note.carrier_box", b, Severity.ERROR, lifecycle.CARRIER_BOX, {"box": b})
                    for b in carrier
                )
                note = None
        if note is None:
            outcome.invalid.append((number, list(issues)))
            continue
        note_id = import_id(note, actor.organisation_id)
        if note_id is None:
            outcome.invalid.append((number, [_id_issue(_BAD_ID)]))
            continue
        update = {"note_id": note_id, "version": 1, "previous_digest": None}
        candidates.append((number, note_id, note.model_copy(update=update)))
    notes = _not_yet_stored(session, actor, candidates, outcome)
    if outcome.invalid and not skip_invalid:
        return outcome
    now = clock.now()
    note_rows: list[dict[str, Any]] = []
    version_rows: list[dict[str, Any]] = []
    event_rows: list[dict[str, Any]] = []
    wagon_rows: list[dict[str, Any]] = []
    consignees: dict[str | None, int | None] = {}
    for note_id, note, note_digest in notes:
        code = note.consignee.client_code
        if code not in consignees:
            consignees[code] = accounts_repository.organisation_id_by_client_code(session, code)
        row = NoteRow(id=note_id)
        index_row(row, note)
        note_rows.append(
            {
                "id": note_id,
                "number": row.number,
                "status": str(NoteStatus.DRAFT),
                "current_version": 1,
                "consignor_org_id": actor.organisation_id,
                "consignee_org_id": consignees[code],
                "departure_esr": row.departure_esr,
                "destination_esr": row.destination_esr,
                "cargo_etsng": row.cargo_etsng,
                "cargo_gng": row.cargo_gng,
                "carriers": row.carriers,
                "custody": None,
                "created_by": actor.label,
                "created_at": now,
                "updated_at": now,
            }
        )
        version_rows.append(
            {
                "note_id": note_id,
                "version": 1,
                "document": note_document(note),
                "digest": note_digest,
                "previous_digest": None,
                "created_by": actor.label,
                "created_at": now,
                "reason": "imported",
            }
        )
        event_rows.append(
            {
                "note_id": note_id,
                "version": 1,
                "action": "import",
                "from_status": None,
                "to_status": str(NoteStatus.DRAFT),
                "actor": actor.label,
                "actor_user_id": actor.user_id,
                "organisation_id": actor.organisation_id,
                "at": now,
                "details": None,
            }
        )
        wagon_rows += [{"note_id": note_id, "wagon": w} for w in records.unit_numbers(note)]
    repository.bulk_insert(session, NoteRow, note_rows)
    repository.bulk_insert(session, NoteVersionRow, version_rows)
    repository.bulk_insert(session, NoteEventRow, event_rows)
    repository.bulk_insert(session, NoteWagonRow, wagon_rows)
    if note_rows:
        audit.record(
            session,
            actor,
            "note.imported",
            "note",
            note_rows[0]["id"],
            {"count": len(note_rows), "last": note_rows[-1]["id"]},
        )
    outcome.written = len(note_rows)
    return outcome


_STORE_BOX_MSG = N_("Box {box} is filled by the carriers during carriage, not by this change.")
_BAD_ID = N_("note_id must be a UUID (or absent: one is then given).")
_ID_TAKEN = N_("This note_id is already stored with other content; give this line another id.")


@dataclass
class ImportReport:
    read: int = 0
    written: int = 0
    already_present: int = 0
    batches_written: int = 0
    batches_refused: int = 0
    invalid: list[tuple[int, list[Issue]]] = field(default_factory=list)

    def to_dict(self, lang: str = "en", max_lines: int = 1000) -> dict[str, Any]:
        return {
            "read": self.read,
            "written": self.written,
            "already_present": self.already_present,
            "batches_written": self.batches_written,
            "batches_refused": self.batches_refused,
            "invalid_lines": len(self.invalid),
            "invalid": [
                {"line": line, "issues": [i.to_dict(lang) for i in issues[:5]]}
                for line, issues in self.invalid[:max_lines]
            ],
        }


MAX_BATCH = 50_000


def import_jsonl(
    uow: UnitOfWork,
    actor: Actor,
    lines: Iterable[bytes],
    *,
    batch: int = 1000,
    skip_invalid: bool = False,
    on_batch: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Import drafts from JSON lines, one unit of work per ``batch`` lines.

    A long job, so it takes the unit of work itself: each batch commits on its own, and an
    interruption (Ctrl-C) rolls back only the batch in flight. Blank lines are skipped; line
    numbers count from 1 as an editor shows them.
    """
    if not 1 <= batch <= MAX_BATCH:
        raise ValidationFailed(
            N_("A batch has 1 to {max} lines."),
            code="note.invalid_batch",
            field="batch",
            max=MAX_BATCH,
        )
    report = ImportReport()
    pending: list[tuple[int, bytes]] = []

    def flush() -> None:
        with uow() as session:
            outcome = import_batch(session, actor, pending, skip_invalid=skip_invalid)
        report.invalid += outcome.invalid
        report.written += outcome.written
        report.already_present += outcome.present
        if outcome.invalid and not skip_invalid:
            report.batches_refused += 1
        else:
            report.batches_written += 1
        pending.clear()
        if on_batch is not None:
            on_batch(report)

    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        report.read += 1
        pending.append((number, line))
        if len(pending) >= batch:
            flush()
    if pending:
        flush()
    return report
