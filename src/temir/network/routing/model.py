"""Plain data the routing engine is built from, and the routes it answers with.

Why plain data: the engine must not care whether the TR-4 tables come from the shipped CSV files
or from the database; both are turned into one :class:`NetworkData` and handed to the engine.
Pure module: no framework imports.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from temir.kit.messages import Message, define

PASSENGER_ONLY_TYPE = "Для пассажирского движения"
LINK_TYPES = frozenset({"rail", "rail_gauge_change", "ferry"})
"""Kinds of border link the data names (border_crossings.csv ``link_type``)."""


class Method(StrEnum):
    """How a leg's km was determined (METHOD.md §2–§3, §8)."""

    SAME = "same"  # the same code: 0 km
    BOOK1 = "book1"  # two points on one Book 1 section: difference of km (official)
    BOOK2 = "book2"  # a station and one of its own Book 2 transit points (official)
    BOOK3 = "book3"  # Book 2 + Book 3 through transit points, or a Book 3 cell (official)
    FALLBACK = "fallback"  # chained Book 1 sections: TR-4 gives no figure (NOT official)

    @property
    def official(self) -> bool:
        return self is not Method.FALLBACK


# Integer codes so that a whole railway's methods fit in a numpy uint8 matrix.
METHOD_CODES: tuple[Method, ...] = (
    Method.SAME,
    Method.BOOK1,
    Method.BOOK2,
    Method.BOOK3,
    Method.FALLBACK,
)


@dataclass(frozen=True)
class SectionPoint:
    """One point of one TR-4 Book 1 section, with its km from the section's start."""

    railway: str
    section: str
    seq: int
    esr: str
    name_ru: str
    km_from_start: int


@dataclass(frozen=True)
class Section:
    """A Book 1 section's identity and type (freight sections only are routed)."""

    railway: str
    section: str
    title: str
    section_type: str

    @property
    def passenger_only(self) -> bool:
        title = self.title.upper()
        if self.section_type == PASSENGER_ONLY_TYPE:
            return True
        return "ДЛЯ ПАССАЖИРСКОГО ДВИЖЕНИЯ" in title and "ГРУЗОВ" not in title


@dataclass(frozen=True)
class StationTransit:
    """Book 2, column 5: km from a code to one of its transit points."""

    railway: str
    esr: str
    transit_esr: str
    km: int


@dataclass(frozen=True)
class TransitDistance:
    """Book 3: km between two transit points of one railway (unordered)."""

    railway: str
    a_esr: str
    b_esr: str
    km: int


@dataclass(frozen=True)
class BorderCrossing:
    """Two codes of two railways at one border or junction point, 0 km apart (or a ferry)."""

    a_esr: str
    a_railway: str
    a_name_ru: str
    b_esr: str
    b_railway: str
    b_name_ru: str
    link_type: str  # rail | rail_gauge_change | ferry
    confidence: str  # high | medium | low

    @property
    def ferry(self) -> bool:
        return self.link_type == "ferry"

    @property
    def gauge_change(self) -> bool:
        """1520 mm meets another gauge here: bogies are changed or goods transshipped."""
        return self.link_type == "rail_gauge_change"

    @property
    def estimated(self) -> bool:
        return self.confidence != "high"


@dataclass(frozen=True)
class StationFacts:
    """What the network says about one code beyond routing: territory, kind, Book 2 operations.

    Why here: the SMGS note rules ask whether a station is open for freight and whether a code is
    a border code; they read it from the same :class:`NetworkData` the engine routes on, so the
    notes never parse the station tables a second time.
    """

    esr: str
    name_ru: str
    railway: str
    country: str  # ISO 3166-1 alpha-2 of the territory
    kind: str  # station | junction | border | port
    operations: str  # TR-4 Book 2 operations column, as printed ("О 1,3,5,7,8,10")

    @property
    def freight(self) -> bool:
        """Open for freight: Book 2 lists at least one freight paragraph (a digit)."""
        return any(ch.isdigit() for ch in self.operations)


