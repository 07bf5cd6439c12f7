"""Border dwell: from a wagon's arrival at a border point to the handover accepted there. Pure.

Why these two ends: the wait a shipper feels at a border is from the moment the wagon stands at
the border point (the first report of it at either railway's code of the crossing) until the
incoming railway has taken it over (the act accepted — custody moves then, not before). Reports
of the outgoing railway's own handling and the paperwork in between are all inside it.

Statistics are per crossing and direction, and per calendar month of the acceptance (UTC): a
dwell counts when it is over. Wagons still waiting are shown on their own
(:class:`Waiting`), not averaged in.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from temir.tracking.rules import hours_between


@dataclass(frozen=True)
class DwellSample:
    """One unit's wait at one crossing."""

    exit_esr: str
    entry_esr: str | None
    from_railway: str
    to_railway: str
    unit: str
    note_id: str
    act_id: str
    arrived_at: datetime
    accepted_at: datetime
    synthetic: bool = False
    """Demo data (the note's consignor is a synthetic organisation)."""

    @property
    def hours(self) -> Decimal:
        return max(hours_between(self.arrived_at, self.accepted_at), Decimal("0.0"))

    @property
    def month(self) -> str:
        return self.accepted_at.strftime("%Y-%m")


@dataclass(frozen=True)
class DwellStat:
    exit_esr: str
    entry_esr: str | None
    from_railway: str
    to_railway: str
    month: str | None
    """``YYYY-MM``, or ``None`` for all months together."""
    count: int
    mean_hours: Decimal
    median_hours: Decimal
    p90_hours: Decimal
    max_hours: Decimal
    synthetic: bool = False
    """Some of the samples are demo data: the figure is labelled synthetic wherever shown."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "exit_esr": self.exit_esr,
            "entry_esr": self.entry_esr,
            "from_railway": self.from_railway,
            "to_railway": self.to_railway,
            "month": self.month,
            "count": self.count,
            "mean_hours": str(self.mean_hours),
            "median_hours": str(self.median_hours),
            "p90_hours": str(self.p90_hours),
            "max_hours": str(self.max_hours),
            "synthetic": self.synthetic,
        }


def _rank(values: Sequence[Decimal], share: float) -> Decimal:
    """Nearest-rank percentile of sorted ``values``."""
    index = max(math.ceil(share * len(values)) - 1, 0)
    return values[index]


def _median(values: Sequence[Decimal]) -> Decimal:
    middle = len(values) // 2
    if len(values) % 2:
        return values[middle]
    return ((values[middle - 1] + values[middle]) / 2).quantize(Decimal("0.1"))


def _stat(key: tuple[str, str | None, str, str, str | None], found: list[DwellSample]) -> DwellStat:
    hours = sorted(s.hours for s in found)
    mean = (sum(hours, start=Decimal(0)) / len(hours)).quantize(Decimal("0.1"))
    return DwellStat(
        *key,
        count=len(hours),
        mean_hours=mean,
        median_hours=_median(hours),
        p90_hours=_rank(hours, 0.9),
        max_hours=hours[-1],
        synthetic=any(s.synthetic for s in found),
    )


def dwell_stats(samples: Iterable[DwellSample], *, by_month: bool = True) -> list[DwellStat]:
    """Count, mean, median, 90th percentile and maximum per crossing, direction (and month)."""
    groups: dict[tuple[str, str | None, str, str, str | None], list[DwellSample]]
    groups = defaultdict(list)
    for s in samples:
        month = s.month if by_month else None
        groups[(s.exit_esr, s.entry_esr, s.from_railway, s.to_railway, month)].append(s)
    return [
        _stat(key, values)
        for key, values in sorted(groups.items(), key=lambda kv: (kv[0][:4], kv[0][4] or ""))
    ]


@dataclass(frozen=True)
class Waiting:
    """A unit at a border point not yet taken over by the next railway."""

    unit: str
    note_id: str | None
    station_esr: str
    since: datetime
    custody: str | None
    act_id: str | None
    act_status: str | None

    def hours(self, now: datetime) -> Decimal:
        return hours_between(self.since, now)

    def to_dict(self, now: datetime) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "note_id": self.note_id,
            "station_esr": self.station_esr,
            "since": self.since.isoformat(),
            "hours": str(self.hours(now)),
            "custody": self.custody,
            "act_id": self.act_id,
            "act_status": self.act_status,
        }
