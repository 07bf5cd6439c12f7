"""All SQL of tracking. Functions take the caller's session and never commit.

Events are read and written as plain rows (Core ``select``/``insert`` with executemany), not ORM
objects: a bulk import writes tens of thousands a second and a timeline reads hundreds in a
millisecond. Which note a wagon travels on is read from the note store's own index
(``note_wagons``) — read only; the note store stays the one writer of its tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import ARRAY, DateTime, String, and_, any_, bindparam, func, insert, or_, select
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from temir.accounts import repository as accounts_repository
from temir.accounts.tables import OrganisationRow
from temir.kit.db import Base
from temir.notes.store.tables import NoteRow, NoteVersionRow, NoteWagonRow
from temir.tracking.model import (
    HANDOVER_KINDS,
    ActSignature,
    ActStatus,
    Event,
    EventKind,
    HandoverAct,
    HandoverDecision,
    HandoverOffer,
    HoldReason,
    UnitKind,
)
from temir.tracking.tables import (
    HandoverActRow,
    HandoverActSignatureRow,
    HandoverActUnitRow,
    TrackingEventRow,
)

CHUNK: Final = 500
"""Values per ``IN (...)``: well inside SQLite's and PostgreSQL's parameter limits."""
LIVE_STATUSES: Final = ("accepted", "in_transit", "arrived", "delivered")
"""Notes a wagon can be travelling on (drafts and refused notes carry nothing)."""
_HANDOVER = tuple(str(k) for k in HANDOVER_KINDS)


def aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


# --- events ------------------------------------------------------------------------------------
def existing_digests(session: Session, keys: Sequence[str]) -> dict[str, str]:
    """The stored digest of each of ``keys`` already recorded."""
    out: dict[str, str] = {}
    table = _EVENTS
    if _postgres(session):  # one array parameter instead of thousands of bound values
        query = select(table.c.key, table.c.digest).where(
            table.c.key == any_(bindparam("keys", list(keys), type_=ARRAY(String)))
        )
        return {row.key: row.digest for row in session.execute(query)}
    for chunk in _chunks(keys):
        query = select(table.c.key, table.c.digest).where(table.c.key.in_(chunk))
        out.update({row.key: row.digest for row in session.execute(query)})
    return out


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


_EVENTS = Base.metadata.tables[TrackingEventRow.__tablename__]
_EVENT_COLUMNS = tuple(
    _EVENTS.c[name]
    for name in ("key", "kind", "unit", "unit_kind", "station_esr", "at", "reporter", "note_id",
                 "hold", "remarks", "act_id")
)  # fmt: skip
"""Table columns, not ORM attributes: plain rows, no ORM entity handling per row."""


_INSERTED = ("key", "kind", "unit", "unit_kind", "station_esr", "at", "reporter", "note_id",
             "hold", "remarks", "act_id", "digest", "recorded_at", "recorded_by",
             "organisation_id")  # fmt: skip


def insert_events(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert event rows (plain dicts with every column but ``id``), in the caller's transaction.

    PostgreSQL: ``COPY ... FROM STDIN`` through the session's own connection (several times
    an executemany: one stream, no statement per row); SQLite: an executemany of the table
    of the driver with SQLAlchemy's own conversion of the two times (the statement compiled
    once, not per row: SQLAlchemy's executemany names and binds each row's values itself).
    """
    if not rows:
        return
    if _postgres(session):
        raw: Any = session.connection().connection.driver_connection
        statement = f"COPY tracking_events ({', '.join(_INSERTED)}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([row[c] for c in _INSERTED])
        return
    connection = session.connection()
    dialect = connection.dialect
    when = DateTime(timezone=True).dialect_impl(dialect).bind_processor(dialect)
    times = {"at", "recorded_at"}
    statement = str(insert(_EVENTS).compile(dialect=dialect, column_keys=list(_INSERTED)))
    values = [
        tuple(when(row[c]) if when is not None and c in times else row[c] for c in _INSERTED)
        for row in rows
    ]
    connection.exec_driver_sql(statement, values)


_KINDS = {str(k): k for k in EventKind}
_UNIT_KINDS = {str(k): k for k in UnitKind}
_HOLDS: dict[str | None, HoldReason | None] = {None: None, **{str(h): h for h in HoldReason}}


