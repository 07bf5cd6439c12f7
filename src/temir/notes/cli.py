"""``temir notes example|validate|schema|demo-signed``: the note without a store.

The store's commands (create, the steps, sign, list, import) are :mod:`temir.notes.store.cli`;
print, offline verification and exchange formats are :mod:`temir.notes.paper.cli`. The root
``temir`` command puts all three under ``temir notes``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from rich.table import Table

from temir.kit.cli import JSON_OPTION, console, emit, language, print_json, read_file
from temir.kit.errors import TemirError, ValidationFailed
from temir.network.provider import runtime_network
from temir.notes.boxes import READ, Stage, ValidationResult, validate_document
from temir.notes.example import example_note

M = TypeVar("M", bound=BaseModel)

app = typer.Typer(help="SMGS consignment notes: example, validate, schema, demo-signed.")


@app.command()
def example(
    as_json: bool = JSON_OPTION,
    draft: bool = typer.Option(
        False, "--draft", help="As a consignor's draft: carriers' boxes 26, 27, 29, 33–36 empty."
    ),
) -> None:
    """A complete valid note: wheat, Kostanay (KZH) → Dushanbe II (TDZ) via Uzbekistan."""
    note = example_note()
    if draft:
        from temir.notes.lifecycle import draft_of

        note = draft_of(note)
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
    data = read_file(file)
    result: ValidationResult
    if data is None:
        result = ValidationResult(False, (READ.issue(None, name=file.name),))
    else:
        result = validate_document(data, runtime_network().view, stage)
    emit(result.to_dict(language()), as_json, lambda _: _render_result(result))
    raise typer.Exit(0 if result.valid else 1)


def schema_json() -> dict[str, Any]:
    from temir.notes.model import note_json_schema

    return note_json_schema()


@app.command()
def schema() -> None:
    """Print the JSON Schema of a note (every field names its SMGS box)."""
    typer.echo(json.dumps(schema_json(), ensure_ascii=False, indent=2))


def _load_json(path: Path, what: str) -> Any:
    data = read_file(path)
    if data is None:
        raise TemirError(f"Cannot read {what} file {{name}}.", code="notes.read", name=path.name)
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise TemirError(
            "The {what} file is not valid JSON.", code="notes.json", field=what, what=what
        ) from exc


def _model(model: type[M], data: Any, what: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_input=False, include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ValidationFailed(
            "The {what} file has an invalid field {where}: {detail}.",
            code="notes.file_schema",
            field=where,
            what=what,
            where=where,
            detail=first["msg"],
        ) from exc


@app.command("demo-signed")
def demo_signed(out: Path = typer.Argument(..., help="Folder to write the files into.")) -> None:
    """Write a signed example (two versions, consignor + KZH signatures) and its public keys.

    Private keys are generated for the demo and discarded: the files show what a verifier gets.
    """
    from datetime import datetime, timedelta, timezone

    from temir.notes.signatures import SignedNote, SignedVersion, next_version, sign_note
    from temir.signing.algorithms import Ed25519Signer
    from temir.signing.keyring import public_entry

    at = datetime(2026, 3, 2, 10, 0, tzinfo=timezone(timedelta(hours=5)))
    consignor, kzh = Ed25519Signer.generate(), Ed25519Signer.generate()
    v1 = example_note()
    v2 = next_version(v1, {"carrier_remarks": ["Принято к перевозке."]})
    signed = SignedNote(
        versions=[
            SignedVersion(note=v1, signatures=[sign_note(v1, consignor, signed_at=at,
                                                         signer_name="consignor")]),
            SignedVersion(note=v2, signatures=[
                sign_note(v2, consignor, signed_at=at, signer_name="consignor"),
                sign_note(v2, kzh, signed_at=at, signer_name="KZH", role="carrier"),
            ]),
        ]
    )  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    (out / "note.signed.json").write_text(signed.model_dump_json(indent=2), encoding="utf-8")
    keys = [public_entry(consignor, "consignor"), public_entry(kzh, "KZH")]
    (out / "keys.json").write_text(
        json.dumps([k.model_dump() for k in keys], indent=2), encoding="utf-8"
    )
    console.print(f"wrote {out / 'note.signed.json'} and {out / 'keys.json'}")
