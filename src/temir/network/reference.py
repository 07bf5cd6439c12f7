"""Reading the shipped reference CSVs into table rows, and the catalogue of datasets. Pure.

Why here and not in the loader: which file feeds which table, what is estimated (a ferry with no
km, an inferred border pairing) and which edition a dataset is are facts worth reading and
testing without a database. Stations and their codes take more rules than a row-for-row read;
they are built by :mod:`temir.network.places`.

Each :class:`Dataset` names its files and edition; its digest is the SHA-256 of those files, so
the loader knows without reading rows whether anything changed.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from temir.codes.railways import RAILWAYS
from temir.kit.text import search_words
from temir.network import quality

Row = dict[str, Any]

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

TR4_EDITION = "TR-4 2025-09-25"
TR4_SOURCE = (
    "TR-4 (Тарифное руководство №4, CIS Council for Rail Transport, edition 2025-09-25) via "
    "github.com/kuzyivan/telegram-bot-container-tracker-2 zdtarif_bot/data"
)
RAILWAYS_SOURCE = "OSJD/UIC railway codes: temir.codes.railways (domain.md §5)"


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


# Part of the stations dataset's digest: a new column of the station rows is filled on next load.
STATION_ROWS = "codes carry their node kind (migration 0008)"

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
        salt=f"{quality.CHECK_VERSION}; {STATION_ROWS}",
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
