"""The statistics dashboard (``/stats``) and its CSV/XLSX exports.

Access decision: like ``/api/v1/stats/volumes`` these pages are public reads of aggregates
(tonnes by month, commodity, direction, crossing, railway); no consignment leaves through them.

Why the filters are a plain GET form: a dashboard link can be bookmarked and sent to a
colleague, and it works without JavaScript; htmx only swaps the figures in place.
"""

from __future__ import annotations

from typing import Any

from babel.numbers import format_decimal
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from temir.kit.api import read_session, request_language
from temir.kit.errors import TemirError, ValidationFailed
from temir.kit.i18n import N_, translate
from temir.stats.volumes import dashboard, exports
from temir.stats.volumes.dashboard import COUNTRIES, DIRECTION_LABELS, TABLES, Dashboard, Filters
from temir.web.templating import render

router = APIRouter(include_in_schema=False)


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
