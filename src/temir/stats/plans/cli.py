"""``temir stats plan ...`` and ``temir stats forecast``: enter, import and seed plans, plan
against actual, the forecast. The commands are registered in :mod:`temir.stats.cli`.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from temir.accounts.cli import os_user
from temir.accounts.model import Actor, Channel
from temir.kit import runtime
from temir.kit.cli import JSON_OPTION, console, emit, language, user_errors
from temir.kit.i18n import N_, translate
from temir.stats.plans import service as plan_service
from temir.stats.plans.forecast import Forecast
from temir.stats.plans.imports import PLAN_COLUMNS
from temir.stats.plans.model import PlanVsActual

BETWEEN = typer.Option(("KZ", "TJ"), help="Two country codes, e.g. KZ TJ.")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def render_plan_vs_actual(report: PlanVsActual) -> None:
    """Plan against actual as three tables; ``temir stats protocol check`` prints the same."""
    lang = language()
    title = (
        f"{report.country_a}–{report.country_b} {report.year}: "
        + translate(N_("plan against actual"), lang)
        + (f" ({report.plan_source})" if report.plan_source != "plan" else "")
        + (translate(N_(" (synthetic data)"), lang) if report.synthetic_included else "")
    )
    for caption, lines in (
        (N_("by direction"), report.by_direction),
        (N_("by commodity group"), report.by_commodity),
        (N_("by month"), report.by_month),
    ):
        table = Table(title=f"{title} — {translate(caption, lang)}")
        for column in ("", "plan t", "actual t", "difference t", "fulfilment %"):
            table.add_column(column, justify="right" if column else "left")
        for line in (*lines, report.total):
            table.add_row(
                line.key,
                f"{line.plan_tonnes:,}",
                f"{line.actual_tonnes:,}",
                f"{line.difference_tonnes:+,}",
                _pct(line.fulfilment_pct),
            )
        console.print(table)
    if report.months_with_actuals and report.months_with_actuals[-1] < 12:
        console.print(
            translate(
                N_("Plan to date (months 1–{month}): {plan} t, fulfilled {pct} %."),
                lang,
                month=report.months_with_actuals[-1],
                plan=f"{report.plan_to_date_tonnes:,}",
                pct=_pct(report.fulfilment_to_date_pct),
            )
        )
    if not report.has_plan:
        console.print(translate(N_("No plan is stored for this year."), lang))


def plan_show(
    year: int = typer.Option(..., help="Plan year."),
    between: tuple[str, str] = BETWEEN,
    as_json: bool = JSON_OPTION,
) -> None:
    """Plan against actual with fulfilment % by direction, commodity group and month."""
    with user_errors(as_json), runtime.uow().read() as session:
        report = plan_service.plan_vs_actual(session, year, between[0], between[1])
    emit(report.to_dict() if as_json else report, as_json, render_plan_vs_actual)


def plan_set(
    year: int = typer.Option(..., help="Plan year."),
    between: tuple[str, str] = BETWEEN,
    direction: str = typer.Option(..., help="export, import or transit (seen from the first)."),
    commodity: str = typer.Option(..., help="Commodity group code, e.g. grain."),
    tonnes: int = typer.Option(..., help="Tonnes: of the month, or of the year without --month."),
    month: int | None = typer.Option(None, help="Month 1–12; without it, spread over the year."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Enter a plan figure (replaces the same cells)."""
    actor = Actor.system(f"cli:{os_user()}", Channel.CLI)
    with user_errors(as_json), runtime.uow()() as session:
        cells = plan_service.set_plan(
            session, actor, year, between[0], between[1], direction, commodity, tonnes, month
        )
    emit(
        {"written": len(cells), "cells": [c.to_dict() for c in cells]},
        as_json,
        lambda r: console.print(f"{r['written']} plan cell(s) written"),
    )


def plan_import(
    file: Path = typer.Argument(..., help=f"CSV or XLSX with columns {', '.join(PLAN_COLUMNS)}."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Import a plan file: all rows or none; cells in the file replace the same cells."""
    actor = Actor.system(f"cli:{os_user()}", Channel.CLI)
    with user_errors(as_json), runtime.uow()() as session:
        written = plan_service.import_plan_file(session, actor, file)
    emit(
        {"written": written, "file": file.name},
        as_json,
        lambda r: console.print(f"{r['written']:,} plan cells imported from {file.name}"),
    )


def plan_seed(
    year: int = typer.Option(..., help="Plan year to seed."),
    between: tuple[str, str] = BETWEEN,
    replace: bool = typer.Option(False, help="Overwrite an existing plan of that year."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Start the plan from the forecast (basis "forecast"); edit it with plan set/import."""
    actor = Actor.system(f"cli:{os_user()}", Channel.CLI)
    with user_errors(as_json), runtime.uow()() as session:
        written = plan_service.seed_plan_from_forecast(
            session, actor, year, between[0], between[1], replace
        )
    emit(
        {"written": written, "year": year, "basis": "forecast"},
        as_json,
        lambda r: console.print(f"{r['written']} plan cells seeded from the forecast for {year}"),
    )


def _render_forecast(result: Forecast) -> None:
    lang = language()
    point, low, high = result.monthly_total()
    table = Table(
        title=f"{result.country_a}–{result.country_b} "
        + translate(N_("forecast for {year}"), lang, year=result.year)
        + f" ({int(result.level * 100)} %)"
    )
    for column in ("month", "tonnes", "low", "high"):
        table.add_column(column, justify="right")
    for m in range(12):
        table.add_row(
            f"{m + 1:02d}",
            f"{point[m]:,}",
            "—" if low is None else f"{low[m]:,}",
            "—" if high is None else f"{high[m]:,}",
        )
    table.add_row(
        "total",
        f"{sum(point):,}",
        "—" if low is None else f"{sum(low):,}",
        "—" if high is None else f"{sum(high):,}",
    )
    console.print(table)
    groups = Table(title=translate(N_("by direction and commodity group"), lang))
    for column in ("direction", "commodity", "tonnes", "last year t", "growth %"):
        groups.add_column(column, justify="right" if column.endswith(("t", "%")) else "left")
    for s in result.series:
        groups.add_row(
            s.direction,
            s.commodity_group,
            f"{s.total:,}",
            f"{s.last_year_tonnes:,}",
            f"{(s.growth - 1) * 100:+.1f}",
        )
    console.print(groups)
    if result.backtest is not None:
        bt = result.backtest
        console.print(
            translate(
                N_(
                    "Back-test: {held_out} predicted from {fitted}: MAPE {mape} %, MAE {mae} t "
                    "per month."
                ),
                lang,
                held_out=bt.held_out_year,
                fitted=", ".join(str(y) for y in bt.fitted_years),
                mape=_pct(bt.mape),
                mae=f"{round(bt.mae):,}",
            )
        )
    for caveat in result.caveats:
        console.print(f"[yellow]![/] {caveat.message(lang)}")


def forecast_command(
    year: int = typer.Option(..., help="Year to forecast (from the years before it)."),
    between: tuple[str, str] = BETWEEN,
    level: float = typer.Option(0.8, help="Interval level: 0.8, 0.9 or 0.95."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Next year's tonnes per month and commodity group, with an interval and a back-test."""
    with user_errors(as_json), runtime.uow().read() as session:
        result = plan_service.forecast_year(session, year, between[0], between[1], level)
    emit(result.to_dict(language()) if as_json else result, as_json, _render_forecast)
