"""When a wagon will arrive, whether it is late, and where the time went. Pure.

Two estimates, because they answer different questions:

* **by the norms** — the remaining tariff km of the route at the SMGS delivery-time norms (one
  day per full or started km-per-day of the whole distance, as
  :func:`temir.tariff.rules.delivery_time` counts them). What the contract allows from here.
  The norms shipped are flagged **unverified** (``src/temir/data/tariff``) and every estimate
  carries that flag.
* **by observed progress** — the remaining km at the average speed the wagon has made so far
  (km along the route over elapsed hours, stops included). What is likely.

The note's delivery time is its acceptance (box 26) plus the norm days of the whole route plus
any extension (box 32). Late means delivered after it, or not delivered and past it; *expected*
late means the observed estimate falls after it. Where the time went: each stretch between two
reports placed on the route, against the norm time for its km — a border wait is a stretch of
0 km, so all of it is lost time.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Final

from temir.tariff.model import DeliveryNorms, Speed
from temir.tariff.rules import delivery_time
from temir.tracking.model import Event, EventKind
from temir.tracking.route import NoteRoute
from temir.tracking.rules import hours_between

LOSSES_SHOWN: Final = 5
HOUR: Final = Decimal("0.1")


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b) if a > 0 else 0


@dataclass(frozen=True)
class Norms:
    """The delivery-time norms as tracking needs them, and whether they are verified."""

    dispatch_days: int
    km_per_day: int
    unverified: bool
    source: DeliveryNorms

    @classmethod
    def of(cls, norms: DeliveryNorms, consignment: str = "wagon") -> Norms:
        per_day = norms.km_per_day[str(Speed.FREIGHT)][consignment]
        return cls(norms.dispatch_days, per_day, norms.unverified, norms)

    def hours_for(self, km: int) -> Decimal:
        """Norm hours for ``km`` at km-per-day (not rounded up: a stretch, not a section)."""
        return (Decimal(km) * 24 / self.km_per_day).quantize(HOUR)


@dataclass(frozen=True)
class Loss:
    """A stretch between two reports and how much longer it took than the norm."""

    from_esr: str
    to_esr: str
    railway: str
    km: int
    started: datetime
    ended: datetime
    hours: Decimal
    norm_hours: Decimal

    @property
    def excess_hours(self) -> Decimal:
        return self.hours - self.norm_hours

    def to_dict(self) -> dict[str, Any]:
        return {
            "from_esr": self.from_esr,
            "to_esr": self.to_esr,
            "railway": self.railway,
            "km": self.km,
            "started": self.started.isoformat(),
            "ended": self.ended.isoformat(),
            "hours": str(self.hours),
            "norm_hours": str(self.norm_hours),
            "excess_hours": str(self.excess_hours),
        }


@dataclass(frozen=True)
class RailwayTime:
    """Time on one carrier's section against its norm days."""

    railway: str
    km: int
    hours: Decimal
    norm_hours: Decimal

    def to_dict(self) -> dict[str, Any]:
        return {
            "railway": self.railway,
            "km": self.km,
            "hours": str(self.hours),
            "norm_hours": str(self.norm_hours),
            "excess_hours": str(max(self.hours - self.norm_hours, Decimal(0))),
        }


@dataclass(frozen=True)
class Estimate:
    position_km: int | None
    remaining_km: int | None
    last_at: datetime | None
    by_norms: datetime | None
    norm_days_left: int | None
    by_progress: datetime | None
    observed_kmh: Decimal | None
    deadline: datetime | None
    norm_days_total: int | None
    arrived_at: datetime | None
    delivered_at: datetime | None
    status: str
    """on_time | late | expected_late | unknown."""
    late_by_hours: Decimal | None
    losses: tuple[Loss, ...]
    by_railway: tuple[RailwayTime, ...]
    unverified_norms: bool

    def to_dict(self) -> dict[str, Any]:
        def iso(value: datetime | None) -> str | None:
            return None if value is None else value.isoformat()

        return {
            "position_km": self.position_km,
            "remaining_km": self.remaining_km,
            "last_report_at": iso(self.last_at),
            "eta_by_norms": iso(self.by_norms),
            "norm_days_left": self.norm_days_left,
            "eta_by_progress": iso(self.by_progress),
            "observed_kmh": None if self.observed_kmh is None else str(self.observed_kmh),
            "deadline": iso(self.deadline),
            "norm_days_total": self.norm_days_total,
            "arrived_at": iso(self.arrived_at),
            "delivered_at": iso(self.delivered_at),
            "status": self.status,
            "late_by_hours": None if self.late_by_hours is None else str(self.late_by_hours),
            "losses": [loss.to_dict() for loss in self.losses],
            "by_railway": [r.to_dict() for r in self.by_railway],
            "norms_unverified": self.unverified_norms,
        }


def norm_days_left(route: NoteRoute, km: int, norms: Norms) -> int:
    """Norm days from position ``km``: one per full or started km-per-day of the rest of the
    route's whole distance (SMGS counts the whole route, not each carrier's section)."""
    total = sum(leg.km for leg in route.legs)
    return _ceil_div(total - km, norms.km_per_day)


def deadline(
    route: NoteRoute, norms: Norms, accepted_at: datetime | None, extension_days: int
) -> tuple[datetime | None, int]:
    """The note's delivery time and its norm days (dispatch + whole route + extensions)."""
    timing = delivery_time(route.as_route(), norms.source, Speed.FREIGHT, "wagon")
    days = timing.total_days + extension_days
    return (None if accepted_at is None else accepted_at + timedelta(days=days)), days


