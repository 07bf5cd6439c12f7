"""TR-4 figures that must not be used as printed, found from the books themselves.

Why: each railway's Books 2 and 3 are the official tariff km, but some printed figures give users
wrong routes if taken at face value (issue 11, item 3). They are decided against the railway's
own freight Book 1 network — the one independent measure the books give — so a new edition is
checked by the same rules, with no list kept by hand (``src/temir/data/SOURCES.md`` lists what
they find in the shipped edition).

**Misprinted Book 2 rows.** A station→transit point km under half of every Book 1 route between
the two, which Book 3 contradicts through the station's other transit points (the printed km
and the other point's km add up to less than Book 3 between the two points), or which no other
point backs. It is read as Book 1 proves it: the transit point that lies on a common section at
exactly the printed km (Тудакул → "Каракалпакстан (эксп.)" 26 is Тудакул → Бухара I 26,
section 73-003), else the Book 1 km to the printed point when they share a section (Бостан (рзд)
→ Каракалпакстан (эксп.) 0 is 83 on 73-034), else the row is dropped.

Pure module: plain data in, plain data out.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from temir.network.routing.distances import book1_shortest, shortest_from
from temir.network.routing.model import NetworkData, StationTransit

FAR_BELOW = 2
"""A Book 2 km is "far below" Book 1 when Book 1's shortest route is over this many times it."""


@dataclass(frozen=True)
class Book2Correction:
    """A misprinted Book 2 row and how the engine reads it instead."""

    railway: str
    esr: str
    printed_transit_esr: str
    printed_km: int
    book1_km: int  # shortest route to the printed transit point inside the railway's Book 1
    action: str  # misprinted_transit_point | misprinted_km | dropped
    transit_esr: str | None  # the transit point read instead (None: dropped)
    km: int | None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class SourceFindings:
    """What :func:`find` found; :meth:`apply` gives the data the engine routes on."""

    book2: tuple[Book2Correction, ...]

    def apply(self, data: NetworkData) -> NetworkData:
        """``data`` with the misprinted Book 2 rows read as Book 1 proves them."""
        if not self.book2:
            return data
        fixes = {(c.railway, c.esr, c.printed_transit_esr): c for c in self.book2}
        transit: list[StationTransit] = []
        kept: set[tuple[str, str]] = set()
        for s in data.station_transit:
            fix = fixes.get((s.railway, s.esr, s.transit_esr))
            if fix is not None:
                if fix.transit_esr is None or fix.km is None:
                    continue
                s = StationTransit(s.railway, s.esr, fix.transit_esr, fix.km)
            transit.append(s)
            kept.add((s.railway, s.esr))
        orphans = {
            (s.railway, s.esr) for s in data.station_transit if (s.railway, s.esr) not in kept
        }
        return dataclasses.replace(
            data,
            station_transit=tuple(transit),
            codes_without_transit=(*data.codes_without_transit, *sorted(orphans)),
        )


class _Books:
    """One railway's printed figures and its own Book 1 shortest routes (memoised)."""

    def __init__(self, data: NetworkData, railway: str) -> None:
        self.railway = railway
        self.index, self.adjacency = book1_shortest(data, railway)
        self._from: dict[int, dict[int, int]] = {}
        self.tps = {esr for rw, esr in data.transit_points if rw == railway}
        self.b3: dict[frozenset[str], int] = {
            frozenset((d.a_esr, d.b_esr)): d.km
            for d in data.transit_distances
            if d.railway == railway
        }
        self.b2: dict[str, dict[str, int]] = defaultdict(dict)
        for s in data.station_transit:
            if s.railway == railway:
                self.b2[s.esr][s.transit_esr] = s.km
        self.sections: dict[str, dict[str, int]] = defaultdict(dict)
        freight = {
            s.section for s in data.sections if s.railway == railway and not s.passenger_only
        }
        for p in data.section_points:
            if p.railway == railway and p.section in freight:
                self.sections[p.section][p.esr] = p.km_from_start

    def own(self, a: str, b: str) -> int | None:
        """Shortest route a→b inside the railway's own freight Book 1 network (None: none)."""
        if a == b:
            return 0
        ia, ib = self.index.get(a), self.index.get(b)
        if ia is None or ib is None:
            return None
        if ia not in self._from:
            self._from[ia] = shortest_from(self.adjacency, ia)
        return self._from[ia].get(ib)


def _book2_error(b: _Books, esr: str, tp: str, km: int) -> Book2Correction | None:
    own = b.own(esr, tp)
    if own is None or km * FAR_BELOW >= own:
        return None
    for other, other_km in b.b2[esr].items():
        cell = b.b3.get(frozenset((tp, other)))
        if other != tp and cell is not None and cell <= km + other_km:
            return None  # Book 3 agrees: tp–esr–other is no shorter than Book 3 between them
    shared = [pts for pts in b.sections.values() if esr in pts]
    for pts in shared:
        for point, at in sorted(pts.items()):
            if point in b.tps and point not in b.b2[esr] and abs(at - pts[esr]) == km:
                return Book2Correction(
                    b.railway, esr, tp, km, own, "misprinted_transit_point", point, km
                )
    on_section = [abs(pts[tp] - pts[esr]) for pts in shared if tp in pts]
    if on_section:
        return Book2Correction(b.railway, esr, tp, km, own, "misprinted_km", tp, min(on_section))
    return Book2Correction(b.railway, esr, tp, km, own, "dropped", None, None)


def find(data: NetworkData) -> SourceFindings:
    """Every misprinted Book 2 row of the data's railways."""
    books: dict[str, _Books] = {}
    fixes: list[Book2Correction] = []
    for s in data.station_transit:
        if s.esr == s.transit_esr:
            continue
        b = books.get(s.railway)
        if b is None:
            b = books[s.railway] = _Books(data, s.railway)
        fix = _book2_error(b, s.esr, s.transit_esr, s.km)
        if fix is not None:
            fixes.append(fix)
    return SourceFindings(tuple(fixes))
