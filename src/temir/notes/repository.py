"""All SQL of the note store. Functions take the caller's session and never commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.orm import Session

from temir.accounts.tables import OrganisationRow
from temir.notes.tables import (
    NoteEventRow,
    NoteRow,
    NoteSignatureRow,
    NoteVersionRow,
    NoteWagonRow,
    OrgKeyRow,
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


def replace_wagons(session: Session, note_id: str, wagons: Sequence[str]) -> None:
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
) -> tuple[int, Sequence[NoteRow]]:
    """One page of notes matching the filters that the caller may see, newest first."""
    query = select(NoteRow)
    if not everyone:
        seen = []
        if visible_to_org is not None:
            seen.append(NoteRow.consignor_org_id == visible_to_org)
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
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(NoteRow.created_at.desc(), NoteRow.id).limit(limit).offset(offset)
    ).all()
    return total, rows


def bulk_insert(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """Executemany-insert plain dicts (the import path: no ORM objects per row)."""
    if rows:
        session.execute(insert(table), rows)


# --- organisations and keys --------------------------------------------------------------------
def organisation_by_id(session: Session, organisation_id: int | None) -> OrganisationRow | None:
    if organisation_id is None:
        return None
    return session.get(OrganisationRow, organisation_id)


def organisation_slugs(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(
        select(OrganisationRow.id, OrganisationRow.slug).where(OrganisationRow.id.in_(ids))
    ).all()
    return {row.id: row.slug for row in rows}


def current_key(session: Session, organisation_id: int) -> OrgKeyRow | None:
    return session.scalars(
        select(OrgKeyRow)
        .where(OrgKeyRow.organisation_id == organisation_id, OrgKeyRow.retired_at.is_(None))
        .order_by(OrgKeyRow.created_at.desc())
        .limit(1)
    ).one_or_none()


def key_row(session: Session, key_id: str) -> OrgKeyRow | None:
    return session.get(OrgKeyRow, key_id)


def key_rows(
    session: Session, organisation_id: int | None = None, key_ids: set[str] | None = None
) -> Sequence[OrgKeyRow]:
    query = select(OrgKeyRow)
    if organisation_id is not None:
        query = query.where(OrgKeyRow.organisation_id == organisation_id)
    if key_ids is not None:
        if not key_ids:
            return []
        query = query.where(OrgKeyRow.key_id.in_(key_ids))
    return session.scalars(query.order_by(OrgKeyRow.organisation_id, OrgKeyRow.created_at)).all()
