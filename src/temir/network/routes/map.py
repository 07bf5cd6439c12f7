"""One route drawn on the network map: the faint network, the route's legs, its border points.

Why here and not in the page that shows it: drawing a route is a question about the network
(which stations a leg passes, where its border points lie), asked by the quote page today and
by any page that shows a route tomorrow. Positions only draw; the km never depend on them.
Rendered by ``network_route_map.html``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from temir.network.routes.path import SectionGraph
from temir.network.routes.service import station_name
from temir.network.routing import Router
from temir.network.routing.model import Route
from temir.network.webdata import NetworkView
from temir.web.svgmap import Drawing, Edge, Point, Projection, draw_around, path_through

MAP_WIDTH = 420.0
LatLon = tuple[float, float]


@dataclass(frozen=True)
class RouteMap:
    """One alternative on the map: the faint network, the route's legs, its border points."""

    drawing: Drawing
    legs: list[tuple[str, str]]  # railway, path d
    borders: list[tuple[float, float, str, bool]]  # x, y, title, pairing inferred
    ends: list[tuple[float, float, str]]  # x, y, station name
    markers: list[tuple[float, float, str]] = field(default_factory=list)
    """Things placed on the route (x, y, title): e.g. where each tracked wagon is now."""


def positions(net: NetworkView) -> dict[str, LatLon]:
    """Each code's drawable position (suspect positions are not drawn, temir.network.quality)."""
    return {
        esr: (p.lat, p.lon)
        for p in net.places
        if p.drawable and p.lat is not None and p.lon is not None
        for esr in p.esrs
    }


_graphs: dict[int, SectionGraph] = {}


def _graph(r: Router) -> SectionGraph:
    key = id(r.data)
    if key not in _graphs:
        _graphs.clear()
        _graphs[key] = SectionGraph.of(r.data)
    return _graphs[key]


def route_map(
    r: Router,
    route: Route,
    net: NetworkView,
    coords: dict[str, LatLon],
    lang: str,
    markers: Sequence[tuple[str, str]] = (),
) -> RouteMap | None:
    """The route over the network around it; ``None`` when none of its stations is placed.

    ``markers``: (ESR code, title) of things to mark on it, drawn where the code is placed.
    """
    traced = _graph(r).route_stations(route)
    placed = [_without_outliers([coords[esr] for esr in leg if esr in coords]) for leg in traced]
    frame = [c for leg in placed for c in leg]
    if not frame:
        return None
    points = [
        Point(str(p.id), p.lat, p.lon, p.railway)
        for p in net.places
        if p.drawable and p.lat is not None and p.lon is not None
    ]
    edges = [Edge(str(a), str(b), rw) for a, b, rw in net.edges if a != b]
    drawing, projection = draw_around(points, edges, frame, width=MAP_WIDTH)
    legs = [
        (leg.railway, path_through(projection, c))
        for leg, c in zip(route.legs, placed, strict=True)
    ]
    for b, before, after in zip(route.borders, placed, placed[1:], strict=False):
        if before and after and before[-1] != after[0]:  # a ferry, or codes placed apart
            legs.append(
                ("FERRY" if b.ferry else "BORDER", path_through(projection, [before[-1], after[0]]))
            )
    marks = [(*projection.xy(*coords[esr]), title) for esr, title in markers if esr in coords]
    return RouteMap(
        drawing,
        legs,
        _border_marks(r, route, coords, projection, lang),
        _ends(r, route, coords, projection, lang),
        marks,
    )


def _without_outliers(line: list[LatLon]) -> list[LatLon]:
    """Drop a position far from both neighbours while they are close to each other.

    Why: a few stations carry a position matched to a namesake elsewhere; drawn, one such
    point pulls a spike across the map. The route's km never depend on positions.
    """

    def far(a: LatLon, b: LatLon, limit: float) -> bool:
        return abs(a[0] - b[0]) + abs(a[1] - b[1]) > limit

    out: list[LatLon] = []
    for k, here in enumerate(line):
        before = out[-1] if out else None
        after = line[k + 1] if k + 1 < len(line) else None
        spike = before and after and far(before, here, 3) and far(here, after, 3)
        if spike and before and after and not far(before, after, 3):
            continue
        out.append(here)
    return out


def _border_marks(
    r: Router,
    route: Route,
    coords: dict[str, LatLon],
    projection: Projection,
    lang: str,
) -> list[tuple[float, float, str, bool]]:
    out = []
    for b in route.borders:
        where = coords.get(b.exit_esr) or coords.get(b.entry_esr)
        if where is None:
            continue
        x, y = projection.xy(*where)
        title = f"{station_name(r, b.exit_esr, lang)} ↔ {station_name(r, b.entry_esr, lang)}"
        out.append((x, y, title, b.confidence != "high"))
    return out


def _ends(
    r: Router,
    route: Route,
    coords: dict[str, LatLon],
    projection: Projection,
    lang: str,
) -> list[tuple[float, float, str]]:
    out = []
    for esr in (route.from_esr, route.to_esr):
        if esr in coords:
            x, y = projection.xy(*coords[esr])
            out.append((x, y, station_name(r, esr, lang)))
    return out