@dataclass(frozen=True)
class NetworkData:
    """Everything the engine needs, as plain rows. Built from CSV or from the database."""

    sections: tuple[Section, ...]
    section_points: tuple[SectionPoint, ...]
    station_transit: tuple[StationTransit, ...]
    codes_without_transit: tuple[tuple[str, str], ...]  # (railway, esr) with an empty Book 2 list
    transit_points: tuple[tuple[str, str], ...]  # (railway, esr)
    transit_distances: tuple[TransitDistance, ...]
    borders: tuple[BorderCrossing, ...]
    names: dict[str, str] = field(default_factory=dict)  # esr -> name_ru
    name_en: dict[str, str] = field(default_factory=dict)  # esr -> name_en
    edition: str = ""
    # esr -> facts of the node list's codes (both loaders fill it)
    stations: dict[str, StationFacts] = field(default_factory=dict)

    def code_railway(self) -> dict[str, str]:
        """Which railway each known code belongs to."""
        out: dict[str, str] = {}
        for p in self.section_points:
            out[p.esr] = p.railway
        for s in self.station_transit:
            out[s.esr] = s.railway
        for rw, esr in self.codes_without_transit:
            out[esr] = rw
        for rw, esr in self.transit_points:
            out[esr] = rw
        return out


@dataclass(frozen=True)
class Leg:
    """One railway's share of a route: its own tariff distance between entry and exit codes."""

    railway: str
    entry_esr: str
    exit_esr: str
    km: int
    method: Method
    ferry: bool = False
    # What TR-4 prints for this pair when the engine does not use it: a misprint, or a figure
    # that counts only this railway's km of a route through a neighbour (routing.checks)
    printed_km: int | None = None

    @property
    def official(self) -> bool:
        return self.method.official

    def to_dict(self) -> dict[str, Any]:
        return {
            "railway": self.railway,
            "entry_esr": self.entry_esr,
            "exit_esr": self.exit_esr,
            "km": self.km,
            "method": str(self.method),
            "official": self.official,
            "ferry": self.ferry,
            "printed_km": self.printed_km,
        }


@dataclass(frozen=True)
class BorderPoint:
    """Where a route passes from one railway to the next."""

    exit_esr: str
    exit_railway: str
    entry_esr: str
    entry_railway: str
    confidence: str
    ferry: bool
    gauge_change: bool = False  # bogie change or transshipment (SMGS extra days)

    def to_dict(self) -> dict[str, Any]:
        return {
            "exit_esr": self.exit_esr,
            "exit_railway": self.exit_railway,
            "entry_esr": self.entry_esr,
            "entry_railway": self.entry_railway,
            "confidence": self.confidence,
            "estimated_pairing": self.confidence != "high",
            "ferry": self.ferry,
            "gauge_change": self.gauge_change,
        }


NOTE_FALLBACK = define(
    "routing", "Some km are chained Book 1 sections: TR-4 gives no official figure for them."
)
NOTE_INFERRED_BORDERS = define(
    "routing", "Some border pairings are inferred (medium/low confidence): verify them."
)
NOTE_FERRY = define(
    "routing",
    "Includes the Caspian ferry: the sea crossing has no tariff km, so the km, days"
    " and charge cover the rail legs only; ranked after all-rail routes.",
)
NOTE_NOT_AS_PRINTED = define(
    "routing",
    "Some legs are not the km TR-4 prints for them: the printed figure is a misprint or counts"
    " only one railway's km of a route through a neighbour (temir tariff data-quality).",
)
NOTE_REENTERS = define(
    "routing",
    "Passes through a neighbour and comes back: each railway crossing is its own leg"
    " (TR-4 gives one leg per crossing).",
)
NOTE_CODES = {
    NOTE_FALLBACK: "route.non_official_km",
    NOTE_INFERRED_BORDERS: "route.inferred_border",
    NOTE_FERRY: "route.ferry_km_unknown",
    NOTE_NOT_AS_PRINTED: "route.not_as_printed",
    NOTE_REENTERS: "route.reenters",
}


class LegRole(StrEnum):
    """What a leg is for the consignment: why it matters, the tariff that applies to it.

    The transit tariffs (ETT, MTT) apply only where the goods cross a railway that is neither
    the departure's nor the destination's; the departure railway's km are export (or domestic)
    and the destination railway's import, both under that railway's national tariff. A leg of
    the departure or destination railway stays national even when the route passes a neighbour
    and comes back onto it (issue 11.6).
    """

    DOMESTIC = "domestic"
    EXPORT = "export"
    TRANSIT = "transit"
    IMPORT = "import"

    @property
    def tariff(self) -> str:
        """``transit`` (ETT/MTT) or ``national`` (the railway's own tariff)."""
        return "transit" if self is LegRole.TRANSIT else "national"


ROLE_TEXTS = {
    LegRole.DOMESTIC: define("routing", "domestic: national tariff"),
    LegRole.EXPORT: define("routing", "export: national tariff"),
    LegRole.TRANSIT: define("routing", "transit: transit tariff"),
    LegRole.IMPORT: define("routing", "import: national tariff"),
}


