"""How TR-4 lines become places and their ESR codes. Pure: files in, plain dicts out.

Why a module of its own: the rules that turn TR-4 lines into places — which suffixes make an
additional code of the same station, which role a code plays, whose coordinates a place takes,
which positions the tariff km contradict, what is estimated — are domain decisions worth
reading and testing without a database. The other datasets are read row for row
(:mod:`temir.network.reference`, which also keeps the catalogue of datasets and editions).
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from temir.codes.railways import RAILWAYS
from temir.kit.text import search_words, transliterate
from temir.network import quality
from temir.network.reference import TR4_SOURCE, Row, read_csv

# TR-4 road names → railways of this dataset (Book 2 extract uses the same letter codes).
COUNTRY_OF_RAILWAY = {r.latin: r.country for r in RAILWAYS if r.latin}


def _float_or_none(text: str) -> float | None:
    text = text.strip()
    return float(text) if text else None


# A parenthesised suffix that marks an additional code of the same place: "(эксп.)",
# "(перев.)", "(эксп. на Савай)", "(эксп., паром на Актау-Порт)", "(паром)". "(рзд)", "(пп)"
# and the like are part of the name of a different place and stay.
_ADDITIONAL = re.compile(r"\s*\(\s*(?:эксп|перев|паром)[^()]*\)\s*$", re.IGNORECASE)
_TRAILING_GROUP = re.compile(r"\s*\([^()]*\)\s*$")


def split_name(name_ru: str) -> tuple[str, list[str]]:
    """The base name of the place and the additional-code suffixes stripped from it (in order).

    >>> split_name("Туркменбаши I (эксп., паром на Актау-Порт)")
    ('Туркменбаши I', ['эксп., паром на Актау-Порт'])
    """
    suffixes: list[str] = []
    base = name_ru.strip()
    while True:
        match = _ADDITIONAL.search(base)
        if not match:
            break
        suffixes.insert(0, match.group(0).strip()[1:-1].strip())
        base = base[: match.start()].rstrip()
    return base, suffixes


def code_role(suffixes: list[str]) -> str:
    """main (no suffix), export ("эксп…"), transshipment ("перев…"), or other ("паром")."""
    if not suffixes:
        return "main"
    text = " ".join(suffixes).lower()
    if "эксп" in text:
        return "export"
    if "перев" in text:
        return "transshipment"
    return "other"


def strip_english_suffixes(name_en: str, count: int) -> str:
    """Drop the last ``count`` parenthesised groups: the English side of stripped suffixes."""
    for _ in range(count):
        name_en = _TRAILING_GROUP.sub("", name_en)
    return name_en.strip()


_KIND_PRIORITY = {"border": 0, "port": 1, "junction": 2, "station": 3}


@dataclass
class _Place:
    railway: str
    name_ru: str
    codes: list[Row]
    main: dict[str, str] | None = None  # the stations.csv row of the main code
    name_en: str | None = None
    name_en_estimated: bool = True


def _coords(row: dict[str, str]) -> tuple[float | None, float | None, str | None, bool]:
    lat, lon = _float_or_none(row["lat"]), _float_or_none(row["lon"])
    source = row["coord_source"].strip() or None
    if lat is None or lon is None:
        return None, None, None, False
    return lat, lon, source, not (source or "").startswith("osm_")


def build_stations(data_dir: Path) -> tuple[list[Row], list[Row]]:
    """Places (``ref_stations`` rows without id) and codes (``ref_station_codes`` rows whose
    ``station_id`` is replaced by ``station_key`` = (railway, name_ru) of their place).

    Codes come from stations.csv (the network nodes, with coordinates) and TR-4 Book 2
    (every separation point of the five Central Asian roads). Foreign border stations with no
    ESR code become places with no codes.
    """
    nodes = read_csv(data_dir / "network" / "stations.csv")
    book2 = read_csv(data_dir / "tr4" / "station_transit_points.csv")
    transit_points = {r["esr_code"] for r in read_csv(data_dir / "tr4" / "transit_points.csv")}

    places: dict[tuple[str, str], _Place] = {}
    node_rows: dict[str, dict[str, str]] = {}

    def place_for(railway: str, base: str) -> _Place:
        key = (railway, base)
        if key not in places:
            places[key] = _Place(railway, base, [])
        return places[key]

    codes: dict[str, Row] = {}
    foreign: list[Row] = []
    for row in nodes:
        esr = row["esr_code"].strip()
        if not esr:
            foreign.append(_foreign_station(row))
            continue
        node_rows[esr] = row
        base, suffixes = split_name(row["name_ru"])
        place = place_for(row["railway"], base)
        code = {
            "esr": esr,
            "railway": row["railway"],
            "name_ru": row["name_ru"],
            "role": code_role(suffixes),
            "point_type": row["point_type"] or None,
            "kind": row["kind"] or None,
            "operations": row["tr4_operations"] or None,
            "transit_point": row["transit_point"] == "yes" or esr in transit_points,
            "network_node": True,
            "source": row["source"],
            "station_key": (place.railway, place.name_ru),
        }
        codes[esr] = code
        place.codes.append(code)
        if not suffixes:
            place.main = row
            place.name_en = row["name_en"].strip() or None
        elif place.name_en is None:
            place.name_en = strip_english_suffixes(row["name_en"], len(suffixes)) or None

    for row in book2:
        esr = row["esr_code"].strip()
        if esr in codes:
            continue
        base, suffixes = split_name(row["name_ru"])
        place = place_for(row["railway"], base)
        code = {
            "esr": esr,
            "railway": row["railway"],
            "name_ru": row["name_ru"],
            "role": code_role(suffixes),
            "point_type": None,
            "kind": None,
            "operations": None,
            "transit_point": esr in transit_points,
            "network_node": False,
            "source": TR4_SOURCE + " Book 2",
            "station_key": (place.railway, place.name_ru),
        }
        codes[esr] = code
        place.codes.append(code)

    stations = [_place_row(place, node_rows) for place in places.values()]
    _flag_suspect_coordinates(data_dir, list(places.values()), stations)
    stations.extend(foreign)
    return stations, list(codes.values())


MAX_REASONS = 3


def position_links(data_dir: Path, positions: dict[str, tuple[float, float]]) -> list[quality.Link]:
    """Adjacent positioned codes with their tariff km: Book 1 sections between network nodes,
    and consecutive positioned points of each section (so Book 2-only codes are checked too)."""
    links = [
        quality.Link(r["from_esr"], r["to_esr"], int(r["km"]), r["railway"])
        for r in read_csv(data_dir / "network" / "sections.csv")
        if r["km"].strip()
    ]
    by_section: dict[tuple[str, str], list[tuple[int, int, str]]] = defaultdict(list)
    for r in read_csv(data_dir / "network" / "section_points.csv"):
        if r["esr_code"] in positions:
            key = (r["railway"], r["tr4_section"])
            by_section[key].append((int(r["seq"]), int(r["km_from_section_start"]), r["esr_code"]))
    for (railway, _section), points in by_section.items():
        points.sort()
        for (_s0, km0, a), (_s1, km1, b) in itertools.pairwise(points):
            links.append(quality.Link(a, b, abs(km1 - km0), railway))
    return links


def suspect_codes(
    data_dir: Path, places: list[_Place], stations: list[Row]
) -> dict[str, quality.SuspectCoordinate]:
    """Codes whose place's position no positioned tariff neighbour confirms."""
    positions: dict[str, tuple[float, float]] = {}
    railway_of: dict[str, str] = {}
    for place, row in zip(places, stations, strict=True):
        for code in place.codes:
            railway_of[code["esr"]] = code["railway"]
            if row["lat"] is not None and row["lon"] is not None:
                positions[code["esr"]] = (row["lat"], row["lon"])
    return quality.suspect_coordinates(positions, railway_of, position_links(data_dir, positions))


