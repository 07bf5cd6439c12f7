"""Delivery time and charges, line by line — the tariff rules as they read in the rulebook.

Pure: takes routes, rate tables, norms and coefficients as data; computes; explains.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from temir.kit.messages import Message, define
from temir.network.routing.model import Leg, LegRole, Route
from temir.tariff.model import (
    Alternative,
    CarrierDays,
    ChargeLine,
    Coefficients,
    DeliveryNorms,
    DeliveryTime,
    LegCharge,
    QuoteRequest,
    RateTable,
    Speed,
    WagonOwner,
)

CENT = Decimal("0.01")
WAGON_CATEGORIES_T = (5, 10, 15, 20, 25)


def _msg(msgid: str) -> str:
    return define("tariff", msgid)


BEYOND_TABLE = _msg("Distance {km} km is beyond table {table}.")
NO_TABLE = _msg("No {consignment} rate table for railway {railway} on {on}.")
UNKNOWN_CONTAINER = _msg("No rate for container type {container}; known: {known}.")
MASS_ACTUAL = _msg("actual mass {mass_kg} kg → {tonnes} t")
MASS_MINIMUM = _msg("actual {actual_t} t raised to the minimum chargeable {minimum} t")
BASE_WAGON = _msg("{km} km, column {column}: {rate} CHF/t × {tonnes} t ({mass})")
BASE_CONTAINER = _msg("{km} km, container {container}: {rate} CHF per container")
DEMO_RATE = _msg("{detail} [DEMO RATE]")
TARIFF_CLASS = _msg("tariff class {tariff_class} ×{factor}")
HIGH_SPEED = _msg("high speed ×{factor} (SYNTHETIC demo coefficient)")
WAGON_OWNER = _msg("wagon not of the carrier ×{factor} (ETT §24)")
EMPTY_RUN = _msg("empty return {km} km × {axles} axles × {rate} CHF/axle-km (ETT §24)")
NATIONAL_NOT_LOADED = _msg("{railway}, {km} km: national tariff — not loaded")
NATIONAL_REASON = "tariff.national_not_loaded"


class TariffRuleError(Exception):
    """No rate applies (no table for a railway/date, unknown container type)."""

    def __init__(self, code: str, msgid: str, field: str, **params: object) -> None:
        super().__init__(msgid.format(**params))
        self.code, self.msgid, self.field, self.params = code, msgid, field, params


def delivery_time(
    route: Route, norms: DeliveryNorms, speed: Speed, consignment: str
) -> DeliveryTime:
    """SMGS: dispatch days + one day per full or started km-per-day over the whole distance
    (not per railway: a route is one contract of carriage) + the norms' extra days for each
    gauge-change border point (1520/1520 borders add none)."""
    per_day = norms.km_per_day[str(speed)][consignment]
    carriers = tuple(
        CarrierDays(leg.railway, leg.km, -(-leg.km // per_day) if leg.km > 0 else 0)
        for leg in route.legs
    )
    run = -(-route.km // per_day) if route.km > 0 else 0
    changes = sum(1 for b in route.borders if b.gauge_change)
    extra = changes * norms.gauge_change_days
    return DeliveryTime(
        norms.dispatch_days, carriers, extra, norms.unverified, norms.warning, run, changes
    )


# Memos of the two lookups every leg of every quote makes. Keyed by the tables' identity and
# holding the tables themselves, so an id is never reused while its entry lives; a table is
# frozen, and a new edition (a ``temir tariff load``) comes as new table objects.
_MEMO_SIZE = 50_000
_rates: dict[int, tuple[RateTable, dict[tuple[str, int], Decimal]]] = {}
_picks: dict[tuple[int, ...], tuple[tuple[RateTable, ...], dict[tuple[str, str, date], RateTable]]]
_picks = {}


def rate_at(table: RateTable, category: str, km: int) -> Decimal:
    """The table's rate for ``km``: exact band (official) or interpolated anchors (demo)."""
    slot = _rates.get(id(table))
    if slot is None or slot[0] is not table:
        if len(_rates) >= 64:
            _rates.clear()
        slot = _rates[id(table)] = (table, {})
    memo = slot[1]
    found = memo.get((category, km))
    if found is None:
        found = _rate_at(table, category, km)
        if len(memo) >= _MEMO_SIZE:
            memo.clear()
        memo[(category, km)] = found
    return found


