"""Plans and the forecast: the plan of a year between two countries (entered, imported or
seeded from the forecast), plan against actual, and the forecast itself. Each use case takes the
Session of one unit of work and never commits; only railway operators (and administrators)
write a plan.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from temir.accounts import audit
from temir.accounts import rules as rules_of_accounts
from temir.accounts.model import Actor, Role
from temir.kit import clock
from temir.kit.errors import Conflict, NotFound, ValidationFailed
from temir.kit.i18n import N_
from temir.stats import data
from temir.stats.plans import forecast, imports, model, repository
from temir.stats.volumes import repository as facts
from temir.stats.volumes.rules import tonnes_of
from temir.stats.volumes.service import read_table

PLAN_WRITERS = (Role.RAILWAY_OPERATOR,)


def country_pair(a: str, b: str) -> tuple[str, str]:
    """Two country codes as stored (trimmed, upper case); 422 when they are the same."""
    a, b = a.strip().upper(), b.strip().upper()
    if a == b:
        raise ValidationFailed(
            N_("Choose two different countries."), code="stats.same_country", field="between"
        )
    return a, b


def plan_cells(session: Session, year: int, a: str, b: str) -> list[model.PlanCell]:
    """The plan of ``year`` for the pair, cell by cell (direction, group, month)."""
    a, b = country_pair(a, b)
    return repository.plan_cells(session, year, a, b)


def set_plan(
    session: Session,
    actor: Actor,
    year: int,
    a: str,
    b: str,
    direction: str,
    commodity_group: str,
    tonnes: int,
    month: int | None = None,
) -> list[model.PlanCell]:
    """Enter one plan figure: a month's tonnes, or a year's spread evenly over its months."""
    rules_of_accounts.require_role(actor, *PLAN_WRITERS)
    a, b = country_pair(a, b)
    values = {
        "year": year,
        "country_a": a,
        "country_b": b,
        "direction": direction,
        "commodity_group": commodity_group,
        "tonnes": tonnes,
    }
    months = [month] if month is not None else list(model.MONTHS)
    amounts = [tonnes] if month is not None else model.spread_over_months(tonnes)
    cells: list[model.PlanCell] = []
    for m, amount in zip(months, amounts, strict=True):
        result = imports.parse_plan_row(
            0, {**values, "month": m, "tonnes": amount}, set(data.commodity_groups()), "entered"
        )
        if not isinstance(result, model.PlanCell):
            first = result[0]
            # an entered value has no row: name the option instead
            column = (first.field or "").rsplit("column ", 1)[-1]
            raise ValidationFailed(
                first.msgid,
                code=first.code,
                field=column,
                params={**first.params, "where": column},
            )
        cells.append(result)
    repository.put_plan_cells(session, cells, clock.now())
    audit.record(
        session,
        actor,
        "stats.plan.set",
        "stats_plans",
        f"{year}:{a}-{b}:{direction}:{commodity_group}",
        {"month": month, "tonnes": tonnes},
    )
    return cells


def import_plan_file(session: Session, actor: Actor, path: Path, name: str | None = None) -> int:
    """Import a plan from CSV/XLSX, all or nothing; cells in the file replace the same cells.

    ``name`` is the file's name as the user gave it (an upload is stored under another)."""
    rules_of_accounts.require_role(actor, *PLAN_WRITERS)
    header, rows = read_table(path)
    imports.check_header(header)
    cells = imports.parse_plan_rows(rows, set(data.commodity_groups()))
    written = repository.put_plan_cells(session, cells, clock.now())
    audit.record(
        session, actor, "stats.plan.import", "stats_plans", name or path.name, {"cells": written}
    )
    return written


def _actual_cells(
    session: Session, year: int, a: str, b: str
) -> tuple[dict[tuple[str, str, int], int], bool]:
    """Actual tonnes per (direction, group, month); kg summed per cell, then rounded once."""
    kg: dict[tuple[str, str, int], int] = defaultdict(int)
    synthetic_seen = False
    for cell in facts.volume_cells(session, [year], a, b):
        kg[(cell.direction, cell.commodity_group, cell.month)] += cell.mass_kg
        synthetic_seen = synthetic_seen or cell.synthetic > 0
    return {key: tonnes_of(mass) for key, mass in kg.items()}, synthetic_seen