def _event(row: Any) -> Event:
    """A stored row as an event (dictionary look-ups, not enum calls: a timeline reads
    hundreds of rows and must answer in milliseconds)."""
    key, kind, unit, unit_kind, station, at, reporter, note_id, hold, remarks, act_id = row
    return Event(
        key,
        _KINDS[kind],
        unit,
        _UNIT_KINDS[unit_kind],
        station,
        at if at.tzinfo is not None else at.replace(tzinfo=UTC),
        reporter,
        note_id,
        _HOLDS[hold],
        remarks,
        act_id,
    )


def events_of_note(session: Session, note_id: str, unit: str | None = None) -> list[Event]:
    """A note's events (only ``unit``'s when given), by event time."""
    query = select(*_EVENT_COLUMNS).where(_EVENTS.c.note_id == note_id)
    if unit is not None:
        query = query.where(_EVENTS.c.unit == unit)
    return [_event(r) for r in session.execute(query.order_by(_EVENTS.c.at))]


def unlinked_events(session: Session, unit: str, reporter: str | None) -> list[Event]:
    """A unit's events on no note; only ``reporter``'s own unless ``reporter`` is ``None``."""
    query = select(*_EVENT_COLUMNS).where(_EVENTS.c.unit == unit, _EVENTS.c.note_id.is_(None))
    if reporter is not None:
        query = query.where(_EVENTS.c.reporter == reporter)
    return [_event(r) for r in session.execute(query.order_by(_EVENTS.c.at))]


def notes_of_unit(session: Session, unit: str) -> list[str]:
    """Notes a unit travels or travelled on, newest first: live notes with it in box 7 or 15,
    else the notes its events were linked to."""
    by_box = (
        select(NoteRow.id)
        .join(NoteWagonRow, NoteWagonRow.note_id == NoteRow.id)
        .where(NoteWagonRow.wagon == unit, NoteRow.status.in_(LIVE_STATUSES))
        .order_by(NoteRow.created_at.desc())
    )
    found = list(session.scalars(by_box))
    if found:
        return found
    by_event = (
        select(NoteRow.id)
        .where(NoteRow.id.in_(select(_EVENTS.c.note_id).where(_EVENTS.c.unit == unit)))
        .order_by(NoteRow.created_at.desc())
    )
    return list(session.scalars(by_event))


def note_with_document(session: Session, note_id: str) -> tuple[Any, dict[str, Any]] | None:
    """A note's summary columns and its current version's document, in one query."""
    query = (
        select(
            NoteRow.id, NoteRow.number, NoteRow.status, NoteRow.current_version,
            NoteRow.consignor_org_id, NoteRow.consignee_org_id, NoteRow.departure_esr,
            NoteRow.destination_esr, NoteRow.carriers, NoteRow.custody, NoteVersionRow.document,
        )
        .join(
            NoteVersionRow,
            and_(NoteVersionRow.note_id == NoteRow.id,
                 NoteVersionRow.version == NoteRow.current_version),
        )
        .where(NoteRow.id == note_id)
    )  # fmt: skip
    row = session.execute(query).one_or_none()
    return None if row is None else (row, row.document)


def synthetic_organisation(session: Session, organisation_id: int | None) -> bool:
    """Whether the organisation is demo data (labelled synthetic wherever shown)."""
    org = accounts_repository.organisation_by_id(session, organisation_id)
    return bool(org is not None and org.synthetic)


def notes_by_number(session: Session, number: str) -> list[str]:
    """Notes with this consignment number (box 29), newest first."""
    query = select(NoteRow.id).where(NoteRow.number == number)
    return list(session.scalars(query.order_by(NoteRow.created_at.desc())))


def live_notes_of_units(session: Session, units: Sequence[str]) -> dict[str, tuple[str, str]]:
    """For each unit the newest live note carrying it: ``unit → (note id, carriers)``."""
    out: dict[str, tuple[str, str, datetime]] = {}
    for chunk in _chunks(units):
        query = (
            select(NoteWagonRow.wagon, NoteRow.id, NoteRow.carriers, NoteRow.created_at)
            .join(NoteRow, NoteRow.id == NoteWagonRow.note_id)
            .where(NoteWagonRow.wagon.in_(chunk), NoteRow.status.in_(LIVE_STATUSES))
        )
        for row in session.execute(query):
            created = aware(row.created_at)
            known = out.get(row.wagon)
            if known is None or created > known[2]:
                out[row.wagon] = (row.id, row.carriers, created)
    return {unit: (found[0], found[1]) for unit, found in out.items()}


