"""``temir ref load``, ``temir stations search|show``: reference data from the command line."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from temir.accounts.model import Actor, Channel
from temir.kit import runtime
from temir.kit.cli import JSON_OPTION, console, emit, user_errors
from temir.network import service
from temir.network.model import LoadReport, Station

app = typer.Typer(no_args_is_help=True, help="Stations: search by name or ESR code.")
ref_app = typer.Typer(no_args_is_help=True, help="Reference data: load the shipped datasets.")


def _render_report(report: LoadReport) -> None:
    table = Table(title=report.summary())
    for column in ("dataset", "edition", "status", "rows", "added", "changed", "removed"):
        table.add_column(column)
    for d in report.datasets:
        table.add_row(
            d.dataset,
            d.edition,
            d.status,
            str(d.rows),
            str(d.added),
            str(d.changed),
            str(d.removed),
        )
    console.print(table)
    for d in report.datasets:
        for example in d.examples:
            console.print(f"  {d.dataset}: {example}")


def _load(actor: Actor, as_json: bool) -> LoadReport:
    with user_errors(as_json):
        report = service.load_reference(runtime.uow(), actor, progress=not as_json)
    emit(report.to_dict() if as_json else report, as_json, _render_report)
    return report


def load_reference() -> None:
    """Called by ``temir db upgrade`` after migrating."""
    _load(Actor.system("cli:db-upgrade", Channel.CLI), as_json=False)


@ref_app.command("load")
def ref_load(as_json: bool = JSON_OPTION) -> None:
    """Load (or update in place) the shipped reference data; unchanged datasets are skipped."""
    _load(Actor.system("cli:ref-load", Channel.CLI), as_json)


def _coords(station: Station) -> str:
    if station.lat is None or station.lon is None:
        return "—"
    mark = "≈" if station.coord_estimated else ""
    return f"{mark}{station.lat:.4f}, {station.lon:.4f}"


def _render_stations(stations: list[Station]) -> None:
    if not stations:
        console.print("no station found")
        return
    table = Table()
    for column in ("name", "name (en)", "codes", "railway", "country", "kind", "coordinates"):
        table.add_column(column)
    for s in stations:
        codes = "\n".join(f"{c.esr} {c.name_ru} [{c.role}]" for c in s.codes) or "—"
        name_en = ("≈" if s.name_en_estimated else "") + s.name_en
        table.add_row(s.name_ru, name_en, codes, s.railway, s.country, s.kind, _coords(s))
    console.print(table)
    if any(s.coord_estimated or s.name_en_estimated for s in stations):
        console.print("≈ estimated (coordinates not from OpenStreetMap; transliterated names)")


def _dicts(stations: list[Station]) -> list[dict[str, Any]]:
    return [s.to_dict() for s in stations]


@app.command("search")
def stations_search(
    text: str = typer.Argument(..., help="Name (ru/en, any case) or ESR code digits."),
    railway: str | None = typer.Option(None, help="Railway code, e.g. KZH."),
    country: str | None = typer.Option(None, help="ISO country code, e.g. KZ."),
    kind: str | None = typer.Option(None, help="station, junction, border or port."),
    limit: int = typer.Option(20, min=1, max=service.MAX_LIMIT, help="At most this many."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Find stations by name or ESR code."""
    with user_errors(as_json), runtime.uow().read() as session:
        found = service.search_stations(
            session, text, railway=railway, country=country, kind=kind, limit=limit
        )
    emit(_dicts(found) if as_json else found, as_json, _render_stations)


@app.command("show")
def stations_show(
    esr: str = typer.Argument(..., help="Any ESR code of the station."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Show the station that carries an ESR code, with all its codes."""
    with user_errors(as_json), runtime.uow().read() as session:
        station = service.get_station(session, esr)
    emit(station.to_dict() if as_json else [station], as_json, _render_stations)
