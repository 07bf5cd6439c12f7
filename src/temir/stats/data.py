"""The packaged statistics data (``temir/data/stats``): published figures, commodity groups, lanes.

Pure: reads CSV files shipped with the package, nothing else.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "stats"

#: Which country each railway's network lies in (for the countries a route passes).
RAILWAY_COUNTRY = {
    "KZH": "KZ",
    "UTI": "UZ",
    "TDZ": "TJ",
    "KRG": "KG",
    "TRK": "TM",
    "RZD": "RU",
}


@dataclass(frozen=True)
class PublishedFigure:
    id: str
    period_from: date
    period_to: date
    country_a: str
    country_b: str
    direction: str  # all | export | import | transit
    commodity_group: str | None
    tonnes: int
    change_pct: Decimal | None
    kind: str  # reported | derived | lower_bound
    confidence: str
    source: str
    note: str


@dataclass(frozen=True)
class CommodityGroup:
    code: str
    name_en: str
    name_ru: str
    cargo_groups: tuple[str, ...]
    etsng: str | None
    gng: str | None
    wagon_kind: str
    load_kg_min: int
    load_kg_max: int
    teu_per_wagon: int


@dataclass(frozen=True)
class Lane:
    lane: str
    kind: str  # kz_tj | tj_kz | ru_tj | tj_ru
    origin_esr: str
    origin_railway: str
    origin_country: str
    destination_esr: str
    destination_railway: str
    destination_country: str
    crossings: tuple[str, ...]
    route_railways: tuple[str, ...]
    tariff_km: int
    tariff_km_complete: bool

    @property
    def route_countries(self) -> tuple[str, ...]:
        return tuple(RAILWAY_COUNTRY[r] for r in self.route_railways)


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@functools.cache
def published_figures() -> tuple[PublishedFigure, ...]:
    return tuple(
        PublishedFigure(
            id=r["id"],
            period_from=date.fromisoformat(r["period_from"]),
            period_to=date.fromisoformat(r["period_to"]),
            country_a=r["country_a"],
            country_b=r["country_b"],
            direction=r["direction"],
            commodity_group=r["commodity_group"] or None,
            tonnes=int(r["tonnes"]),
            change_pct=Decimal(r["change_pct"]) if r["change_pct"] else None,
            kind=r["kind"],
            confidence=r["confidence"],
            source=r["source"],
            note=r["note"],
        )
        for r in _rows("published.csv")
    )


def published(figure_id: str) -> PublishedFigure:
    for figure in published_figures():
        if figure.id == figure_id:
            return figure
    raise KeyError(figure_id)


@functools.cache
def commodity_groups() -> dict[str, CommodityGroup]:
    out = {}
    for r in _rows("commodity_groups.csv"):
        out[r["code"]] = CommodityGroup(
            code=r["code"],
            name_en=r["name_en"],
            name_ru=r["name_ru"],
            cargo_groups=tuple(r["cargo_groups"].split()),
            etsng=r["etsng"] or None,
            gng=r["gng"] or None,
            wagon_kind=r["wagon_kind"],
            load_kg_min=int(r["load_t_min"] or 0) * 1000,
            load_kg_max=int(r["load_t_max"] or 0) * 1000,
            teu_per_wagon=int(r["teu_per_wagon"] or 0),
        )
    return out


@functools.cache
def lanes() -> dict[tuple[str, str], Lane]:
    """Demo lanes keyed by (origin ESR, destination ESR)."""
    out = {}
    for r in _rows("lanes.csv"):
        railways = tuple(leg.split(":")[0] for leg in r["km_by_railway"].split(";"))
        lane = Lane(
            lane=r["lane"],
            kind=r["kind"],
            origin_esr=r["origin_esr"],
            origin_railway=r["origin_railway"],
            origin_country=r["origin_country"],
            destination_esr=r["destination_esr"],
            destination_railway=r["destination_railway"],
            destination_country=r["destination_country"],
            crossings=tuple(r["crossings"].split()),
            route_railways=railways,
            tariff_km=int(r["tariff_km"]),
            tariff_km_complete=r["tariff_km_complete"] == "yes",
        )
        out[(lane.origin_esr, lane.destination_esr)] = lane
    return out