def note_carriers(session: Session, note_ids: Sequence[str]) -> dict[str, str]:
    """``note id → carriers`` (``|KZH|UTI|``) of the notes that exist among ``note_ids``."""
    out: dict[str, str] = {}
    for chunk in _chunks(note_ids):
        query = select(NoteRow.id, NoteRow.carriers).where(NoteRow.id.in_(chunk))
        out.update({row.id: row.carriers for row in session.execute(query)})
    return out


# --- acts --------------------------------------------------------------------------------------
def act_row(session: Session, act_id: str, *, for_update: bool = False) -> HandoverActRow | None:
    query = select(HandoverActRow).where(HandoverActRow.id == act_id)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def act_rows_of_note(session: Session, note_id: str) -> list[HandoverActRow]:
    query = select(HandoverActRow).where(HandoverActRow.note_id == note_id)
    return list(session.scalars(query.order_by(HandoverActRow.offered_at, HandoverActRow.id)))


def act_of(row: HandoverActRow, signatures: Sequence[HandoverActSignatureRow]) -> HandoverAct:
    """The stored act as the model has it."""
    decision = row.decision_document
    return HandoverAct(
        offer=HandoverOffer.from_document(row.offer_document),
        offer_digest=row.offer_digest,
        status=ActStatus(row.status),
        decision=None if decision is None else HandoverDecision.from_document(decision),
        signatures=tuple(
            ActSignature(
                stage=s.stage,
                organisation=s.organisation,
                railway=s.railway,
                key_id=s.key_id,
                algorithm=s.algorithm,
                digest=s.digest,
                value=s.value,
                signed_at=aware(s.signed_at),
            )
            for s in signatures
            if s.act_id == row.id
        ),
    )


def acts_of_note(session: Session, note_id: str) -> list[HandoverAct]:
    rows = act_rows_of_note(session, note_id)
    signatures = signature_rows(session, [r.id for r in rows]) if rows else []
    return [act_of(r, signatures) for r in rows]


def add_act(session: Session, row: HandoverActRow, units: Sequence[str]) -> None:
    session.add(row)
    session.flush()
    session.execute(
        insert(HandoverActUnitRow), [{"act_id": row.id, "unit": unit} for unit in units]
    )


def signature_rows(session: Session, act_ids: Sequence[str]) -> list[HandoverActSignatureRow]:
    out: list[HandoverActSignatureRow] = []
    for chunk in _chunks(act_ids):
        query = select(HandoverActSignatureRow).where(HandoverActSignatureRow.act_id.in_(chunk))
        out += session.scalars(query.order_by(HandoverActSignatureRow.id))
    return out


def add_signature(session: Session, row: HandoverActSignatureRow) -> None:
    session.add(row)


# --- border points -----------------------------------------------------------------------------
def dwell_fingerprint(session: Session, since: datetime) -> tuple[Any, ...]:
    """A cheap key that changes whenever :func:`dwell_rows` (all crossings, since ``since``)
    could answer differently: acts offered, accepted or leaving the window, a new tracking
    event (an arrival report), an organisation marked synthetic or not.

    Why: every quote shows the observed dwell, and reading every accepted act of a year with
    its arrival reports cost more than the quote itself. One read of counts and maxima (each
    on an index or a primary key) decides whether the figures computed before still hold.
    """
    acts = HandoverActRow
    accepted = acts.status == "accepted"
    row = session.execute(
        select(
            select(func.count()).select_from(acts).scalar_subquery(),
            select(func.count()).where(accepted).scalar_subquery(),
            select(func.count()).where(accepted, acts.decided_at >= since).scalar_subquery(),
            select(func.max(acts.decided_at)).where(accepted).scalar_subquery(),
            select(func.max(TrackingEventRow.id)).scalar_subquery(),
            select(func.count())
            .select_from(OrganisationRow)
            .where(OrganisationRow.synthetic.is_(True))
            .scalar_subquery(),
        )
    ).one()
    return tuple(str(v) for v in row)