def _rate_at(table: RateTable, category: str, km: int) -> Decimal:
    anchors = table.rates[category]
    if table.mode == "band":
        for km_to, rate in anchors:
            if km <= km_to:
                return rate
        raise TariffRuleError(
            "tariff.beyond_table",
            BEYOND_TABLE,
            "km",
            km=km,
            table=table.id,
        )
    if km <= anchors[0][0]:
        return anchors[0][1]
    for (k0, r0), (k1, r1) in itertools.pairwise(anchors):
        if km <= k1:
            return r0 + (r1 - r0) * Decimal(km - k0) / Decimal(k1 - k0)
    (k0, r0), (k1, r1) = anchors[-2], anchors[-1]
    return r1 + (r1 - r0) * Decimal(km - k1) / Decimal(k1 - k0)


def pick_table(tables: list[RateTable], railway: str, consignment: str, on: date) -> RateTable:
    """The newest official table covering the railway and date, else the demo table."""
    key = tuple(map(id, tables))
    slot = _picks.get(key)
    if slot is None:
        if len(_picks) >= 64:
            _picks.clear()
        slot = _picks[key] = (tuple(tables), {})
    memo = slot[1]
    found = memo.get((railway, consignment, on))
    if found is None:
        found = _pick_table(tables, railway, consignment, on)
        if len(memo) >= _MEMO_SIZE:
            memo.clear()
        memo[(railway, consignment, on)] = found
    return found


def _pick_table(tables: list[RateTable], railway: str, consignment: str, on: date) -> RateTable:
    fitting = [t for t in tables if t.consignment == consignment and t.covers(railway, on)]
    if not fitting:
        raise TariffRuleError(
            "tariff.no_table",
            NO_TABLE,
            "date",
            consignment=consignment,
            railway=railway,
            on=on.isoformat(),
        )
    fitting.sort(key=lambda t: (not t.demo, t.valid_from))
    return fitting[-1]