def plan_vs_actual(
    session: Session,
    year: int,
    a: str,
    b: str,
    plan: Sequence[model.PlanCell] | None = None,
    plan_source: str = "plan",
) -> model.PlanVsActual:
    """Plan against actual of ``year`` with fulfilment % by direction, commodity and month.

    ``plan`` defaults to the stored plan (``stats_plans``); a protocol passes its own.
    """
    a, b = country_pair(a, b)
    cells = repository.plan_cells(session, year, a, b) if plan is None else list(plan)
    planned: dict[tuple[str, str, int], int] = defaultdict(int)
    for cell in cells:
        planned[(cell.direction, cell.commodity_group, cell.month)] += cell.tonnes
    actual, synthetic_seen = _actual_cells(session, year, a, b)
    return model.compare(
        year,
        a,
        b,
        planned,
        actual,
        plan_source=plan_source,
        synthetic_included=synthetic_seen or any(c.synthetic for c in cells),
    )


# --- forecast -------------------------------------------------------------------------------

FORECAST_HISTORY_YEARS = 10


def forecast_year(
    session: Session, year: int, a: str, b: str, level: float = 0.8
) -> forecast.Forecast:
    """Forecast ``year`` per month, direction and commodity group from the years before it."""
    a, b = country_pair(a, b)
    if level not in forecast.Z:
        raise ValidationFailed(
            N_("The interval level must be one of {choices}."),
            code="stats.forecast.level",
            field="level",
            choices=", ".join(str(z) for z in sorted(forecast.Z)),
        )
    years = facts.fact_years(session, a, b, before=year)[-FORECAST_HISTORY_YEARS:]
    if not years:
        raise NotFound(
            N_("No history before {year} to forecast from."),
            code="stats.forecast.no_history",
            field="year",
            year=year,
        )
    # consecutive years only: a gap would be read as a year of nothing
    while len(years) > 1 and years[-1] - years[0] != len(years) - 1:
        years = years[1:]
    index = {y: i for i, y in enumerate(years)}
    series: dict[tuple[str, str], Any] = {}
    synthetic_seen = False
    for cell in facts.volume_cells(session, years, a, b):
        key = (cell.direction, cell.commodity_group)
        if key not in series:
            series[key] = np.zeros((len(years), 12))
        series[key][index[cell.year], cell.month - 1] += cell.mass_kg / 1000
        synthetic_seen = synthetic_seen or cell.synthetic > 0
    return forecast.forecast(year, a, b, years, series, level=level, synthetic=synthetic_seen)


def seed_plan_from_forecast(
    session: Session, actor: Actor, year: int, a: str, b: str, replace: bool = False
) -> int:
    """Write the forecast as the plan of ``year`` (basis "forecast"), as a starting point.

    Refuses when a plan exists unless ``replace``: entered or imported figures are never
    overwritten by a model's guess without being asked.
    """
    rules_of_accounts.require_role(actor, *PLAN_WRITERS)
    a, b = country_pair(a, b)
    if repository.plan_cells(session, year, a, b) and not replace:
        raise Conflict(
            N_("A plan for {year} {a}–{b} exists; use --replace to overwrite it."),
            code="stats.plan.exists",
            field="year",
            year=year,
            a=a,
            b=b,
        )
    result = forecast_year(session, year, a, b)
    repository.delete_plan(session, year, a, b)
    cells = [
        model.PlanCell(
            year, a, b, s.direction, s.commodity_group, m + 1, s.point[m], model.Basis.FORECAST,
            result.synthetic_history,
        )
        for s in result.series
        for m in range(12)
    ]  # fmt: skip
    written = repository.put_plan_cells(session, cells, clock.now())
    audit.record(
        session,
        actor,
        "stats.plan.seed_from_forecast",
        "stats_plans",
        f"{year}:{a}-{b}",
        {"cells": written, "history_years": list(result.history_years), "replace": replace},
    )
    return written
