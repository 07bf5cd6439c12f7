"""What the note rules need to know about the rail network: the questions, not the answers.

Why a Protocol: the rules must stay pure and fast, and must not care whether the network comes
from the shipped TR-4 CSVs, the reference database, or a test fake. The answers come from
:class:`temir.network.view.EngineNetworkView` over the route engine, so box 22 and box 38 agree
with the distances Temir quotes; entry points get the view of their session's edition from
:func:`temir.network.provider.view_for` — the same engine the quotes and the batch use, so a
newly loaded TR-4 edition changes both at once.
"""

from __future__ import annotations

from typing import Protocol

from temir.network.routing import Leg
from temir.network.view import StationInfo


class NetworkView(Protocol):
    """The read-only questions the note rules ask about the network."""

    def station(self, esr: str) -> StationInfo | None:
        """The station with this ESR code, ``None`` if the network does not have it."""

    def border_partners(self, esr: str) -> frozenset[str]:
        """ESR codes paired with ``esr`` at a border crossing (0 km apart), empty if none."""

    def tariff_distance(self, railway: str, a: str, b: str) -> Leg | None:
        """``railway``'s own TR-4 tariff distance ``a``→``b`` with the method that gave it.

        ``None`` when the railway cannot carry between the two codes on its own lines (unknown
        railway or code, or only a path through a neighbour's network).
        """
