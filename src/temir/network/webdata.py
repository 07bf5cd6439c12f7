"""What the network pages show, read from the reference tables into plain view records.

Why view records: the templates must not know the tables, and every estimated value has to
travel with its flag (and the reason) to the place where it is drawn.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from temir.network.tables import (
    BorderCrossingRow,
    RailwayRow,
    SectionRow,
    StationCodeRow,
    StationRow,
)

SEARCH_LIMIT = 50


@dataclass(frozen=True)
class CodeView:
    esr: str
    name_ru: str  # as TR-4 writes it, "(эксп.)" included
    role: str  # main | export | transshipment | other
    point_type: str | None
    operations: str | None
    transit_point: bool


@dataclass(frozen=True)
class CrossingView:
    own_esr: str
    own_name: str
    partner_esr: str | None
    partner_name: str
    partner_name_ru: str
    partner_railway: str
    partner_country: str
    link_type: str
    km_between: int | None
    confidence: str
    estimated: bool
    basis: str


@dataclass(frozen=True)
class RailwayView:
    code: str
    name: str
    numeric_code: int | None
    country: str


@dataclass
class PlaceView:
    id: int
    name: str  # in the reader's language
    name_ru: str
    name_en: str
    name_en_estimated: bool
    railway: str
    railway_name: str
    country: str
    kind: str
    lat: float | None
    lon: float | None
    coord_estimated: bool
    coord_source: str | None
    osm_id: str | None
    source: str
    codes: list[CodeView] = field(default_factory=list)
    crossings: list[CrossingView] = field(default_factory=list)

    @property
    def esrs(self) -> list[str]:
        return [c.esr for c in self.codes]

    @property
    def border(self) -> bool:
        return bool(self.crossings)

    @property
    def border_estimated(self) -> bool:
        return any(c.estimated for c in self.crossings)


@dataclass(frozen=True)
class SectionView:
    from_esr: str
    to_esr: str
    to_name: str
    km: int | None
    railway: str
    tr4_section: str | None
    section_type: str | None
    freight: bool


@dataclass
class NetworkView:
    places: list[PlaceView]
    edges: list[tuple[int, int, str]]  # station id, station id, railway
    railways: list[RailwayView]
    crossings: list[CrossingView]

    @property
    def unplaced(self) -> list[PlaceView]:
        return [p for p in self.places if p.lat is None or p.lon is None]


def _railway_names(session: Session, lang: str) -> dict[str, RailwayView]:
    return {
        r.code: RailwayView(
            r.code, r.name_ru if lang == "ru" else r.name_en, r.numeric_code, r.country
        )
        for r in session.scalars(select(RailwayRow).order_by(RailwayRow.code))
    }


def _crossing(row: BorderCrossingRow, own_is_a: bool, lang: str) -> CrossingView:
    own, other = ("a", "b") if own_is_a else ("b", "a")

    def name(side: str) -> str:
        ru, en = getattr(row, f"{side}_name_ru"), getattr(row, f"{side}_name_en")
        return str((ru or en) if lang == "ru" else (en or ru))

    return CrossingView(
        own_esr=getattr(row, f"{own}_esr"),
        own_name=name(own),
        partner_esr=getattr(row, f"{other}_esr"),
        partner_name=name(other),
        partner_name_ru=getattr(row, f"{other}_name_ru"),
        partner_railway=getattr(row, f"{other}_railway"),
        partner_country=getattr(row, f"{other}_country"),
        link_type=row.link_type,
        km_between=row.km_between,
        confidence=row.confidence,
        estimated=row.estimated,
        basis=row.basis,
    )


def _places(session: Session, stations: list[StationRow], lang: str) -> list[PlaceView]:
    if not stations:
        return []
    railways = _railway_names(session, lang)
    ids = [s.id for s in stations]
    codes: dict[int, list[CodeView]] = defaultdict(list)
    esr_station: dict[str, int] = {}
    role_order = {"main": 0, "export": 1, "transshipment": 2}
    for c in session.scalars(
        select(StationCodeRow)
        .where(StationCodeRow.station_id.in_(ids))
        .order_by(StationCodeRow.esr)
    ):
        codes[c.station_id].append(
            CodeView(c.esr, c.name_ru, c.role, c.point_type, c.operations, c.transit_point)
        )
        esr_station[c.esr] = c.station_id
    crossings: dict[int, list[CrossingView]] = defaultdict(list)
    if esr_station:
        rows = session.scalars(
            select(BorderCrossingRow).where(
                or_(
                    BorderCrossingRow.a_esr.in_(esr_station),
                    BorderCrossingRow.b_esr.in_(esr_station),
                )
            )
        )
        for row in rows:
            if row.a_esr in esr_station:
                crossings[esr_station[row.a_esr]].append(_crossing(row, True, lang))
            if row.b_esr is not None and row.b_esr in esr_station:
                crossings[esr_station[row.b_esr]].append(_crossing(row, False, lang))
    out = []
    for s in stations:
        railway = railways.get(s.railway)
        out.append(
            PlaceView(
                id=s.id,
                name=s.name_ru if lang == "ru" else s.name_en,
                name_ru=s.name_ru,
                name_en=s.name_en,
                name_en_estimated=s.name_en_estimated,
                railway=s.railway,
                railway_name=railway.name if railway else s.railway,
                country=s.country,
                kind=s.kind,
                lat=s.lat,
                lon=s.lon,
                coord_estimated=s.coord_estimated,
                coord_source=s.coord_source,
                osm_id=s.osm_id,
                source=s.source,
                codes=sorted(codes[s.id], key=lambda c: (role_order.get(c.role, 9), c.esr)),
                crossings=crossings[s.id],
            )
        )
    return out


def search(session: Session, query: str, lang: str) -> list[PlaceView]:
    """Stations whose name (ru or en) or any ESR code starts with the query."""
    text = query.strip().lower().replace("ё", "е")
    if not text:
        return []
    by_code = select(StationCodeRow.station_id).where(StationCodeRow.esr.startswith(text))
    stations = list(
        session.scalars(
            select(StationRow)
            .where(
                or_(
                    func.lower(StationRow.search_text).contains(text),
                    StationRow.id.in_(by_code),
                )
            )
            .order_by(StationRow.name_ru)
            .limit(SEARCH_LIMIT)
        )
    )
    return _places(session, stations, lang)


def station_by_esr(session: Session, esr: str, lang: str) -> PlaceView | None:
    code = session.get(StationCodeRow, esr) if esr.isdigit() and len(esr) <= 6 else None
    if code is None:
        return None
    station = session.get(StationRow, code.station_id)
    if station is None:
        return None
    return _places(session, [station], lang)[0]


def sections_of(session: Session, place: PlaceView, lang: str) -> list[SectionView]:
    """Adjacent tariff sections of the station's codes, each seen from this station."""
    esrs = set(place.esrs)
    rows = list(
        session.scalars(
            select(SectionRow).where(
                or_(SectionRow.from_esr.in_(esrs), SectionRow.to_esr.in_(esrs))
            )
        )
    )
    other = {r.to_esr if r.from_esr in esrs else r.from_esr for r in rows}
    names = _code_names(session, other, lang)
    out = []
    for r in rows:
        mine, theirs = (r.from_esr, r.to_esr) if r.from_esr in esrs else (r.to_esr, r.from_esr)
        if theirs in esrs:
            continue
        out.append(
            SectionView(
                mine, theirs, names.get(theirs, theirs), r.km, r.railway, r.tr4_section,
                r.section_type, r.freight,
            )
        )  # fmt: skip
    return sorted(out, key=lambda s: (s.from_esr, s.km if s.km is not None else 10**6))


