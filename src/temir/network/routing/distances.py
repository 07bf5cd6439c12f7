"""One railway's TR-4 tariff distance between every pair of its codes, as numpy matrices.

Why precompute: a railway has at most ~1,400 codes, so the whole table fits in a few MB and every
leg of every route becomes one array lookup — that is what makes a single route sub-millisecond
and a million O/D pairs a vectorised gather.

The order of precedence follows METHOD.md and README "Which value is official":

1. Book 3 cell between two transit points (official, even where Book 1 disagrees);
2. Book 2 km from a station to one of its own transit points (official);
3. the Book 1 difference when both codes lie on one freight section (§2);
4. Book 2 + Book 3 + Book 2 through transit points, minimum over the listed points (§3);
5. otherwise a *fallback*, NOT official: chain Book 1 to the nearest code that has a
   Book 2 list (a halt or post that Book 2 does not list, §8.5), or a shortest path over Book 1
   sections plus Book 2/Book 3 links (blank Book 3 cells §8.3, KRG §8.4, RZD gateways).
   The fallback only fills pairs TR-4 gives no figure for: a shorter chain of Book 1 sections
   never replaces an official one (TRK Серхетяка → Разъезд № 161 (эксп.) is Book 2 758 to
   Ашгабат + Book 3 933 = 1,691 km, not the 1,299 a chain of links gives).

Passenger-only sections never carry freight and are left out of every step.
"""

from __future__ import annotations

import heapq
import itertools
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from temir.network.routing.model import METHOD_CODES, Method, NetworkData

INF = 100_000_000  # "no distance"; three of them still fit in int32
_M = {m: np.uint8(i) for i, m in enumerate(METHOD_CODES)}

IntArray = npt.NDArray[np.int32]
ByteArray = npt.NDArray[np.uint8]


@dataclass
class RailwayTable:
    """Tariff km and method between every pair of one railway's codes."""

    railway: str
    codes: list[str]
    index: dict[str, int]
    km: IntArray  # n x n, INF where TR-4 and the fallback both give nothing
    method: ByteArray  # n x n, index into METHOD_CODES
    component: IntArray  # n, connected piece of the railway's own freight Book 1 network
    # n x n, the official figure the books print where the engine does not use it (INF
    # elsewhere); None when the railway has no such pair (temir.network.routing.checks)
    printed: IntArray | None = None

    def distance(self, a: str, b: str) -> tuple[int, Method] | None:
        i, j = self.index.get(a), self.index.get(b)
        if i is None or j is None:
            return None
        km = int(self.km[i, j])
        if km >= INF:
            return None
        return km, METHOD_CODES[int(self.method[i, j])]

    def printed_km(self, i: int, j: int) -> int | None:
        """What TR-4 prints for the pair at indices i, j when the engine uses another figure."""
        if self.printed is None:
            return None
        km = int(self.printed[i, j])
        return None if km >= INF else km

    def connected(self, a: str, b: str) -> bool:
        """Both codes lie in one piece of this railway's own freight network (no neighbour)."""
        return bool(self.component[self.index[a]] == self.component[self.index[b]])


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


@dataclass
class _Books:
    """One railway's rows, as code indices: Book 1 freight sections, Book 2 lists, Book 3."""

    codes: list[str]
    index: dict[str, int]
    sections: dict[str, list[tuple[int, int]]]  # section -> [(code, km from start)]
    b2: dict[int, list[tuple[int, int]]]  # code -> [(transit point, km)]
    tps: list[int]
    b3_cells: list[tuple[int, int, int]]


def _books(data: NetworkData, railway: str, like: _Books | None = None) -> _Books:
    """Index one railway's rows; ``like``: reuse its code numbering (same codes expected)."""
    freight = {s.section for s in data.sections if s.railway == railway and not s.passenger_only}
    codes: list[str] = list(like.codes) if like else []
    index: dict[str, int] = dict(like.index) if like else {}

    def idx(code: str) -> int:
        if code not in index:
            index[code] = len(codes)
            codes.append(code)
        return index[code]

    sections: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for point in sorted(
        (sp for sp in data.section_points if sp.railway == railway),
        key=lambda sp: (sp.section, sp.seq),
    ):
        i = idx(point.esr)
        if point.section in freight:
            sections[point.section].append((i, point.km_from_start))
    b2: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for s in data.station_transit:
        if s.railway == railway:
            b2[idx(s.esr)].append((idx(s.transit_esr), s.km))
    for rw, esr in (*data.codes_without_transit, *data.transit_points):
        if rw == railway:
            idx(esr)
    tps = sorted({index[esr] for rw, esr in data.transit_points if rw == railway})
    b3_cells = [
        (index[c.a_esr], index[c.b_esr], c.km)
        for c in data.transit_distances
        if c.railway == railway
    ]
    return _Books(codes, index, sections, b2, tps, b3_cells)