def _flag_suspect_coordinates(data_dir: Path, places: list[_Place], stations: list[Row]) -> None:
    """Mark a place's position estimated and suspect when one of its codes contradicts it."""
    suspects = suspect_codes(data_dir, places, stations)
    for place, row in zip(places, stations, strict=True):
        found = [suspects[c["esr"]] for c in place.codes if c["esr"] in suspects]
        row["coord_suspect"] = None
        if found:
            found.sort(key=lambda x: (-x.excess_km, x.esr))
            reasons = [f"code {x.esr}: {x.reason}" for x in found[:MAX_REASONS]]
            row["coord_estimated"] = True
            row["coord_suspect"] = "; ".join(reasons)


def _place_row(place: _Place, node_rows: dict[str, dict[str, str]]) -> Row:
    located = [node_rows[c["esr"]] for c in place.codes if c["esr"] in node_rows]
    # Coordinates of the place: its main code's when it has them, else the best other code's
    # (a surveyed OSM position before an approximated one).
    candidates = ([place.main] if place.main else []) + sorted(
        located, key=lambda r: (not r["coord_source"].startswith("osm_"), r["esr_code"])
    )
    lat = lon = None
    coord_source: str | None = None
    coord_estimated = False
    osm_id: str | None = None
    osm_name = ""
    for row in candidates:
        lat, lon, coord_source, coord_estimated = _coords(row)
        if lat is not None:
            osm_id = row["osm_node_or_way_id"].strip() or None
            osm_name = row["osm_name"].strip()
            break
    kinds = [r["kind"] for r in located] or ["station"]
    kind = min(kinds, key=lambda k: _KIND_PRIORITY.get(k, 9))
    country = (place.main or (located[0] if located else None) or {}).get("country") or (
        COUNTRY_OF_RAILWAY.get(place.railway, "")
    )
    name_en = place.name_en or transliterate(place.name_ru)
    source = (place.main or (located[0] if located else None) or {}).get("source") or (
        TR4_SOURCE + " Book 2"
    )
    return {
        "railway": place.railway,
        "name_ru": place.name_ru,
        "name_en": name_en,
        "name_en_estimated": True,
        "country": country,
        "kind": kind,
        "lat": lat,
        "lon": lon,
        "coord_source": coord_source,
        "coord_estimated": coord_estimated,
        "osm_id": osm_id,
        "search_text": search_words(" ".join([place.name_ru, name_en, osm_name])),
        "source": source,
    }


def _foreign_station(row: dict[str, str]) -> Row:
    """A standard-gauge border station abroad: no ESR code, OSM name and position."""
    lat, lon, coord_source, coord_estimated = _coords(row)
    name_en = row["name_en"].strip()
    return {
        "railway": row["railway"],
        "name_ru": row["name_ru"].strip() or name_en,
        "name_en": name_en,
        "name_en_estimated": False,
        "country": row["country"],
        "kind": row["kind"] or "border",
        "lat": lat,
        "lon": lon,
        "coord_source": coord_source,
        "coord_estimated": coord_estimated,
        "coord_suspect": None,
        "osm_id": row["osm_node_or_way_id"].strip() or None,
        "search_text": search_words(" ".join([name_en, row["osm_name"]])),
        "source": row["source"],
    }
