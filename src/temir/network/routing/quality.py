"""Data-quality report: where the official TR-4 figure and chained Book 1 sections disagree.

Why: the engine always uses the official figure (Book 3 between transit points, Book 2 from a
station to its transit point), but users and the reference-data team must see where Book 1
says otherwise (METHOD.md §8.7–§8.9, README "Known inconsistencies").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from temir.network.routing.distances import book1_shortest, shortest_from
from temir.network.routing.model import NetworkData


@dataclass(frozen=True)
class Disagreement:
    """One official figure and what a chain of Book 1 freight sections gives instead."""

    railway: str
    kind: str  # book3_vs_book1 | book2_vs_book1
    from_esr: str
    to_esr: str
    official_km: int
    book1_km: int | None  # None: no route in the railway's own Book 1 network

    @property
    def delta(self) -> int | None:
        return None if self.book1_km is None else self.official_km - self.book1_km

    def to_dict(self) -> dict[str, Any]:
        return {
            "railway": self.railway,
            "kind": self.kind,
            "from_esr": self.from_esr,
            "to_esr": self.to_esr,
            "official_km": self.official_km,
            "book1_km": self.book1_km,
            "delta": self.delta,
        }


def disagreements(data: NetworkData, railways: list[str] | None = None) -> list[Disagreement]:
    """Every Book 3 cell and same-section Book 2 entry whose km differs from Book 1."""
    wanted = railways or sorted({rw for rw, _ in data.transit_points})
    out: list[Disagreement] = []
    for rw in wanted:
        index, adjacency = book1_shortest(data, rw)
        cache: dict[int, dict[int, int]] = {}
        for d in data.transit_distances:
            if d.railway == rw:
                ia, ib = index.get(d.a_esr), index.get(d.b_esr)
                got = None
                if ia is not None and ib is not None:
                    if ia not in cache:
                        cache[ia] = shortest_from(adjacency, ia)
                    got = cache[ia].get(ib)
                if got != d.km:
                    out.append(Disagreement(rw, "book3_vs_book1", d.a_esr, d.b_esr, d.km, got))
        sections: dict[str, dict[str, int]] = defaultdict(dict)
        freight = {s.section for s in data.sections if s.railway == rw and not s.passenger_only}
        for p in data.section_points:
            if p.railway == rw and p.section in freight:
                sections[p.section][p.esr] = p.km_from_start
        for s in data.station_transit:
            if s.railway != rw or s.esr == s.transit_esr:
                continue
            diffs = [
                abs(pts[s.esr] - pts[s.transit_esr])
                for pts in sections.values()
                if s.esr in pts and s.transit_esr in pts
            ]
            if diffs and min(diffs) != s.km:
                out.append(
                    Disagreement(rw, "book2_vs_book1", s.esr, s.transit_esr, s.km, min(diffs))
                )
    return out
