"""``temir notes``: print the example note, validate a note file, verify signatures, print a PDF."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from temir.kit.cli import JSON_OPTION, console, emit, language, print_json
from temir.notes.example import example_note
from temir.notes.network import shipped_network
from temir.notes.rules import Stage, ValidationResult, validate_document

app = typer.Typer(no_args_is_help=True, help="SMGS consignment notes: example, validate, verify.")

MAX_FILE_BYTES = 20_000_000


def _read(path: Path) -> bytes | None:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None
        return path.read_bytes()
    except OSError:
        return None


@app.command()
def example(as_json: bool = JSON_OPTION) -> None:
    """A complete valid note: wheat, Kostanay (KZH) → Dushanbe II (TDZ) via Uzbekistan."""
    note = example_note()
    if as_json:
        print_json(note.model_dump(mode="json", exclude_none=True))
        return
    table = Table("box", "field", "value", title="SMGS note (example, synthetic parties)")
    n = note
    rows: list[tuple[str, str, str]] = [
        ("1", "consignor", n.consignor.name),
        ("2", "departure", f"{n.departure.esr} {n.departure.name}"),
        ("4", "consignee", n.consignee.name),
        ("5", "destination", f"{n.destination.esr} {n.destination.name}"),
        ("6", "border stations", ", ".join(f"{s.esr} {s.name}" for s in n.border_stations)),
        ("7", "wagons", ", ".join(w.number for w in n.wagons)),
        ("15", "goods", "; ".join(f"{g.description} GNG {g.gng}" for g in n.goods)),
        ("18", "mass, kg", str(n.goods_total_mass_kg)),
        (
            "22",
            "carriers",
            "; ".join(f"{c.carrier} {c.from_station.esr}–{c.to_station.esr}" for c in n.carriers),
        ),
    ]
    for row in rows:
        table.add_row(*row)
    console.print(table)


def _render_result(result: ValidationResult) -> None:
    lang = language()
    if result.valid:
        console.print("[bold green]valid[/]")
    else:
        console.print("[bold red]not valid[/]")
    if result.issues:
        table = Table("rule", "box", "severity", "message")
        for issue in result.issues:
            table.add_row(
                issue.rule,
                "" if issue.box is None else str(issue.box),
                str(issue.severity),
                issue.message(lang),
            )
        console.print(table)


@app.command()
def validate(
    file: Path = typer.Argument(..., help="Note as JSON ('-' is not supported)."),
    stage: Stage = typer.Option(Stage.SUBMISSION, help="submission or acceptance (boxes 26/29)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Check a note box by box; exit 0 only when it has no error."""
    data = _read(file)
    result: ValidationResult
    if data is None:
        from temir.notes.rules import JSON as JSON_RULE

        issue = JSON_RULE.issue(None, detail=f"cannot read {file.name} (missing or over 20 MB)")
        result = ValidationResult(False, (issue,))
    else:
        result = validate_document(data, shipped_network(), stage)
    emit(result.to_dict(language()), as_json, lambda _: _render_result(result))
    raise typer.Exit(0 if result.valid else 1)


def schema_json() -> dict[str, Any]:
    from temir.notes.model import note_json_schema

    return note_json_schema()


@app.command()
def schema() -> None:
    """Print the JSON Schema of a note (every field names its SMGS box)."""
    typer.echo(json.dumps(schema_json(), ensure_ascii=False, indent=2))
