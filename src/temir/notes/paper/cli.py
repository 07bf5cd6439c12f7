"""``temir notes pdf|verify|export|import-xml``: print, verify offline, exchange formats.

A note is named by a file (JSON note, signed JSON, XML or a Temir PDF) or by the id of a note
in this node's store (read as ``--as USERNAME``, like ``temir notes show``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from temir.kit.cli import (
    JSON_OPTION,
    console,
    emit,
    err_console,
    language,
    print_json,
    read_file,
    user_errors,
)
from temir.kit.errors import TemirError
from temir.kit.i18n import N_
from temir.notes.signatures import SignedNote

app = typer.Typer(help="Print, verify offline, exchange formats.")

NOTE_ARG = typer.Argument(..., help="Note id in the store, or a file: JSON, signed JSON, XML, PDF.")


def _read_file(path: Path, what: str = "file") -> bytes:
    data = read_file(path)
    if data is not None:
        return data
    raise TemirError(
        N_("Cannot read {name}: missing, unreadable or too large."),
        code="notes.read",
        field=what,
        name=path.name,
    )


def _stored(note_id: str, as_user: str | None) -> SignedNote:
    from temir.accounts.cli import cli_actor
    from temir.kit import runtime
    from temir.notes.store import service

    actor = cli_actor(as_user)
    with runtime.uow().read() as session:
        return SignedNote.model_validate(service.export(session, actor, note_id))


def load_signed(ref: str, as_user: str | None = None) -> SignedNote:
    """The signed note named by ``ref``: a file if one exists there, else a stored note id."""
    from temir.notes.paper.verify import read_evidence

    path = Path(ref)
    if path.is_file():
        evidence = read_evidence(_read_file(path))
        if evidence.signed is None:
            raise TemirError(
                N_("{name} holds a QR line, not a note."), code="notes.not_a_note", name=path.name
            )
        return evidence.signed
    return _stored(ref, as_user)


def _as_user_option() -> Any:
    return typer.Option(None, "--as", help="Read a stored note as this user.")


@app.command()
def pdf(
    note: str = NOTE_ARG,
    out: Path = typer.Option(..., "-o", "--out", help="PDF file to write."),
    sheets: str = typer.Option("all", "--sheets", help="Sheets to print, e.g. 1,4 (1–6)."),
    synthetic: bool | None = typer.Option(
        None, "--synthetic/--not-synthetic", help="Print the 'synthetic data' footer."
    ),
    lang: str = typer.Option(
        "auto",
        "--lang",
        help="Headings: auto (departure country's language + Russian), kk, tg or ru (alone).",
    ),
    as_user: str | None = _as_user_option(),
) -> None:
    """Print the note as the SMGS sheets (front and reverse), QR code and signed note inside."""
    from temir.notes.paper.languages import parse_print_language
    from temir.notes.paper.pdf import render_pdf
    from temir.notes.paper.sheets import parse_sheets

    with user_errors():
        chosen = parse_sheets(sheets)
        print_lang = parse_print_language(lang)
        signed = load_signed(note, as_user)
        if not signed.versions:
            raise TemirError(N_("The file holds no version of a note."), code="chain.empty")
        current = signed.versions[-1]
        data = render_pdf(
            current.note,
            current.signatures,
            sheets=chosen,
            signed=signed,
            synthetic=synthetic,
            lang=print_lang,
        )
        try:
            out.write_bytes(data)
        except OSError as exc:
            raise TemirError(N_("Cannot write {name}."), code="notes.write", name=out.name) from exc
    console.print(f"wrote {out} ({len(chosen)} sheet(s), {len(data):,} bytes)")


@app.command()
def verify(
    file: str = typer.Argument(
        ..., help="Signed note (JSON), Temir PDF, XML, a file with the QR line, or the line."
    ),
    keys: Path | None = typer.Option(
        None,
        "--keys",
        help="Public keys: keyring.json, the /api/v1/keys export or {keys: [...]}.",
    ),
    note: Path | None = typer.Option(
        None, "--note", help="The signed note (file) to check a QR line against."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Verify offline: valid or not, which signature fails, which version is current."""
    from temir.notes.paper.qr import looks_like_qr
    from temir.notes.paper.verify import read_evidence, verify_evidence
    from temir.signing.keyring import KeyRing, load_keys

    with user_errors(as_json):
        raw = file.encode("utf-8") if looks_like_qr(file) else _read_file(Path(file))
        evidence = read_evidence(raw)
        ring = KeyRing()
        if keys is not None:
            try:
                ring = load_keys(json.loads(_read_file(keys, "keys")))
            except (ValueError, RecursionError) as exc:
                raise TemirError(
                    N_("The keys file is not valid JSON."), code="notes.keys", field="keys"
                ) from exc
        against = None
        if note is not None:
            against = read_evidence(_read_file(note, "note")).signed
    verdict = verify_evidence(evidence, ring, against)
    emit(verdict.to_dict(language()), as_json, lambda data: _render_verdict(data))
    raise typer.Exit(0 if verdict.valid else 1)


