"""Freight plans: cells of a plan and plan against actual. Pure. Entered values and plan
files are checked in :mod:`temir.stats.plans.imports`.

A plan is agreed per year × direction (relative to a country pair, seen from the first
country) × commodity group × month, in whole tonnes. Plan against actual compares those cells
with the tonnes the shipment facts add up to, and says how far each line is fulfilled:
``fulfilment % = actual / plan × 100`` (one decimal; none when nothing was planned).

Why the plan is kept by month: the railways agree yearly figures but follow them month by month
(wagon supply, border capacity), so a year's plan without months cannot say in June whether the
year is on track. An annual figure entered on its own is spread over the months evenly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from temir.stats.volumes.synthetic import allocate

MONTHS = tuple(range(1, 13))


class Basis:
    """Where a plan cell came from (shown next to it)."""

    ENTERED = "entered"
    IMPORTED = "imported"
    FORECAST = "forecast"


@dataclass(frozen=True)
class PlanCell:
    year: int
    country_a: str
    country_b: str
    direction: str
    commodity_group: str
    month: int
    tonnes: int
    basis: str = Basis.ENTERED
    synthetic: bool = False

    @property
    def key(self) -> tuple[int, str, str, str, str, int]:
        return (
            self.year,
            self.country_a,
            self.country_b,
            self.direction,
            self.commodity_group,
            self.month,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "between": [self.country_a, self.country_b],
            "direction": self.direction,
            "commodity_group": self.commodity_group,
            "month": self.month,
            "tonnes": self.tonnes,
            "basis": self.basis,
            "synthetic": self.synthetic,
        }


def fulfilment_pct(actual: int, plan: int) -> float | None:
    """Actual as a per cent of plan, one decimal; None when nothing was planned."""
    if plan <= 0:
        return None
    return round(actual * 100 / plan, 1)


def spread_over_months(year_tonnes: int) -> list[int]:
    """An annual figure as twelve whole monthly figures that add up to it exactly."""
    return allocate(year_tonnes, [1] * 12)


# --- plan against actual -------------------------------------------------------------------


@dataclass(frozen=True)
class PlanLine:
    """One line of plan against actual: a key, planned and actual tonnes, fulfilment."""

    key: str
    plan_tonnes: int
    actual_tonnes: int

    @property
    def difference_tonnes(self) -> int:
        return self.actual_tonnes - self.plan_tonnes

    @property
    def fulfilment_pct(self) -> float | None:
        return fulfilment_pct(self.actual_tonnes, self.plan_tonnes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "plan_tonnes": self.plan_tonnes,
            "actual_tonnes": self.actual_tonnes,
            "difference_tonnes": self.difference_tonnes,
            "fulfilment_pct": self.fulfilment_pct,
        }


@dataclass(frozen=True)
class PlanVsActual:
    """Plan against actual of one year for a country pair, broken down three ways."""

    year: int
    country_a: str
    country_b: str
    total: PlanLine
    by_direction: tuple[PlanLine, ...]
    by_commodity: tuple[PlanLine, ...]
    by_month: tuple[PlanLine, ...]
    cells: tuple[PlanLine, ...]  # key "direction/commodity/MM"
    months_with_actuals: tuple[int, ...] = ()
    plan_to_date_tonnes: int = 0  # plan of the months up to the last month with actuals
    plan_source: str = "plan"  # "plan" (stats_plans) or "protocol <id>"
    synthetic_included: bool = False
    has_plan: bool = True

    @property
    def fulfilment_to_date_pct(self) -> float | None:
        return fulfilment_pct(self.total.actual_tonnes, self.plan_to_date_tonnes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "between": [self.country_a, self.country_b],
            "plan_source": self.plan_source,
            "has_plan": self.has_plan,
            "total": self.total.to_dict(),
            "months_with_actuals": list(self.months_with_actuals),
            "plan_to_date_tonnes": self.plan_to_date_tonnes,
            "fulfilment_to_date_pct": self.fulfilment_to_date_pct,
            "by_direction": [line.to_dict() for line in self.by_direction],
            "by_commodity": [line.to_dict() for line in self.by_commodity],
            "by_month": [line.to_dict() for line in self.by_month],
            "cells": [line.to_dict() for line in self.cells],
            "includes_synthetic": self.synthetic_included,
        }


@dataclass
class _Sums:
    plan: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    actual: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, key: str, plan: int, actual: int) -> None:
        self.plan[key] += plan
        self.actual[key] += actual

    def lines(self) -> tuple[PlanLine, ...]:
        keys = sorted(set(self.plan) | set(self.actual))
        return tuple(PlanLine(k, self.plan.get(k, 0), self.actual.get(k, 0)) for k in keys)


Cells = Mapping[tuple[str, str, int], int]  # (direction, commodity group, month) -> tonnes


def compare(
    year: int,
    a: str,
    b: str,
    plan: Cells,
    actual: Cells,
    *,
    plan_source: str = "plan",
    synthetic_included: bool = False,
) -> PlanVsActual:
    """Plan against actual from whole-tonne cells of each.

    Every breakdown adds the *cells* (tonnes already rounded once per cell by the caller), so
    the lines by direction, by commodity and by month each add up to the same total.
    """
    by_direction, by_commodity, by_month, by_cell = _Sums(), _Sums(), _Sums(), _Sums()
    total_plan = total_actual = 0
    for key in sorted(set(plan) | set(actual)):
        direction, group, month = key
        p, x = plan.get(key, 0), actual.get(key, 0)
        by_direction.add(direction, p, x)
        by_commodity.add(group, p, x)
        by_month.add(f"{month:02d}", p, x)
        by_cell.add(f"{direction}/{group}/{month:02d}", p, x)
        total_plan += p
        total_actual += x
    months = tuple(sorted({m for (_, _, m), t in actual.items() if t > 0}))
    to_date = sum(t for (_, _, m), t in plan.items() if months and m <= months[-1])
    return PlanVsActual(
        year=year,
        country_a=a,
        country_b=b,
        total=PlanLine("total", total_plan, total_actual),
        by_direction=by_direction.lines(),
        by_commodity=by_commodity.lines(),
        by_month=by_month.lines(),
        cells=by_cell.lines(),
        months_with_actuals=months,
        plan_to_date_tonnes=to_date,
        plan_source=plan_source,
        synthetic_included=synthetic_included,
        has_plan=bool(plan),
    )


def annual_by(cells: Sequence[PlanCell]) -> dict[tuple[str, str], int]:
    """Annual tonnes per (direction, commodity group)."""
    out: dict[tuple[str, str], int] = defaultdict(int)
    for cell in cells:
        out[(cell.direction, cell.commodity_group)] += cell.tonnes
    return dict(out)
