"""Interstate routes: sequences of railways joined at border crossings, ranked by tariff km.

One job in one file (~680 lines): the itinerary search, its vectorised batch form and the
rebuilding of a batch row as a Route must choose exactly the same path, so they share the
private tables and plans here; splitting them apart would let them drift (as a domestic pair's
route through a neighbour once did between the batch and ``temir route``).

A route is a chain of legs, one per railway, each computed with that railway's own TR-4 tables
between its entry and exit codes (METHOD.md §6); legs join at paired border codes 0 km apart.

Rules the engine enforces (and why):

* A leg must stay inside one piece of its railway's own freight network: a route never cuts
  through a third railway to shorten a leg. Where the way does run through a neighbour, the
  neighbour is a leg of its own and the route re-enters the first railway: TR-4 gives one leg
  per railway crossing (METHOD.md §6), so UTI → TRK → UTI → TDZ (Питняк/Газоджак, Разъезд
  № 161/Сурханобод) is a route like any other, ranked by its total km. A route has at most
  ``MAX_LEGS`` legs and uses each border crossing once. The KZH Мактаарал enclave is reached
  through Uzbekistan: KZH → UTI → KZH.
* A domestic pair keeps to its railway's own network when that joins the two codes (DESIGN
  "stay on the carrier's network when a domestic path exists"); routes through a neighbour
  are listed after it when shorter, and are the answer where the railway's own lines do not
  join the two.
* The Caspian ferry Актау-Порт-Паром ↔ Туркменбаши I is a link of its own: it joins the two rail
  legs, carries no rail km, and every route that uses it says so (``ferry_km_unknown``).
  Because its sea leg has no km, a ferry route's km is only a lower bound: it is ranked after
  every all-rail alternative (and is not the base of the "sensible" cap) unless a ``via``
  forces the ferry crossing.
* Medium/low-confidence border pairings are flagged on every route that uses them.

The engine is pure: it is built from :class:`NetworkData` and never touches a database.
"""

from __future__ import annotations

import functools
import itertools
import threading
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from temir.kit.messages import define
from temir.network.routing import checks
from temir.network.routing.distances import INF, RailwayTable, build_table
from temir.network.routing.model import (
    METHOD_CODES,
    BorderCrossing,
    BorderPoint,
    Leg,
    Method,
    NetworkData,
    Route,
    tariff_by_railway,
)

UNKNOWN_STATION_CODE = define("routing", "Unknown station code {esr}.")
NO_PATH = define("routing", "No freight route from {from_esr} to {to_esr}.")
MAX_LEGS = 5  # legs (railway crossings + 1) of one route: e.g. KZH → UTI → TRK → UTI → TDZ
SENSIBLE_FACTOR = 1.6  # alternatives longer than this times the shortest are not "sensible"


class RoutingError(Exception):
    """A route request the engine cannot answer; ``field`` names the offending input."""

    def __init__(self, code: str, message: str, field: str, **params: str) -> None:
        super().__init__(message.format(**params))
        self.code = code
        self.msgid = message
        self.field = field
        self.params = params


@dataclass(frozen=True)
class Step:
    """Crossing from one railway to the next: leave at ``exit_esr``, enter at ``entry_esr``."""

    exit_esr: str
    exit_railway: str
    entry_esr: str
    entry_railway: str
    crossing: BorderCrossing

    def border_point(self) -> BorderPoint:
        return self._border_point

    @functools.cached_property
    def _border_point(self) -> BorderPoint:  # one value per crossing, shared by itineraries
        return BorderPoint(
            self.exit_esr,
            self.exit_railway,
            self.entry_esr,
            self.entry_railway,
            self.crossing.confidence,
            self.crossing.ferry,
            self.crossing.gauge_change,
        )


@dataclass(frozen=True)
class Itinerary:
    """A fixed sequence of crossings between two railways, with its transit legs precomputed."""

    steps: tuple[Step, ...]
    middle: tuple[Leg, ...]  # legs of the transit railways (entry -> exit)

    @property
    def middle_km(self) -> int:
        return sum(leg.km for leg in self.middle)

    def codes(self) -> set[str]:
        return {c for s in self.steps for c in (s.exit_esr, s.entry_esr)}