def _official(books: _Books) -> tuple[IntArray, ByteArray]:
    """Steps 1–4 of the module docstring: every official TR-4 figure, INF where there is none."""
    n, tps, b2 = len(books.codes), books.tps, books.b2
    km = np.full((n, n), INF, dtype=np.int32)
    method = np.full((n, n), _M[Method.FALLBACK], dtype=np.uint8)

    # (4) Book 2 + Book 3 + Book 2, vectorised: A[a, Y] = min_X b2(a,X) + b3(X,Y).
    if tps:
        tp_pos = {t: k for k, t in enumerate(tps)}
        b3 = np.full((len(tps), len(tps)), INF, dtype=np.int32)
        np.fill_diagonal(b3, 0)
        for i, j, d in books.b3_cells:
            b3[tp_pos[i], tp_pos[j]] = b3[tp_pos[j], tp_pos[i]] = d
        width = max((len(v) for v in b2.values()), default=0)
        via_tp = np.full((n, len(tps)), INF, dtype=np.int32)
        slot_tp = np.zeros((n, max(width, 1)), dtype=np.int64)
        slot_km = np.full((n, max(width, 1)), INF, dtype=np.int32)
        for a, lst in b2.items():
            for k, (x, d) in enumerate(lst):
                via_tp[a] = np.minimum(via_tp[a], b3[tp_pos[x]] + d)
                slot_tp[a, k] = tp_pos[x]
                slot_km[a, k] = d
        for k in range(slot_tp.shape[1]):
            cand = via_tp[:, slot_tp[:, k]] + slot_km[:, k][None, :]
            np.minimum(km, cand, out=km)
        np.minimum(km, INF, out=km)
        method[km < INF] = _M[Method.BOOK3]

    # (3) Same freight section: Book 1 difference, minimum over shared sections.
    same = np.full((n, n), INF, dtype=np.int32)
    for pts in books.sections.values():
        ids = np.array([p for p, _ in pts], dtype=np.int64)
        kms = np.array([k for _, k in pts], dtype=np.int32)
        diff = np.abs(kms[:, None] - kms[None, :]).astype(np.int32)
        sub = same[np.ix_(ids, ids)]
        same[np.ix_(ids, ids)] = np.minimum(sub, diff)
    on_section = same < INF
    km[on_section] = same[on_section]
    method[on_section] = _M[Method.BOOK1]

    # (2) Book 2 station -> own transit point; (1) Book 3 cells.
    for a, lst in b2.items():
        for x, d in lst:
            if a != x:
                km[a, x] = km[x, a] = d
                method[a, x] = method[x, a] = _M[Method.BOOK2]
    for i, j, d in books.b3_cells:
        km[i, j] = km[j, i] = d
        method[i, j] = method[j, i] = _M[Method.BOOK3]
    np.fill_diagonal(km, 0)
    np.fill_diagonal(method, _M[Method.SAME])
    return km, method


