"""A new draft in two parts: what needs no write lock, then the write.

Why: SQLite lets one transaction write at a time, and a unit of work holds the database's
write lock (:func:`temir.kit.db.write_gate`) from its start to its commit. Under load the
holder shares the GIL with every other request thread, and each statement it runs hands the
GIL away and waits to get it back, so every millisecond and every statement inside the lock
is paid many times over by the creates queued behind it. A new note reads nothing another
writer could change under it — it is new, its id is drawn here — so everything but the
INSERTs is done first, in a read session: who acts and may create, the document parsed and
its store boxes refused, the note's id, its consignee looked up, its digest and the
consignor's signature. The write then adds the rows and checks one thing again: that the
key the signature was made with is still the organisation's current key (if it was rotated
in between, the version is signed again inside).

The result is the same note as :func:`temir.notes.store.service.create_note` made in one
unit of work (which is what that function still does: :func:`store` of :func:`prepare`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from temir.accounts import repository as accounts_repository
from temir.accounts.model import Actor
from temir.kit import clock
from temir.kit.db import UnitOfWork
from temir.notes import lifecycle
from temir.notes.lifecycle import NoteAction, NoteFacts, NoteStatus
from temir.notes.model import Note
from temir.notes.store import checks, records, signer
from temir.notes.store.model import NoteDetail
from temir.notes.store.tables import NoteRow


@dataclass(frozen=True)
class Draft:
    """A new note, checked, identified and signed, not yet stored."""

    note_id: str
    note: Note
    facts: records.VersionFacts
    presigned: signer.Presigned | None
    slugs: Mapping[int, str]
    """The consignor's slug by its id, for the answer."""
    at: datetime


def prepare(session: Session, actor: Actor, document: Any, *, secret: str | None) -> Draft:
    """Everything of a create that can fail or needs no write: 403/422 are raised here."""
    who = records.party_of(session, actor)
    org = accounts_repository.organisation_by_id(session, actor.organisation_id)  # held: no read
    facts = NoteFacts(NoteStatus.DRAFT, actor.organisation_id, (), None)
    lifecycle.authorise(NoteAction.CREATE, who, facts)
    parsed = checks.parse(document)
    lifecycle.refuse_store_boxes(parsed)
    lifecycle.refuse_carrier_boxes(parsed)
    note_id = str(uuid.uuid4())
    note = parsed.model_copy(update={"note_id": note_id, "version": 1, "previous_digest": None})
    version = records.version_facts(session, note)
    now = clock.now()
    presigned = signer.presign(
        session, actor, note, version.digest, consignor_org_id=actor.organisation_id,
        secret=secret, now=now,
    )  # fmt: skip
    slugs = {} if org is None else {org.id: org.slug}
    return Draft(note_id, note, version, presigned, slugs, now)


def store(session: Session, actor: Actor, draft: Draft, *, secret: str | None) -> NoteDetail:
    """The draft's rows: the note, version 1, its signature, the event and the audit record."""
    note, now = draft.note, draft.at
    row = NoteRow(
        id=draft.note_id,
        status=str(NoteStatus.DRAFT),
        current_version=1,
        consignor_org_id=actor.organisation_id,
        carriers="",
        custody=None,
        created_by=actor.label,
        created_at=now,
        updated_at=now,
    )
    stored = records.append_version(session, row, note, actor, "created", now, draft.facts)
    signed = signer.sign_presigned(session, actor, row, stored, note, draft.presigned, secret, now)
    records.record_event(session, row, NoteAction.CREATE, None, actor, now)
    return records.detail_of(session, row, note, written=(stored, signed), slugs=draft.slugs)


def create(uow: UnitOfWork, actor: Actor, document: Any, *, secret: str | None) -> NoteDetail:
    """:func:`prepare` in a read session, then :func:`store` in a unit of work of its own."""
    with uow.read() as session:
        uow.check_answered(session)  # a retry of a create already made hears its answer
        draft = prepare(session, actor, document, secret=secret)
    with uow() as session:
        return store(session, actor, draft, secret=secret)
