"""Pure types of freight statistics: a shipment fact, directions, volume rows. No I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Direction(StrEnum):
    """A consignment's direction relative to a pair of countries (A, B), seen from A."""

    EXPORT = "export"  # origin in A, destination in B
    IMPORT = "import"  # origin in B, destination in A
    TRANSIT = "transit"  # one end in the pair, the other outside, the route through the other


class Breakdown(StrEnum):
    TOTAL = "total"
    COMMODITY = "commodity"
    MONTH = "month"
    QUARTER = "quarter"
    DIRECTION = "direction"
    RAILWAY = "railway"
    CROSSING = "crossing"  # border crossing ("exit/entry" ESR pair); counts on each one passed


SYNTHETIC_SOURCE = "synthetic"


@dataclass(frozen=True)
class Fact:
    """One consignment as statistics see it. Mass in kg, distance in tariff km (TR-4)."""

    consignment_no: str
    departure_date: date
    arrival_date: date | None
    origin_esr: str
    origin_railway: str
    origin_country: str
    destination_esr: str
    destination_railway: str
    destination_country: str
    route_countries: tuple[str, ...]
    route_railways: tuple[str, ...]
    border_crossings: tuple[str, ...]  # "exit/entry" ESR pairs in route order
    commodity_group: str
    etsng: str | None
    gng: str | None
    wagons: int
    containers_teu: int
    mass_kg: int
    tariff_km: int | None
    source: str
    synthetic: bool

    @property
    def tonne_km(self) -> int | None:
        """Tonne-km rounded half up to a whole tonne-km (mass in kg × km / 1000)."""
        if self.tariff_km is None:
            return None
        return (self.mass_kg * self.tariff_km + 500) // 1000


@dataclass(frozen=True)
class VolumeRow:
    """One line of a volume report: a key (month, commodity, ...) with this and last year."""

    key: str
    tonnes: int
    wagons: int
    facts: int
    previous_tonnes: int
    previous_wagons: int
    change_pct: float | None  # None when last year had nothing
    share_pct: float | None  # share of the report's total this year

    def to_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "tonnes": self.tonnes,
            "mt": round(self.tonnes / 1_000_000, 3),
            "wagons": self.wagons,
            "consignments": self.facts,
            "previous_year": {"tonnes": self.previous_tonnes, "wagons": self.previous_wagons},
            "change_pct": self.change_pct,
            "share_pct": self.share_pct,
        }


@dataclass(frozen=True)
class VolumeReport:
    year: int
    country_a: str
    country_b: str
    by: Breakdown
    total: VolumeRow
    rows: tuple[VolumeRow, ...] = field(default_factory=tuple)
    synthetic_included: bool = False

    def to_dict(self) -> dict[str, object]:
        return {
            "year": self.year,
            "previous_year": self.year - 1,
            "between": [self.country_a, self.country_b],
            "by": str(self.by),
            "total": self.total.to_dict(),
            "rows": [r.to_dict() for r in self.rows],
            "includes_synthetic": self.synthetic_included,
        }
