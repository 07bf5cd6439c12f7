"""All SQL of the note store. Functions take the caller's session and never commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.orm import Session

from temir.notes.store.tables import (
    NoteEventRow,
    NoteRow,
    NoteSignatureRow,
    NoteVersionRow,
    NoteWagonRow,
)


def aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def aware_or_none(value: datetime | None) -> datetime | None:
    return None if value is None else aware(value)


def iso(value: datetime | None) -> str | None:
    """A stored time as ISO 8601 text with its UTC offset, for views (None stays None)."""
    return None if value is None else aware(value).isoformat()


# --- notes -------------------------------------------------------------------------------------
def note_row(session: Session, note_id: str, *, for_update: bool = False) -> NoteRow | None:
    """The note, locked against concurrent steps on PostgreSQL when ``for_update``."""
    query = select(NoteRow).where(NoteRow.id == note_id)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def version_row(session: Session, note_id: str, version: int) -> NoteVersionRow | None:
    return session.scalars(
        select(NoteVersionRow).where(
            NoteVersionRow.note_id == note_id, NoteVersionRow.version == version
        )
    ).one_or_none()


def version_rows(session: Session, note_id: str) -> Sequence[NoteVersionRow]:
    return session.scalars(
        select(NoteVersionRow)
        .where(NoteVersionRow.note_id == note_id)
        .order_by(NoteVersionRow.version)
    ).all()


def signature_rows(
    session: Session, note_id: str, version: int | None = None
) -> Sequence[NoteSignatureRow]:
    query = select(NoteSignatureRow).where(NoteSignatureRow.note_id == note_id)
    if version is not None:
        query = query.where(NoteSignatureRow.version == version)
    return session.scalars(query.order_by(NoteSignatureRow.version, NoteSignatureRow.id)).all()


def event_rows(session: Session, note_id: str) -> Sequence[NoteEventRow]:
    return session.scalars(
        select(NoteEventRow).where(NoteEventRow.note_id == note_id).order_by(NoteEventRow.id)
    ).all()


def replace_wagons(
    session: Session, note_id: str, wagons: Sequence[str], *, stored: bool = True
) -> None:
    """The note's box 7 wagons and box 15 containers; ``stored=False`` for a note written in
    this unit of work, which has none yet to delete."""
    if stored:
        session.execute(delete(NoteWagonRow).where(NoteWagonRow.note_id == note_id))
    for wagon in dict.fromkeys(w for w in wagons if w):
        session.add(NoteWagonRow(note_id=note_id, wagon=wagon))


def list_note_rows(
    session: Session,
    *,
    visible_to_org: int | None,
    visible_to_railway: str | None,
    everyone: bool,
    status: str | None,
    station: str | None,
    cargo: str | None,
    wagon: str | None,
    limit: int,
    offset: int,
    number: str | None = None,
    party_orgs: set[int] | None = None,
    party_railway: str | None = None,
    created_from: datetime | None = None,
    created_before: datetime | None = None,
) -> tuple[int, Sequence[NoteRow]]:
    """One page of notes matching the filters that the caller may see, newest first.

    ``party_orgs``/``party_railway``: the consignor is one of these organisations or the
    railway is a carrier. ``created_from`` ≤ created_at < ``created_before``.
    """
    query = select(NoteRow)
    if not everyone:
        seen = []
        if visible_to_org is not None:
            seen.append(NoteRow.consignor_org_id == visible_to_org)
            seen.append(NoteRow.consignee_org_id == visible_to_org)
        if visible_to_railway:
            seen.append(NoteRow.carriers.like(f"%|{visible_to_railway}|%"))
        if not seen:
            return 0, []
        query = query.where(or_(*seen))
    if status:
        query = query.where(NoteRow.status == status)
    if station:
        query = query.where(
            or_(NoteRow.departure_esr == station, NoteRow.destination_esr == station)
        )
    if cargo:
        query = query.where(or_(NoteRow.cargo_etsng == cargo, NoteRow.cargo_gng == cargo))
    if wagon:
        query = query.where(
            NoteRow.id.in_(select(NoteWagonRow.note_id).where(NoteWagonRow.wagon == wagon))
        )
    if number:
        query = query.where(func.lower(NoteRow.number).like(f"%{_like(number.lower())}%", "\\"))
    if party_orgs is not None or party_railway:
        party = [NoteRow.consignor_org_id.in_(party_orgs or set())]
        if party_railway:
            party.append(NoteRow.carriers.like(f"%|{party_railway}|%"))
        query = query.where(or_(*party))
    if created_from is not None:
        query = query.where(NoteRow.created_at >= created_from)
    if created_before is not None:
        query = query.where(NoteRow.created_at < created_before)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(NoteRow.created_at.desc(), NoteRow.id).limit(limit).offset(offset)
    ).all()
    return total, rows


def _like(text: str) -> str:
    """``text`` with the LIKE wildcards escaped (escape character backslash)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def bulk_insert(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """Executemany-insert plain dicts (the import path: no ORM objects per row)."""
    if rows:
        session.execute(insert(table), rows)


def first_versions(session: Session, note_ids: Sequence[str]) -> dict[str, tuple[int | None, str]]:
    """For each of ``note_ids`` already stored: its consignor organisation and the digest of its
    version 1 (what an import of the same line would have written)."""
    if not note_ids:
        return {}
    rows = session.execute(
        select(NoteRow.id, NoteRow.consignor_org_id, NoteVersionRow.digest)
        .join(NoteVersionRow, NoteVersionRow.note_id == NoteRow.id)
        .where(NoteRow.id.in_(list(note_ids)), NoteVersionRow.version == 1)
    )
    return {note_id: (org, digest) for note_id, org, digest in rows}