def build_table(
    data: NetworkData, railway: str, printed: NetworkData | None = None
) -> RailwayTable:
    """Compute the full distance table of one railway (see the module docstring).

    ``data`` holds the figures the engine trusts; ``printed``, if given, the books as printed
    (:mod:`temir.network.routing.checks`): where those give another official figure, the table
    keeps it in :attr:`RailwayTable.printed` so a leg can say TR-4 prints something else.
    """
    books = _books(data, railway)
    sections, b2 = books.sections, books.b2
    n = len(books.codes)
    km, method = _official(books)
    # Cells with an official TR-4 figure; the fallback below fills only the others.
    official = km < INF

    anchored = np.zeros(n, dtype=bool)
    anchored[list(b2.keys())] = True

    # (5a) Codes with no Book 2 list: chain Book 1 to the nearest anchored code on each side.
    for _ in range(2):
        for pts in sections.values():
            for pos, (p, kp) in enumerate(pts):
                if anchored[p]:
                    continue
                for neighbours in (reversed(pts[:pos]), pts[pos + 1 :]):
                    for q, kq in neighbours:
                        if anchored[q]:
                            row = np.minimum(km[q] + abs(kp - kq), INF).astype(np.int32)
                            better = (row < km[p]) & ~official[p]
                            km[p, better] = row[better]
                            km[better, p] = row[better]
                            method[p, better] = _M[Method.FALLBACK]
                            method[better, p] = _M[Method.FALLBACK]
                            break

    # (5b) Whatever is still missing: shortest path over Book 1 + Book 2 + Book 3 links.
    adjacency: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for pts in sections.values():
        for (a, ka), (b, kb) in itertools.pairwise(pts):
            adjacency[a].append((b, abs(kb - ka)))
            adjacency[b].append((a, abs(kb - ka)))
    for a, lst in b2.items():
        for x, d in lst:
            adjacency[a].append((x, d))
            adjacency[x].append((a, d))
    for i, j, d in books.b3_cells:
        adjacency[i].append((j, d))
        adjacency[j].append((i, d))
    # Only rows with a missing cell the links can reach (not the pieces no link joins).
    linked = _UnionFind(n)
    for a, near in adjacency.items():
        for b, _ in near:
            linked.union(a, b)
    piece = np.array([linked.find(i) for i in range(n)], dtype=np.int32)
    # One search fills a whole row and column: search first from the code missing the most.
    missing = (km >= INF) & (piece[:, None] == piece[None, :])
    counts = missing.sum(axis=1)
    while counts.size and counts.max() > 0:
        a = int(counts.argmax())
        dist = _dijkstra(adjacency, a)
        for b, found in dist.items():
            if found < km[a, b] and not official[a, b]:
                km[a, b] = km[b, a] = found
                method[a, b] = method[b, a] = _M[Method.FALLBACK]
        counts -= missing[:, a]
        counts[a] = 0
        missing[:, a] = False
        missing[a, :] = False

    shown: IntArray | None = None
    if printed is not None:
        raw = _books(printed, railway, like=books)
        if len(raw.codes) != n:
            raise ValueError(f"{railway}: the printed books have codes the trusted ones lack")
        raw_km, _ = _official(raw)
        differs = (raw_km < INF) & (raw_km != km)
        if differs.any():
            shown = np.where(differs, raw_km, INF).astype(np.int32)
    return RailwayTable(
        railway, books.codes, books.index, km, method, _components(n, sections, b2), shown
    )


def _components(
    n: int,
    sections: dict[str, list[tuple[int, int]]],
    b2: dict[int, list[tuple[int, int]]],
) -> IntArray:
    """Pieces of the railway's own freight Book 1 network; a code outside Book 1 joins its TPs."""
    uf = _UnionFind(n)
    in_book1: set[int] = set()
    for pts in sections.values():
        for (a, _), (b, _) in itertools.pairwise(pts):
            uf.union(a, b)
        in_book1.update(p for p, _ in pts)
    for a, lst in b2.items():
        if a not in in_book1:
            for x, _ in lst:
                uf.union(a, x)
    return np.array([uf.find(i) for i in range(n)], dtype=np.int32)


def _dijkstra(adjacency: dict[int, list[tuple[int, int]]], source: int) -> dict[int, int]:
    dist = {source: 0}
    heap = [(0, source)]
    while heap:
        d, u = heapq.heappop(heap)
        if d > dist.get(u, INF):
            continue
        for v, w in adjacency.get(u, ()):
            nd = d + w
            if nd < dist.get(v, INF):
                dist[v] = nd
                heapq.heappush(heap, (nd, v))
    return dist


def book1_shortest(
    data: NetworkData, railway: str
) -> tuple[dict[str, int], dict[int, list[tuple[int, int]]]]:
    """The railway's freight Book 1 graph alone (for the data-quality report)."""
    freight = {s.section for s in data.sections if s.railway == railway and not s.passenger_only}
    index: dict[str, int] = {}
    adjacency: dict[int, list[tuple[int, int]]] = defaultdict(list)
    by_section: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for p in data.section_points:
        if p.railway == railway and p.section in freight:
            i = index.setdefault(p.esr, len(index))
            by_section[p.section].append((p.seq, i, p.km_from_start))
    for pts in by_section.values():
        pts.sort()
        for (_, a, ka), (_, b, kb) in itertools.pairwise(pts):
            adjacency[a].append((b, abs(kb - ka)))
            adjacency[b].append((a, abs(kb - ka)))
    return index, adjacency


def shortest_from(adjacency: dict[int, list[tuple[int, int]]], source: int) -> dict[int, int]:
    return _dijkstra(adjacency, source)
