"""Tariff data and quote results as plain dataclasses. Pure module."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, Final

from temir.kit.messages import Message
from temir.network.routing.model import Route


class _Kept:
    """A JSON-shaped value kept to be handed out again, each time as a deep copy.

    The positions of its dicts and lists are found once (:func:`_shape`), so a copy is C-level
    ``dict.copy``/``list.copy`` calls at those positions, not a Python walk of every leaf.
    """

    __slots__ = ("shape", "value")

    def __init__(self, value: dict[str, Any]) -> None:
        self.value, self.shape = value, _shape(value)

    def copy(self) -> dict[str, Any]:
        copied: dict[str, Any] = _copy(self.value, self.shape)
        return copied


_CONTAINERS = (dict, list)
_FLAT: Final = ()  # a dict or list holding no container: one C-level copy
_FLAT_DICTS: Final = (("flat dicts", ()),)  # a list of such dicts (a route's legs, borders)
# the nested containers: (key or position, their shape) pairs, or one of the two markers above
_Shape = tuple[tuple[Any, Any], ...]


def _shape(value: Any) -> _Shape:
    items = value.items() if type(value) is dict else enumerate(value)
    nested = tuple((k, _shape(v)) for k, v in items if type(v) in _CONTAINERS)
    if (
        type(value) is list
        and nested
        and len(nested) == len(value)
        and all(
            type(v) is dict and inner is _FLAT for v, (_, inner) in zip(value, nested, strict=True)
        )
    ):
        return _FLAT_DICTS
    return nested if nested else _FLAT


def _copy(value: Any, shape: _Shape) -> Any:
    if shape is _FLAT_DICTS:
        return [item.copy() for item in value]
    out = value.copy()
    for where, inner in shape:
        item = value[where]
        if inner is _FLAT:
            out[where] = item.copy()
        elif inner is _FLAT_DICTS:
            out[where] = [d.copy() for d in item]
        else:
            out[where] = _copy(item, inner)
    return out


def _rendered(owner: Any, lang: str, render: Any) -> dict[str, Any]:
    """``render(lang)`` of a frozen ``owner``, kept on it per language; a deep copy each call.

    Why: the route and the delivery time in a quote's JSON are frozen values shown again in
    every later quote of the lane (the routes are memoised per edition and carry their plan),
    so each is rendered once per language; building their dicts and lists again for every
    alternative of every quote was most of a quote's rendering time. Each call still hands
    out dicts and lists of its own, which a caller may change (the API adds station names to
    the route and its legs).
    """
    cache: dict[str, _Kept | None] | None = owner.__dict__.get("_tariff_json")
    if cache is None:
        cache = owner.__dict__["_tariff_json"] = {}
    found = cache.get(lang, _UNSEEN)
    if found is None:  # asked before: from now on kept
        found = cache[lang] = _Kept(render(lang))
    elif found is _UNSEEN:  # first time: rendered and handed out as is (a lane asked once
        cache[lang] = None  # costs what it cost before anything was kept)
        fresh: dict[str, Any] = render(lang)
        return fresh
    return found.copy()


_UNSEEN: Final = _Kept({})


class Speed(StrEnum):
    FREIGHT = "freight"
    HIGH = "high"


class WagonOwner(StrEnum):
    CARRIER = "carrier"
    OTHER = "other"


@dataclass(frozen=True)
class RateTable:
    """One rate table of one railway (or ``*``: every railway) for one validity period."""

    id: str
    railways: frozenset[str] | None  # None = every railway
    consignment: str  # wagon | container
    valid_from: date
    valid_to: date
    mode: str  # band (official: exact band lookup) | interpolate (demo anchors)
    demo: bool
    source: str
    derivation: str
    # category -> ascending (km_to, CHF): per tonne (wagon) or per container
    rates: dict[str, tuple[tuple[int, Decimal], ...]] = field(default_factory=dict)

    def covers(self, railway: str, on: date) -> bool:
        ok_rw = self.railways is None or railway in self.railways
        return ok_rw and self.valid_from <= on <= self.valid_to


@dataclass(frozen=True)
class Coefficients:
    wagon_owner_other: Decimal
    empty_run_per_axle_km: dict[int, Decimal]  # axles (2 or 4 = "4 or more") -> CHF
    high_speed: Decimal
    tariff_class: dict[str, Decimal]
    min_chargeable_t: dict[str, int]  # commodity group -> t; "default"
    unverified: tuple[str, ...]  # names of coefficients that are not verified facts


@dataclass(frozen=True)
class DeliveryNorms:
    regime: str
    version: str
    unverified: bool
    warning: Message
    dispatch_days: int
    km_per_day: dict[str, dict[str, int]]  # speed -> consignment -> km
    gauge_change_days: int


@dataclass(frozen=True)
class Cargo:
    etsng: str
    name_ru: str
    group: str
    tariff_class: str = "1"


@dataclass(frozen=True)
class QuoteRequest:
    from_esr: str
    to_esr: str
    cargo: Cargo
    mass_kg: int
    wagon_owner: WagonOwner = WagonOwner.CARRIER
    speed: Speed = Speed.FREIGHT
    container: str | None = None  # 3t | 5t (medium containers) or None for a wagon
    empty_return: bool = False  # charge the empty run back (wagons not of the carrier)
    axles: int = 4
    on: date = field(default_factory=date.today)


@dataclass(frozen=True)
class ChargeLine:
    """One line of the charge with the reason it exists, so a user can follow the sum.

    ``what`` is the line's stable machine code (base, class, high_speed, wagon_owner,
    empty_run); ``explanation`` is the reason as a message, rendered in the reader's language.
    """

    railway: str
    what: str
    amount_chf: Decimal
    explanation: Message
    table_id: str | None = None

    @property
    def code(self) -> str:
        return self.what

    def text(self, lang: str = "en") -> str:
        return self.explanation.text(lang)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        # Built anew: most lines are a request's own (the base line names its mass); the
        # texts are kept on the messages, and a shared factor line's message is shared.
        text = self.text(lang)
        return {
            "railway": self.railway,
            "code": self.what,
            "what": self.what,
            "amount_chf": str(self.amount_chf),
            "text": text,
            "explanation": text,
            "message": self.explanation.to_dict(),
            "table_id": self.table_id,
        }


@dataclass(frozen=True)
class LegCharge:
    """What one leg of a route costs, or why it has no figure.

    ``tariff`` is ``transit`` (ETT/MTT: priced from the rate tables, its lines beside) or
    ``national`` (the railway's own export/import/domestic tariff). No national tariff is loaded
    (none was found in a public source), so a national leg has ``amount_chf`` None and the
    stable ``reason`` code ``tariff.national_not_loaded`` instead of a transit figure.
    """

    index: int  # position of the leg in the route
    railway: str
    km: int
    role: str  # domestic | export | transit | import (network.routing.model.LegRole)
    tariff: str  # transit | national
    amount_chf: Decimal | None
    reason: str | None = None
    explanation: Message | None = None

    @property
    def charged(self) -> bool:
        return self.amount_chf is not None

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        # Built anew: flat, and a transit leg's charge is the request's own (a national
        # leg's text is kept on its message, which the route's plan keeps).
        return {
            "leg": self.index,
            "railway": self.railway,
            "km": self.km,
            "role": self.role,
            "tariff": self.tariff,
            "amount_chf": None if self.amount_chf is None else str(self.amount_chf),
            "reason": self.reason,
            "text": self.explanation.text(lang) if self.explanation else None,
        }


@dataclass(frozen=True)
class CarrierDays:
    railway: str
    km: int
    days: int

    def to_dict(self) -> dict[str, Any]:
        return {"railway": self.railway, "km": self.km, "days": self.days}


@dataclass(frozen=True)
class DeliveryTime:
    """SMGS delivery time: dispatch + the run over the whole distance + extra days.

    ``run_days`` counts one day per full or started ``km_per_day`` of the route's whole tariff
    distance, not per railway (issue 11.5); ``per_carrier`` keeps each railway's km and its own
    share of days for information — they do not add up to the run. ``extra_days`` are the
    norms' days for gauge-change (bogie change or transshipment) border points.
    """

    dispatch_days: int
    per_carrier: tuple[CarrierDays, ...]
    extra_days: int
    unverified: bool
    warning: Message
    run_days: int = 0
    gauge_changes: int = 0

    @functools.cached_property
    def total_days(self) -> int:
        return self.dispatch_days + self.run_days + self.extra_days

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return _rendered(self, lang, self._to_dict)

    def _to_dict(self, lang: str) -> dict[str, Any]:
        return {
            "total_days": self.total_days,
            "dispatch_days": self.dispatch_days,
            "run_days": self.run_days,
            "per_carrier": [c.to_dict() for c in self.per_carrier],
            "extra_days": self.extra_days,
            "gauge_changes": self.gauge_changes,
            "unverified": self.unverified,
            "warning": self.warning.text(lang),
        }


RouteJson = Callable[[Route, str], Any]
"""Renders a route of a quote in a language (:meth:`Quote.to_dict`)."""


def route_dict(route: Route, lang: str) -> dict[str, Any]:
    """``route.to_dict(lang)``, rendered once per route and language; a deep copy each call."""
    return _rendered(route, lang, route.to_dict)


@dataclass(frozen=True)
class Alternative:
    route: Route
    delivery: DeliveryTime
    lines: tuple[ChargeLine, ...]
    tables_used: tuple[str, ...]
    demo: bool
    marks: tuple[str, ...] = ()  # cheapest | fastest | shortest
    legs: tuple[LegCharge, ...] = ()  # one per route leg: its charge or why it has none

    @functools.cached_property
    def charge_chf(self) -> Decimal:
        """The sum of the charged lines: the whole charge only when not :attr:`partial`."""
        return sum((line.amount_chf for line in self.lines), Decimal("0.00"))

    @functools.cached_property
    def uncharged(self) -> tuple[LegCharge, ...]:
        """Legs with km but no charge (national tariff not loaded)."""
        return tuple(c for c in self.legs if not c.charged and c.km > 0)

    @functools.cached_property
    def partial(self) -> bool:
        """Some legs have no charge: :attr:`charge_chf` covers the others only."""
        return bool(self.uncharged)

    @functools.cached_property
    def charge_known(self) -> Decimal | None:
        """The total, or None when no leg has a charge at all (nothing to add up)."""
        if self.partial and not any(c.charged for c in self.legs):
            return None
        return self.charge_chf

    def to_dict(self, lang: str = "en", route: RouteJson | None = None) -> dict[str, Any]:
        """The alternative as JSON; ``route`` renders its route when given (see
        :meth:`Quote.to_dict`), else :func:`route_dict`."""
        return {
            "route": route_dict(self.route, lang) if route is None else route(self.route, lang),
            "km": self.route.km,
            "days": self.delivery.total_days,
            "delivery": self.delivery.to_dict(lang),
            "charge": {
                "amount": None if self.charge_known is None else str(self.charge_known),
                "currency": "CHF",
                "partial": self.partial,
                "not_charged": [c.index for c in self.uncharged],
            },
            "leg_charges": [c.to_dict(lang) for c in self.legs],
            "lines": [line.to_dict(lang) for line in self.lines],
            "tables_used": list(self.tables_used),
            "demo_rates": self.demo,
            "marks": list(self.marks),
        }


@dataclass(frozen=True)
class QuoteNote:
    """A notice on the whole quote (demo rates, unverified norms): a code and its message."""

    code: str
    message: Message

    def text(self, lang: str = "en") -> str:
        return self.message.text(lang)

    def __str__(self) -> str:
        return self.text("en")


@dataclass(frozen=True)
class Quote:
    request: QuoteRequest
    alternatives: tuple[Alternative, ...]
    notes: tuple[QuoteNote, ...]
    tables: tuple[RateTable, ...] = ()  # the rate tables the charges were computed from

    @property
    def demo(self) -> bool:
        return any(a.demo for a in self.alternatives)

    def to_dict(self, lang: str = "en", route: RouteJson | None = None) -> dict[str, Any]:
        """The quote as JSON. ``route(route, lang)``, when given, renders each alternative's
        route instead of :func:`route_dict`: the API shows the route in its own form (with
        station names), and rendering it here only to replace it was a quarter of an answer."""
        r = self.request
        return {
            "from_esr": r.from_esr,
            "to_esr": r.to_esr,
            "cargo": {"etsng": r.cargo.etsng, "name_ru": r.cargo.name_ru, "group": r.cargo.group},
            "mass_kg": r.mass_kg,
            "wagon_owner": str(r.wagon_owner),
            "speed": str(r.speed),
            "container": r.container,
            "demo_rates": self.demo,
            "rate_tables": [
                {
                    "id": t.id,
                    "demo": t.demo,
                    "consignment": t.consignment,
                    "railways": sorted(t.railways) if t.railways is not None else ["*"],
                    "valid_from": t.valid_from.isoformat(),
                    "valid_to": t.valid_to.isoformat(),
                    "source": t.source,
                }
                for t in self.tables
            ],
            "notes": [n.text(lang) for n in self.notes],
            "note_codes": [n.code for n in self.notes],
            "alternatives": [a.to_dict(lang, route) for a in self.alternatives],
        }
