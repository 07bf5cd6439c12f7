"""All SQL of routing and tariffs: the reference network as :class:`NetworkData` from the DB."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from temir.network.routing.loader import EDITION
from temir.network.routing.model import (
    BorderCrossing,
    NetworkData,
    Section,
    SectionPoint,
    StationTransit,
    TransitDistance,
)
from temir.network.tables import (
    BorderCrossingRow,
    DatasetEditionRow,
    SectionPointRow,
    SectionRow,
    StationCodeRow,
    StationRow,
    StationTransitRow,
    TransitDistanceRow,
    TransitPointRow,
)
from temir.tariff.tables import RateRow, RateTableRow


def reference_digest(session: Session) -> str:
    """A key that changes whenever any loaded reference dataset changes ("" if none loaded)."""
    rows = session.execute(select(DatasetEditionRow.dataset, DatasetEditionRow.digest)).all()
    return ";".join(f"{d}:{g}" for d, g in sorted(rows))


def network_data(session: Session) -> NetworkData:
    """The same plain data the CSV loader gives, read from the reference tables."""
    sections: dict[tuple[str, str], Section] = {}
    for s in session.scalars(select(SectionRow)):
        if s.railway != "BORDER" and s.tr4_section:
            sections.setdefault(
                (s.railway, s.tr4_section),
                Section(s.railway, s.tr4_section, s.tr4_section_title or "", s.section_type or ""),
            )
    points = []
    for p in session.scalars(select(SectionPointRow)):
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
    names: dict[str, str] = {}
    name_en: dict[str, str] = {}
    codes: list[tuple[str, str]] = []
    for code, station in session.execute(
        select(StationCodeRow, StationRow).join(
            StationRow, StationRow.id == StationCodeRow.station_id
        )
    ).all():
        names[code.esr] = code.name_ru
        name_en[code.esr] = station.name_en
        codes.append((code.railway, code.esr))
    borders = tuple(
        BorderCrossing(
            b.a_esr,
            b.a_railway,
            b.a_name_ru,
            b.b_esr,
            b.b_railway,
            b.b_name_ru,
            "ferry" if b.link_type == "ferry" else "rail",
            b.confidence,
        )
        for b in session.scalars(select(BorderCrossingRow))
        if b.b_esr and b.a_esr
    )
    return NetworkData(
        sections=tuple(sections.values()),
        section_points=tuple(points),
        station_transit=transit,
        codes_without_transit=tuple(codes),
        transit_points=tuple((t.railway, t.esr) for t in session.scalars(select(TransitPointRow))),
        transit_distances=tuple(
            TransitDistance(t.railway, t.from_esr, t.to_esr, t.km)
            for t in session.scalars(select(TransitDistanceRow))
        ),
        borders=borders,
        names=names,
        name_en=name_en,
        edition=EDITION,
    )


def loaded_rate_rows(session: Session) -> tuple[list[RateTableRow], list[RateRow]]:
    return list(session.scalars(select(RateTableRow))), list(session.scalars(select(RateRow)))


def replace_rate_table(session: Session, table: RateTableRow, rows: list[RateRow]) -> None:
    """A table id is one version: loading it again replaces its rows."""
    session.execute(delete(RateRow).where(RateRow.table_id == table.id))
    session.execute(delete(RateTableRow).where(RateTableRow.id == table.id))
    session.flush()
    session.add(table)
    session.flush()
    session.add_all(rows)