def _first(events: Sequence[Event], kind: EventKind) -> datetime | None:
    return next((e.at for e in events if e.kind is kind), None)


def estimate(
    events: Sequence[Event],
    where: Sequence[int | None],
    route: NoteRoute | None,
    norms: Norms,
    *,
    accepted_at: datetime | None,
    extension_days: int,
    delivered_at: datetime | None,
    now: datetime,
) -> Estimate:
    """ETA by the norms and by observed progress, the delay and where the time was lost.

    ``events`` are :func:`~temir.tracking.rules.ordered`; ``where`` their positions on the route.
    """
    placed = [(km, e) for km, e in zip(where, events, strict=True) if km is not None]
    arrived_at = _first(events, EventKind.ARRIVAL)
    delivered_at = delivered_at or _first(events, EventKind.DELIVERY)
    if route is None:
        return Estimate(
            None, None, events[-1].at if events else None, None, None, None, None, None, None,
            arrived_at, delivered_at, "unknown", None, (), (), norms.unverified,
        )  # fmt: skip
    due, total_days = deadline(route, norms, accepted_at, extension_days)
    last_km, last_at = (placed[-1][0], placed[-1][1].at) if placed else (0, accepted_at)
    if arrived_at is not None or delivered_at is not None:
        last_km = route.km
    remaining = max(route.km - last_km, 0)
    days_left = norm_days_left(route, last_km, norms)
    by_norms = None if last_at is None else last_at + timedelta(days=days_left)
    kmh, by_progress = _progress(placed, remaining)
    if remaining == 0:
        by_norms = by_progress = arrived_at or delivered_at or last_at
    status, late_by = _delay(due, delivered_at, by_progress, now)
    stretches = _stretches(placed, route, norms)
    return Estimate(
        position_km=last_km if placed or remaining == 0 else None,
        remaining_km=remaining,
        last_at=events[-1].at if events else None,
        by_norms=by_norms,
        norm_days_left=days_left,
        by_progress=by_progress,
        observed_kmh=kmh,
        deadline=due,
        norm_days_total=total_days,
        arrived_at=arrived_at,
        delivered_at=delivered_at,
        status=status,
        late_by_hours=late_by,
        losses=_losses(stretches, norms),
        by_railway=_by_railway(stretches, route, norms),
        unverified_norms=norms.unverified,
    )


def _progress(
    placed: Sequence[tuple[int, Event]], remaining: int
) -> tuple[Decimal | None, datetime | None]:
    if len(placed) < 2:
        return None, None
    (km0, first), (km1, last) = placed[0], placed[-1]
    hours = (last.at - first.at).total_seconds() / 3600
    if km1 <= km0 or hours <= 0:
        return None, None
    kmh = (km1 - km0) / hours
    eta = last.at + timedelta(hours=remaining / kmh)
    return Decimal(kmh).quantize(HOUR), eta


def _delay(
    due: datetime | None, delivered_at: datetime | None, by_progress: datetime | None, now: datetime
) -> tuple[str, Decimal | None]:
    if due is None:
        return "unknown", None
    if delivered_at is not None:
        late = delivered_at > due
        return ("late", hours_between(due, delivered_at)) if late else ("on_time", None)
    if now > due:
        return "late", hours_between(due, now)
    if by_progress is not None and by_progress > due:
        return "expected_late", hours_between(due, by_progress)
    return "on_time", None


Stretch = tuple[Event, Event, str, int, float, float]
"""Two consecutive placed reports: from, to, railway, km, hours, norm hours (floats: a
timeline has hundreds of stretches; only those shown become Decimals)."""


def _stretches(
    placed: Sequence[tuple[int, Event]], route: NoteRoute, norms: Norms
) -> list[Stretch]:
    per_hour = norms.km_per_day / 24
    out: list[Stretch] = []
    for (km0, a), (km1, b) in itertools.pairwise(placed):
        distance = abs(km1 - km0)
        last = out[-1] if out else None
        if (
            distance == 0
            and last is not None
            and last[3] == 0
            and last[1].station_esr == (b.station_esr)
        ):  # one stop at one station (arrival, hold, release, departure) is one stretch
            hours = (b.at - last[0].at).total_seconds() / 3600
            out[-1] = (last[0], b, last[2], 0, hours, 0.0)
            continue
        hours = (b.at - a.at).total_seconds() / 3600
        out.append((a, b, route.leg_at(km1).railway, distance, hours, distance / per_hour))
    return out


def _losses(stretches: Sequence[Stretch], norms: Norms) -> tuple[Loss, ...]:
    """The stretches that took longer than their norm, the worst first."""
    worst = sorted((s for s in stretches if s[4] - s[5] > 0.05), key=lambda s: s[5] - s[4])
    return tuple(
        Loss(a.station_esr, b.station_esr, railway, km, a.at, b.at, hours_between(a.at, b.at),
             norms.hours_for(km))
        for a, b, railway, km, _hours, _norm in worst[:LOSSES_SHOWN]
    )  # fmt: skip


def _by_railway(
    stretches: Sequence[Stretch], route: NoteRoute, norms: Norms
) -> tuple[RailwayTime, ...]:
    out: list[RailwayTime] = []
    for leg in route.legs:
        mine = [s[4] for s in stretches if s[2] == leg.railway]
        if not mine:
            continue
        hours = Decimal(sum(mine)).quantize(HOUR)
        norm = Decimal(_ceil_div(leg.km, norms.km_per_day) * 24).quantize(HOUR)
        out.append(RailwayTime(leg.railway, leg.km, hours, norm))
    return tuple(out)