def leg_roles(railways: Sequence[str]) -> tuple[LegRole, ...]:
    """Roles of a route's legs from its railway sequence (first = departure, last = destination).

    A leg of the departure railway is export, of the destination railway import, of both
    (a domestic pair routed through a neighbour) export before the first foreign leg and import
    after it; a single-railway route is domestic; every other leg is transit.
    """
    if not railways:
        return ()
    first, last = railways[0], railways[-1]
    if all(rw == first for rw in railways):
        return tuple(LegRole.DOMESTIC for _ in railways)
    out: list[LegRole] = []
    abroad = False
    for rw in railways:
        if rw == first and not (rw == last and abroad):
            out.append(LegRole.EXPORT)
        elif rw == last:
            out.append(LegRole.IMPORT)
        else:
            out.append(LegRole.TRANSIT)
        if rw != first:
            abroad = True
    return tuple(out)


def tariff_by_railway(railways: Sequence[str]) -> str:
    """``KZH:national;UTI:transit;TDZ:national`` — the batch-file form of :func:`leg_roles`."""
    return ";".join(
        f"{rw}:{role.tariff}" for rw, role in zip(railways, leg_roles(railways), strict=True)
    )


@dataclass(frozen=True)
class Route:
    """A sequence of per-railway legs joined at border points; km = sum of the legs."""

    from_esr: str
    to_esr: str
    legs: tuple[Leg, ...]
    borders: tuple[BorderPoint, ...]

    # Derived once per route (a frozen value): a quote reads km, ferry and the notes of each
    # alternative several times, and a lane's routes are memoised and shown again and again.
    @functools.cached_property
    def km(self) -> int:
        return sum(leg.km for leg in self.legs)

    @functools.cached_property
    def official(self) -> bool:
        """Every leg's km is an official TR-4 figure (no Book 1 fallback)."""
        return all(leg.official for leg in self.legs)

    @functools.cached_property
    def low_confidence_borders(self) -> tuple[BorderPoint, ...]:
        return tuple(b for b in self.borders if b.confidence != "high")

    @functools.cached_property
    def ferry(self) -> bool:
        return any(b.ferry for b in self.borders)

    @functools.cached_property
    def railways(self) -> tuple[str, ...]:
        return tuple(leg.railway for leg in self.legs)

    def leg_roles(self) -> tuple[LegRole, ...]:
        return leg_roles(self.railways)

    def km_by_railway(self) -> str:
        """``KZH:2213;UTI:875;TDZ:63`` — the batch-file form."""
        return ";".join(f"{leg.railway}:{leg.km}" for leg in self.legs)

    def borders_text(self) -> str:
        return ";".join(f"{b.exit_esr}-{b.entry_esr}" for b in self.borders)

    def notes(self) -> list[Message]:
        return list(self._notes)

    @functools.cached_property
    def _notes(self) -> tuple[Message, ...]:
        out: list[Message] = []
        if not self.official:
            out.append(Message(NOTE_FALLBACK))
        if self.low_confidence_borders:
            out.append(Message(NOTE_INFERRED_BORDERS))
        if self.ferry:
            out.append(Message(NOTE_FERRY))
        if any(leg.printed_km is not None for leg in self.legs):
            out.append(Message(NOTE_NOT_AS_PRINTED))
        if len(set(self.railways)) < len(self.railways):
            out.append(Message(NOTE_REENTERS))
        return tuple(out)

    def note_codes(self) -> list[str]:
        """Stable machine codes of :meth:`notes`, in the same order."""
        return [NOTE_CODES[n.msgid] for n in self._notes]

    def _note_texts(self, lang: str) -> list[str]:
        texts: dict[str, tuple[str, ...]] = self.__dict__.setdefault("_texts", {})
        found = texts.get(lang)
        if found is None:
            found = texts[lang] = tuple(n.text(lang) for n in self._notes)
        return list(found)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "from_esr": self.from_esr,
            "to_esr": self.to_esr,
            "km": self.km,
            "km_by_railway": self.km_by_railway(),
            "official": self.official,
            "ferry": self.ferry,
            "ferry_km_unknown": self.ferry,
            "legs": [
                {**leg.to_dict(), "role": str(role), "tariff": role.tariff}
                for leg, role in zip(self.legs, self.leg_roles(), strict=True)
            ],
            "tariff_by_railway": tariff_by_railway(self.railways),
            "borders": [b.to_dict() for b in self.borders],
            "low_confidence_borders": len(self.low_confidence_borders) > 0,
            "notes": self._note_texts(lang),
            "note_codes": self.note_codes(),
        }
