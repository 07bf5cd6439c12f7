"""``temir notes create|submit|accept|…|list|import``: the note store.

Writes are attributed to ``--as USERNAME`` (whose role and organisation then decide what is
allowed), or to ``system:cli:<os user>`` acting as an administrator.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from temir.accounts.cli import AS_OPTION, cli_actor
from temir.kit import runtime
from temir.kit.cli import (
    JSON_OPTION,
    console,
    emit,
    err_console,
    language,
    read_file,
    user_errors,
)
from temir.kit.errors import TemirError
from temir.kit.i18n import N_
from temir.notes.store import bulk_import, carrier_steps, service
from temir.notes.store.model import NoteDetail, NoteSummary

app = typer.Typer(help="The note store: drafts, lifecycle steps, signatures, lists, import.")

NOTE_ID = typer.Argument(..., help="Note id (UUID).")


def _read_document(path: Path) -> bytes:
    data = read_file(path)
    if data is None:
        raise TemirError(N_("Cannot read {name}."), code="notes.read", name=path.name)
    return data


def _render_detail(detail: NoteDetail) -> None:
    s = detail.summary
    console.print(
        f"note [bold]{s.id}[/] v{s.version} — [bold]{s.status}[/]"
        + (f", № {s.number}" if s.number else "")
        + (f", custody {s.custody}" if s.custody else "")
    )
    console.print(
        f"  {s.departure_esr or '?'} → {s.destination_esr or '?'}, cargo {s.cargo_etsng or '-'}"
        f" / {s.cargo_gng or '-'}, carriers {' → '.join(s.carriers) or '-'}"
    )
    console.print(f"  digest {detail.digest}")
    for sig in detail.signatures:
        console.print(f"  signed by {sig['organisation']} ({sig['key_id']}) at {sig['signed_at']}")
    for warning in detail.warnings:
        console.print(f"  [yellow]warning[/] {warning.rule}: {warning.message(language())}")


def _detail_out(detail: NoteDetail, as_json: bool) -> None:
    emit(detail.to_dict(language()), as_json, lambda _: _render_detail(detail))


def _secret() -> str:
    """The installation secret: every step that makes a version signs it (see store.signer)."""
    return runtime.settings().secret_key


def _write(as_user: str | None, as_json: bool, step: Any) -> None:
    with user_errors(as_json):
        actor = cli_actor(as_user)
        with runtime.uow()() as session:
            detail = step(session, actor)
    _detail_out(detail, as_json)


@app.command()
def create(
    file: Path = typer.Argument(..., help="Draft note as JSON."),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Store a draft of the acting user's organisation; print its id (all of it with --json)."""
    with user_errors(as_json):
        body = _read_document(file)
        actor = cli_actor(as_user)
        detail = service.create_note_in(runtime.uow(), actor, body, secret=_secret())
    if as_json:
        _detail_out(detail, as_json)
        return
    for warning in detail.warnings:
        err_console.print(f"[yellow]warning[/] {warning.rule}: {warning.message(language())}")
    sys.stdout.write(detail.summary.id + "\n")  # just the id, for $(temir notes create ...)


@app.command()
def submit(
    note_id: str = NOTE_ID, as_user: str | None = AS_OPTION, as_json: bool = JSON_OPTION
) -> None:
    """Draft → submitted (the note must pass every submission rule)."""
    _write(as_user, as_json, lambda s, a: service.submit(s, a, note_id))


