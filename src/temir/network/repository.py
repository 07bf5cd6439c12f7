"""All SQL of the reference network: bulk synchronisation of datasets, the read queries, and
the plain data the route engine is built from."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import (
    Table,
    and_,
    bindparam,
    delete,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from temir.kit.db import Base
from temir.network.routing.loader import EDITION
from temir.network.routing.model import (
    LINK_TYPES,
    BorderCrossing,
    NetworkData,
    Section,
    SectionPoint,
    StationFacts,
    StationTransit,
    TransitDistance,
)
from temir.network.tables import (
    BorderCrossingRow,
    CommodityRow,
    DatasetEditionRow,
    GngRow,
    RailwayRow,
    SectionPointRow,
    SectionRow,
    StationCodeRow,
    StationRow,
    StationTransitRow,
    TransitDistanceRow,
    TransitPointRow,
)

Row = dict[str, Any]
Key = tuple[Any, ...]


@dataclass
class SyncResult:
    added: list[Key] = field(default_factory=list)
    changed: list[Key] = field(default_factory=list)
    removed: list[Key] = field(default_factory=list)
    removed_rows: list[Row] = field(default_factory=list)


def _table(table: type[Base]) -> Table:
    return cast(Table, table.__table__)


def _columns(table: type[Base]) -> list[str]:
    return [c.key for c in _table(table).columns]


def _primary_key(table: type[Base]) -> list[str]:
    return [c.key for c in _table(table).primary_key.columns]


def existing_rows(session: Session, table: type[Base]) -> list[Row]:
    cols = _table(table).columns
    return [dict(r._mapping) for r in session.execute(select(*cols))]


def sync_table(
    session: Session,
    table: type[Base],
    rows: Sequence[Row],
    key: Callable[[Row], Key],
    *,
    apply_removals: bool = True,
) -> SyncResult:
    """Make ``table`` hold exactly ``rows`` (matched by natural ``key``), in place.

    New rows are inserted with one executemany, changed ones updated by primary key, missing
    ones deleted. Surrogate ids of kept rows do not change, so references to them stay valid.
    With ``apply_removals=False`` the caller deletes ``result.removed`` later (after the rows
    that reference them are gone).
    """
    pk = _primary_key(table)
    compare = [c for c in _columns(table) if c not in pk or c in rows[0]] if rows else []
    current = {key(r): r for r in existing_rows(session, table)}
    wanted = {key(r): r for r in rows}
    result = SyncResult()
    inserts: list[Row] = []
    updates: list[Row] = []
    for k, row in wanted.items():
        old = current.get(k)
        if old is None:
            result.added.append(k)
            inserts.append(row)
        elif any(old.get(c) != row.get(c) for c in compare):
            result.changed.append(k)
            updates.append({**row, **{c: old[c] for c in pk}})
    result.removed = [k for k in current if k not in wanted]
    result.removed_rows = [current[k] for k in result.removed]
    if inserts:
        session.execute(insert(table), inserts)
    if updates:
        session.execute(update(table), updates)
    if apply_removals:
        delete_rows(session, table, result.removed_rows)
    return result


def delete_rows(session: Session, table: type[Base], rows: Sequence[Row]) -> None:
    if not rows:
        return
    pk = _primary_key(table)
    t = _table(table)
    stmt = t.delete().where(and_(*[t.c[c] == bindparam("pk_" + c) for c in pk]))
    session.connection().execute(stmt, [{"pk_" + c: r[c] for c in pk} for r in rows])


def station_ids(session: Session) -> dict[tuple[str, str], int]:
    rows = session.execute(select(StationRow.railway, StationRow.name_ru, StationRow.id))
    return {(r.railway, r.name_ru): r.id for r in rows}


# ---------------------------------------------------------------- editions


def editions(session: Session) -> dict[str, DatasetEditionRow]:
    return {e.dataset: e for e in session.scalars(select(DatasetEditionRow))}


def clear_table(session: Session, table: type[Base]) -> None:
    session.execute(delete(table))


# ---------------------------------------------------------------- reads


def _word_filters(column: Any, words: Sequence[str]) -> list[Any]:
    """Each folded word must begin some word of ``column`` (stored framed by spaces)."""
    return [column.like(f"% {w}%") for w in words]


def all_stations(session: Session) -> list[tuple[StationRow, list[StationCodeRow]]]:
    """Every place with its codes (by code): what the station index is built from."""
    codes: dict[int, list[StationCodeRow]] = {}
    for code in session.scalars(select(StationCodeRow).order_by(StationCodeRow.esr)):
        codes.setdefault(code.station_id, []).append(code)
    rows = session.scalars(select(StationRow).order_by(StationRow.id))
    return [(r, codes.get(r.id, [])) for r in rows]


def codes_of(session: Session, station_ids_: Sequence[int]) -> dict[int, list[StationCodeRow]]:
    out: dict[int, list[StationCodeRow]] = {i: [] for i in station_ids_}
    if not station_ids_:
        return out
    stmt = (
        select(StationCodeRow)
        .where(StationCodeRow.station_id.in_(station_ids_))
        .order_by(StationCodeRow.esr)
    )
    for code in session.scalars(stmt):
        out[code.station_id].append(code)
    return out


def station_code(session: Session, esr: str) -> StationCodeRow | None:
    return session.get(StationCodeRow, esr)


def station(session: Session, station_id: int) -> StationRow | None:
    return session.get(StationRow, station_id)


def railways(session: Session) -> list[RailwayRow]:
    return list(session.scalars(select(RailwayRow).order_by(RailwayRow.numeric_code)))


def border_crossings(
    session: Session, railway: str | None, country: str | None
) -> list[BorderCrossingRow]:
    stmt = select(BorderCrossingRow)
    if railway:
        stmt = stmt.where(
            or_(BorderCrossingRow.a_railway == railway, BorderCrossingRow.b_railway == railway)
        )
    if country:
        stmt = stmt.where(
            or_(BorderCrossingRow.a_country == country, BorderCrossingRow.b_country == country)
        )
    return list(session.scalars(stmt.order_by(BorderCrossingRow.a_railway, BorderCrossingRow.id)))


def sections(session: Session, railway: str | None, limit: int) -> list[SectionRow]:
    stmt = select(SectionRow)
    if railway:
        stmt = stmt.where(SectionRow.railway == railway)
    return list(session.scalars(stmt.order_by(SectionRow.id).limit(limit)))


def search_commodities(
    session: Session, words: Sequence[str], digits: str | None, limit: int
) -> list[CommodityRow]:
    stmt = select(CommodityRow)
    if digits:
        stmt = stmt.where(
            or_(CommodityRow.gng.like(digits + "%"), CommodityRow.etsng.like(digits + "%"))
        )
    elif words:
        stmt = stmt.where(and_(*_word_filters(CommodityRow.search_text, words)))
    return list(session.scalars(stmt.order_by(CommodityRow.group, CommodityRow.gng).limit(limit)))


def search_gng(
    session: Session, words: Sequence[str], digits: str | None, limit: int
) -> list[GngRow]:
    if not words and not digits:
        return []
    stmt = select(GngRow)
    if digits:
        stmt = stmt.where(GngRow.gng.like(digits + "%"))
    else:
        stmt = stmt.where(and_(*_word_filters(GngRow.search_text, words)))
    return list(session.scalars(stmt.order_by(GngRow.gng).limit(limit)))


# ---------------------------------------------------------------- the route engine's data

# The datasets the route engine is built from (railways, commodities and GNG are not).
ENGINE_DATASETS = (
    "stations",
    "sections",
    "section_points",
    "border_crossings",
    "tr4_transit_points",
    "tr4_transit_distances",
    "tr4_station_transit",
)


def network_digest(session: Session) -> str:
    """A key that changes whenever a dataset the engine reads is loaded anew ("" if none is).

    Why the load digests: ``load_reference`` writes each dataset's SHA-256 with its rows in the
    same unit of work, so the key is one small read and can never name data that is not there.
    """
    rows = session.execute(
        select(DatasetEditionRow.dataset, DatasetEditionRow.digest).where(
            DatasetEditionRow.dataset.in_(ENGINE_DATASETS)
        )
    ).all()
    return ";".join(f"{d}:{g}" for d, g in sorted(rows))


def network_data(session: Session) -> NetworkData:
    """The same plain data the CSV loader (:func:`~temir.network.routing.loader.load_csv`)
    gives for the same files, read from the reference tables.

    Names follow the loader's precedence (node list, then Book 1 points, then Book 2, then the
    border list); station facts are the node list's codes with their own kind. English names
    are the place's (the tables keep one per place), so an "(эксп.)" code reads as its station.
    """
    sections: dict[tuple[str, str], Section] = {}
    for s in session.scalars(select(SectionRow)):
        if s.railway != "BORDER" and s.tr4_section:
            sections.setdefault(
                (s.railway, s.tr4_section),
                Section(s.railway, s.tr4_section, s.tr4_section_title or "", s.section_type or ""),
            )
    points = []
    ordered = (SectionPointRow.railway, SectionPointRow.tr4_section, SectionPointRow.seq)
    for p in session.scalars(select(SectionPointRow).order_by(*ordered)):
        sections.setdefault(
            (p.railway, p.tr4_section), Section(p.railway, p.tr4_section, p.tr4_section_title, "")
        )
        points.append(
            SectionPoint(p.railway, p.tr4_section, p.seq, p.esr, p.name_ru, p.km_from_start)
        )
    transit = tuple(
        StationTransit(r.railway, r.esr, r.transit_esr, r.km)
        for r in session.scalars(select(StationTransitRow))
    )
    codes = session.execute(
        select(
            StationCodeRow.esr,
            StationCodeRow.railway,
            StationCodeRow.name_ru,
            StationCodeRow.kind,
            StationCodeRow.operations,
            StationCodeRow.network_node,
            StationRow.name_en,
            StationRow.country,
            StationRow.kind.label("place_kind"),
        )
        .join(StationRow, StationRow.id == StationCodeRow.station_id)
        .order_by(StationCodeRow.railway, StationCodeRow.esr)
    ).all()
    nodes = [c for c in codes if c.network_node]
    names = {c.esr: c.name_ru for c in nodes}
    for point in points:
        names.setdefault(point.esr, point.name_ru)
    for c in codes:
        names.setdefault(c.esr, c.name_ru)
    borders = tuple(
        BorderCrossing(
            b.a_esr,
            b.a_railway,
            b.a_name_ru,
            b.b_esr,
            b.b_railway,
            b.b_name_ru,
            b.link_type if b.link_type in LINK_TYPES else "rail",
            b.confidence,
        )
        for b in session.scalars(select(BorderCrossingRow).order_by(BorderCrossingRow.id))
        if b.b_esr and b.a_esr
    )
    for b in borders:
        names.setdefault(b.a_esr, b.a_name_ru)
        names.setdefault(b.b_esr, b.b_name_ru)
    return NetworkData(
        sections=tuple(sections.values()),
        section_points=tuple(points),
        station_transit=transit,
        codes_without_transit=tuple((c.railway, c.esr) for c in codes),
        transit_points=tuple((t.railway, t.esr) for t in session.scalars(select(TransitPointRow))),
        transit_distances=tuple(
            TransitDistance(t.railway, t.from_esr, t.to_esr, t.km)
            for t in session.scalars(select(TransitDistanceRow))
        ),
        borders=borders,
        names=names,
        name_en={c.esr: c.name_en for c in codes},
        edition=EDITION,
        stations={
            c.esr: StationFacts(
                esr=c.esr,
                name_ru=c.name_ru,
                railway=c.railway,
                country=c.country,
                # loaded before the column existed: the place's kind until the next load
                kind=c.kind or c.place_kind,
                operations=c.operations or "",
            )
            for c in nodes
        },
    )
