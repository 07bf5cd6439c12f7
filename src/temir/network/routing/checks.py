"""TR-4 figures that must not be used as printed, found from the books themselves.

Why: each railway's Books 2 and 3 are the official tariff km, but some printed figures give users
wrong routes if taken at face value (issue 11, items 1 and 3). They are decided against the
railway's own freight Book 1 network — the one independent measure the books give — so a new
edition is checked by the same rules, with no list kept by hand (``src/temir/data/SOURCES.md``
lists what they find in the shipped edition; ``temir tariff data-quality`` shows them).

**Hidden transit.** A Book 3 cell (or a Book 2 row) below every route inside the railway's own
Book 1 network that equals — within ``SLACK_KM`` — this railway's km *to* one of its border
points plus its km *from* another border point with the same neighbour, the neighbour joining
the two on its own lines: it counts only this railway's share of a route through the neighbour.
Example: UTI Хаваст – Коканд I is 83 = Хаваст – Бекабад (эксп.) 37 + Сувонобод (эксп.) – Коканд
I 46; the TDZ km Спитамен (эксп.) – Канибадам (эксп.) between are not counted, and UTI's own
lines (via Ангрен – Пап) give 430. Such a figure is not one railway's leg: it is left out of the
railway's table, so a route through the neighbour is found as explicit legs, one per railway
crossing (:mod:`temir.network.routing.engine`), and an all-own route, where Book 1 has one, is
the Book 1 fallback, flagged as not official. A Book 2 row that is one part of a trusted Book 3
route (its km and the km to another of its points add up to that Book 3 cell) is not suspected.

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
import itertools
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from temir.network.routing.distances import book1_shortest, shortest_from
from temir.network.routing.model import NetworkData, StationTransit

SLACK_KM = 1
"""A composed figure may exceed the sum of its parts by this much (GP §4 rounds each section)."""
FAR_BELOW = 2
"""A Book 2 km is "far below" Book 1 when Book 1's shortest route is over this many times it."""


@dataclass(frozen=True)
class HiddenTransit:
    """A printed figure that counts only this railway's km of a route through ``via``."""

    railway: str
    book: str  # book3 (a cell between transit points) | book2 (a station -> transit point row)
    from_esr: str
    to_esr: str
    km: int  # as printed
    own_km: int | None  # shortest route inside the railway's own freight Book 1 (None: none)
    via: str  # the neighbour railway the route runs through
    exit_esr: str  # this railway's border code where the route leaves for ``via``
    entry_esr: str  # this railway's border code where it comes back
    own_part_km: int  # this railway's km from_esr -> exit_esr + entry_esr -> to_esr
    via_km: int  # the neighbour's own Book 1 km between its partner codes (not counted in km)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


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

    hidden: tuple[HiddenTransit, ...]
    book2: tuple[Book2Correction, ...]

    def apply(self, data: NetworkData) -> NetworkData:
        """``data`` without the hidden-transit figures, misprinted Book 2 rows read as Book 1
        proves them."""
        if not self.hidden and not self.book2:
            return data
        cells = {
            (h.railway, frozenset((h.from_esr, h.to_esr))) for h in self.hidden if h.book == "book3"
        }
        rows = {(h.railway, h.from_esr, h.to_esr) for h in self.hidden if h.book == "book2"}
        fixes = {(c.railway, c.esr, c.printed_transit_esr): c for c in self.book2}
        transit: list[StationTransit] = []
        kept: set[tuple[str, str]] = set()
        for s in data.station_transit:
            key = (s.railway, s.esr, s.transit_esr)
            if key in rows:
                continue
            fix = fixes.get(key)
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
            transit_distances=tuple(
                d
                for d in data.transit_distances
                if (d.railway, frozenset((d.a_esr, d.b_esr))) not in cells
            ),
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
        if ia not in self._from and (ib in self._from or b in self.tps):
            ia, ib = ib, ia  # search from the transit point: a few dozen per railway
        if ia not in self._from:
            self._from[ia] = shortest_from(self.adjacency, ia)
        return self._from[ia].get(ib)

    def printed(self, a: str, b: str) -> int | None:
        """This railway's km a→b as the books print it: Book 3, else Book 2, else Book 1."""
        if a == b:
            return 0
        cell = self.b3.get(frozenset((a, b)))
        if cell is not None:
            return cell
        row = self.b2.get(a, {}).get(b, self.b2.get(b, {}).get(a))
        return row if row is not None else self.own(a, b)


