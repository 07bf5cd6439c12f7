"""The plan-against-actual page (``/stats/plan``): a year's plan beside the facts, with
fulfilment % and the forecast of that year.

Access decision: a public read of aggregates, like the dashboard; plans are written through
the API or the CLI, not on this page.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from temir.kit.api import read_session, request_language
from temir.kit.errors import NotFound, TemirError, ValidationFailed
from temir.kit.i18n import N_, translate
from temir.stats.plans import service as plan_service
from temir.stats.volumes import dashboard
from temir.stats.volumes import service as volumes_service
from temir.stats.volumes.dashboard import COUNTRIES, TABLES, Filters
from temir.stats.volumes.web import Numbers
from temir.web.templating import render

router = APIRouter(include_in_schema=False)


def _plan_chart(
    name: str, lines: Any, labels: list[str], lang: str, forecast: list[int] | None = None
) -> dict[str, Any]:
    series: list[dict[str, Any]] = [
        {"label": translate(N_("Actual"), lang), "data": [x.actual_tonnes for x in lines]},
        {"label": translate(N_("Plan"), lang), "data": [x.plan_tonnes for x in lines]},
    ]
    if forecast is not None:
        series.append(
            {
                "label": translate(N_("Forecast"), lang),
                "data": forecast,
                "kind": "line",
                "colour": "#c2410c",
            }
        )
    return {
        "labels": labels,
        "orientation": "vertical" if name == "month" else "horizontal",
        "unit": translate(N_("tonnes"), lang),
        "unit_short": translate(N_("t"), lang),
        "series": series,
    }


@router.get("/stats/plan", response_class=HTMLResponse)
def plan_page(request: Request, session: Session = Depends(read_session)) -> HTMLResponse:
    """Plan against actual of a year with fulfilment %, and the forecast of that year."""
    lang = request_language(request)
    q = request.query_params
    common: dict[str, Any] = {
        "countries": [(c, dashboard.country_name(c, lang)) for c in COUNTRIES],
        "f": Numbers(lang),
    }
    try:
        filters = dashboard.parse_filters(q.get("year", ""), q.get("a", ""), q.get("b", ""))
        pva = plan_service.plan_vs_actual(session, filters.year, filters.a, filters.b)
    except TemirError as error:
        return render(
            request,
            "stats_plan.html",
            status_code=422 if isinstance(error, ValidationFailed) else error.status,
            error=error.message(lang),
            filters=Filters(),
            years=[dashboard.DEFAULT_YEAR],
            **common,
        )
    try:
        forecast = plan_service.forecast_year(session, filters.year, filters.a, filters.b)
    except NotFound:
        forecast = None
    labeller = dashboard.Labeller(session, lang)
    sections = []
    for name, lines in (
        ("month", pva.by_month),
        ("direction", pva.by_direction),
        ("commodity", pva.by_commodity),
    ):
        _, title, key_header = TABLES[name]
        labelled = [(labeller.label(name, line.key), line) for line in lines]
        if name == "commodity":
            labelled.sort(key=lambda item: -max(item[1].plan_tonnes, item[1].actual_tonnes))
        labels = [label[:3] if name == "month" else label for label, _ in labelled]
        monthly = None
        if name == "month" and forecast is not None:
            point = forecast.monthly_total()[0]
            monthly = [point[int(line.key) - 1] for line in lines]
        chart = _plan_chart(name, [line for _, line in labelled], labels, lang, monthly)
        sections.append(
            {
                "name": name,
                "title": translate(title, lang),
                "key_header": translate(key_header, lang),
                "lines": labelled,
                "chart": chart,
            }
        )
    point, low, high = forecast.monthly_total() if forecast else ([], None, None)
    years = sorted(
        {
            *volumes_service.years_with_facts(session, filters.a, filters.b),
            filters.year,
            filters.year + 1,
        },
        reverse=True,
    )
    return render(
        request,
        "stats_plan.html",
        error=None,
        filters=filters,
        pva=pva,
        sections=sections,
        forecast=forecast,
        forecast_months=[
            (
                dashboard.month_label(f"{m + 1:02d}", lang),
                point[m],
                None if low is None else low[m],
                None if high is None else high[m],
            )
            for m in range(len(point))
        ],
        forecast_total=(
            sum(point),
            None if low is None else sum(low),
            None if high is None else sum(high),
        ),
        last_month=dashboard.month_label(f"{pva.months_with_actuals[-1]:02d}", lang)
        if pva.months_with_actuals
        else None,
        pair_label=f"{dashboard.country_name(filters.a, lang)} – "
        f"{dashboard.country_name(filters.b, lang)}",
        years=years,
        **common,
    )
