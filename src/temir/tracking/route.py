"""The route of a note as tracking sees it: each carrier's section of box 22 with its tariff km,
and where on it a station lies. Pure.

Why box 22 and not a fresh route search: the note is the contract — the consignor chose the
border crossings (box 6) and each carrier's section (box 22) — and box 38's tariff km are the
same figures (:mod:`temir.notes.network`), so "how far along is the wagon" and "how far was it
charged" agree. Km come from the route engine's TR-4 tables through the network view; nothing
here measures geometry.

A station lies on a railway's section when going entry → station → exit costs no more tariff
km than the section itself (plus a slack: TR-4 distances go through transit points and are
rounded per table, so a station on the line can add a few km). Its position is then the
section's start plus entry → station.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol

from temir.codes import find_railway
from temir.network.routing.model import BorderPoint, Leg, Method, Route

SLACK_KM: Final = 25
SLACK_SHARE: Final = 0.05


class _Station(Protocol):
    @property
    def railway(self) -> str: ...

    @property
    def name_ru(self) -> str: ...


class Stations(Protocol):
    """What tracking asks of the network (the note rules' view answers it)."""

    def station(self, esr: str) -> _Station | None: ...

    def tariff_distance(self, railway: str, a: str, b: str) -> Leg | None: ...


@dataclass(frozen=True)
class RouteLeg:
    """One carrier's section with its tariff km and where it starts along the whole route."""

    railway: str
    entry_esr: str
    exit_esr: str
    km: int
    start_km: int
    method: Method

    def to_dict(self) -> dict[str, Any]:
        return {
            "railway": self.railway,
            "entry_esr": self.entry_esr,
            "exit_esr": self.exit_esr,
            "km": self.km,
            "start_km": self.start_km,
            "official": self.method.official,
        }


@dataclass(frozen=True)
class Crossing:
    """Where the route passes from one carrier to the next (exit code → entry code)."""

    exit_esr: str
    exit_railway: str
    entry_esr: str
    entry_railway: str

    @property
    def codes(self) -> frozenset[str]:
        return frozenset({self.exit_esr, self.entry_esr})

    def to_dict(self) -> dict[str, Any]:
        return {
            "exit_esr": self.exit_esr,
            "exit_railway": self.exit_railway,
            "entry_esr": self.entry_esr,
            "entry_railway": self.entry_railway,
        }


@dataclass(frozen=True)
class NoteRoute:
    legs: tuple[RouteLeg, ...]
    crossings: tuple[Crossing, ...]

    @property
    def km(self) -> int:
        return sum(leg.km for leg in self.legs)

    @property
    def from_esr(self) -> str:
        return self.legs[0].entry_esr

    @property
    def to_esr(self) -> str:
        return self.legs[-1].exit_esr

    def leg_at(self, km: int) -> RouteLeg:
        """The section a position lies on (a border point belongs to the section it ends)."""
        for leg in self.legs:
            if km <= leg.start_km + leg.km:
                return leg
        return self.legs[-1]

    def position(self, esr: str, stations: Stations) -> int | None:
        """Km from the origin of station ``esr``, or ``None`` when it is not on the route."""
        info = stations.station(esr)
        for leg in self.legs:
            if esr == leg.entry_esr:
                return leg.start_km
            if esr == leg.exit_esr:
                return leg.start_km + leg.km
            if info is None or info.railway != leg.railway:
                continue
            there = stations.tariff_distance(leg.railway, leg.entry_esr, esr)
            onward = stations.tariff_distance(leg.railway, esr, leg.exit_esr)
            if there is None or onward is None:
                continue
            if there.km + onward.km <= leg.km + max(SLACK_KM, SLACK_SHARE * leg.km):
                return leg.start_km + min(there.km, leg.km)
        return None

    def crossing_at(self, esr: str) -> Crossing | None:
        return next((c for c in self.crossings if esr in c.codes), None)

    def as_route(self) -> Route:
        """The engine's :class:`Route` of these legs (for the delivery-time norms)."""
        legs = tuple(
            Leg(leg.railway, leg.entry_esr, leg.exit_esr, leg.km, leg.method) for leg in self.legs
        )
        borders = tuple(
            BorderPoint(c.exit_esr, c.exit_railway, c.entry_esr, c.entry_railway, "high", False)
            for c in self.crossings
        )
        return Route(self.from_esr, self.to_esr, legs, borders)

    def to_dict(self) -> dict[str, Any]:
        return {
            "km": self.km,
            "legs": [leg.to_dict() for leg in self.legs],
            "crossings": [c.to_dict() for c in self.crossings],
        }


@dataclass(frozen=True)
class Section:
    """Box 22 as tracking needs it: carrier and the codes its section runs between."""

    carrier: str
    from_esr: str
    to_esr: str


def _abbr(code: str) -> str:
    found = find_railway(code) if code else None
    return (found.latin or found.numeric) if found else code.strip().upper()


def route_of(sections: Sequence[Section], stations: Stations) -> NoteRoute | None:
    """The route of box 22, or ``None`` when a section has no TR-4 distance on its railway."""
    legs: list[RouteLeg] = []
    start = 0
    for section in sections:
        railway = _abbr(section.carrier)
        leg = stations.tariff_distance(railway, section.from_esr, section.to_esr)
        if leg is None:
            return None
        legs.append(RouteLeg(railway, section.from_esr, section.to_esr, leg.km, start, leg.method))
        start += leg.km
    if not legs:
        return None
    crossings = tuple(
        Crossing(a.exit_esr, a.railway, b.entry_esr, b.railway) for a, b in itertools.pairwise(legs)
    )
    return NoteRoute(tuple(legs), crossings)