@app.command()
def export(
    note: str = NOTE_ARG,
    fmt: str = typer.Option("json", "--format", help="json (signed, all versions) or xml."),
    out: Path | None = typer.Option(None, "-o", "--out", help="File (default: stdout)."),
    as_user: str | None = _as_user_option(),
) -> None:
    """Export the note: JSON (every version with its signatures) or XML (current version)."""
    from temir.notes.paper.xml import note_to_xml

    with user_errors():
        if fmt not in ("json", "xml"):
            raise TemirError(
                N_("Unknown format {value}; one of: json, xml."),
                code="notes.format",
                field="format",
                value=fmt[:20],
            )
        signed = load_signed(note, as_user)
        if not signed.versions:
            raise TemirError(N_("The file holds no version of a note."), code="chain.empty")
        if fmt == "xml":
            data = note_to_xml(signed.versions[-1].note)
        else:
            data = (signed.model_dump_json(indent=2, exclude_none=True) + "\n").encode()
        if out is None:
            typer.echo(data.decode("utf-8"), nl=False)
        else:
            out.write_bytes(data)


@app.command("import-xml")
def import_xml(
    file: Path = typer.Argument(..., help="Note as XML (rwb:RailwayBill, see XML_MAPPING.md)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Read an XML note, check it box by box, print it as JSON; exit 0 only when valid."""
    from temir.network.provider import runtime_network
    from temir.notes.boxes import validate_note
    from temir.notes.paper.xml import note_from_xml

    with user_errors(as_json):
        parsed = note_from_xml(_read_file(file))
    result = validate_note(parsed, runtime_network().view)
    body = {
        "note": parsed.model_dump(mode="json", exclude_none=True),
        **result.to_dict(language()),
    }
    if as_json:
        print_json(body)
    else:  # stdout is the note's JSON alone; the verdict goes to stderr
        print_json(body["note"])
        state = "[bold green]valid[/]" if result.valid else "[bold red]not valid[/]"
        err_console.print(state)
        for issue in result.issues:
            err_console.print(f"  {issue.rule} (box {issue.box}): {issue.message(language())}")
    raise typer.Exit(0 if result.valid else 1)


def _render_verdict(data: dict[str, Any]) -> None:
    verdict = "[bold green]valid[/]" if data["valid"] else "[bold red]NOT valid[/]"
    console.print(
        f"{verdict} — {data['kind']}, note {data['note_id']}, "
        f"current version {data['current_version']}"
    )
    if data.get("current_digest"):
        console.print(f"digest {data['current_digest']}")
    for check in data["signatures"]:
        mark = "[green]ok[/]" if check["valid"] else "[red]FAILS[/]"
        console.print(f"  v{check['version']} {check['key_id']} {check['signer']}: {mark}")
    for problem in [*data["problems"], *data["findings"]]:
        console.print(f"  [red]-[/] {problem['message']}")