@app.command()
def accept(
    note_id: str = NOTE_ID,
    number: str = typer.Option(..., "--number", help="Consignment number (box 29)."),
    contract_date: datetime | None = typer.Option(None, "--contract-date", help="Box 26."),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Submitted → accepted by the contractual carrier (boxes 26, 29)."""
    when = contract_date.astimezone() if contract_date else None
    _write(
        as_user,
        as_json,
        lambda s, a: service.accept(
            s, a, note_id, consignment_number=number, contract_date=when, secret=_secret()
        ),
    )


@app.command()
def refuse(
    note_id: str = NOTE_ID,
    reason: str = typer.Option(..., "--reason"),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Submitted → refused by the contractual carrier."""
    _write(as_user, as_json, lambda s, a: service.refuse(s, a, note_id, reason=reason))


@app.command()
def arrive(
    note_id: str = NOTE_ID, as_user: str | None = AS_OPTION, as_json: bool = JSON_OPTION
) -> None:
    """Record the arrival at the destination (box 27)."""
    _write(as_user, as_json, lambda s, a: service.arrive(s, a, note_id, secret=_secret()))


@app.command()
def deliver(
    note_id: str = NOTE_ID,
    received_by: str = typer.Option(..., "--received-by"),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Record the delivery to the consignee (box 36)."""
    _write(
        as_user,
        as_json,
        lambda s, a: service.deliver(s, a, note_id, received_by=received_by, secret=_secret()),
    )


@app.command("report")
def report(
    note_id: str = NOTE_ID,
    number: str = typer.Option(..., "--number", help="Commercial report number (box 31)."),
    station: str = typer.Option(..., "--station", help="ESR code where it was drawn up."),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Record a commercial report (box 31), as the carrier in custody."""
    _write(
        as_user,
        as_json,
        lambda s, a: carrier_steps.record_commercial_report(
            s, a, note_id, number=number, station_esr=station, secret=_secret()
        ),
    )


@app.command("extend")
def extend(
    note_id: str = NOTE_ID,
    days: int = typer.Option(..., "--days", help="Days of the extension (box 32)."),
    reason: str = typer.Option(..., "--reason", help="Ground of the extension (SMGS Art. 24)."),
    station: str = typer.Option(..., "--station", help="ESR code where it is recorded."),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Extend the delivery time (box 32, at most two), as the carrier in custody."""
    _write(
        as_user,
        as_json,
        lambda s, a: carrier_steps.extend_delivery_time(
            s, a, note_id, days=days, reason=reason, station_esr=station, secret=_secret()
        ),
    )


@app.command()
def sign(
    note_id: str = NOTE_ID,
    version: int | None = typer.Option(None, "--version", help="Default: current version."),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Sign a version with the acting organisation's current key."""
    with user_errors(as_json):
        actor = cli_actor(as_user)
        secret = runtime.secret_key()
        with runtime.uow()() as session:
            signature = service.sign(session, actor, note_id, secret=secret, version=version)
    emit(
        signature,
        as_json,
        lambda s: console.print(f"signed v{s['version']} as {s['organisation']} ({s['key_id']})"),
    )


@app.command()
def show(
    note_id: str = NOTE_ID, as_user: str | None = AS_OPTION, as_json: bool = JSON_OPTION
) -> None:
    """The current version of a stored note and its signatures."""
    with user_errors(as_json):
        actor = cli_actor(as_user)
        with runtime.uow().read() as session:
            detail = service.get_note(session, actor, note_id)
    _detail_out(detail, as_json)


@app.command()
def history(
    note_id: str = NOTE_ID, as_user: str | None = AS_OPTION, as_json: bool = JSON_OPTION
) -> None:
    """Every step and every version, as recorded (append-only)."""
    with user_errors(as_json):
        actor = cli_actor(as_user)
        with runtime.uow().read() as session:
            data = service.history(session, actor, note_id)
    emit(data, as_json, _render_history)


@app.command("check")
def check(
    note_id: str = NOTE_ID, as_user: str | None = AS_OPTION, as_json: bool = JSON_OPTION
) -> None:
    """Verify a stored note's signatures and chain; exit 0 only when nothing was tampered."""
    with user_errors(as_json):
        actor = cli_actor(as_user)
        with runtime.uow().read() as session:
            data = service.verify(session, actor, note_id, language())
    emit(data, as_json, _render_check)
    raise typer.Exit(0 if data["intact"] else 1)


@app.command("list")
def list_(
    status: str | None = typer.Option(None, "--status"),
    station: str | None = typer.Option(None, "--station", help="Departure or destination ESR."),
    cargo: str | None = typer.Option(None, "--cargo", help="ETSNG or GNG code."),
    wagon: str | None = typer.Option(None, "--wagon"),
    limit: int = typer.Option(50, "--limit"),
    offset: int = typer.Option(0, "--offset"),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Stored notes, newest first."""
    with user_errors(as_json):
        actor = cli_actor(as_user)
        with runtime.uow().read() as session:
            total, notes = service.list_notes(
                session,
                actor,
                status=status,
                station=station,
                cargo=cargo,
                wagon=wagon,
                limit=limit,
                offset=offset,
            )
    data = {"total": total, "notes": [n.to_dict() for n in notes]}
    emit(data, as_json, lambda _: _render_list(total, notes))


@app.command("import")
def import_(
    file: Path = typer.Argument(..., help="JSON lines: one draft note per line."),
    batch: int = typer.Option(1000, "--batch", help="Lines per transaction."),
    skip_invalid: bool = typer.Option(
        False, "--skip-invalid", help="Write a batch's valid lines even if others are invalid."
    ),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Import drafts in batches; a batch with an invalid line is not written at all.

    Rerunnable: a line is stored under its note_id (or a key of its content), so running the
    file again — after a crash, a kill, a fixed line — writes only what is not there yet."""
    with user_errors(as_json):
        actor = cli_actor(as_user)
        if not file.is_file():
            raise TemirError(N_("Cannot read {name}."), code="notes.read", name=file.name)
        size = file.stat().st_size
        with Progress(
            TextColumn("import"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[written]} notes"),
            TimeElapsedColumn(),
            console=err_console,
            transient=True,
            disable=as_json,
        ) as bar:
            task = bar.add_task("import", total=size, written=0)
            reader = _lines(file, lambda n: bar.update(task, completed=n))
            try:
                report = bulk_import.import_jsonl(
                    runtime.uow(),
                    actor,
                    reader,
                    batch=batch,
                    skip_invalid=skip_invalid,
                    on_batch=lambda r: bar.update(task, written=r.written),
                )
            except KeyboardInterrupt:
                err_console.print("interrupted: committed batches are kept, the current one is not")
                raise typer.Exit(130) from None
    emit(report.to_dict(language()), as_json, lambda _: _render_import(report))
    raise typer.Exit(0 if not report.invalid else 1)


def _lines(path: Path, progress: Any) -> Iterator[bytes]:
    done = 0
    with path.open("rb") as fh:
        for line in fh:
            done += len(line)
            yield line
            progress(done)


def _render_import(report: bulk_import.ImportReport) -> None:
    lang = language()
    console.print(
        f"read {report.read} lines, wrote {report.written} notes in {report.batches_written} "
        f"batches, {report.already_present} already present; {report.batches_refused} batches "
        f"refused, {len(report.invalid)} invalid lines"
    )
    for line, issues in report.invalid[:50]:
        first = issues[0] if issues else None
        text = f"{first.rule}: {first.message(lang)}" if first else ""
        console.print(f"  [red]line {line}[/] {text}")


def _render_list(total: int, notes: list[NoteSummary]) -> None:
    table = Table(
        "id", "status", "v", "№", "from", "to", "cargo", "custody", title=f"{total} notes"
    )
    for n in notes:
        table.add_row(
            n.id,
            str(n.status),
            str(n.version),
            n.number or "",
            n.departure_esr or "",
            n.destination_esr or "",
            n.cargo_etsng or n.cargo_gng or "",
            n.custody or "",
        )
    console.print(table)


def _render_history(data: dict[str, Any]) -> None:
    table = Table(
        "at", "action", "from", "to", "v", "actor", "details", title=f"note {data['note_id']}"
    )
    for e in data["events"]:
        table.add_row(
            e["at"],
            e["action"],
            e["from_status"] or "",
            e["to_status"],
            str(e["version"]),
            e["actor"],
            json.dumps(e["details"], ensure_ascii=False) if e["details"] else "",
        )
    console.print(table)
    for v in data["versions"]:
        signers = ", ".join(s["organisation"] for s in v["signatures"]) or "unsigned"
        console.print(f"  v{v['version']} {v['digest'][:16]}… {v['reason']} — {signers}")


def _render_check(data: dict[str, Any]) -> None:
    verdict = "[bold green]intact[/]" if data["intact"] else "[bold red]TAMPERED[/]"
    console.print(f"{verdict} — note {data['note_id']}, current version {data['current_version']}")
    for check in data["signatures"]:
        mark = "[green]ok[/]" if check["valid"] else "[red]FAILS[/]"
        console.print(f"  v{check['version']} {check['key_id']} {check['signer']}: {mark}")
    for problem in data["problems"]:
        console.print(f"  - {problem['message']}")
