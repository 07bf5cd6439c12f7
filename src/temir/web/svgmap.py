"""Drawing the rail network as SVG on the server: projection and geometry, no I/O.

Why server-side SVG: railway networks are often closed, so there is no tile server and no
JavaScript map library to load. A few hundred stations fit in a plain SVG that every browser
draws, prints and links from. Why equirectangular with cos(latitude) scaling: over the extent of
Central Asia (35-56° N) it keeps shapes recognisable and is one line of arithmetic; the map is a
schematic of tariff sections (straight lines between nodes), not a survey.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Point:
    """A place to draw: ``key`` links it to edges (an ESR code or a station id)."""

    key: str
    lat: float
    lon: float
    railway: str
    name: str = ""  # shown on hover
    label: bool = False  # also written on the map
    href: str = ""
    kind: str = "station"
    estimated: bool = False  # an approximate position: drawn hollow
    border: bool = False  # part of a border or inter-railway crossing
    border_estimated: bool = False  # that pairing is inferred (medium/low confidence)
    highlight: bool = False  # the station the page is about


@dataclass(frozen=True)
class Edge:
    a: str
    b: str
    railway: str  # "BORDER" for the zero-km links between two railways' codes
    via: str = ""  # a bridge: the stations without a position the line passes through


def bridges(placed: set[str], edges: Iterable[Edge], names: Mapping[str, str]) -> list[Edge]:
    """Edges between positioned points through chains of points that have no position.

    Why: a tariff section whose end has no known coordinates (Шу, Мерке) would otherwise vanish,
    and the network looks broken (Bishkek cut off, no Shu–Almaty line). The bridge joins the
    nearest positioned stations on either side and names the stations it passes through; no
    position is made up for them. Drawn dashed: the course between is not known.
    """
    adjacent: dict[str, list[tuple[str, str]]] = defaultdict(list)
    seen: set[tuple[str, str]] = set()
    for e in edges:
        adjacent[e.a].append((e.b, e.railway))
        adjacent[e.b].append((e.a, e.railway))
        if e.a in placed and e.b in placed:
            seen.add((min(e.a, e.b), max(e.a, e.b)))
    out: list[Edge] = []
    for start in sorted(placed):
        for first, railway in adjacent[start]:
            if first in placed:
                continue
            # breadth first: the bridge names the fewest stations between its ends
            queue: deque[tuple[str, tuple[str, ...], str]] = deque([(first, (first,), railway)])
            visited = {first}
            while queue:
                node, via, rw = queue.popleft()
                for nxt, nxt_rw in adjacent[node]:
                    line = rw if rw != "BORDER" else nxt_rw
                    if nxt in placed:
                        pair = (min(start, nxt), max(start, nxt))
                        if nxt != start and pair not in seen:
                            seen.add(pair)
                            text = ", ".join(names.get(v, v) for v in via)
                            out.append(Edge(start, nxt, line, via=text))
                    elif nxt not in visited:
                        visited.add(nxt)
                        queue.append((nxt, (*via, nxt), line))
    return out


@dataclass(frozen=True)
class Projection:
    """Equirectangular: x grows with longitude scaled by cos(mid-latitude), y with -latitude."""

    min_lon: float
    max_lat: float
    scale: float  # pixels per degree of latitude
    kx: float  # cos(mid-latitude)
    padding: float

    def xy(self, lat: float, lon: float) -> tuple[float, float]:
        x = self.padding + (lon - self.min_lon) * self.kx * self.scale
        y = self.padding + (self.max_lat - lat) * self.scale
        return round(x, 1), round(y, 1)


def fit(
    coordinates: Iterable[tuple[float, float]], width: float, padding: float = 16.0
) -> tuple[Projection, float]:
    """A projection that fits all (lat, lon) into ``width`` pixels; returns it and the height."""
    points = list(coordinates)
    if not points:
        return Projection(0.0, 0.0, 1.0, 1.0, padding), 2 * padding
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    min_lat, max_lat = min(lats), max(lats)
    min_lon, max_lon = min(lons), max(lons)
    kx = math.cos(math.radians((min_lat + max_lat) / 2))
    span_x = max((max_lon - min_lon) * kx, 0.05)  # a single point still gets a little map
    span_y = max(max_lat - min_lat, 0.05)
    if span_x < span_y:  # keep a lone station or a short line readable: widen, do not stretch
        centre = (min_lon + max_lon) / 2
        min_lon = centre - span_y / kx / 2
        span_x = span_y
    scale = (width - 2 * padding) / span_x
    height = span_y * scale + 2 * padding
    return Projection(min_lon, max_lat, scale, kx, padding), round(height, 1)


@dataclass(frozen=True)
class Marker:
    point: Point
    x: float
    y: float


@dataclass(frozen=True)
class Layer:
    """All edges of one railway as one SVG path (small output: one element per railway)."""

    railway: str
    d: str


@dataclass(frozen=True)
class Bridge:
    """A dashed line through stations without a position (see :func:`bridges`)."""

    railway: str
    d: str
    via: str


@dataclass(frozen=True)
class Drawing:
    width: float
    height: float
    layers: list[Layer]
    markers: list[Marker]
    border_links: list[tuple[float, float, float, float]]  # zero-km links, drawn on top
    bridges: tuple[Bridge, ...] = ()


def draw(
    points: Sequence[Point], edges: Iterable[Edge], width: float = 1000.0, padding: float = 16.0
) -> Drawing:
    """Project ``points`` and turn ``edges`` between positioned points into path layers."""
    projection, height = fit(((p.lat, p.lon) for p in points), width, padding)
    where = {p.key: projection.xy(p.lat, p.lon) for p in points}
    segments: dict[str, list[str]] = {}
    border_links: list[tuple[float, float, float, float]] = []
    seen: set[tuple[str, str]] = set()
    dashed: list[Bridge] = []
    for edge in edges:
        pair = (min(edge.a, edge.b), max(edge.a, edge.b))
        if pair in seen or edge.a not in where or edge.b not in where:
            continue
        seen.add(pair)
        (x1, y1), (x2, y2) = where[edge.a], where[edge.b]
        if edge.via:
            d = f"M{_n(x1)} {_n(y1)}L{_n(x2)} {_n(y2)}"
            dashed.append(Bridge(edge.railway, d, edge.via))
            continue
        if edge.railway == "BORDER":
            border_links.append((x1, y1, x2, y2))
            continue
        segments.setdefault(edge.railway, []).append(f"M{_n(x1)} {_n(y1)}L{_n(x2)} {_n(y2)}")
    layers = [Layer(railway, "".join(parts)) for railway, parts in sorted(segments.items())]
    order = {"station": 0, "port": 1, "junction": 2, "border": 3}
    markers = [
        Marker(p, *where[p.key])
        for p in sorted(points, key=lambda p: (p.highlight, p.border, order.get(p.kind, 0)))
    ]
    return Drawing(round(width, 1), height, layers, markers, border_links, tuple(dashed))


def _n(value: float) -> str:
    """Shortest text for a coordinate: ``12.0`` → ``12``."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def draw_around(
    points: Sequence[Point],
    edges: Iterable[Edge],
    around: Sequence[tuple[float, float]],
    width: float = 400.0,
    padding: float = 16.0,
    margin_deg: float = 0.6,
) -> tuple[Drawing, Projection]:
    """Like :func:`draw`, but framed on ``around`` (lat, lon) with a margin in degrees.

    Why: a route map should show the route large and the rest of the network only as the
    context around it; lines leaving the frame are clipped by the SVG viewport. Returns the
    projection too, so that the caller can place its own overlay (a route) on the same frame.
    """
    frame = list(around) or [(p.lat, p.lon) for p in points]
    lats = [c[0] for c in frame]
    lons = [c[1] for c in frame]
    corners = [
        (min(lats) - margin_deg, min(lons) - margin_deg),
        (max(lats) + margin_deg, max(lons) + margin_deg),
    ]
    projection, height = fit(corners, width, padding)
    where = {p.key: projection.xy(p.lat, p.lon) for p in points}
    segments: dict[str, list[str]] = {}
    seen: set[tuple[str, str]] = set()
    for edge in edges:
        pair = (min(edge.a, edge.b), max(edge.a, edge.b))
        if pair in seen or edge.a not in where or edge.b not in where or edge.railway == "BORDER":
            continue
        seen.add(pair)
        (x1, y1), (x2, y2) = where[edge.a], where[edge.b]
        segments.setdefault(edge.railway, []).append(f"M{_n(x1)} {_n(y1)}L{_n(x2)} {_n(y2)}")
    layers = [Layer(railway, "".join(parts)) for railway, parts in sorted(segments.items())]
    return Drawing(round(width, 1), height, layers, [], []), projection


def path_through(projection: Projection, coordinates: Iterable[tuple[float, float]]) -> str:
    """An SVG path ``d`` joining (lat, lon) positions in order (empty for fewer than two)."""
    xy = [projection.xy(lat, lon) for lat, lon in coordinates]
    if len(xy) < 2:
        return ""
    return "M" + "L".join(f"{_n(x)} {_n(y)}" for x, y in xy)