@dataclass(frozen=True)
class _Glue:
    """Two border codes of one railway whose partners the neighbour joins on its own lines."""

    exit_esr: str
    entry_esr: str
    via: str
    via_km: int


def _glues(data: NetworkData, books: dict[str, _Books], railway: str) -> list[_Glue]:
    partners: dict[str, list[tuple[str, str]]] = defaultdict(list)  # code -> (partner, railway)
    for c in data.borders:
        if c.ferry:
            continue
        for mine, rw, other, orw in (
            (c.a_esr, c.a_railway, c.b_esr, c.b_railway),
            (c.b_esr, c.b_railway, c.a_esr, c.a_railway),
        ):
            if rw == railway and orw != railway and orw in books:
                partners[mine].append((other, orw))
    out: list[_Glue] = []
    for e, f in itertools.permutations(sorted(partners), 2):
        for pe, via in partners[e]:
            for pf, via_f in partners[f]:
                if via != via_f or pe == pf:
                    continue
                km = books[via].own(pe, pf)
                if km is not None and km > 0:
                    out.append(_Glue(e, f, via, km))
    return out


def _hidden(
    b: _Books, glues: list[_Glue], book: str, x: str, y: str, km: int
) -> HiddenTransit | None:
    """The figure x–y counts only this railway's km of a route through a neighbour (or None)."""
    own = b.own(x, y)
    if own is not None and km >= own:
        return None
    best: HiddenTransit | None = None
    for g in glues:
        to_exit, from_entry = b.printed(x, g.exit_esr), b.printed(g.entry_esr, y)
        if to_exit is None or from_entry is None:
            continue
        part = to_exit + from_entry
        if part <= km <= part + SLACK_KM and (best is None or part > best.own_part_km):
            best = HiddenTransit(
                b.railway, book, x, y, km, own, g.via, g.exit_esr, g.entry_esr, part, g.via_km
            )
    return best


def _on_book3_route(
    b: _Books, esr: str, tp: str, km: int, hidden_cells: set[frozenset[str]]
) -> bool:
    """The station lies on a (trusted) Book 3 route from ``tp`` to another of its points.

    Book 3 between ``tp`` and another listed point Z is exactly the two Book 2 km added up:
    the row is one part of a route Book 3 itself measures (UTI Каракатта → Мискин 361 with
    Каракатта → Навои 140 is Навои – Мискин 501 over the Учкудук line, which Book 1 lacks).
    """
    for other, other_km in b.b2[esr].items():
        pair = frozenset((tp, other))
        cell = b.b3.get(pair)
        if other == tp or cell is None or pair in hidden_cells:
            continue
        if 0 <= cell - (km + other_km) <= SLACK_KM:
            return True
    return False


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
    """Every hidden-transit figure and misprinted Book 2 row of the data's railways."""
    railways = sorted({rw for rw, _ in data.transit_points} | {s.railway for s in data.sections})
    books = {rw: _Books(data, rw) for rw in railways}
    hidden: list[HiddenTransit] = []
    fixes: list[Book2Correction] = []
    for rw in railways:
        b = books[rw]
        glues = _glues(data, books, rw)
        if glues:
            for d in data.transit_distances:
                if d.railway == rw:
                    cell = _hidden(b, glues, "book3", d.a_esr, d.b_esr, d.km)
                    if cell is not None:
                        hidden.append(cell)
        hidden_cells = {frozenset((h.from_esr, h.to_esr)) for h in hidden if h.railway == rw}
        for s in data.station_transit:
            if s.railway != rw or s.esr == s.transit_esr:
                continue
            row = None
            if glues and not _on_book3_route(b, s.esr, s.transit_esr, s.km, hidden_cells):
                row = _hidden(b, glues, "book2", s.esr, s.transit_esr, s.km)
            if row is not None:
                hidden.append(row)
                continue
            fix = _book2_error(b, s.esr, s.transit_esr, s.km)
            if fix is not None:
                fixes.append(fix)
    return SourceFindings(tuple(hidden), tuple(fixes))
