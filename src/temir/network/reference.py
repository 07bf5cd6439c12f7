"""Reading the shipped reference CSVs into table rows. Pure: files in, plain dicts out.

Why here and not in the loader: the rules that turn TR-4 lines into places — which suffixes make
an additional code of the same station, which role a code plays, whose coordinates a place
takes, what is estimated — are domain decisions worth reading and testing without a database.

Each :class:`Dataset` names its files and edition; its digest is the SHA-256 of those files, so
the loader knows without reading rows whether anything changed.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from temir.codes.railways import RAILWAYS
from temir.kit.text import search_words, transliterate
from temir.network import quality

Row = dict[str, Any]

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

TR4_EDITION = "TR-4 2025-09-25"
TR4_SOURCE = (
    "TR-4 (Тарифное руководство №4, CIS Council for Rail Transport, edition 2025-09-25) via "
    "github.com/kuzyivan/telegram-bot-container-tracker-2 zdtarif_bot/data"
)
RAILWAYS_SOURCE = "OSJD/UIC railway codes: temir.codes.railways (domain.md §5)"

# TR-4 road names → railways of this dataset (Book 2 extract uses the same letter codes).
COUNTRY_OF_RAILWAY = {r.latin: r.country for r in RAILWAYS if r.latin}


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def digest_files(paths: Iterable[Path]) -> str:
    sha = hashlib.sha256()
    for path in paths:
        sha.update(path.name.encode())
        sha.update(b"\0")
        sha.update(path.read_bytes())
        sha.update(b"\0")
    return sha.hexdigest()


def _int_or_none(text: str) -> int | None:
    text = text.strip()
    return int(text) if text else None


def _float_or_none(text: str) -> float | None:
    text = text.strip()
    return float(text) if text else None


# ---------------------------------------------------------------- stations and their codes

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


# ---------------------------------------------------------------- network graph

PASSENGER_ONLY = "Для пассажирского движения"


def build_sections(data_dir: Path) -> list[Row]:
    rows = []
    for row in read_csv(data_dir / "network" / "sections.csv"):
        flag = row["estimated"].strip().lower()
        ferry = flag.startswith("n/a")
        rows.append(
            {
                "from_esr": row["from_esr"],
                "to_esr": row["to_esr"],
                # The ferry link has no rail tariff km: None, not a made-up 0.
                "km": None if ferry else _int_or_none(row["km"]),
                "railway": row["railway"],
                "tr4_section": row["tr4_section"].strip() or None,
                "tr4_section_title": row["tr4_section_title"] or None,
                "section_type": row["tr4_section_type"] or None,
                "freight": row["tr4_section_type"] != PASSENGER_ONLY,
                "estimated": flag == "true",
                "source": row["source"],
            }
        )
    return rows


def build_section_points(data_dir: Path) -> list[Row]:
    return [
        {
            "railway": row["railway"],
            "tr4_section": row["tr4_section"],
            "seq": int(row["seq"]),
            "tr4_section_title": row["tr4_section_title"],
            "esr": row["esr_code"],
            "name_ru": row["name_ru"],
            "km_from_start": int(row["km_from_section_start"]),
            "km_to_end": int(row["km_to_section_end"]),
        }
        for row in read_csv(data_dir / "network" / "section_points.csv")
    ]


def build_border_crossings(data_dir: Path) -> list[Row]:
    rows = []
    for row in read_csv(data_dir / "network" / "border_crossings.csv"):
        confidence = row["confidence"].strip()
        rows.append(
            {
                "a_esr": row["a_esr"],
                "a_railway": row["a_railway"],
                "a_country": row["a_country"],
                "a_name_ru": row["a_name_ru"],
                "a_name_en": row["a_name_en"],
                "b_esr": row["b_esr"].strip() or None,
                "b_railway": row["b_railway"],
                "b_country": row["b_country"],
                # A foreign station with no ESR code has no Russian name in the source.
                "b_name_ru": row["b_name_ru"].strip() or row["b_name_en"],
                "b_name_en": row["b_name_en"],
                "link_type": row["link_type"],
                "km_between": _int_or_none(row["km_between"]),
                "confidence": confidence,
                "estimated": confidence != "high",
                "basis": row["basis"],
                "source": row["source"],
            }
        )
    return rows


# ---------------------------------------------------------------- TR-4 Books 2 and 3


def build_transit_points(data_dir: Path) -> list[Row]:
    return [
        {"railway": r["railway"], "esr": r["esr_code"], "name_ru": r["name_ru"]}
        for r in read_csv(data_dir / "tr4" / "transit_points.csv")
    ]


def build_transit_distances(data_dir: Path) -> list[Row]:
    return [
        {
            "railway": r["railway"],
            "from_esr": r["from_esr"],
            "to_esr": r["to_esr"],
            "km": int(r["km"]),
        }
        for r in read_csv(data_dir / "tr4" / "transit_distances.csv")
    ]


def build_station_transit(data_dir: Path) -> list[Row]:
    """Book 2 station → transit point km; points with no transit-point list are left out."""
    return [
        {
            "railway": r["railway"],
            "esr": r["esr_code"],
            "transit_esr": r["transit_esr"],
            "km": int(r["km"]),
        }
        for r in read_csv(data_dir / "tr4" / "station_transit_points.csv")
        if r["transit_esr"].strip()
    ]


# ---------------------------------------------------------------- commodities


def build_commodities(data_dir: Path) -> list[Row]:
    rows = []
    for r in read_csv(data_dir / "cargo" / "commodities.csv"):
        words = " ".join([r["etsng_name_ru"], r["gng_name_ru"], r["group"]])
        rows.append(
            {
                "gng": r["gng"],
                "etsng": r["etsng"].strip() or None,
                "etsng_name_ru": r["etsng_name_ru"].strip() or None,
                "gng_name_ru": r["gng_name_ru"],
                "hs_heading": r["hs_heading"].strip() or None,
                "group": r["group"],
                "search_text": search_words(words),
                "verified": r["verified"],
                "source": r["source"],
            }
        )
    return rows


def build_gng(data_dir: Path) -> list[Row]:
    return [
        {
            "gng": r["gng"],
            "section": r["section"],
            "heading": r["heading"],
            "name_ru": r["name_ru"],
            "search_text": search_words(r["name_ru"]),
        }
        for r in read_csv(data_dir / "cargo" / "gng.csv")
    ]


def build_railways(_data_dir: Path) -> list[Row]:
    """Railways from :mod:`temir.codes.railways`; the key is the OSJD Latin abbreviation, or
    the numeric code where no source gives one (Estonia, Armenia)."""
    return [
        {
            "code": r.latin or r.numeric,
            "numeric_code": int(r.numeric),
            "name_ru": r.name_ru,
            "name_en": r.name_en,
            "short_ru": r.cyrillic,
            "country": r.country,
            "timezone": r.time_zone,
            "source": RAILWAYS_SOURCE,
        }
        for r in RAILWAYS
    ]


def railways_digest() -> str:
    payload = json.dumps(build_railways(DATA_DIR), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


# ---------------------------------------------------------------- the catalogue


@dataclass(frozen=True)
class Dataset:
    """One reference dataset: its files (relative to the data dir) and its edition."""

    name: str
    edition: str
    files: tuple[str, ...]
    salt: str = ""  # the version of a derived check whose result is stored with the rows

    def paths(self, data_dir: Path) -> Iterator[Path]:
        return (data_dir / f for f in self.files)

    def digest(self, data_dir: Path) -> str:
        if not self.files:
            return railways_digest()
        files = digest_files(self.paths(data_dir))
        if not self.salt:
            return files
        return hashlib.sha256((files + self.salt).encode()).hexdigest()


DATASETS: tuple[Dataset, ...] = (
    Dataset("railways", "OSJD codes (domain.md §5)", ()),
    Dataset(
        "stations",
        TR4_EDITION,
        (
            "network/stations.csv",
            "tr4/station_transit_points.csv",
            "tr4/transit_points.csv",
            # the coordinate check reads the sections too (quality.CHECK_VERSION salts it)
            "network/sections.csv",
            "network/section_points.csv",
        ),
        salt=quality.CHECK_VERSION,
    ),
    Dataset("sections", TR4_EDITION, ("network/sections.csv",)),
    Dataset("section_points", TR4_EDITION, ("network/section_points.csv",)),
    Dataset("border_crossings", TR4_EDITION, ("network/border_crossings.csv",)),
    Dataset("tr4_transit_points", TR4_EDITION, ("tr4/transit_points.csv",)),
    Dataset("tr4_transit_distances", TR4_EDITION, ("tr4/transit_distances.csv",)),
    Dataset("tr4_station_transit", TR4_EDITION, ("tr4/station_transit_points.csv",)),
    Dataset("commodities", "curated (see data/cargo/SOURCES.md)", ("cargo/commodities.csv",)),
    Dataset("gng", "GNG, edition unknown", ("cargo/gng.csv",)),
)

BUILDERS: dict[str, Callable[[Path], list[Row]]] = {
    "railways": build_railways,
    "sections": build_sections,
    "section_points": build_section_points,
    "border_crossings": build_border_crossings,
    "tr4_transit_points": build_transit_points,
    "tr4_transit_distances": build_transit_distances,
    "tr4_station_transit": build_station_transit,
    "commodities": build_commodities,
    "gng": build_gng,
}