def _code_names(session: Session, esrs: set[str], lang: str) -> dict[str, str]:
    if not esrs:
        return {}
    rows = session.execute(
        select(StationCodeRow.esr, StationCodeRow.name_ru, StationRow.name_en)
        .join(StationRow, StationRow.id == StationCodeRow.station_id)
        .where(StationCodeRow.esr.in_(esrs))
    )
    return {esr: (name_ru if lang == "ru" else name_en) for esr, name_ru, name_en in rows}


def _edges(session: Session, esr_station: dict[str, int]) -> list[tuple[int, int, str]]:
    edges = []
    for from_esr, to_esr, railway in session.execute(
        select(SectionRow.from_esr, SectionRow.to_esr, SectionRow.railway)
    ):
        a, b = esr_station.get(from_esr), esr_station.get(to_esr)
        if a is not None and b is not None:
            edges.append((a, b, railway))
    return edges


def whole_network(session: Session, lang: str) -> NetworkView:
    stations = list(session.scalars(select(StationRow).order_by(StationRow.name_ru)))
    places = _places(session, stations, lang)
    esr_station = {esr: p.id for p in places for esr in p.esrs}
    seen: set[tuple[str, str | None, str]] = set()
    crossings = []
    for p in places:
        for c in p.crossings:
            key = tuple(sorted([c.own_esr, c.partner_esr or c.partner_name_ru]))
            if (key[0], key[1], "") in seen:
                continue
            seen.add((key[0], key[1], ""))
            crossings.append(c)
    return NetworkView(
        places,
        _edges(session, esr_station),
        list(_railway_names(session, lang).values()),
        crossings,
    )


def neighbourhood(session: Session, place: PlaceView, lang: str, hops: int = 2) -> NetworkView:
    """The station, everything within ``hops`` sections of it, and its border partners."""
    code_rows = session.execute(select(StationCodeRow.esr, StationCodeRow.station_id)).all()
    esr_station = {esr: sid for esr, sid in code_rows}
    all_edges = _edges(session, esr_station)
    adjacent: dict[int, set[int]] = defaultdict(set)
    for a, b, _ in all_edges:
        adjacent[a].add(b)
        adjacent[b].add(a)
    keep = {place.id}
    frontier = {place.id}
    for _ in range(hops):
        frontier = {n for f in frontier for n in adjacent[f]} - keep
        keep |= frontier
    stations = list(session.scalars(select(StationRow).where(StationRow.id.in_(keep))))
    places = _places(session, stations, lang)
    edges = [(a, b, r) for a, b, r in all_edges if a in keep and b in keep]
    return NetworkView(places, edges, [], place.crossings)