def chargeable_tonnes(req: QuoteRequest, coeff: Coefficients) -> tuple[int, Message]:
    """Actual mass rounded up to whole tonnes, raised to the goods' minimum chargeable mass."""
    actual_t = -(-req.mass_kg // 1000)
    minimum = coeff.min_chargeable_t.get(req.cargo.group, coeff.min_chargeable_t["default"])
    if actual_t >= minimum:
        return actual_t, _shared(MASS_ACTUAL, mass_kg=req.mass_kg, tonnes=actual_t)
    return minimum, _shared(MASS_MINIMUM, actual_t=actual_t, minimum=minimum)


def weight_category(tonnes: int) -> str:
    """The table column for the chargeable mass (the heaviest column the mass reaches)."""
    fitting = [c for c in WAGON_CATEGORIES_T if c <= tonnes] or [WAGON_CATEGORIES_T[0]]
    return f"{fitting[-1]}t"


@functools.lru_cache(maxsize=1024)
def _shared_message(msgid: str, params: tuple[tuple[str, object], ...]) -> Message:
    return Message(msgid, dict(params))


def _shared(msgid: str, **params: object) -> Message:
    """One message object per distinct factor line, so each renders once per language."""
    return _shared_message(msgid, tuple(params.items()))


def national_leg(index: int, leg: Leg, role: LegRole) -> LegCharge:
    """An export, import or domestic leg: its railway's national tariff, which is not loaded.

    A 0 km leg (the route starts or ends at the railway's border code) has nothing to charge.
    """
    if leg.km == 0:
        return LegCharge(index, leg.railway, 0, str(role), role.tariff, CENT * 0)
    why = Message.of(NATIONAL_NOT_LOADED, railway=leg.railway, km=leg.km)
    return LegCharge(index, leg.railway, leg.km, str(role), role.tariff, None, NATIONAL_REASON, why)


class RoutePlan:
    """What a route's charge needs that does not depend on the request, derived once per route.

    Why: a lane's routes are memoised per edition and quoted again and again, and every quote
    walked each leg to find its role, built the same national-leg charges and the same delivery
    time. Routes are frozen values, so the plan is kept on the route object itself
    (:func:`route_plan`) and goes when the route goes (no memo of its own to bound).
    """

    __slots__ = ("deliveries", "legs")

    def __init__(self, route: Route) -> None:
        # (index, leg, a fixed LegCharge or None for a transit leg with km to price)
        legs: list[tuple[int, Leg, LegCharge | None]] = []
        for index, (leg, role) in enumerate(zip(route.legs, route.leg_roles(), strict=True)):
            if role is not LegRole.TRANSIT:
                legs.append((index, leg, national_leg(index, leg, role)))
            elif leg.km == 0:
                zero = LegCharge(index, leg.railway, 0, str(role), role.tariff, CENT * 0)
                legs.append((index, leg, zero))
            else:
                legs.append((index, leg, None))
        self.legs = tuple(legs)
        self.deliveries: dict[tuple[Speed, str], tuple[DeliveryNorms, DeliveryTime]] = {}

    def delivery(
        self, route: Route, norms: DeliveryNorms, speed: Speed, consignment: str
    ) -> DeliveryTime:
        """:func:`delivery_time` of the plan's route, kept per (norms, speed, consignment)."""
        found = self.deliveries.get((speed, consignment))
        if found is None or found[0] is not norms:
            found = (norms, delivery_time(route, norms, speed, consignment))
            self.deliveries[(speed, consignment)] = found
        return found[1]


def route_plan(route: Route) -> RoutePlan:
    """The route's :class:`RoutePlan`, made on first use and kept on the (frozen) route."""
    plan: RoutePlan | None = route.__dict__.get("_tariff_plan")
    if plan is None:
        plan = route.__dict__["_tariff_plan"] = RoutePlan(route)
    return plan


#: A transit leg's priced lines: (lines, the leg's amount, the table's id).
TransitCharge = tuple[tuple[ChargeLine, ...], Decimal, str]


def charge_route(
    route: Route,
    req: QuoteRequest,
    tables: list[RateTable],
    coeff: Coefficients,
    shared: dict[tuple[str, int], TransitCharge] | None = None,
) -> tuple[list[ChargeLine], list[str], list[LegCharge]]:
    """Transit legs are charged at the transit table, line by line; national legs are not.

    The ETT/MTT rate tables price transit only: a leg of the departure or destination railway
    is under that railway's national tariff (issue 11.6), and no national tariff is loaded, so
    such a leg gets a :class:`LegCharge` without an amount and a reason instead of a figure.

    ``shared``: the transit legs already priced for the same request (one quote's
    alternatives share most of their legs), by (railway, km) — a leg's lines depend on nothing
    else of the route; the same line objects are then shown in each alternative.
    """
    lines: list[ChargeLine] = []
    used: list[str] = []
    legs: list[LegCharge] = []
    consignment = "container" if req.container else "wagon"
    tonnes, mass_why = (0, None) if req.container else chargeable_tonnes(req, coeff)
    for index, leg, fixed in route_plan(route).legs:
        if fixed is not None:
            legs.append(fixed)
            continue
        key = (leg.railway, leg.km)
        found = shared.get(key) if shared is not None else None
        if found is None:
            table = pick_table(tables, leg.railway, consignment, req.on)
            found = _transit_lines(leg, req, table, coeff, tonnes, mass_why)
            if shared is not None:
                shared[key] = found
        leg_lines, amount, table_id = found
        lines.extend(leg_lines)
        used.append(table_id)
        legs.append(LegCharge(index, leg.railway, leg.km, "transit", "transit", amount))
    return lines, list(dict.fromkeys(used)), legs


def _transit_lines(
    leg: Leg,
    req: QuoteRequest,
    table: RateTable,
    coeff: Coefficients,
    tonnes: int,
    mass_why: Message | None,
) -> TransitCharge:
    """The lines of one transit leg with km: base, then each factor on the running sum."""
    lines: list[ChargeLine] = []
    if req.container:
        if req.container not in table.rates:
            raise TariffRuleError(
                "tariff.unknown_container",
                UNKNOWN_CONTAINER,
                "container",
                container=req.container,
                known=", ".join(sorted(table.rates)),
            )
        rate = rate_at(table, req.container, leg.km).quantize(CENT, ROUND_HALF_UP)
        base = rate
        why = Message.of(BASE_CONTAINER, km=leg.km, container=req.container, rate=rate)
    else:
        cat = weight_category(tonnes)
        rate = rate_at(table, cat, leg.km).quantize(CENT, ROUND_HALF_UP)
        base = (rate * tonnes).quantize(CENT, ROUND_HALF_UP)
        why = Message.of(BASE_WAGON, km=leg.km, column=cat, rate=rate, tonnes=tonnes, mass=mass_why)
    if table.demo:
        why = Message.of(DEMO_RATE, detail=why)
    lines.append(ChargeLine(leg.railway, "base", base, why, table.id))
    cls = coeff.tariff_class.get(req.cargo.tariff_class, Decimal("1"))
    if cls != 1:
        extra = (base * (cls - 1)).quantize(CENT, ROUND_HALF_UP)
        lines.append(
            ChargeLine(
                leg.railway,
                "class",
                extra,
                _shared(TARIFF_CLASS, tariff_class=req.cargo.tariff_class, factor=cls),
            )
        )
        base += extra
    if req.speed is Speed.HIGH:
        extra = (base * (coeff.high_speed - 1)).quantize(CENT, ROUND_HALF_UP)
        lines.append(
            ChargeLine(
                leg.railway,
                "high_speed",
                extra,
                _shared(HIGH_SPEED, factor=coeff.high_speed),
            )
        )
        base += extra
    if req.wagon_owner is WagonOwner.OTHER and not req.container:
        cut = (base * (coeff.wagon_owner_other - 1)).quantize(CENT, ROUND_HALF_UP)
        lines.append(
            ChargeLine(
                leg.railway,
                "wagon_owner",
                cut,
                _shared(WAGON_OWNER, factor=coeff.wagon_owner_other),
            )
        )
        if req.empty_return:
            axles = 2 if req.axles <= 2 else 4
            per = coeff.empty_run_per_axle_km[axles]
            amount = (per * req.axles * leg.km).quantize(CENT, ROUND_HALF_UP)
            lines.append(
                ChargeLine(
                    leg.railway,
                    "empty_run",
                    amount,
                    Message.of(EMPTY_RUN, km=leg.km, axles=req.axles, rate=per),
                )
            )
    total = sum((line.amount_chf for line in lines), CENT * 0)
    return tuple(lines), total, table.id


def mark(alternatives: list[Alternative]) -> list[Alternative]:
    """Mark the cheapest, fastest and shortest alternatives (ties: all of them).

    A ferry route's km, days and charge leave out the sea leg (it has no tariff km), so while an
    all-rail alternative exists a ferry route is not compared: it could only look better. A
    partial charge is never the cheapest: it leaves out the legs whose tariff is not loaded.
    """
    if not alternatives:
        return alternatives
    pool = [a for a in alternatives if not a.route.ferry] or alternatives
    # A partial charge (national legs not loaded) is not a price: only whole ones compete.
    priced = [a.charge_chf for a in pool if not a.partial]
    cheapest = min(priced) if priced else None
    fastest = min(a.delivery.total_days for a in pool)
    shortest = min(a.route.km for a in pool)
    out = []
    for a in alternatives:
        marks = tuple(
            name
            for name, hit in (
                ("cheapest", not a.partial and a.charge_chf == cheapest),
                ("fastest", a.delivery.total_days == fastest),
                ("shortest", a.route.km == shortest),
            )
            if hit and any(a is p for p in pool)
        )
        out.append(a if marks == a.marks else replace(a, marks=marks))
    return out
