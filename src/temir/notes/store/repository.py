"""All SQL of the note store. Functions take the caller's session and never commit."""

from __future__ import annotations

import functools
import operator
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Row,
    Select,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    union,
)
from sqlalchemy.orm import Session

from temir.accounts.tables import OrganisationRow
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


_ORGANISATION_KIND = select(OrganisationRow.kind, OrganisationRow.railway_code).where(
    OrganisationRow.id == bindparam("id")
)


def organisation_kind(session: Session, organisation_id: int | None) -> Row[str, str | None] | None:
    """The kind and railway code of an organisation: what visibility needs of it, read as one
    plain row (a list is read often; an ORM object of the organisation costs more than it)."""
    if organisation_id is None:
        return None
    return session.connection().execute(_ORGANISATION_KIND, {"id": organisation_id}).one_or_none()


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


Listed = Row[*tuple[Any, ...]]
"""A row of :data:`SUMMARY_COLUMNS`."""

# The columns a list shows of a note (its summary), and its consignor's slug: a page is read as
# plain rows in one statement, with no ORM object per note.
SUMMARY_COLUMNS = (
    NoteRow.id,
    NoteRow.number,
    NoteRow.status,
    NoteRow.current_version,
    NoteRow.consignor_org_id,
    NoteRow.departure_esr,
    NoteRow.destination_esr,
    NoteRow.cargo_etsng,
    NoteRow.cargo_gng,
    NoteRow.carriers,
    NoteRow.custody,
    NoteRow.created_by,
    NoteRow.created_at,
    NoteRow.updated_at,
    OrganisationRow.slug.label("consignor"),
)


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
) -> tuple[int, Sequence[Listed]]:
    """One page of notes matching the filters that the caller may see, newest first (id breaks
    ties), as rows of :data:`SUMMARY_COLUMNS`, and how many notes match in all.

    ``party_orgs``/``party_railway``: the consignor is one of these organisations or the
    railway is a carrier. ``created_from`` ≤ created_at < ``created_before``.

    Why a union: "consignor or consignee or carrier" cannot be read from one index in the
    list's order, so every visible note would be sorted for each page. Each visibility branch
    is instead read from its own index in that order (``ix_notes_*_newest``), at most
    ``offset + limit`` rows of it; the page is cut from the union of those few rows.
    """
    params: dict[str, Any] = {}
    if status:
        params["status"] = status
    if station:
        params["station"] = station
    if cargo:
        params["cargo"] = cargo
    if wagon:
        params["wagon"] = wagon
    if number:
        params["number"] = f"%{_like(number.lower())}%"
    if party_orgs is not None or party_railway:
        params["party_orgs"] = sorted(party_orgs or ())
    if party_railway:
        params["party_railway"] = f"%|{party_railway}|%"
    if created_from is not None:
        params["created_from"] = created_from
    if created_before is not None:
        params["created_before"] = created_before
    if not everyone:
        if visible_to_org is not None:
            params["org"] = visible_to_org
        if visible_to_railway:
            params["railway"] = f"%|{visible_to_railway}|%"
        if "org" not in params and "railway" not in params:
            return 0, []
    count, page = _list_statements(everyone, frozenset(params))
    # Plain SQL rows: through the connection, without the ORM's handling of a statement.
    connection = session.connection()
    total = int(connection.execute(count, params).scalar_one())
    if offset >= total:
        return total, []
    params.update(limit=limit, offset=offset, head=offset + limit)
    return total, connection.execute(page, params).all()


@functools.lru_cache(maxsize=512)
def _list_statements(
    everyone: bool, given: frozenset[str]
) -> tuple[Select[int], Select[*tuple[Any, ...]]]:
    """The count and the page statement of a list with the parameters ``given`` (their values
    are bound at execution).

    Why kept: a list is the most frequent read; building its union and working out its cache
    key cost more than running it. Statements are immutable and carry no values, so one per
    combination of filters serves every caller of this process.
    """
    where: list[ColumnElement[bool]] = []
    if "status" in given:
        where.append(NoteRow.status == bindparam("status"))
    if "station" in given:
        station: BindParameter[str] = bindparam("station")
        where.append(or_(NoteRow.departure_esr == station, NoteRow.destination_esr == station))
    if "cargo" in given:
        cargo: BindParameter[str] = bindparam("cargo")
        where.append(or_(NoteRow.cargo_etsng == cargo, NoteRow.cargo_gng == cargo))
    if "wagon" in given:
        wagons = select(NoteWagonRow.note_id).where(NoteWagonRow.wagon == bindparam("wagon"))
        where.append(NoteRow.id.in_(wagons))
    if "number" in given:
        where.append(func.lower(NoteRow.number).like(bindparam("number"), "\\"))
    if "party_orgs" in given:
        party = [NoteRow.consignor_org_id.in_(bindparam("party_orgs", expanding=True))]
        if "party_railway" in given:
            party.append(NoteRow.carriers.like(bindparam("party_railway")))
        where.append(or_(*party))
    if "created_from" in given:
        where.append(NoteRow.created_at >= bindparam("created_from"))
    if "created_before" in given:
        where.append(NoteRow.created_at < bindparam("created_before"))
    branches: list[ColumnElement[bool]] = []
    outside: list[ColumnElement[bool]] = []  # "not in that branch", NULL-safe, same order
    if not everyone:
        if "org" in given:
            org: BindParameter[int] = bindparam("org")
            branches += [NoteRow.consignor_org_id == org, NoteRow.consignee_org_id == org]
            outside += [
                NoteRow.consignor_org_id.is_distinct_from(org),
                NoteRow.consignee_org_id.is_distinct_from(org),
            ]
        if "railway" in given:
            carrier = NoteRow.carriers.like(bindparam("railway"))
            branches.append(carrier)
            outside.append(~carrier)  # carriers is never NULL
    seen = [or_(*branches)] if branches else []
    # The count adds up the branches made disjoint (each without the notes of those before
    # it): each is a range of its own index, where one count of the OR would gather and
    # deduplicate every visible note first (three to four times slower on SQLite).
    counts = [
        select(func.count()).select_from(NoteRow).where(branch, *outside[:i], *where)
        for i, branch in enumerate(branches)
    ]
    count: Select[int] = (
        select(func.count()).select_from(NoteRow).where(*seen, *where)
        if len(counts) <= 1
        else select(functools.reduce(operator.add, (c.scalar_subquery() for c in counts)))
    )
    newest = (NoteRow.created_at.desc(), NoteRow.id)
    limit, offset = bindparam("limit", type_=Integer), bindparam("offset", type_=Integer)
    page = select(*SUMMARY_COLUMNS).outerjoin(
        OrganisationRow, OrganisationRow.id == NoteRow.consignor_org_id
    )
    if len(branches) <= 1:
        return count, page.where(*seen, *where).order_by(*newest).limit(limit).offset(offset)
    heads = [
        select(NoteRow.id, NoteRow.created_at)
        .where(branch, *where)
        .order_by(*newest)
        .limit(bindparam("head", type_=Integer))
        .subquery()
        for branch in branches
    ]
    merged = union(*(select(head.c.id, head.c.created_at) for head in heads)).subquery()
    cut = (
        select(merged.c.id, merged.c.created_at)
        .order_by(merged.c.created_at.desc(), merged.c.id)
        .limit(limit)
        .offset(offset)
        .subquery()
    )
    return count, page.join(cut, cut.c.id == NoteRow.id).order_by(cut.c.created_at.desc(), cut.c.id)


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
