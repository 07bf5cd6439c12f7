"""Synthetic demo consignments that add up to the published KZ–TJ figures. Pure.

How the figures are met exactly (the rounding rules):

1. Every target is a whole number of tonnes (``published.csv``; derived values rounded half to
   even there). A year's total is split into series (flow × commodity group) and each series
   into months by the largest-remainder method, so every split sums to its parent exactly.
2. Each series × month cell of M tonnes becomes ``round(M / mean load)`` wagons whose loads are
   drawn within the group's wagon-load range and then scaled so that they sum to exactly
   ``M × 1000`` kg (the few kg left by integer scaling go one each to the first wagons).
3. Wagons are grouped into consignments (single wagons, groups, block trains); a consignment's
   mass is the sum of its wagons. So the records add up to the published figures to the kg.

What is published and what is assumed: the annual totals, KZ→TJ exports, grain exports, the
Jan–Jul totals and the Jan–Jul oil-product transit come from ``published.csv``. Everything
else — the split of the rest between import and transit and across commodity groups, the
Aug–Dec oil-transit rate, the monthly profiles (grain: domain2 §4.3, *derived*), wagon loads
where domain2 §4.4 has none, consignment sizes, the spread over origin stations (and so
over border crossings), transit days — is a demo assumption, and every
generated fact carries ``synthetic=True``.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np

from temir.stats import data
from temir.stats.volumes.model import SYNTHETIC_SOURCE, Fact

PAIR = ("KZ", "TJ")
JAN_JUL = range(1, 8)
AUG_DEC = range(8, 13)

# Monthly weights, Jan..Dec. Grain follows domain2 §4.3 (derived ⚠️): peak Sep–Dec at about
# 1.5–1.7× the monthly mean, a slower Jan–Mar, a trough May–Jul before the harvest.
PROFILES: dict[str, tuple[float, ...]] = {
    "grain": (0.9, 0.85, 0.85, 0.7, 0.55, 0.5, 0.55, 0.8, 1.5, 1.7, 1.7, 1.6),
    "flour": (1.05, 1.0, 1.0, 0.95, 0.85, 0.85, 0.85, 0.95, 1.1, 1.15, 1.15, 1.1),
    "cement": (0.7, 0.7, 0.9, 1.1, 1.15, 1.15, 1.15, 1.15, 1.1, 1.05, 0.95, 0.8),
    "fruit_vegetables": (0.6, 0.5, 0.5, 0.6, 0.8, 1.0, 1.3, 1.5, 1.6, 1.6, 1.1, 0.9),
    "cotton": (1.3, 1.2, 1.1, 0.9, 0.7, 0.6, 0.6, 0.7, 0.9, 1.2, 1.4, 1.4),
    "flat": (1.0,) * 12,
}

# Synthetic assumption: KZ→TJ exports other than grain, by group (the six published groups).
EXPORT_MIX = {
    "flour": 30,
    "oil_products": 25,
    "ferrous_metals": 20,
    "nonferrous_ore": 15,
    "vegetable_oil": 10,
}
# Synthetic assumption: what is left of the total after exports and oil-product transit.
REST_MIX = {
    ("ru_tj", "ferrous_metals"): 200,
    ("tj_ru", "aluminium"): 225,
    ("tj_ru", "cotton"): 158,
    ("tj_ru", "fruit_vegetables"): 67,
    ("tj_kz", "cement"): 140,
    ("tj_kz", "fruit_vegetables"): 105,
    ("tj_kz", "aluminium"): 53,
    ("tj_kz", "cotton"): 52,
}
#: The series that absorbs the difference so that Jan–Jul totals meet their published figure.
BALANCING = ("tj_ru", "aluminium")

# Stations (real ESR codes, see lanes.csv) each series loads at and delivers to.
DUSHANBE_II, REGAR, VAKHDAT = "745309", "745807", "745008"
KHUJAND, KANIBADAM, ISFARA = "747802", "748006", "748504"
KULYAB, DANGARA_NPZ, KHATLON = "748909", "938701", "746405"
ALMATY_1, SHYMKENT, ASTANA_1, TARAZ = "700007", "698606", "690002", "706304"
ORENBURG, NIKEL, KARTALY_I, BARNAUL = "811905", "814301", "816203", "840109"
# The three refineries of Kazakhstan. Атырау's tariff route to Tajikistan enters Uzbekistan at
# Оазис (рзд)–Каракалпакстан (Beyneu–Kungrad line), the others' at Сарыагаш–Келес (lanes.csv).
PAVLODAR, ATYRAU = "696206", "661705"
TJ_GENERAL = (DUSHANBE_II, REGAR, VAKHDAT, KHUJAND, KANIBADAM, ISFARA, KULYAB, KHATLON)
STATIONS: dict[tuple[str, str], tuple[tuple[str, ...], tuple[str, ...]]] = {
    ("kz_tj", "grain"): (("684001", "687008", ASTANA_1, "680000"), TJ_GENERAL),
    ("kz_tj", "flour"): (("684001", ASTANA_1, SHYMKENT), TJ_GENERAL),
    ("kz_tj", "oil_products"): (
        (PAVLODAR, SHYMKENT, ATYRAU),
        (DUSHANBE_II, KHUJAND, DANGARA_NPZ, KHATLON, KULYAB),
    ),
    ("kz_tj", "ferrous_metals"): (("674300", "695701"), (DUSHANBE_II, KHUJAND, VAKHDAT, KHATLON)),
    ("kz_tj", "nonferrous_ore"): (("677008", "677506", "713702"), (REGAR, DUSHANBE_II, KHUJAND)),
    ("kz_tj", "vegetable_oil"): (("713702", "709508"), (DUSHANBE_II, KHUJAND, KULYAB, KHATLON)),
    ("ru_tj", "oil_products"): (
        (ORENBURG, NIKEL),
        (DUSHANBE_II, KHUJAND, DANGARA_NPZ, KHATLON, KULYAB),
    ),
    ("ru_tj", "ferrous_metals"): ((KARTALY_I, NIKEL), (DUSHANBE_II, KHUJAND, VAKHDAT)),
    ("tj_ru", "aluminium"): ((REGAR,), (ORENBURG, NIKEL, KARTALY_I, BARNAUL)),
    ("tj_ru", "cotton"): ((KHATLON, KULYAB, KHUJAND), (BARNAUL, ORENBURG)),
    ("tj_ru", "fruit_vegetables"): ((KHUJAND, ISFARA, KANIBADAM), (ORENBURG, KARTALY_I, BARNAUL)),
    ("tj_kz", "aluminium"): ((REGAR,), (ALMATY_1, SHYMKENT, ASTANA_1)),
    ("tj_kz", "cotton"): ((KHATLON, KULYAB, KHUJAND), (ALMATY_1, SHYMKENT, TARAZ)),
    ("tj_kz", "fruit_vegetables"): (
        (KHUJAND, ISFARA, KANIBADAM),
        (ALMATY_1, ASTANA_1, SHYMKENT, TARAZ),
    ),
    ("tj_kz", "cement"): ((DUSHANBE_II, KHATLON), (SHYMKENT, TARAZ, ALMATY_1)),
}

# Synthetic assumption: how a series' consignments are spread over its origins, where not evenly
# (weights in the order of STATIONS). KZ→TJ oil products: Павлодар 40 %, Шымкент 30 %,
# Атырау 30 % — a demo share (no published split by refinery), so that the western crossing
# Оазис–Каракалпакстан carries part of the flow as it does in reality (domain2 §2.4).
ORIGIN_WEIGHTS: dict[tuple[str, str], tuple[float, ...]] = {
    ("kz_tj", "oil_products"): (0.4, 0.3, 0.3),
}

# Consignment sizes in wagons: (probability, smallest, largest). Synthetic assumption.
SIZES = {
    "grain": ((0.35, 1, 1), (0.30, 2, 5), (0.20, 6, 20), (0.15, 50, 57)),
    "fruit_vegetables": ((0.6, 1, 1), (0.4, 2, 3)),
    "default": ((0.45, 1, 1), (0.35, 2, 5), (0.20, 6, 20)),
}


def half_even(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def allocate(total: int, weights: Sequence[float | int]) -> list[int]:
    """Split a whole number by weights so the parts are whole and sum exactly to ``total``.

    Largest-remainder method; ties go to the earlier part, so the split is deterministic.
    """
    if total < 0:
        raise ValueError("cannot allocate a negative amount")
    weight_sum = sum(weights)
    if weight_sum <= 0:
        raise ValueError("weights must sum to more than zero")
    exact = [Decimal(total) * Decimal(str(w)) / Decimal(str(weight_sum)) for w in weights]
    parts = [int(x) for x in exact]  # floor: all non-negative
    left = total - sum(parts)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return parts


@dataclass(frozen=True)
class YearTargets:
    """The published (or derived) figures one demo year is calibrated to, in tonnes."""

    year: int
    total: int
    export: int
    export_grain: int
    jan_jul_total: int
    jan_jul_oil_transit: int


def year_targets(year: int) -> YearTargets:
    """Read one year's targets from ``published.csv``.

    The Jan–Jul total of a year published only as a lower bound with a change ("> 3.1 Mt,
    +15 %") is taken as last year's Jan–Jul × (1 + change), rounded half to even, and must
    respect the bound.
    """
    try:
        total = data.published(f"kz_tj_{year}_all").tonnes
        export = data.published(f"kz_tj_{year}_export").tonnes
        grain = data.published(f"kz_tj_{year}_export_grain").tonnes
        oil = data.published(f"kz_tj_{year}_jan_jul_transit_oil").tonnes
        jan_jul = data.published(f"kz_tj_{year}_jan_jul_all")
    except KeyError as missing:
        raise ValueError(f"no published figures for {year}: {missing}") from None
    jan_jul_total = jan_jul.tonnes
    if jan_jul.kind == "lower_bound":
        if jan_jul.change_pct is None:
            raise ValueError(f"{jan_jul.id}: a lower bound needs a change to derive a value")
        previous = data.published(f"kz_tj_{year - 1}_jan_jul_all").tonnes
        jan_jul_total = half_even(Decimal(previous) * (1 + jan_jul.change_pct / 100))
        if jan_jul_total < jan_jul.tonnes:
            raise ValueError(f"{jan_jul.id}: derived {jan_jul_total} t is below the bound")
    return YearTargets(year, total, export, grain, jan_jul_total, oil)


Cells = dict[tuple[str, str], list[int]]  # (flow, group) -> tonnes per month


def monthly_plan(targets: YearTargets) -> Cells:
    """Tonnes per (flow, commodity group) and month; every published figure met exactly."""
    cells: Cells = {}
    cells[("kz_tj", "grain")] = allocate(targets.export_grain, PROFILES["grain"])
    rest_of_export = allocate(targets.export - targets.export_grain, list(EXPORT_MIX.values()))
    for group, tonnes in zip(EXPORT_MIX, rest_of_export, strict=True):
        cells[("kz_tj", group)] = allocate(tonnes, PROFILES.get(group, PROFILES["flat"]))
    # Oil-product transit: Jan–Jul as published, Aug–Dec at the same monthly rate (assumption).
    oil_jan_jul = targets.jan_jul_oil_transit
    oil_aug_dec = half_even(Decimal(oil_jan_jul) * 5 / 7)
    cells[("ru_tj", "oil_products")] = allocate(oil_jan_jul, [1] * 7) + allocate(
        oil_aug_dec, [1] * 5
    )
    rest = targets.total - targets.export - oil_jan_jul - oil_aug_dec
    if rest < 0:
        raise ValueError(f"{targets.year}: exports and oil transit exceed the total")
    for key, tonnes in zip(REST_MIX, allocate(rest, list(REST_MIX.values())), strict=True):
        if key == BALANCING:
            continue
        cells[key] = allocate(tonnes, PROFILES.get(key[1], PROFILES["flat"]))
    balancing_total = allocate(rest, list(REST_MIX.values()))[list(REST_MIX).index(BALANCING)]
    others_jan_jul = sum(sum(months[:7]) for months in cells.values())
    balancing_jan_jul = targets.jan_jul_total - others_jan_jul
    if not 0 <= balancing_jan_jul <= balancing_total:
        raise ValueError(f"{targets.year}: the Jan–Jul total cannot be met with this mix")
    cells[BALANCING] = allocate(balancing_jan_jul, [1] * 7) + allocate(
        balancing_total - balancing_jan_jul, [1] * 5
    )
    return cells


def _wagon_loads(rng: np.random.Generator, mass_kg: int, lo: int, hi: int) -> list[int]:
    """Whole-kg wagon loads within about [lo, hi] that sum to exactly ``mass_kg``."""
    wagons = max(1, round(mass_kg / ((lo + hi) / 2)))
    drawn = rng.integers(lo, hi + 1, size=wagons).astype(np.int64)
    scaled = drawn * mass_kg // int(drawn.sum())
    left = mass_kg - int(scaled.sum())
    scaled[:left] += 1  # left < wagons: one kg each to the first wagons
    return [int(x) for x in scaled]


def _consignment_sizes(rng: np.random.Generator, group: str, wagons: int) -> list[int]:
    buckets = SIZES.get(group, SIZES["default"])
    probabilities = [b[0] for b in buckets]
    sizes: list[int] = []
    left = wagons
    while left > 0:
        _, lo, hi = buckets[int(rng.choice(len(buckets), p=probabilities))]
        size = min(left, int(rng.integers(lo, hi + 1)))
        sizes.append(size)
        left -= size
    return sizes


def _origin_picker(
    rng: np.random.Generator, origins: Sequence[str], weights: Sequence[float] | None
) -> Callable[[], str]:
    """Draw an origin: evenly, or by ``weights`` (one per origin, summing to 1)."""
    if weights is None:
        return lambda: origins[int(rng.integers(len(origins)))]
    if len(weights) != len(origins) or abs(sum(weights) - 1) > 1e-9:
        raise ValueError("origin weights must give one share per origin and sum to 1")
    shares = list(weights)
    return lambda: origins[int(rng.choice(len(origins), p=shares))]


def generate(
    seed: int,
    years: Sequence[int] = (2024, 2025),
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[Fact]:
    """Yield the synthetic facts of ``years``; the same seed always yields the same facts.

    ``progress(done, total)`` is called once per series × month cell.
    """
    rng = np.random.default_rng(seed)
    groups = data.commodity_groups()
    lanes = data.lanes()
    plans = [(year, monthly_plan(year_targets(year))) for year in years]
    total_cells = sum(len(cells) * 12 for _, cells in plans)
    done = 0
    number = 0
    for year, cells in plans:
        for (flow, group_code), months in sorted(cells.items()):
            group = groups[group_code]
            origins, destinations = STATIONS[(flow, group_code)]
            pick_origin = _origin_picker(rng, origins, ORIGIN_WEIGHTS.get((flow, group_code)))
            for month, tonnes in enumerate(months, start=1):
                done += 1
                if progress:
                    progress(done, total_cells)
                if tonnes == 0:
                    continue
                loads = _wagon_loads(rng, tonnes * 1000, group.load_kg_min, group.load_kg_max)
                days_in_month = calendar.monthrange(year, month)[1]
                start = 0
                for size in _consignment_sizes(rng, group_code, len(loads)):
                    number += 1
                    lane = lanes[
                        (
                            pick_origin(),
                            destinations[int(rng.integers(len(destinations)))],
                        )
                    ]
                    departure = date(year, month, int(rng.integers(1, days_in_month + 1)))
                    # Transit time: a demo model (domain2 §4.5 has no measured figure).
                    days = math.ceil(lane.tariff_km / float(rng.uniform(250, 450)))
                    days += int(rng.integers(1, 7))  # border dwell
                    yield Fact(
                        consignment_no=f"SYN{seed}-{year}-{number:06d}",
                        departure_date=departure,
                        arrival_date=departure + timedelta(days=days),
                        origin_esr=lane.origin_esr,
                        origin_railway=lane.origin_railway,
                        origin_country=lane.origin_country,
                        destination_esr=lane.destination_esr,
                        destination_railway=lane.destination_railway,
                        destination_country=lane.destination_country,
                        route_countries=lane.route_countries,
                        route_railways=lane.route_railways,
                        border_crossings=lane.crossings,
                        commodity_group=group_code,
                        etsng=group.etsng,
                        gng=group.gng,
                        wagons=size,
                        containers_teu=size * group.teu_per_wagon,
                        mass_kg=sum(loads[start : start + size]),
                        tariff_km=lane.tariff_km,
                        source=SYNTHETIC_SOURCE,
                        synthetic=True,
                    )
                    start += size
