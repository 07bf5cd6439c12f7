"""Build :class:`NetworkData` from the shipped CSV files (``src/temir/data/network`` and ``tr4``).

Why a loader of its own: tests, benchmarks and a Temir with no reference data loaded can route
without a database (:mod:`temir.network.provider` falls back to it); the database path
(:func:`temir.network.repository.network_data`) yields the same ``NetworkData``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from pathlib import Path

from temir.network.routing.engine import Router
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

EDITION = "TR-4 2025-09-25"


def data_dir() -> Path:
    return Path(str(resources.files("temir") / "data"))


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def load_csv(root: Path | None = None) -> NetworkData:
    """Read the network and TR-4 CSV files under ``root`` (default: the shipped data)."""
    root = root or data_dir()
    net, tr4 = root / "network", root / "tr4"
    names: dict[str, str] = {}
    name_en: dict[str, str] = {}
    stations: dict[str, StationFacts] = {}
    for r in _rows(net / "stations.csv"):
        if r["esr_code"]:
            names[r["esr_code"]] = r["name_ru"]
            name_en[r["esr_code"]] = r["name_en"]
            stations[r["esr_code"]] = StationFacts(
                esr=r["esr_code"],
                name_ru=r["name_ru"],
                railway=r["railway"],
                country=r["country"],
                kind=r["kind"],
                operations=r["tr4_operations"],
            )

    sections: dict[tuple[str, str], Section] = {}
    for r in _rows(net / "sections.csv"):
        if r["railway"] in ("BORDER", "railway") or not r["tr4_section"]:
            continue
        key = (r["railway"], r["tr4_section"])
        sections.setdefault(
            key,
            Section(r["railway"], r["tr4_section"], r["tr4_section_title"], r["tr4_section_type"]),
        )
    points: list[SectionPoint] = []
    for r in _rows(net / "section_points.csv"):
        key = (r["railway"], r["tr4_section"])
        if key not in sections:
            sections[key] = Section(r["railway"], r["tr4_section"], r["tr4_section_title"], "")
        points.append(
            SectionPoint(
                r["railway"],
                r["tr4_section"],
                int(r["seq"]),
                r["esr_code"],
                r["name_ru"],
                int(r["km_from_section_start"]),
            )
        )
        names.setdefault(r["esr_code"], r["name_ru"])

    transit: list[StationTransit] = []
    without: list[tuple[str, str]] = []
    for r in _rows(tr4 / "station_transit_points.csv"):
        names.setdefault(r["esr_code"], r["name_ru"])
        if r["transit_esr"]:
            transit.append(
                StationTransit(r["railway"], r["esr_code"], r["transit_esr"], int(r["km"]))
            )
        else:
            without.append((r["railway"], r["esr_code"]))
    tps = tuple((r["railway"], r["esr_code"]) for r in _rows(tr4 / "transit_points.csv"))
    dists = tuple(
        TransitDistance(r["railway"], r["from_esr"], r["to_esr"], int(r["km"]))
        for r in _rows(tr4 / "transit_distances.csv")
    )
    borders: list[BorderCrossing] = []
    for r in _rows(net / "border_crossings.csv"):
        if not r["b_esr"] or not r["a_esr"]:
            continue  # a foreign side with no ESR code (China, Iran, Afghanistan): not routable
        borders.append(
            BorderCrossing(
                r["a_esr"],
                r["a_railway"],
                r["a_name_ru"],
                r["b_esr"],
                r["b_railway"],
                r["b_name_ru"],
                r["link_type"] if r["link_type"] in LINK_TYPES else "rail",
                r["confidence"] or "low",
            )
        )
        names.setdefault(r["a_esr"], r["a_name_ru"])
        names.setdefault(r["b_esr"], r["b_name_ru"])
    return NetworkData(
        sections=tuple(sections.values()),
        section_points=tuple(points),
        station_transit=tuple(transit),
        codes_without_transit=tuple(without),
        transit_points=tps,
        transit_distances=dists,
        borders=tuple(borders),
        names=names,
        name_en=name_en,
        edition=EDITION,
        stations=stations,
    )


@lru_cache(maxsize=1)
def shipped() -> NetworkData:
    """The shipped data, read once per process."""
    return load_csv()


@lru_cache(maxsize=1)
def shipped_router() -> Router:
    """The engine over the shipped data, built once per process (≈0.3 s) and shared."""
    return Router(shipped())
