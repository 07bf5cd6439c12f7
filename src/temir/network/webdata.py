"""What the network pages show, as plain view records built on the network service.

Why view records: the templates must not know the tables, and every estimated value has to
travel with its flag (and the reason) to the place where it is drawn. Searching and finding a
station are the service's (:mod:`temir.network.service`); this module adds what a page needs
around them: the railway's name in the reader's language, border crossings, sections, and the
whole network for the map.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from temir.kit.errors import NotFound, ValidationFailed
from temir.kit.i18n import russian_names
from temir.network import service
from temir.network.model import Station, StationCode
from temir.network.tables import BorderCrossingRow, StationCodeRow, StationRow

SEARCH_LIMIT = 50


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
    codes: list[StationCode] = field(default_factory=list)
    crossings: list[CrossingView] = field(default_factory=list)
    coord_suspect: str | None = None

    @property
    def drawable(self) -> bool:
        """Has a position a map may draw (suspect positions are listed, not drawn)."""
        return self.lat is not None and self.lon is not None and not self.coord_suspect

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
        """Nodes of the sections graph that have no position (halts are never drawn)."""
        return [
            p
            for p in self.places
            if (p.lat is None or p.lon is None) and any(c.network_node for c in p.codes)
        ]

    @property
    def suspect(self) -> list[PlaceView]:
        """Places whose position contradicts their tariff neighbours: listed, not drawn."""
        return [p for p in self.places if p.lat is not None and p.coord_suspect]


def _railway_names(session: Session, lang: str) -> dict[str, RailwayView]:
    return {
        r.code: RailwayView(
            r.code, r.name_ru if russian_names(lang) else r.name_en, r.numeric_code, r.country
        )
        for r in service.list_railways(session)
    }


def _crossing(row: BorderCrossingRow, own_is_a: bool, lang: str) -> CrossingView:
    own, other = ("a", "b") if own_is_a else ("b", "a")

    def name(side: str) -> str:
        ru, en = getattr(row, f"{side}_name_ru"), getattr(row, f"{side}_name_en")
        return str((ru or en) if russian_names(lang) else (en or ru))

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


def _places(session: Session, stations: Sequence[Station], lang: str) -> list[PlaceView]:
    """Stations from the service, with railway names and border crossings for the page."""
    if not stations:
        return []
    railways = _railway_names(session, lang)
    esr_station = {c.esr: st.id for st in stations for c in st.codes}
    crossings: dict[int, list[CrossingView]] = defaultdict(list)
    for row in service.list_border_crossings(session):
        if row.a_esr in esr_station:
            crossings[esr_station[row.a_esr]].append(_crossing(row, True, lang))
        if row.b_esr is not None and row.b_esr in esr_station:
            crossings[esr_station[row.b_esr]].append(_crossing(row, False, lang))
    out = []
    for st in stations:
        railway = railways.get(st.railway)
        out.append(
            PlaceView(
                id=st.id,
                name=st.name_ru if russian_names(lang) else st.name_en,
                name_ru=st.name_ru,
                name_en=st.name_en,
                name_en_estimated=st.name_en_estimated,
                railway=st.railway,
                railway_name=railway.name if railway else st.railway,
                country=st.country,
                kind=st.kind,
                lat=st.lat,
                lon=st.lon,
                coord_estimated=st.coord_estimated,
                coord_source=st.coord_source,
                codes=list(st.codes),
                crossings=crossings[st.id],
                coord_suspect=st.coord_suspect,
            )
        )
    return out


def search(session: Session, query: str, lang: str) -> list[PlaceView]:
    """The service's station search (names ru/en, any ESR code), dressed for the page."""
    return _places(session, service.search_stations(session, query, limit=SEARCH_LIMIT), lang)


def station_by_esr(session: Session, esr: str, lang: str) -> PlaceView | None:
    """The station with this code, or None when the code is malformed or unknown."""
    try:
        station = service.get_station(session, esr)
    except (NotFound, ValidationFailed):
        return None
    return _places(session, [station], lang)[0]