@dataclass
class _PairPlan:
    """All itineraries for an ordered railway pair, with arrays for vectorised batches."""

    itineraries: list[Itinerary]
    exit_idx: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    entry_idx: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    middle_km: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    exit_list: list[int] = field(default_factory=list)
    entry_list: list[int] = field(default_factory=list)
    border_points: list[tuple[BorderPoint, ...]] = field(default_factory=list)
    n_legs: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    ferry: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, np.bool_))
    corridor: list[tuple[tuple[str, ...], str]] = field(default_factory=list)
    _grids: dict[bool, _Grid] = field(default_factory=dict)

    def grid(self, ferry: bool) -> _Grid:
        """The plan's all-rail (or ferry) itineraries as an exit x entry min-plus matrix."""
        if ferry not in self._grids:
            pick = np.flatnonzero(self.ferry == ferry)
            exits = np.unique(self.exit_idx[pick])
            entries = np.unique(self.entry_idx[pick])
            middle = np.full((len(exits), len(entries)), INF, np.int64)
            which = np.full((len(exits), len(entries)), -1, np.int64)
            e_pos = np.searchsorted(exits, self.exit_idx[pick])
            f_pos = np.searchsorted(entries, self.entry_idx[pick])
            # fewest legs first, so that among equal middle km the shorter sequence is kept
            for k, e, f in sorted(
                zip(pick.tolist(), e_pos.tolist(), f_pos.tolist(), strict=True),
                key=lambda t: (int(self.n_legs[t[0]]), t[0]),
            ):
                if self.middle_km[k] < middle[e, f]:
                    middle[e, f] = self.middle_km[k]
                    which[e, f] = k
            self._grids[ferry] = _Grid(exits, entries, middle, which)
        return self._grids[ferry]


@dataclass(frozen=True)
class _Grid:
    """Itineraries of one plan by (exit code, entry code): the least middle km and which one."""

    exits: npt.NDArray[np.int64]  # exit code indices in the first railway's table
    entries: npt.NDArray[np.int64]  # entry code indices in the last railway's table
    middle: npt.NDArray[np.int64]  # exits x entries, INF where no itinerary
    which: npt.NDArray[np.int64]  # exits x entries, itinerary index or -1


@dataclass(frozen=True)
class PathText:
    """The fixed text of one batch path: ``head`` + first km [+ ``middle`` + last km]; borders.

    ``middle`` is None for a domestic route (one leg); it holds the transit legs otherwise,
    e.g. ``;UTI:875;TDZ:`` so that ``KZH:`` 2213 ``;UTI:875;TDZ:`` 63 reads as
    :meth:`Route.km_by_railway` does.
    """

    head: str
    middle: str | None
    borders: str
    tariff: str = ""  # ``KZH:national;UTI:transit;TDZ:national`` (model.tariff_by_railway)

    def km_by_railway(self, first_km: int, last_km: int) -> str:
        if self.middle is None:
            return f"{self.head}{first_km}"
        return f"{self.head}{first_km}{self.middle}{last_km}"


@dataclass
class BatchPaths:
    """Columns of a batch answer (see :meth:`Router.batch_paths`); km is INF where no route."""

    km: npt.NDArray[np.int64]
    path: npt.NDArray[np.int64]  # index into Router.path_texts, -1 where no route
    first_km: npt.NDArray[np.int64]
    last_km: npt.NDArray[np.int64]


