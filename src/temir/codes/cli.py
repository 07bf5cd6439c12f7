"""``temir codes check KIND CODE …``: check codes; exit status 0 only when all are valid."""

from __future__ import annotations

import typer
from rich.table import Table

from temir.codes.check import KINDS, CodeCheck, check
from temir.codes.dangerous import Designation, designations, no_code_error
from temir.kit.cli import JSON_OPTION, console, emit, fail, language

app = typer.Typer(no_args_is_help=True, help="Check station, cargo, wagon and container codes.")


def _render(results: list[CodeCheck]) -> None:
    lang = language()
    table = Table()
    for column in ("code", "valid", "normalized", "errors"):
        table.add_column(column)
    for r in results:
        errors = "\n".join(f"{p.code}: {p.message(lang)}" for p in r.problems)
        mark = "[green]yes[/]" if r.valid else "[red]no[/]"
        table.add_row(r.code, mark, r.normalized or "", errors)
    console.print(table)


@app.command("check")
def check_command(
    kind: str = typer.Argument(..., help="One of: " + ", ".join(KINDS)),
    codes: list[str] = typer.Argument(..., help="One or more codes."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Check each code; print one verdict per code, in input order."""
    results = [check(kind, code) for code in codes]
    lang = language()
    emit([r.to_dict(lang) for r in results] if as_json else results, as_json, _render)
    if not all(r.valid for r in results):
        raise typer.Exit(1)


def _render_dangerous(found: tuple[Designation, ...]) -> None:
    if not found:
        console.print("no designation in the shipped table (data/cargo/SOURCES.md)")
        return
    table = Table()
    for column in ("UN", "class", "packing group", "entry", "source"):
        table.add_column(column)
    for d in found:
        table.add_row(d.un_number, d.hazard_class, d.packing_group or "—", d.entry, d.source)
    console.print(table)


@app.command("dangerous")
def dangerous_command(
    etsng: str | None = typer.Option(None, help="6-digit ETSNG code."),
    gng: str | None = typer.Option(None, help="8-digit GNG code."),
    as_json: bool = JSON_OPTION,
) -> None:
    """The UN entries (number, class, packing group) the goods may be declared as in box 15."""
    if not etsng and not gng:
        fail(no_code_error(), as_json)
    found = designations(etsng, gng)
    body = {"etsng": etsng, "gng": gng, "dangerous": bool(found)}
    payload = body | {"entries": [d.to_dict() for d in found]}
    emit(payload if as_json else found, as_json, _render_dangerous)