def _all_stations(session: Session) -> list[Station]:
    """Every station with its codes, for drawing (a listing, not a search)."""
    codes: dict[int, list[StationCode]] = defaultdict(list)
    for c in session.scalars(select(StationCodeRow).order_by(StationCodeRow.esr)):
        codes[c.station_id].append(
            StationCode(
                c.esr, c.name_ru, c.role, c.railway, c.point_type, c.operations,
                c.transit_point, c.network_node,
            )
        )  # fmt: skip
    role_order = {"main": 0, "export": 1, "transshipment": 2}
    return [
        Station(
            s.id,
            s.name_ru,
            s.name_en,
            s.name_en_estimated,
            s.railway,
            s.country,
            s.kind,
            s.lat,
            s.lon,
            s.coord_estimated,
            s.coord_source,
            tuple(sorted(codes[s.id], key=lambda c: (role_order.get(c.role, 9), c.esr))),
            s.coord_suspect,
        )
        for s in session.scalars(select(StationRow).order_by(StationRow.name_ru))
    ]


def _sections(session: Session) -> list[tuple[str, str, int | None, str, str | None, str | None]]:
    return [
        (r.from_esr, r.to_esr, r.km, r.railway, r.tr4_section, r.section_type)
        for r in service.list_sections(session, limit=100_000)
    ]


def sections_of(session: Session, place: PlaceView, lang: str) -> list[SectionView]:
    """Adjacent tariff sections of the station's codes, each seen from this station."""
    esrs = set(place.esrs)
    rows = [r for r in _sections(session) if r[0] in esrs or r[1] in esrs]
    names = {
        c.esr: (st.name_ru if russian_names(lang) else st.name_en)
        for st in _all_stations(session)
        for c in st.codes
    }
    out = []
    for from_esr, to_esr, km, railway, tr4_section, section_type in rows:
        mine, theirs = (from_esr, to_esr) if from_esr in esrs else (to_esr, from_esr)
        if theirs in esrs:
            continue
        freight = not (section_type or "").lower().startswith("для пассажирского")
        out.append(
            SectionView(
                mine, theirs, names.get(theirs, theirs), km, railway, tr4_section,
                section_type, freight,
            )
        )  # fmt: skip
    return sorted(out, key=lambda s: (s.from_esr, s.km if s.km is not None else 10**6))


def _edges(session: Session, esr_station: dict[str, int]) -> list[tuple[int, int, str]]:
    edges = []
    for from_esr, to_esr, _km, railway, _section, _type in _sections(session):
        a, b = esr_station.get(from_esr), esr_station.get(to_esr)
        if a is not None and b is not None:
            edges.append((a, b, railway))
    return edges


def _unique(crossings: Iterable[CrossingView]) -> list[CrossingView]:
    """Each crossing once, although both of its stations list it."""
    seen: set[tuple[str, str]] = set()
    out = []
    for c in crossings:
        a, b = sorted([c.own_esr, c.partner_esr or c.partner_name_ru])
        if (a, b) not in seen:
            seen.add((a, b))
            out.append(c)
    return sorted(out, key=lambda c: c.own_name)


def whole_network(session: Session, lang: str) -> NetworkView:
    places = _places(session, _all_stations(session), lang)
    esr_station = {esr: p.id for p in places for esr in p.esrs}
    return NetworkView(
        places,
        _edges(session, esr_station),
        list(_railway_names(session, lang).values()),
        _unique(c for p in places for c in p.crossings),
    )


def neighbourhood(session: Session, place: PlaceView, lang: str, hops: int = 2) -> NetworkView:
    """The station, everything within ``hops`` sections of it, and its border partners."""
    stations = _all_stations(session)
    esr_station = {c.esr: st.id for st in stations for c in st.codes}
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
    places = _places(session, [st for st in stations if st.id in keep], lang)
    edges = [(a, b, r) for a, b, r in all_edges if a in keep and b in keep]
    return NetworkView(places, edges, [], place.crossings)
