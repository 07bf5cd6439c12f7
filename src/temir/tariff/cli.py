"""``temir quote`` and ``temir tariff ...`` (thin: parse, call service, print).

``temir route`` and ``temir tariff data-quality`` are :mod:`temir.network.routes.cli`'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from temir.kit.cli import JSON_OPTION, console, emit, err_console, language, user_errors
from temir.kit.errors import ValidationFailed
from temir.kit.i18n import translate
from temir.kit.messages import define
from temir.network.provider import runtime_network
from temir.network.routes import cli as routes_cli
from temir.network.routes.service import with_names
from temir.tariff import service
from temir.tariff.dwell import border_dwell
from temir.tariff.model import Quote, RateTable

app = typer.Typer(help="Tariff: rate tables and data quality.", no_args_is_help=True)
app.command("data-quality")(routes_cli.data_quality)


def _m(msgid: str) -> str:
    """Declare a user-facing msgid of the tariff catalog (see temir.kit.messages)."""
    return define("tariff", msgid)


def _tables() -> list[RateTable]:
    """Shipped demo tables plus loaded official ones (demo only when no database is set up)."""
    from sqlalchemy.exc import SQLAlchemyError

    from temir.kit import runtime

    try:
        with runtime.uow().read() as session:
            return service.rate_tables(session)
    except (SQLAlchemyError, runtime.DatabaseNotReady):
        return service.rate_tables(None)


# Every text the CLI renders itself, declared up front so the catalog test sees them all.
CLI_TEXTS = tuple(
    _m(text)
    for text in (
        "DEMO RATES — not an official tariff.",
        "km",
        "km by railway",
        "days",
        "charge CHF",
        "marks",
        "borders",
        "cheapest",
        "fastest",
        "shortest",
        "tables: {tables}",
        "{amount} (transit legs only)",
        "— (national tariff not loaded)",
        "observed border dwell",
        "not yet observed",
        "median {hours} h of {count} wagons",
        "synthetic demo data",
    )
)


def _charge_text(charge: dict[str, Any]) -> str:
    """The total as a user reads it: a partial sum says so, no sum is a dash with the reason."""
    if charge["amount"] is None:
        return _t("— (national tariff not loaded)")
    if charge["partial"]:
        return _t("{amount} (transit legs only)", amount=charge["amount"])
    return str(charge["amount"])


def _t(msgid: str, **params: Any) -> str:
    """Translate a CLI text into the language of ``TEMIR_LANG`` (declared in the registry)."""
    return translate(_m(msgid), language(), **params)


def _dwell_text(dwell: dict[str, Any]) -> str:
    """An alternative's observed border dwell, labelled when it comes from demo data."""
    if not dwell.get("median_hours"):
        return _t("not yet observed")
    text = _t("median {hours} h of {count} wagons", hours=dwell["median_hours"],
              count=dwell["samples"])  # fmt: skip
    return f"{text} ({_t('synthetic demo data')})" if dwell.get("synthetic") else text


def _render_quote(data: dict[str, Any]) -> None:
    if data["demo_rates"]:
        console.print(f"[bold yellow]{_t('DEMO RATES — not an official tariff.')}[/]")
    table = Table(
        "#",
        _t("km"),
        _t("km by railway"),
        _t("days"),
        _t("charge CHF"),
        _t("marks"),
        _t("borders"),
        _t("observed border dwell"),
    )
    for n, a in enumerate(data["alternatives"], 1):
        borders = "; ".join(f"{b['exit_name']}↔{b['entry_name']}" for b in a["route"]["borders"])
        dwell = a.get("border_dwell") or {}
        table.add_row(
            str(n),
            str(a["km"]),
            a["route"]["km_by_railway"],
            str(a["days"]),
            _charge_text(a["charge"]),
            ",".join(_t(mark) for mark in a["marks"]),
            borders,
            _dwell_text(dwell),
        )
    console.print(table)
    for n, a in enumerate(data["alternatives"], 1):
        console.print(f"[bold]{n}.[/] {_t('tables: {tables}', tables=', '.join(a['tables_used']))}")
        for line in a["lines"]:
            console.print(
                f"   {line['railway']} {line['code']}: {line['amount_chf']} — {line['text']}"
            )
        for leg in a["leg_charges"]:
            if leg["reason"]:
                console.print(f"   [yellow]{leg['text']}[/] ({leg['reason']})")
        for note in a["route"]["notes"]:
            console.print(f"   [yellow]{note}[/]")
    for note in data["notes"]:
        console.print(f"[yellow]{note}[/]")


