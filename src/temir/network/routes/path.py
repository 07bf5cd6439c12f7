"""Which stations a route passes, for drawing it on the map. Pure module.

Why a separate path search: the tariff engine answers with per-railway legs between entry and
exit codes (TR-4 distances, not a path over the track). To draw a leg we need stations to join,
so each leg is traced over its own railway's freight sections (Book 1, consecutive points,
shortest by km). The trace is a picture of the route, never used for km or charges.
"""

from __future__ import annotations

import heapq
import itertools
from collections import defaultdict
from dataclasses import dataclass

from temir.network.routing.model import NetworkData, Route


@dataclass(frozen=True)
class SectionGraph:
    """Freight sections of every railway as an adjacency list: esr -> [(esr, km)]."""

    adjacent: dict[str, dict[str, list[tuple[str, int]]]]  # railway -> esr -> neighbours

    @classmethod
    def of(cls, data: NetworkData) -> SectionGraph:
        freight = {(s.railway, s.section) for s in data.sections if not s.passenger_only}
        by_section: dict[tuple[str, str], list[tuple[int, str, int]]] = defaultdict(list)
        for p in data.section_points:
            if (p.railway, p.section) in freight:
                by_section[(p.railway, p.section)].append((p.seq, p.esr, p.km_from_start))
        adjacent: dict[str, dict[str, list[tuple[str, int]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for (railway, _), points in by_section.items():
            points.sort()
            for (_, a, ka), (_, b, kb) in itertools.pairwise(points):
                if a != b:
                    adjacent[railway][a].append((b, abs(kb - ka)))
                    adjacent[railway][b].append((a, abs(kb - ka)))
        return cls({rw: dict(v) for rw, v in adjacent.items()})

    def trace(self, railway: str, a: str, b: str) -> list[str]:
        """Stations from ``a`` to ``b`` over the railway's sections; ``[a, b]`` if none join."""
        if a == b:
            return [a]
        graph = self.adjacent.get(railway, {})
        best: dict[str, int] = {a: 0}
        previous: dict[str, str] = {}
        queue = [(0, a)]
        while queue:
            km, here = heapq.heappop(queue)
            if here == b:
                break
            if km > best.get(here, km):
                continue
            for there, step in graph.get(here, ()):
                if km + step < best.get(there, 1 << 60):
                    best[there] = km + step
                    previous[there] = here
                    heapq.heappush(queue, (km + step, there))
        if b not in previous:
            return [a, b]
        path = [b]
        while path[-1] != a:
            path.append(previous[path[-1]])
        return path[::-1]

    def route_stations(self, route: Route) -> list[list[str]]:
        """One station list per leg, in route order."""
        return [self.trace(leg.railway, leg.entry_esr, leg.exit_esr) for leg in route.legs]
