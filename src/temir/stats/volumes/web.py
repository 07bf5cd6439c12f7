"""Pages of freight statistics: the dashboard (``/stats``) and its CSV/XLSX exports.

Access decision: like ``/api/v1/stats/volumes`` these pages are public reads of aggregates
(tonnes by month, commodity, direction, crossing, railway); no consignment leaves through them.

Why the filters are a plain GET form: a dashboard link can be bookmarked and sent to a
colleague, and it works without JavaScript; htmx only swaps the figures in place.
"""

from __future__ import annotations

from typing import Any

from babel.numbers import format_decimal
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from temir.accounts.deps import client_address, optional_actor
from temir.accounts.model import Actor, Channel, Role
from temir.kit.api import read_session, request_language, uow_of
from temir.kit.errors import NotFound, TemirError, ValidationFailed
from temir.kit.i18n import N_, translate
from temir.stats import dashboard, exports, plan_service, protocol_service, service
from temir.stats.dashboard import COUNTRIES, DIRECTION_LABELS, TABLES, Dashboard, Filters
from temir.stats.model import Direction
from temir.web import nav
from temir.web.templating import render

router = APIRouter(include_in_schema=False)

nav.add("/stats", N_("Statistics"), 40)


class Numbers:
    """Figures written the way a reader of ``lang`` expects: separators, decimal mark, units."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def n(self, value: int | None) -> str:
        return "—" if value is None else format_decimal(value, format="#,##0", locale=self.lang)

    def t(self, tonnes: int) -> str:
        return f"{self.n(tonnes)}\u00a0{translate(N_('t'), self.lang)}"

    def mt(self, tonnes: int, unit: bool = True) -> str:
        figure = format_decimal(tonnes / 1_000_000, format="#,##0.000", locale=self.lang)
        return f"{figure}\u00a0{translate(N_('Mt'), self.lang)}" if unit else figure

    def pct(self, value: float | None) -> str:
        """A change: always signed, one decimal."""
        if value is None:
            return "—"
        figure = format_decimal(value, format="+#,##0.0;−#,##0.0", locale=self.lang)
        return f"{figure}\u00a0%"

    def share(self, value: float | None) -> str:
        if value is None:
            return "—"
        return f"{format_decimal(value, format='#,##0.0', locale=self.lang)}\u00a0%"


def _chart(table: dashboard.Table, lang: str, year: int) -> dict[str, Any]:
    """What the chart beside a table draws: this year's and last year's tonnes per row."""
    horizontal = table.name in ("commodity", "crossing", "railway", "direction")
    labels = [line.label for line in table.lines]
    if table.name == "month":
        labels = [line.label[:3] for line in table.lines]
    return {
        "labels": labels,
        "orientation": "horizontal" if horizontal else "vertical",
        "multicolour": False,
        "unit": translate(N_("tonnes"), lang),
        "unit_short": translate(N_("t"), lang),
        "series": [
            {"label": str(year), "data": [line.row.tonnes for line in table.lines]},
            {
                "label": str(year - 1),
                "data": [line.row.previous_tonnes for line in table.lines],
                "kind": "line" if table.name == "month" else "bar",
            },
        ],
    }


def _direction_choices(lang: str) -> list[tuple[str, str]]:
    return [(str(d), translate(label, lang)) for d, label in DIRECTION_LABELS.items()]


def _context(board: Dashboard) -> dict[str, Any]:
    lang = board.lang
    filters = board.filters
    years = sorted({*board.years, filters.year, dashboard.DEFAULT_YEAR}, reverse=True)
    directions = {line.key: line.row for line in board.tables["direction"].lines}
    return {
        "board": board,
        "filters": filters,
        "f": Numbers(lang),
        "tables": list(board.tables.values()),
        "charts": {name: _chart(t, lang, filters.year) for name, t in board.tables.items()},
        "directions": [
            (str(d), translate(label, lang), directions.get(str(d)))
            for d, label in DIRECTION_LABELS.items()
        ],
        "years": years,
        "countries": [(c, dashboard.country_name(c, lang)) for c in COUNTRIES],
        "commodities": dashboard.commodity_choices(lang),
        "direction_choices": _direction_choices(lang),
    }


def _filters(request: Request) -> Filters:
    q = request.query_params
    return dashboard.parse_filters(
        *(q.get(name, "") for name in ("year", "a", "b", "direction", "commodity"))
    )


def _partial(request: Request) -> bool:
    return request.headers.get("hx-request") == "true" and not request.headers.get(
        "hx-history-restore-request"
    )


@router.get("/stats", response_class=HTMLResponse)
def stats_page(request: Request, session: Session = Depends(read_session)) -> HTMLResponse:
    """The dashboard; with ``HX-Request`` only the figures (the filter form stays)."""
    lang = request_language(request)
    template = "stats_dashboard_body.html" if _partial(request) else "stats_dashboard.html"
    try:
        filters = _filters(request)
        board = dashboard.build(session, filters, lang)
    except TemirError as error:
        q = request.query_params
        shown = Filters(
            year=dashboard.DEFAULT_YEAR,
            a=(q.get("a") or dashboard.DEFAULT_PAIR[0]).upper()[:2],
            b=(q.get("b") or dashboard.DEFAULT_PAIR[1]).upper()[:2],
        )
        return render(
            request,
            template,
            status_code=422 if isinstance(error, ValidationFailed) else error.status,
            error=error.message(lang),
            error_field=error.field,
            board=None,
            filters=shown,
            years=sorted({dashboard.DEFAULT_YEAR}, reverse=True),
            countries=[(c, dashboard.country_name(c, lang)) for c in COUNTRIES],
            commodities=dashboard.commodity_choices(lang),
            direction_choices=_direction_choices(lang),
        )
    return render(request, template, error=None, **_context(board))


def _export_tables(request: Request) -> tuple[str, ...]:
    table = request.query_params.get("table", "")
    if not table:
        return tuple(TABLES)
    if table not in TABLES:
        raise ValidationFailed(
            N_("Unknown table {table}."), code="stats.web.table", field="table", table=table
        )
    return (table,)


@router.get("/stats/export.csv")
def export_csv(request: Request, session: Session = Depends(read_session)) -> Response:
    """One table of the dashboard as CSV (``table=month|commodity|direction|crossing|railway``)."""
    lang = request_language(request)
    tables = _export_tables(request)
    if len(tables) != 1:
        tables = ("month",)
    board = dashboard.build(session, _filters(request), lang, tables)
    name = exports.file_name(board, tables[0], "csv")
    return Response(
        exports.to_csv(board, tables[0]),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


@router.get("/stats/export.xlsx")
def export_xlsx(request: Request, session: Session = Depends(read_session)) -> Response:
    """The dashboard's tables (all, or ``table=...``) as an XLSX workbook, a sheet per table."""
    lang = request_language(request)
    tables = _export_tables(request)
    board = dashboard.build(session, _filters(request), lang, tables)
    name = exports.file_name(board, tables[0] if len(tables) == 1 else "all", "xlsx")
    return Response(
        exports.to_xlsx(board),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


# --- plan against actual ----------------------------------------------------------------------


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
        {*service.years_with_facts(session, filters.a, filters.b), filters.year, filters.year + 1},
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


# --- the protocol "results of N and plans for N+1" ------------------------------------------
#
# Public reads like the dashboard: the protocol records published-level aggregates. Showing a
# protocol verifies both signatures against the organisations' public keys, and that
# verification is audited like any other. Signing needs a logged-in railway operator or
# administrator of one of the two railways, and the form's CSRF token.


def _protocol_labels(content: dict[str, Any], lang: str) -> dict[str, Any]:
    def direction(key: str) -> str:
        msgid = DIRECTION_LABELS.get(Direction(key)) if key in set(Direction) else None
        return translate(msgid, lang) if msgid else key

    return {
        "direction": direction,
        "commodity": lambda key: dashboard.commodity_name(key, lang),
        "countries": " – ".join(dashboard.country_name(c, lang) for c in content["countries"]),
        "month": lambda m: dashboard.month_label(f"{int(m):02d}", lang),
    }


@router.get("/stats/protocol", response_class=HTMLResponse)
def protocol_list_page(request: Request, session: Session = Depends(read_session)) -> HTMLResponse:
    """Every stored protocol, who has signed it, and a link to it."""
    lang = request_language(request)
    rows = protocol_service.list_protocols(session)
    for row in rows:
        row["countries"] = " – ".join(dashboard.country_name(c, lang) for c in row["between"])
    return render(request, "stats_protocol_list.html", protocols=rows)


def _verify_actor(request: Request, actor: Actor | None) -> Actor:
    if actor is not None:
        return actor
    return Actor(label="anonymous", role=Role.VIEWER, via=Channel.WEB,
                 remote_addr=client_address(request))  # fmt: skip


def _protocol_page(
    request: Request, protocol_id: str, actor: Actor | None, error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:  # fmt: skip
    lang = request_language(request)
    try:
        with uow_of(request)() as session:  # a page view: the verdict is shown, not audited
            stored = protocol_service.get_protocol(session, protocol_id)
            verdict = protocol_service.verify_protocol(
                session, _verify_actor(request, actor), protocol_id, record=False
            )
            party = protocol_service.signing_party(session, actor, protocol_id)
            try:
                check: Any = protocol_service.check_protocol(session, protocol_id)
            except TemirError:
                check = None
    except NotFound as missing:
        return render(
            request, "stats_protocol_missing.html", status_code=404,
            error=missing.message(lang), protocol_id=protocol_id[:40],
        )  # fmt: skip
    content = stored.content
    checks = {p.party: p for p in verdict.parties}
    return render(
        request,
        "stats_protocol.html",
        status_code=status_code,
        error=error,
        stored=stored,
        c=content,
        verdict=verdict,
        parties=[(p, checks.get(p)) for p in content["parties"]],
        problems=verdict.problem_messages(lang),
        party_messages={p.party: p.message(lang) for p in verdict.parties},
        signing_party=party,
        check=check if check is not None and check.months_with_actuals else None,
        labels=_protocol_labels(content, lang),
        f=Numbers(lang),
        pct=lambda v: "—" if v is None else Numbers(lang).pct(float(v)),
        api=f"/api/v1/stats/protocols/{stored.protocol_id}",
    )


@router.get("/stats/protocol/{protocol_id}", response_class=HTMLResponse)
def protocol_page(
    request: Request, protocol_id: str, actor: Actor | None = Depends(optional_actor)
) -> HTMLResponse:
    """One protocol: figures, plan, notes, both signatures verified, the check of the plan year,
    downloads, and a Sign button for an authorised user of a party."""
    return _protocol_page(request, protocol_id, actor)


@router.post("/stats/protocol/{protocol_id}/sign", response_model=None)
def protocol_sign(
    request: Request, protocol_id: str, actor: Actor | None = Depends(optional_actor)
) -> Response:
    """Sign for the user's railway with its organisation key; back to the protocol."""
    if actor is None:
        return RedirectResponse(f"/login?next=/stats/protocol/{protocol_id[:40]}", status_code=303)
    try:
        with uow_of(request)() as session:
            protocol_service.sign_protocol(
                session, actor, protocol_id, secret=request.app.state.settings.secret_key
            )
    except TemirError as error:
        return _protocol_page(
            request, protocol_id, actor, error.message(request_language(request)), error.status
        )
    return RedirectResponse(f"/stats/protocol/{protocol_id[:40]}", status_code=303)
