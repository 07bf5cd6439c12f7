"""All SQL of shipment facts: write them in bulk, delete by source, aggregate volumes."""

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
    case,
    delete,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session

from temir.stats.tables import ShipmentFactRow
from temir.stats.volumes.model import Direction, Fact

T: Table = ShipmentFactRow.__table__  # type: ignore[assignment]


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
    for fact in facts:
        values = fact_values(fact, created_at)
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
    return count


def delete_source(session: Session, source: str, years: Sequence[int] | None = None) -> int:
    statement = delete(T).where(T.c.source == source)
    if years is not None:
        statement = statement.where(T.c.year.in_(list(years)))
    result = session.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)


def count_source(session: Session, source: str) -> int:
    return int(session.scalar(select(func.count()).where(T.c.source == source)) or 0)


def direction_case(a: str, b: str) -> ColumnElement[Any]:
    """:func:`temir.stats.volumes.rules.classify` said in SQL (NULL when the fact is not A–B
    traffic)."""
    o, d, route = T.c.origin_country, T.c.destination_country, T.c.route_countries
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
) -> Select[Any]:
    """The one statement behind every volume report (also run by the PostgreSQL bench)."""
    direction = direction_case(a, b).label("direction")
    query = (
        select(
            T.c.year,
            T.c.month,
            T.c.commodity_group,
            T.c.route_railways,
            direction,
            T.c.border_crossings,
            func.sum(T.c.mass_kg),
            func.sum(T.c.wagons),
            func.count(),
            func.sum(case((T.c.synthetic, 1), else_=0)),
        )
        .where(T.c.year.in_(list(years)))
        .where(or_(T.c.origin_country.in_([a, b]), T.c.destination_country.in_([a, b])))
        .group_by(
            T.c.year,
            T.c.month,
            T.c.commodity_group,
            T.c.route_railways,
            direction,
            T.c.border_crossings,
        )
    )
    if commodity_group:
        query = query.where(T.c.commodity_group == commodity_group)
    if months:
        query = query.where(T.c.month.in_(list(months)))
    return query


def volume_cells(
    session: Session,
    years: Sequence[int],
    a: str,
    b: str,
    commodity_group: str | None = None,
    months: Sequence[int] | None = None,
) -> list[Cell]:
    """Mass, wagons and consignments of A–B traffic by year, month, group, railways, direction."""
    query = volume_query(years, a, b, commodity_group, months)
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
        select(T.c.year)
        .where(T.c.year < before)
        .where(or_(T.c.origin_country.in_([a, b]), T.c.destination_country.in_([a, b])))
        .group_by(T.c.year)
        .order_by(T.c.year)
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