def dwell_rows(
    session: Session, codes: Sequence[str] | None, since: datetime | None
) -> list[Row[Any]]:
    """Each unit of each accepted act (at ``codes``, accepted since ``since``) with its first
    report at the crossing's codes before the acceptance (``arrived_at``, NULL if none) and
    whether its note is demo data (``synthetic``)."""
    e = TrackingEventRow.__table__.alias("e")
    arrived = (
        select(func.min(e.c.at))
        .where(
            e.c.unit == HandoverActUnitRow.unit,
            e.c.note_id == HandoverActRow.note_id,
            or_(e.c.station_esr == HandoverActRow.station_esr,
                e.c.station_esr == HandoverActRow.entry_esr),
            e.c.at <= HandoverActRow.decided_at,
            e.c.kind.not_in(_HANDOVER),
        )
        .scalar_subquery()
    )  # fmt: skip
    synthetic = (  # demo data: the note's consignor is a synthetic organisation
        select(OrganisationRow.synthetic)
        .join(NoteRow, NoteRow.consignor_org_id == OrganisationRow.id)
        .where(NoteRow.id == HandoverActRow.note_id)
        .scalar_subquery()
    )
    query = (
        select(
            HandoverActRow.id,
            HandoverActRow.note_id,
            HandoverActRow.station_esr,
            HandoverActRow.entry_esr,
            HandoverActRow.from_railway,
            HandoverActRow.to_railway,
            HandoverActRow.decided_at,
            HandoverActUnitRow.unit,
            arrived.label("arrived_at"),
            synthetic.label("synthetic"),
        )
        .join(HandoverActUnitRow, HandoverActUnitRow.act_id == HandoverActRow.id)
        .where(HandoverActRow.status == "accepted")
    )
    if codes is not None:
        query = query.where(
            or_(HandoverActRow.station_esr.in_(codes), HandoverActRow.entry_esr.in_(codes))
        )
    if since is not None:
        query = query.where(HandoverActRow.decided_at >= since)
    return list(session.execute(query))


def arrivals_at(session: Session, codes: Sequence[str], since: datetime) -> list[Row[Any]]:
    """First report of each (unit, note) at ``codes`` since ``since`` (not the acts' own)."""
    query = (
        select(
            TrackingEventRow.unit,
            TrackingEventRow.note_id,
            func.min(TrackingEventRow.at).label("since"),
        )
        .where(
            TrackingEventRow.station_esr.in_(codes),
            TrackingEventRow.at >= since,
            TrackingEventRow.kind.not_in(_HANDOVER),
        )
        .group_by(TrackingEventRow.unit, TrackingEventRow.note_id)
    )
    return list(session.execute(query))


def latest_reports(session: Session, units: Sequence[str], since: datetime) -> list[Row[Any]]:
    """Every report of ``units`` since ``since`` (unit, note, station, at), to find the last."""
    out: list[Row[Any]] = []
    for chunk in _chunks(units):
        query = select(
            TrackingEventRow.unit,
            TrackingEventRow.note_id,
            TrackingEventRow.station_esr,
            TrackingEventRow.at,
            TrackingEventRow.kind,
        ).where(TrackingEventRow.unit.in_(chunk), TrackingEventRow.at >= since)
        out += session.execute(query)
    return out


def acts_at(session: Session, codes: Sequence[str], units: Sequence[str]) -> list[Row[Any]]:
    """Acts at ``codes`` naming any of ``units``: (unit, note, act id, status, decided_at)."""
    out: list[Row[Any]] = []
    for chunk in _chunks(units):
        query = (
            select(
                HandoverActUnitRow.unit,
                HandoverActRow.note_id,
                HandoverActRow.id,
                HandoverActRow.status,
                HandoverActRow.offered_at,
                HandoverActRow.from_railway,
            )
            .join(HandoverActRow, HandoverActRow.id == HandoverActUnitRow.act_id)
            .where(
                HandoverActUnitRow.unit.in_(chunk),
                or_(HandoverActRow.station_esr.in_(codes), HandoverActRow.entry_esr.in_(codes)),
            )
        )
        out += session.execute(query.order_by(HandoverActRow.offered_at))
    return out


def note_rows(session: Session, note_ids: Sequence[str]) -> dict[str, Row[Any]]:
    """Summary columns of notes (consignor, carriers, custody) for visibility decisions."""
    out: dict[str, Row[Any]] = {}
    for chunk in _chunks(note_ids):
        query = select(
            NoteRow.id, NoteRow.consignor_org_id, NoteRow.consignee_org_id, NoteRow.carriers,
            NoteRow.custody, NoteRow.status,
        ).where(NoteRow.id.in_(chunk))  # fmt: skip
        out.update({row.id: row for row in session.execute(query)})
    return out


def open_acts(session: Session, note_id: str, station_esr: str) -> list[HandoverActRow]:
    """Acts of the note at this border code still waiting for the incoming railway."""
    query = select(HandoverActRow).where(
        and_(
            HandoverActRow.note_id == note_id,
            HandoverActRow.station_esr == station_esr,
            HandoverActRow.status == "offered",
        )
    )
    return list(session.scalars(query))
