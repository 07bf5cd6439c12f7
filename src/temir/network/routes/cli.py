"""``temir route`` and ``temir tariff data-quality`` (thin: parse, call the service, print).

Both route on the runtime database's edition (:func:`temir.network.provider.runtime_network`),
or on the shipped data when no reference data is loaded. ``data-quality`` stays under
``temir tariff`` where users know it; the report itself is about the network's TR-4 figures.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.progress import Progress
from rich.table import Table

from temir.kit.cli import JSON_OPTION, console, emit, language, user_errors
from temir.kit.errors import ValidationFailed
from temir.kit.i18n import translate
from temir.kit.messages import define

if TYPE_CHECKING:
    from temir.network.routing import Router

# The network (numpy, SQLAlchemy, the route engine) is imported by the commands that route,
# not at import: `temir route --help` and the CLI's start-up stay at Typer's own cost.


def _m(msgid: str) -> str:
    """Declare a user-facing msgid of the routing texts (see temir.kit.messages)."""
    return define("routing", msgid)


# Every text the CLI renders itself, declared up front so the catalog test sees them all.
CLI_TEXTS = tuple(
    _m(text)
    for text in (
        "non-official km",
        "inferred border pairing",
        "ferry",
        "border: {exit} ↔ {entry} (confidence {confidence})",
    )
)


def _t(msgid: str, **params: Any) -> str:
    """Translate a CLI text into the language of ``TEMIR_LANG`` (declared in the registry)."""
    return translate(_m(msgid), language(), **params)


def _render_routes(data: dict[str, Any]) -> None:
    from temir.network.routing.model import ROLE_TEXTS, LegRole

    for n, r in enumerate(data["routes"], 1):
        flags = []
        if not r["official"]:
            flags.append(f"[yellow]{_t('non-official km')}[/]")
        if r["low_confidence_borders"]:
            flags.append(f"[yellow]{_t('inferred border pairing')}[/]")
        if r["ferry"]:
            flags.append(f"[cyan]{_t('ferry')}[/]")
        console.print(f"[bold]{n}. {r['km']} km[/]  {r['km_by_railway']}  {' '.join(flags)}")
        for leg in r["legs"]:
            console.print(
                f"   {leg['railway']}: {leg['entry_name']} ({leg['entry_esr']}) → "
                f"{leg['exit_name']} ({leg['exit_esr']})  {leg['km']} km  [{leg['method']}]"
                f"  {translate(ROLE_TEXTS[LegRole(leg['role'])], language())}"
            )
        for b in r["borders"]:
            text = _t(
                "border: {exit} ↔ {entry} (confidence {confidence})",
                exit=b["exit_name"],
                entry=b["entry_name"],
                confidence=b["confidence"],
            )
            console.print(f"   {text}")
        for note in r["notes"]:
            console.print(f"   [yellow]{note}[/]")


def route(
    from_station: str | None = typer.Argument(None, metavar="FROM", help="ESR code or name."),
    to_station: str | None = typer.Argument(None, metavar="TO", help="ESR code or name."),
    via: list[str] = typer.Option([], "--via", help="Force a border code or station."),
    alternatives: int = typer.Option(5, "--alternatives", "-n", help="How many routes."),
    pairs: Path | None = typer.Option(None, "--pairs", help="CSV with from_esr,to_esr."),
    out: Path | None = typer.Option(None, "--out", help="Output CSV for --pairs."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Routes between two stations with tariff km per railway, or a batch file (--pairs)."""
    from temir.network.provider import runtime_network
    from temir.network.routes import service

    with user_errors(as_json):
        r = runtime_network().router
        if pairs is not None:
            _batch(r, pairs, out)
            return
        if not from_station or not to_station:
            raise ValidationFailed(
                _m("Give FROM and TO, or --pairs FILE."), code="route.arguments", field="from"
            )
        found = service.find_routes(r, from_station, to_station, via, alternatives)
        lang = language()
        shown = [service.route_dict(r, x, lang) for x in found]
        data = {"routes": shown, "edition": r.data.edition}
        emit(data, as_json, _render_routes)


def _batch(r: Router, pairs: Path, out: Path | None) -> None:
    if out is None:
        raise ValidationFailed(
            _m("--out is required with --pairs."), code="route.arguments", field="out"
        )
    from temir.network.routes import batch_file

    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("Routing", total=batch_file.STEPS)
        try:
            done = batch_file.route_file(r, pairs, out, lambda n: progress.advance(task, n))
        except KeyboardInterrupt:
            console.print(f"[yellow]Interrupted: {out} not written.[/]")
            raise typer.Exit(130) from None
    console.print(f"{done} rows → {out}")


def data_quality(as_json: bool = JSON_OPTION) -> None:
    """Where Book 3 / Book 2 and chained Book 1 disagree (the official figure is used)."""
    from temir.network.provider import runtime_network
    from temir.network.routes import service

    with user_errors(as_json):
        r = runtime_network().router
        items = [d.to_dict(language()) for d in service.quality_report(r)]

        def render(rows: list[dict[str, Any]]) -> None:
            table = Table("railway", "kind", "from", "to", "official", "book1", "delta", "detail")
            for d in rows:
                table.add_row(
                    d["railway"],
                    d["kind"],
                    f"{r.names.get(d['from_esr'], '')} {d['from_esr']}",
                    f"{r.names.get(d['to_esr'], '')} {d['to_esr']}",
                    str(d["official_km"]),
                    str(d["book1_km"]),
                    str(d["delta"]),
                    d["detail"],
                )
            console.print(table)
            untrusted = sum(1 for d in rows if not d["trusted"])
            console.print(
                f"{len(rows)} disagreements; {untrusted} printed figures are not used (see"
                " detail); elsewhere the official TR-4 figure is used."
            )

        emit(items, as_json, render)
