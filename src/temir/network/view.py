"""The network as the SMGS note rules (and other checks) ask about it: a thin view over the engine.

Why over the route engine (:mod:`temir.network.routing`) and not a model of its own: the note's
box 22 (carriers' sections) and box 38 (tariff km) must agree with the distances Temir quotes.
A second network model disagreed — a shortest path over Book 1 sections gave UTI Келес (эксп.) –
Кудукли (эксп.) 858 km where TR-4 Book 3 gives 875. So this module parses nothing: station facts
come from the engine's :class:`~temir.network.routing.model.NetworkData` (read from the
reference database or the shipped CSVs, sources in ``src/temir/data/SOURCES.md``), border pairs
and tariff distances from its :class:`~temir.network.routing.Router`. Every question is a dict
lookup or one cell of the engine's precomputed per-railway tables, memoised per code pair, so
validating a note never walks a graph.

Which engine a view wraps is :mod:`temir.network.provider`'s decision (one per loaded edition);
the question the notes ask is their own port, :class:`temir.notes.network.NetworkView`. Pure
module: no framework imports.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from temir.network.routing import Leg, Router
from temir.network.routing.loader import shipped_router

LEG_CACHE_LIMIT = 100_000
"""Memoised (railway, from, to) answers; beyond this the view asks the engine each time."""


@dataclass(frozen=True)
class StationInfo:
    """One ESR code of the network as the rules see it."""

    esr: str
    name_ru: str
    railway: str
    """Operating railway, OSJD Latin abbreviation (KZH, UTI, TDZ, ...)."""
    country: str
    """ISO 3166-1 alpha-2 of the territory."""
    freight: bool
    """Open for freight operations: TR-4 Book 2 lists at least one freight paragraph (a digit)."""
    border: bool
    """A border / inter-railway code (usually an "(эксп.)" code)."""


class EngineNetworkView:
    """Station facts, border partners and tariff distances answered by one engine; built once."""

    def __init__(self, router: Router) -> None:
        self._router = router
        crossing_codes = router.border_codes.keys()
        self._stations: dict[str, StationInfo] = {
            esr: StationInfo(
                esr=esr,
                name_ru=facts.name_ru,
                railway=facts.railway,
                country=facts.country,
                freight=facts.freight,
                border=facts.kind == "border" or esr in crossing_codes,
            )
            for esr, facts in router.data.stations.items()
        }
        self._legs: dict[tuple[str, str, str], Leg | None] = {}

    @property
    def router(self) -> Router:
        return self._router

    def station(self, esr: str) -> StationInfo | None:
        """The station with this ESR code, ``None`` if the network does not have it."""
        return self._stations.get(esr)

    def border_partners(self, esr: str) -> frozenset[str]:
        """ESR codes paired with ``esr`` at a border crossing (0 km apart), empty if none."""
        return self._router.border_partners(esr)

    def tariff_distance(self, railway: str, a: str, b: str) -> Leg | None:
        """``railway``'s own TR-4 tariff distance ``a``→``b`` with the method that gave it."""
        key = (railway, a, b)
        legs = self._legs
        if key in legs:
            return legs[key]
        leg = self._router.section(railway, a, b)
        if len(legs) < LEG_CACHE_LIMIT:
            legs[key] = leg
        return leg


@functools.cache
def shipped_view() -> EngineNetworkView:
    """The view over the engine of the data shipped in ``temir/data`` (built once per process).

    The provider's fallback when a database holds no reference data; tests and benchmarks that
    need no database use it directly.
    """
    return EngineNetworkView(shipped_router())