class Router:
    """The routing engine. Build once (≈0.5 s), then answer routes in microseconds."""

    def __init__(self, data: NetworkData) -> None:
        self.data = data
        self.code_railway = data.code_railway()
        railways = sorted(set(self.code_railway.values()))
        # Figures that hide a foreign transit or are misprinted never make a one-railway leg.
        self.findings = checks.find(data)
        trusted = self.findings.apply(data)
        self.tables: dict[str, RailwayTable] = {
            rw: build_table(trusted, rw, printed=data) for rw in railways
        }
        self.names = data.names
        self._steps: dict[str, list[Step]] = defaultdict(list)
        self.border_codes: dict[str, BorderCrossing] = {}
        for c in data.borders:
            if c.a_railway not in self.tables or c.b_railway not in self.tables:
                continue
            self._steps[c.a_railway].append(Step(c.a_esr, c.a_railway, c.b_esr, c.b_railway, c))
            self._steps[c.b_railway].append(Step(c.b_esr, c.b_railway, c.a_esr, c.a_railway, c))
            self.border_codes[c.a_esr] = c
            self.border_codes[c.b_esr] = c
        partners: dict[str, set[str]] = defaultdict(set)
        for steps in self._steps.values():
            for step in steps:
                partners[step.exit_esr].add(step.entry_esr)
        self._partners = {esr: frozenset(found) for esr, found in partners.items()}
        self._plans: dict[tuple[str, str], _PairPlan] = {}
        self._path_ids: dict[tuple[str, str, int], int] = {}
        self.path_texts: list[PathText] = []  # the paths :meth:`batch_paths` answers point at
        self._path_lock = threading.Lock()

    def warm(self) -> None:
        """Compute now what the first batch would: every railway pair's plan and grids, and
        the code ids (for an engine that is kept, e.g. on disk between CLI runs)."""
        self.encode(())
        for ra in self.tables:
            self._path_id(ra, ra, -1)
            for rb in self.tables:
                plan = self.plan(ra, rb)
                if plan.itineraries:
                    plan.grid(False)
                    plan.grid(True)
                for k in range(len(plan.itineraries)):
                    self._path_id(ra, rb, k)

    def __getstate__(self) -> dict[str, object]:
        state = self.__dict__.copy()
        del state["_path_lock"]  # a lock is per process
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._path_lock = threading.Lock()

    # ----------------------------------------------------------------- single railway
    def railway_of(self, esr: str, field: str = "from") -> str:
        rw = self.code_railway.get(esr)
        if rw is None:
            raise RoutingError("route.unknown_station", UNKNOWN_STATION_CODE, field, esr=esr)
        return rw

    def leg(self, railway: str, a: str, b: str, *, crossing: bool) -> Leg | None:
        """The railway's own tariff distance a→b; ``crossing`` legs must not leave its network."""
        table = self.tables[railway]
        got = table.distance(a, b)
        if got is None:
            return None
        if crossing and not table.connected(a, b):
            return None
        printed = table.printed_km(table.index[a], table.index[b])
        return Leg(railway, a, b, got[0], got[1], printed_km=printed)

    def section(self, railway: str, a: str, b: str) -> Leg | None:
        """One railway's own share a→b, as a route leg would be: its TR-4 tariff distance, and
        only if ``a`` and ``b`` are joined by that railway's own freight lines (a section never
        cuts through a neighbour). ``None`` for an unknown railway or code, or no such distance.
        """
        if railway not in self.tables:
            return None
        return self.leg(railway, a, b, crossing=True)

    def border_partners(self, esr: str) -> frozenset[str]:
        """Codes a route may enter after leaving at ``esr`` (its border crossing partners)."""
        return self._partners.get(esr, frozenset())

    # ----------------------------------------------------------------- itineraries
    def plan(self, ra: str, rb: str) -> _PairPlan:
        """All itineraries from railway ``ra`` to ``rb``: sequences of up to ``MAX_LEGS - 1``
        crossings, each crossing used once, each transit leg inside its railway's own network.
        A railway may come back (re-entry); for ``ra == rb`` these are the routes through a
        neighbour."""
        key = (ra, rb)
        found_plan = self._plans.get(key)
        if found_plan is not None:
            return found_plan
        # One walk from ``ra`` finds the itineraries to every railway at once (in the same
        # depth-first order a walk per destination would): a batch over all railway pairs
        # used to repeat the same walk once per destination, the most of its start-up.
        for dest, found in self._walk_from(ra).items():
            self._plans.setdefault((ra, dest), self._build_plan(ra, dest, found))
        return self._plans[key]

    def _walk_from(self, ra: str) -> dict[str, list[Itinerary]]:
        found: dict[str, list[Itinerary]] = {rw: [] for rw in self.tables}
        legs: dict[tuple[str, str, str], Leg | None] = {}  # the same transit leg, met again

        def transit(rw: str, a: str, b: str) -> Leg | None:
            key = (rw, a, b)
            if key not in legs:
                legs[key] = self.leg(rw, a, b, crossing=True)
            return legs[key]

        def walk(rw: str, entry: str | None, steps: list[Step], middle: list[Leg]) -> None:
            if len(steps) >= MAX_LEGS - 1:
                return
            used = {s.crossing for s in steps}
            for step in self._steps.get(rw, ()):
                if step.crossing in used:
                    continue
                new_middle = list(middle)
                if entry is not None:
                    leg = transit(rw, entry, step.exit_esr)
                    if leg is None:
                        continue
                    new_middle.append(leg)
                if step.entry_railway in found:
                    found[step.entry_railway].append(Itinerary((*steps, step), tuple(new_middle)))
                walk(step.entry_railway, step.entry_esr, [*steps, step], new_middle)

        walk(ra, None, [], [])
        return found

    def _build_plan(self, ra: str, rb: str, found: list[Itinerary]) -> _PairPlan:
        plan = _PairPlan(found)
        if found:
            ta, tb = self.tables[ra], self.tables[rb]
            plan.exit_idx = np.array([ta.index[i.steps[0].exit_esr] for i in found], np.int64)
            plan.entry_idx = np.array([tb.index[i.steps[-1].entry_esr] for i in found], np.int64)
            plan.middle_km = np.array([i.middle_km for i in found], np.int64)
            plan.exit_list = [int(x) for x in plan.exit_idx]
            plan.entry_list = [int(x) for x in plan.entry_idx]
            plan.border_points = [tuple(s.border_point() for s in i.steps) for i in found]
            plan.n_legs = np.array([len(i.steps) + 1 for i in found], np.int64)
            plan.ferry = np.array([any(s.crossing.ferry for s in i.steps) for i in found])
            plan.corridor = [
                ((ra, *(s.entry_railway for s in i.steps)), i.steps[0].exit_esr) for i in found
            ]
        return plan

    # ----------------------------------------------------------------- routes
    def routes(
        self,
        from_esr: str,
        to_esr: str,
        *,
        via: Sequence[str] = (),
        limit: int = 10,
        sensible_factor: float | None = SENSIBLE_FACTOR,
    ) -> list[Route]:
        """Ranked alternatives (shortest total tariff km first).

        ``via`` codes are either border codes (the route must use that crossing) or stations
        (the route is split there and the parts joined).
        """
        ra = self.railway_of(from_esr, "from")
        rb = self.railway_of(to_esr, "to")
        border_via = [v for v in via if v in self.border_codes]
        station_via = [v for v in via if v not in self.border_codes]
        for v in station_via:
            self.railway_of(v, "via")
        if station_via:
            return self._routes_through(from_esr, to_esr, border_via, station_via, limit)
        if ra != rb:
            return self._cross(from_esr, ra, to_esr, rb, border_via, limit, sensible_factor)
        return self._domestic(from_esr, ra, to_esr, border_via, limit, sensible_factor)

    def _cross(
        self,
        a: str,
        ra: str,
        b: str,
        rb: str,
        border_via: Sequence[str],
        limit: int,
        sensible_factor: float | None,
    ) -> list[Route]:
        """Rank itineraries on plain integers first; build Route objects only for the chosen."""
        plan = self.plan(ra, rb)
        if not plan.itineraries:
            return []
        ta, tb = self.tables[ra], self.tables[rb]
        ia, ib = ta.index[a], tb.index[b]
        if limit == 1 and not border_via:
            k = self._best_itinerary(plan, ta, tb, ia, ib)
            return [] if k < 0 else [self._materialise(a, b, ra, rb, ia, ib, k)]
        totals = ta.km[ia, plan.exit_idx] + plan.middle_km + tb.km[plan.entry_idx, ib]
        bad = (ta.component[plan.exit_idx] != ta.component[ia]) | (
            tb.component[plan.entry_idx] != tb.component[ib]
        )
        totals = np.where(bad | (totals >= INF), INF, totals)
        ferry_last = plan.ferry.copy()
        forced_ferry = False
        if border_via:
            want = set(border_via)
            for k, itin in enumerate(plan.itineraries):
                if not want <= itin.codes():
                    totals[k] = INF
            if any(self.border_codes[v].ferry for v in border_via):
                forced_ferry = True  # the user asked for the ferry: rank it by its rail km
                ferry_last[:] = False
        order = np.lexsort((plan.n_legs, totals, ferry_last))
        if int(totals[order[0]]) >= INF:
            return []
        rail = totals[~ferry_last]
        rail = rail[rail < INF]
        best = int(rail.min()) if len(rail) else int(totals[order[0]])
        cap = best * sensible_factor if sensible_factor is not None else INF - 1
        if limit == 1:
            return [self._materialise(a, b, ra, rb, ia, ib, int(order[0]))]
        sorted_totals = totals[order]
        ranked: list[int] = order[(sorted_totals <= cap) & (sorted_totals < INF)].tolist()
        chosen: list[int] = []
        if len(ranked) <= limit:
            chosen = ranked
        else:
            seen: set[tuple[tuple[str, ...], str]] = set()
            for k in ranked:
                if plan.corridor[k] not in seen:
                    seen.add(plan.corridor[k])
                    chosen.append(k)
            chosen = chosen[:limit]
            for k in ranked:
                if len(chosen) >= limit:
                    break
                if k not in chosen:
                    chosen.append(k)
        routes = [self._materialise(a, b, ra, rb, ia, ib, k) for k in chosen]
        routes.sort(key=lambda r: (r.ferry and not forced_ferry, r.km, len(r.legs), not r.official))
        return routes

    @staticmethod
    def _best_itinerary(
        plan: _PairPlan, ta: RailwayTable, tb: RailwayTable, ia: int, ib: int
    ) -> int:
        """The shortest itinerary for one pair over the plan's grids (all-rail first), -1 if none;
        among equal km the one with fewest legs, as the full ranking orders them."""
        for ferry in (False, True):
            grid = plan.grid(ferry)
            if not len(grid.exits):
                continue
            to_exit = ta.km[ia, grid.exits].astype(np.int64)
            to_exit[ta.component[grid.exits] != ta.component[ia]] = INF
            from_entry = tb.km[grid.entries, ib].astype(np.int64)
            from_entry[tb.component[grid.entries] != tb.component[ib]] = INF
            total = to_exit[:, None] + grid.middle + from_entry[None, :]
            shortest = int(total.min())
            if shortest >= INF:
                continue
            ks = grid.which.flat[np.flatnonzero(total == shortest)]
            return int(ks[np.lexsort((ks, plan.n_legs[ks]))[0]])
        return -1

    def _materialise(self, a: str, b: str, ra: str, rb: str, ia: int, ib: int, k: int) -> Route:
        plan = self.plan(ra, rb)
        ta, tb = self.tables[ra], self.tables[rb]
        itin = plan.itineraries[k]
        e, f = plan.exit_list[k], plan.entry_list[k]
        exit_esr, entry_esr = itin.steps[0].exit_esr, itin.steps[-1].entry_esr
        first = Leg(
            ra, a, exit_esr, int(ta.km[ia, e]), _meth(ta, ia, e), False, ta.printed_km(ia, e)
        )
        last = Leg(
            rb, entry_esr, b, int(tb.km[f, ib]), _meth(tb, f, ib), False, tb.printed_km(f, ib)
        )
        return Route(a, b, (first, *itin.middle, last), plan.border_points[k])

    def shortest(self, from_esr: str, to_esr: str, via: Sequence[str] = ()) -> Route:
        found = self.routes(from_esr, to_esr, via=via, limit=1)
        if not found:
            raise RoutingError(
                "route.no_path",
                NO_PATH,
                "to",
                from_esr=from_esr,
                to_esr=to_esr,
            )
        return found[0]

    def _domestic(
        self,
        a: str,
        ra: str,
        b: str,
        border_via: Sequence[str],
        limit: int,
        sensible_factor: float | None,
    ) -> list[Route]:
        """The railway's own route first (one leg, its own lines); then routes through a
        neighbour that are shorter than it (a domestic consignment has no reason to cross a
        border to go further), or, where the railway's own lines do not join the two, all of
        them, shortest first."""
        leg = None if border_via else self.leg(ra, a, b, crossing=True)
        own = [] if leg is None else [Route(a, b, (leg,), ())]
        if limit <= len(own):
            return own[:limit]
        through = self._cross(a, ra, b, ra, border_via, limit, sensible_factor)
        if own:
            through = [r for r in through if r.km < own[0].km]
        return (own + through)[:limit]

    def _routes_through(
        self, a: str, b: str, border_via: list[str], station_via: list[str], limit: int
    ) -> list[Route]:
        """Split at forced stations: best parts joined, legs of one railway merged."""
        points = [a, *station_via, b]
        parts: list[list[Route]] = []
        for x, y in itertools.pairwise(points):
            parts.append(self.routes(x, y, limit=limit))
        combos: list[Route] = [Route(a, a, (), ())]
        for part in parts:
            combos = [_join(c, p) for c in combos for p in part]
            combos.sort(key=lambda r: r.km)
            combos = combos[: limit * 4]
        if border_via:
            combos = [
                r
                for r in combos
                if set(border_via) <= {c for bp in r.borders for c in (bp.exit_esr, bp.entry_esr)}
            ]
        return combos[:limit]

    # ----------------------------------------------------------------- batch
    def batch_shortest(
        self, from_esr: Sequence[str], to_esr: Sequence[str]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], list[str | None]]:
        """Shortest total km for many O/D pairs, vectorised per railway pair.

        Returns ``(km, itinerary, error)``: km = -1 where unroutable; itinerary = index into
        ``plan(ra, rb).itineraries`` (-1 for a domestic route); error = None or an error code.
        """
        n = len(from_esr)
        km = np.full(n, -1, np.int64)
        itin = np.full(n, -1, np.int64)
        errors: list[str | None] = [None] * n
        groups: dict[tuple[str, str], list[int]] = defaultdict(list)
        for k, (a, b) in enumerate(zip(from_esr, to_esr, strict=True)):
            ra, rb = self.code_railway.get(a), self.code_railway.get(b)
            if ra is None:
                errors[k] = "route.unknown_station:from"
            elif rb is None:
                errors[k] = "route.unknown_station:to"
            else:
                groups[(ra, rb)].append(k)
        for (ra, rb), rows in groups.items():
            ta, tb = self.tables[ra], self.tables[rb]
            pos = np.array(rows, np.int64)
            ia = np.fromiter((ta.index[from_esr[k]] for k in rows), np.int64, len(rows))
            ib = np.fromiter((tb.index[to_esr[k]] for k in rows), np.int64, len(rows))
            best, choice = self.batch_indices(ra, rb, ia, ib)
            ok = best < INF
            km[pos[ok]] = best[ok]
            itin[pos] = choice
            for k in pos[~ok]:
                errors[int(k)] = "route.no_path"
        return km, itin, errors

    def encode(self, codes: Sequence[str]) -> npt.NDArray[np.int64]:
        """ESR codes -> global code ids (-1 for an unknown code), for :meth:`batch_encoded`."""
        if not hasattr(self, "_gid"):
            self._gid = {c: k for k, c in enumerate(self.code_railway)}
            rw_ids = {rw: k for k, rw in enumerate(sorted(self.tables))}
            self._gid_railway = np.array(
                [rw_ids[self.code_railway[c]] for c in self.code_railway], np.int64
            )
            self._gid_local = np.array(
                [self.tables[self.code_railway[c]].index[c] for c in self.code_railway], np.int64
            )
            self._railway_names = sorted(self.tables)
        gid = self._gid
        return np.fromiter((gid.get(c, -1) for c in codes), np.int64, len(codes))

    def batch_encoded(
        self, a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Pure-numpy batch over encoded ids: (km with INF for no route, itinerary index)."""
        km = np.full(len(a), INF, np.int64)
        itin = np.full(len(a), -1, np.int64)
        for chunk, x, y in self._railway_groups(a, b):
            best, choice = self.batch_indices(
                x, y, self._gid_local[a[chunk]], self._gid_local[b[chunk]]
            )
            km[chunk] = best
            itin[chunk] = choice
        return km, itin

    def _railway_groups(
        self, a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]
    ) -> Iterator[tuple[npt.NDArray[np.intp], str, str]]:
        """Row positions of encoded pairs grouped by (origin, destination) railway."""
        if len(a) == 0:
            return
        ok = (a >= 0) & (b >= 0)
        ra = np.where(ok, self._gid_railway[np.where(ok, a, 0)], -1)
        rb = np.where(ok, self._gid_railway[np.where(ok, b, 0)], -1)
        n_rw = len(self._railway_names)
        key = np.where(ok, ra * n_rw + rb, -1)
        order = np.argsort(key, kind="stable")
        bounds = np.flatnonzero(np.diff(key[order])) + 1
        for chunk in np.split(order, bounds):
            k = int(key[chunk[0]])
            if k >= 0:
                yield chunk, self._railway_names[k // n_rw], self._railway_names[k % n_rw]

    def batch_paths(self, a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]) -> BatchPaths:
        """The batch answer in columns: what a batch file prints, without a Route per row.

        Why: building a Route object per row made a million-pair file take ~45 s while the
        numbers themselves take under a second. Each row gets the id of its path (origin
        railway, transit legs, destination railway, borders: :attr:`path_texts`) and the km of
        its first and last leg, the only parts that vary between rows of one path. The path
        chosen is the one :meth:`batch_encoded` chooses (and :meth:`route_for` rebuilds).
        """
        self.encode(())  # the code-id tables
        n = len(a)
        out = BatchPaths(
            km=np.full(n, INF, np.int64),
            path=np.full(n, -1, np.int64),
            first_km=np.zeros(n, np.int64),
            last_km=np.zeros(n, np.int64),
        )
        for chunk, x, y in self._railway_groups(a, b):
            ia, ib = self._gid_local[a[chunk]], self._gid_local[b[chunk]]
            best, choice = self.batch_indices(x, y, ia, ib)
            out.km[chunk] = best
            found = best < INF
            if x == y:  # the railway's own lines (choice -1), else a route through a neighbour
                own = found & (choice < 0)
                out.path[chunk[own]] = self._path_id(x, y, -1)
                out.first_km[chunk[own]] = best[own]
                found = found & (choice >= 0)
                if not found.any():
                    continue
            plan = self.plan(x, y)
            ids = np.array([self._path_id(x, y, k) for k in range(len(plan.itineraries))])
            rows, k = chunk[found], choice[found]
            out.path[rows] = ids[k] if len(ids) else -1
            out.first_km[rows] = self.tables[x].km[ia[found], plan.exit_idx[k]]
            out.last_km[rows] = self.tables[y].km[plan.entry_idx[k], ib[found]]
        return out

    def _path_id(self, ra: str, rb: str, itinerary: int) -> int:
        key = (ra, rb, itinerary)
        found = self._path_ids.get(key)
        if found is not None:
            return found
        with self._path_lock:  # one engine serves every request thread
            return self._new_path_id(key)

    def _new_path_id(self, key: tuple[str, str, int]) -> int:
        if key in self._path_ids:
            return self._path_ids[key]
        ra, rb, itinerary = key
        if itinerary < 0:
            text = PathText(f"{ra}:", None, "", tariff_by_railway([ra]))
        else:
            itin = self.plan(ra, rb).itineraries[itinerary]
            middle = "".join(f"{leg.railway}:{leg.km};" for leg in itin.middle)
            borders = ";".join(f"{s.exit_esr}-{s.entry_esr}" for s in itin.steps)
            railways = [ra, *(leg.railway for leg in itin.middle), rb]
            text = PathText(f"{ra}:", f";{middle}{rb}:", borders, tariff_by_railway(railways))
        self._path_ids[key] = len(self.path_texts)
        self.path_texts.append(text)
        return self._path_ids[key]

    def batch_indices(
        self, ra: str, rb: str, ia: npt.NDArray[np.int64], ib: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Vectorised core: best km and itinerary for index arrays of one railway pair.

        A min-plus product per plan: first, for each distinct origin, the best way to every
        entry code (origin → exit + middle legs); then, per row, the best entry to the
        destination. All-rail itineraries first; a ferry one only where none routes.
        """
        ta, tb = self.tables[ra], self.tables[rb]
        best = np.full(len(ia), INF, np.int64)
        choice = np.full(len(ia), -1, np.int64)
        if ra == rb:  # the railway's own lines where they join the two codes (choice -1)
            own = ta.component[ia] == ta.component[ib]
            best[own] = ta.km[ia[own], ib[own]]
        plan = self.plan(ra, rb)
        if not plan.itineraries:
            return best, choice
        for ferry in (False, True):
            rows = np.flatnonzero(best >= INF)
            grid = plan.grid(ferry)
            if not len(rows) or not len(grid.exits):
                continue
            origins, inverse = np.unique(ia[rows], return_inverse=True)
            to_exit = ta.km[np.ix_(origins, grid.exits)].astype(np.int64)
            apart = ta.component[origins][:, None] != ta.component[grid.exits][None, :]
            to_exit[apart] = INF
            via = to_exit[:, :, None] + grid.middle[None, :, :]  # origins x exits x entries
            by_entry, exit_pick = via.min(axis=1), via.argmin(axis=1)
            dest = ib[rows]
            from_entry = tb.km[np.ix_(grid.entries, dest)].T.astype(np.int64)  # rows x entries
            from_entry[tb.component[grid.entries][None, :] != tb.component[dest][:, None]] = INF
            total = by_entry[inverse] + from_entry
            entry_pick = total.argmin(axis=1)
            found = total[np.arange(len(rows)), entry_pick]
            ok = found < INF
            rows, found, entry_pick = rows[ok], found[ok], entry_pick[ok]
            best[rows] = found
            choice[rows] = grid.which[exit_pick[inverse[ok], entry_pick], entry_pick]
        best[best >= INF] = INF
        return best, choice

    def route_for(self, a: str, b: str, itinerary: int) -> Route:
        """Rebuild the full Route object a batch answer points at."""
        ra, rb = self.code_railway[a], self.code_railway[b]
        if itinerary < 0:
            return self.shortest(a, b)
        ta, tb = self.tables[ra], self.tables[rb]
        return self._materialise(a, b, ra, rb, ta.index[a], tb.index[b], itinerary)


def _meth(table: RailwayTable, i: int, j: int) -> Method:
    return METHOD_CODES[int(table.method[i, j])]


def _join(head: Route, tail: Route) -> Route:
    """Concatenate two routes at a shared station; adjacent legs of one railway merge."""
    if not head.legs:
        return tail
    legs = list(head.legs)
    first, *rest = tail.legs
    if legs[-1].railway == first.railway:
        prev = legs[-1]
        methods = {prev.method, first.method} - {Method.SAME}
        worse = Method.FALLBACK if Method.FALLBACK in methods else max(methods, default=Method.SAME)
        legs[-1] = Leg(prev.railway, prev.entry_esr, first.exit_esr, prev.km + first.km, worse)
    else:
        legs.append(first)
    legs.extend(rest)
    return Route(head.from_esr, tail.to_esr, tuple(legs), head.borders + tail.borders)
