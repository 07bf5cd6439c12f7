"""Data-quality checks on station positions: a coordinate is a claim, and some claims are wrong.

Why: most positions come from matching TR-4 names to OpenStreetMap names. A few matched a
namesake hundreds of km away (Бастау (рзд) 663912 near 52 N 77 E, while its neighbours on the
line lie near 43 N 53 E). A map that draws such a point as fact shows a railway that does not
exist. The tariff km between adjacent stations is an official figure, and a straight line is
never longer than the track, so a position further from *every* positioned neighbour than its
tariff km allows (``km × 1.25 + 10``: curves, and station points that are not the same spot as
the km post) is flagged as suspect. The route's km never depend on positions.

Pure module: positions and sections in, findings out.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

EARTH_RADIUS_KM = 6371.0088
FACTOR = 1.25
SLACK_KM = 10.0
# Part of the stations dataset's digest: a changed rule re-flags the loaded rows on next load.
CHECK_VERSION = "coord-suspect-1 (km × 1.25 + 10, all positioned neighbours)"

LatLon = tuple[float, float]


def great_circle_km(a: LatLon, b: LatLon) -> float:
    """Haversine distance on the mean Earth sphere (error < 0.5 %, far below the slack)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def allowed_km(tariff_km: int) -> float:
    """The furthest two adjacent stations may plausibly lie apart, as the crow flies."""
    return tariff_km * FACTOR + SLACK_KM


@dataclass(frozen=True)
class Link:
    """One tariff section between two adjacent codes of one railway, with its tariff km."""

    a_esr: str
    b_esr: str
    km: int
    railway: str


@dataclass(frozen=True)
class SuspectCoordinate:
    """A position that no positioned neighbour confirms; ``nearest_*`` is the closest one."""

    esr: str
    railway: str
    neighbours: int  # positioned neighbours, all too far
    nearest_esr: str
    distance_km: int  # great-circle km to the nearest positioned neighbour
    tariff_km: int  # tariff km to that neighbour

    @property
    def excess_km(self) -> float:
        """How far beyond the allowed distance the nearest neighbour lies (the ranking key)."""
        return self.distance_km - allowed_km(self.tariff_km)

    @property
    def reason(self) -> str:
        """Why, in one line (stored with the station; English, as in the data files)."""
        return (
            f"{self.distance_km} km from its nearest positioned neighbour {self.nearest_esr},"
            f" {self.tariff_km} tariff km away ({self.neighbours} positioned neighbour(s)):"
            " probably a namesake elsewhere"
        )


def suspect_coordinates(
    positions: Mapping[str, LatLon],
    railway_of: Mapping[str, str],
    links: Iterable[Link],
) -> dict[str, SuspectCoordinate]:
    """Codes whose position is further than allowed from ALL of their positioned neighbours.

    Neighbours are the other ends of the code's tariff sections on the same railway (both codes
    belong to the link's railway); the shortest tariff km counts when a pair has several
    sections. A code with no positioned neighbour cannot be checked and is not flagged.
    An end station whose only neighbour is wrongly placed is flagged too: with one neighbour
    the check cannot tell which of the two positions is wrong, so both are doubted.
    """
    adjacent: dict[str, dict[str, int]] = defaultdict(dict)
    for link in links:
        if link.a_esr == link.b_esr:
            continue
        if railway_of.get(link.a_esr) != link.railway or railway_of.get(link.b_esr) != link.railway:
            continue
        for here, there in ((link.a_esr, link.b_esr), (link.b_esr, link.a_esr)):
            known = adjacent[here].get(there)
            adjacent[here][there] = link.km if known is None else min(known, link.km)
    return _check(positions, railway_of, adjacent)


def _check(
    positions: Mapping[str, LatLon],
    railway_of: Mapping[str, str],
    adjacent: Mapping[str, Mapping[str, int]],
) -> dict[str, SuspectCoordinate]:
    out: dict[str, SuspectCoordinate] = {}
    for esr, where in positions.items():
        placed = [(n, km) for n, km in adjacent.get(esr, {}).items() if n in positions]
        if not placed:
            continue
        measured = [(great_circle_km(where, positions[n]), n, km) for n, km in placed]
        if all(dist > allowed_km(km) for dist, _n, km in measured):
            dist, nearest, km = min(measured, key=lambda m: m[0] - allowed_km(m[2]))
            out[esr] = SuspectCoordinate(
                esr, railway_of[esr], len(measured), nearest, round(dist), km
            )
    return out


def worst(suspects: Mapping[str, SuspectCoordinate], count: int = 10) -> list[SuspectCoordinate]:
    """The ``count`` suspects furthest beyond their allowed distance, worst first."""
    return sorted(suspects.values(), key=lambda s: (-s.excess_km, s.esr))[:count]
