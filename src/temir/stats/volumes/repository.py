"""All SQL of shipment facts: write them in bulk, delete by source, aggregate volumes.

Every write of facts also adds to (or subtracts from) the volume cells
(:class:`temir.stats.tables.VolumeCellRow`) in the same transaction, and reports read the
cells: a report costs a few thousand rows instead of a scan of a year's facts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from temir.stats.tables import ShipmentFactRow, VolumeCellRow
from temir.stats.volumes.model import Direction, Fact

T: Table = ShipmentFactRow.__table__  # type: ignore[assignment]
C: Table = VolumeCellRow.__table__  # type: ignore[assignment]
#: What a volume cell is keyed by: every column a report groups or filters on.
CELL_KEY = (
    "year",
    "month",
    "commodity_group",
    "origin_country",
    "destination_country",
    "route_countries",
    "route_railways",
    "border_crossings",
)
CELL_SUMS = ("mass_kg", "wagons", "facts", "synthetic_facts")


def fact_values(fact: Fact, created_at: datetime) -> dict[str, Any]:
    return {
        "consignment_no": fact.consignment_no,
        "departure_date": fact.departure_date,
        "arrival_date": fact.arrival_date,
        "year": fact.departure_date.year,
        "month": fact.departure_date.month,
        "origin_esr": fact.origin_esr,
        "origin_railway": fact.origin_railway,
        "origin_country": fact.origin_country,
        "destination_esr": fact.destination_esr,
        "destination_railway": fact.destination_railway,
        "destination_country": fact.destination_country,
        "route_countries": ",".join(fact.route_countries),
        "route_railways": ",".join(fact.route_railways),
        "border_crossings": " ".join(fact.border_crossings),
        "commodity_group": fact.commodity_group,
        "etsng": fact.etsng,
        "gng": fact.gng,
        "wagons": fact.wagons,
        "containers_teu": fact.containers_teu,
        "mass_kg": fact.mass_kg,
        "tariff_km": fact.tariff_km,
        "tonne_km": fact.tonne_km,
        "source": fact.source,
        "synthetic": fact.synthetic,
        "created_at": created_at,
    }


def insert_facts(session: Session, facts: Iterable[Fact], created_at: datetime) -> int:
    """Insert in batches of 5,000 rows; returns the number of rows written.

    Why at the driver level: a million-row import spends most of its insert time building
    per-row parameter dicts in SQLAlchemy; plain tuples through the driver's ``executemany``
    (values converted by the columns' own type processors, so SQLite dates are stored exactly
    as the ORM stores them) is ~3x faster and stays in the session's transaction.
    """
    connection = session.connection()
    dialect = connection.dialect
    columns = [c for c in T.columns if c.name != "id"]
    processors = [c.type.bind_processor(dialect) for c in columns]
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    # names from the table definition, values as parameters
    sql = f"INSERT INTO {T.name} ({', '.join(c.name for c in columns)}) VALUES ("  # noqa: S608
    sql += ", ".join([mark] * len(columns)) + ")"
    names = [c.name for c in columns]
    count = 0
    batch: list[tuple[Any, ...]] = []
    cells: dict[tuple[Any, ...], list[int]] = {}
    for fact in facts:
        values = fact_values(fact, created_at)
        key = tuple(values[k] for k in CELL_KEY)
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = [0, 0, 0, 0]
        cell[0] += fact.mass_kg
        cell[1] += fact.wagons
        cell[2] += 1
        cell[3] += 1 if fact.synthetic else 0
        batch.append(
            tuple(
                p(values[n]) if p is not None and values[n] is not None else values[n]
                for n, p in zip(names, processors, strict=True)
            )
        )
        if len(batch) == 5000:
            connection.exec_driver_sql(sql, batch)
            count += len(batch)
            batch = []
    if batch:
        connection.exec_driver_sql(sql, batch)
        count += len(batch)
    add_cells(session, cells)
    return count


def add_cells(session: Session, cells: dict[tuple[Any, ...], list[int]]) -> None:
    """Add sums (mass, wagons, facts, synthetic facts) to their cells, creating missing ones.

    One upsert per cell (``INSERT … ON CONFLICT DO UPDATE``, SQLite ≥ 3.24 and PostgreSQL):
    two transactions adding to the same cell serialise on its row instead of losing a sum.
    """
    if not cells:
        return
    dialect = session.connection().dialect.name
    maker = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = maker(C)
    statement = statement.on_conflict_do_update(
        index_elements=[C.c[k] for k in CELL_KEY],
        set_={name: C.c[name] + statement.excluded[name] for name in CELL_SUMS},
    )
    rows = [
        dict(zip(CELL_KEY, key, strict=True)) | dict(zip(CELL_SUMS, sums, strict=True))
        for key, sums in cells.items()
    ]
    session.connection().execute(statement, rows)


def _cell_sums_of_facts() -> list[ColumnElement[Any]]:
    return [
        func.sum(T.c.mass_kg),
        func.sum(T.c.wagons),
        func.count(),
        func.sum(case((T.c.synthetic, 1), else_=0)),
    ]


def delete_source(session: Session, source: str, years: Sequence[int] | None = None) -> int:
    """Delete the facts of ``source`` (in ``years``) and take them out of their cells."""
    where = [T.c.source == source]
    if years is not None:
        where.append(T.c.year.in_(list(years)))
    gone = session.execute(
        select(*(T.c[k] for k in CELL_KEY), *_cell_sums_of_facts())
        .where(*where)
        .group_by(*(T.c[k] for k in CELL_KEY))
    ).all()
    if gone:
        subtract = (
            update(C)
            .where(*(C.c[k] == bindparam(f"k_{k}") for k in CELL_KEY))
            .values({name: C.c[name] - bindparam(f"d_{name}") for name in CELL_SUMS})
        )
        session.connection().execute(
            subtract,
            [
                {f"k_{k}": row[i] for i, k in enumerate(CELL_KEY)}
                | {
                    f"d_{name}": int(row[len(CELL_KEY) + j] or 0)
                    for j, name in enumerate(CELL_SUMS)
                }
                for row in gone
            ],
        )
        session.execute(delete(C).where(C.c.facts <= 0))
    result = session.execute(delete(T).where(*where))
    return int(getattr(result, "rowcount", 0) or 0)


def rebuild_cells(session: Session) -> int:
    """Sum every cell again from the facts (replacing what is there); returns the cell count."""
    session.execute(delete(C))
    session.execute(
        insert(C).from_select(
            [*CELL_KEY, *CELL_SUMS],
            select(*(T.c[k] for k in CELL_KEY), *_cell_sums_of_facts()).group_by(
                *(T.c[k] for k in CELL_KEY)
            ),
        )
    )
    return count_cells(session)


def count_cells(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(C)) or 0)


def count_source(session: Session, source: str) -> int:
    return int(session.scalar(select(func.count()).where(T.c.source == source)) or 0)


def direction_case(a: str, b: str, table: Table = T) -> ColumnElement[Any]:
    """:func:`temir.stats.volumes.rules.classify` said in SQL (NULL when the fact is not A–B
    traffic); over the facts or over the cells (both have the same country columns)."""
    o, d, route = table.c.origin_country, table.c.destination_country, table.c.route_countries
    pair = [a, b]

    def transit(end: str, other: str) -> ColumnElement[bool]:
        return and_(
            or_(
                and_(o == end, d.not_in(pair)),
                and_(d == end, o.not_in(pair)),
            ),
            route.like(f"%{other}%"),
        )

    return case(
        (and_(o == a, d == b), literal(str(Direction.EXPORT))),
        (and_(o == b, d == a), literal(str(Direction.IMPORT))),
        (or_(transit(a, b), transit(b, a)), literal(str(Direction.TRANSIT))),
        else_=None,
    )


@dataclass(frozen=True)
class Cell:
    year: int
    month: int
    commodity_group: str
    route_railways: str
    direction: str
    border_crossings: str
    mass_kg: int
    wagons: int
    facts: int
    synthetic: int


def volume_query(
    years: Sequence[int],
    a: str,
    b: str,
    commodity_group: str | None = None,
    months: Sequence[int] | None = None,
    over_facts: bool = False,
) -> Select[Any]:
    """The one statement behind every volume report, over the cells.

    ``over_facts`` says the same over the fact rows themselves (what reports ran before the
    cells; the benchmarks and tests compare both).
    """
    t = T if over_facts else C
    direction = direction_case(a, b, t).label("direction")
    sums = _cell_sums_of_facts() if over_facts else [func.sum(t.c[name]) for name in CELL_SUMS]
    query = (
        select(
            t.c.year,
            t.c.month,
            t.c.commodity_group,
            t.c.route_railways,
            direction,
            t.c.border_crossings,
            *sums,
        )
        .where(t.c.year.in_(list(years)))
        .where(or_(t.c.origin_country.in_([a, b]), t.c.destination_country.in_([a, b])))
        .group_by(
            t.c.year,
            t.c.month,
            t.c.commodity_group,
            t.c.route_railways,
            direction,
            t.c.border_crossings,
        )
    )
    if commodity_group:
        query = query.where(t.c.commodity_group == commodity_group)
    if months:
        query = query.where(t.c.month.in_(list(months)))
    return query


def volume_cells(
    session: Session,
    years: Sequence[int],
    a: str,
    b: str,
    commodity_group: str | None = None,
    months: Sequence[int] | None = None,
    over_facts: bool = False,
) -> list[Cell]:
    """Mass, wagons and consignments of A–B traffic by year, month, group, railways, direction."""
    query = volume_query(years, a, b, commodity_group, months, over_facts)
    return [
        Cell(
            year=int(r[0]),
            month=int(r[1]),
            commodity_group=str(r[2]),
            route_railways=str(r[3]),
            direction=str(r[4]),
            border_crossings=str(r[5] or ""),
            mass_kg=int(r[6] or 0),
            wagons=int(r[7] or 0),
            facts=int(r[8] or 0),
            synthetic=int(r[9] or 0),
        )
        for r in session.execute(query)
        if r[4] is not None
    ]


def fact_years(session: Session, a: str, b: str, before: int) -> list[int]:
    """Years before ``before`` that have any fact with an end in the pair (oldest first)."""
    query = (
        select(C.c.year)
        .where(C.c.year < before)
        .where(or_(C.c.origin_country.in_([a, b]), C.c.destination_country.in_([a, b])))
        .group_by(C.c.year)
        .order_by(C.c.year)
    )
    return [int(y) for y in session.scalars(query)]


def count_synthetic(session: Session, seed_prefix: str) -> int:
    """Synthetic facts whose numbers start with ``seed_prefix`` (``SYN<seed>-``)."""
    return int(
        session.scalar(
            select(func.count()).where(
                T.c.source == "synthetic", T.c.consignment_no.like(f"{seed_prefix}%")
            )
        )
        or 0
    )
