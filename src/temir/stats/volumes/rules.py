"""Statistics rules that read like the rulebook: direction of a consignment, changes, shares,
report tonnes.

Pure: no I/O. The repository uses :func:`temir.stats.volumes.repository.direction_case` to say
the same thing in SQL.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from temir.stats.volumes.model import Direction


def classify(
    origin_country: str,
    destination_country: str,
    route_countries: tuple[str, ...] | list[str],
    a: str,
    b: str,
) -> Direction | None:
    """The direction of a consignment relative to the pair (A, B), seen from A; None if unrelated.

    * export: from A to B; import: from B to A;
    * transit: exactly one end in the pair and the route passes through the other country of
      the pair (Russian oil products to Tajikistan via Kazakhstan are KZ–TJ transit);
    * a consignment that only passes through A or B with neither end in the pair, or that stays
      inside one country, is not KZ–TJ traffic.
    """
    if a == b:
        raise ValueError("a country pair needs two different countries")
    if origin_country == a and destination_country == b:
        return Direction.EXPORT
    if origin_country == b and destination_country == a:
        return Direction.IMPORT
    ends = {origin_country, destination_country}
    in_pair = ends & {a, b}
    if len(in_pair) != 1 or origin_country == destination_country:
        return None
    (end,) = in_pair
    other = b if end == a else a
    return Direction.TRANSIT if other in route_countries else None


def change_pct(current: int, previous: int) -> float | None:
    """Year-on-year change in per cent, one decimal; None when there is nothing to compare with."""
    if previous == 0:
        return None
    return round((current - previous) * 100 / previous, 1)


def share_pct(part: int, whole: int) -> float | None:
    if whole == 0:
        return None
    return round(part * 100 / whole, 1)


def quarter_of(month: int) -> int:
    return (month - 1) // 3 + 1


def tonnes_of(mass_kg: int) -> int:
    """Report tonnes: the sum of kg first, then rounded half to even to a whole tonne."""
    return int((Decimal(mass_kg) / 1000).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