MASS_DEPRECATED = _m("--mass is deprecated: use --mass-kg (the name the API and the web form use).")
MASS_MISSING = _m("Give the mass in kg with --mass-kg.")


def _mass_kg(mass_kg: int | None, mass: int | None) -> int:
    """``--mass-kg``, or the deprecated ``--mass`` with a note on stderr."""
    if mass_kg is None and mass is not None:
        err_console.print(f"[yellow]{translate(MASS_DEPRECATED, language())}[/]")
        return mass
    if mass_kg is None:
        raise ValidationFailed(MASS_MISSING, code="quote.mass_missing", field="mass_kg")
    return mass_kg


def quote(
    from_station: str = typer.Argument(..., metavar="FROM"),
    to_station: str = typer.Argument(..., metavar="TO"),
    cargo: str = typer.Option(..., "--cargo", help="ETSNG code."),
    mass_kg: int | None = typer.Option(None, "--mass-kg", help="Mass in kg."),
    mass: int | None = typer.Option(
        None, "--mass", hidden=True, help="Deprecated: the old name of --mass-kg."
    ),
    wagon_owner: str = typer.Option("carrier", "--wagon-owner", help="carrier|other"),
    speed: str = typer.Option("freight", "--speed", help="freight|high"),
    container: str | None = typer.Option(None, "--container", help="3t|5t (medium container)"),
    empty_return: bool = typer.Option(False, "--empty-return", help="Charge the empty run back."),
    via: list[str] = typer.Option([], "--via"),
    alternatives: int = typer.Option(5, "--alternatives", "-n"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Quote: alternatives with km, delivery days and the charge in CHF, line by line."""
    with user_errors(as_json):
        mass_kg = _mass_kg(mass_kg, mass)
        r = runtime_network().router
        q: Quote = service.quote(
            r,
            from_station,
            to_station,
            etsng=cargo,
            mass_kg=mass_kg,
            wagon_owner=wagon_owner,
            speed=speed,
            container=container,
            empty_return=empty_return,
            via=via,
            alternatives=alternatives,
            tables=_tables(),
        )
        lang = language()
        data = q.to_dict(lang)
        observed = _observed_dwell()
        for a, alt in zip(data["alternatives"], q.alternatives, strict=True):
            with_names(r, a["route"])  # rendered by Quote.to_dict: named, not rendered again
            a["border_dwell"] = border_dwell(
                [(b.exit_esr, b.entry_esr) for b in alt.route.borders], observed
            )
        emit(data, as_json, _render_quote)


def _observed_dwell() -> Mapping[tuple[str, str | None], Any]:
    """Observed dwell per crossing from tracking (named by the entry point: tariff sits below
    tracking); none without a database."""
    from sqlalchemy.exc import SQLAlchemyError

    from temir.kit import runtime

    try:
        with runtime.uow().read() as session:
            return service.observed_dwell(session)
    except (SQLAlchemyError, runtime.DatabaseNotReady):
        return {}


@app.command("load")
def load(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV or XLSX rate file."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Load official rate tables (columns as demo_rates.csv), versioned by validity dates."""
    from temir.accounts.model import Actor
    from temir.kit import runtime

    with user_errors(as_json), runtime.uow()() as session:
        loaded = service.load_tables(session, Actor.system("tariff-load"), file)

    def render(rows: list[dict[str, Any]]) -> None:
        for r in rows:
            console.print(f"{r['table_id']}: {r['rows']} rows, {r['valid_from']}..{r['valid_to']}")

    emit(loaded, as_json, render)
