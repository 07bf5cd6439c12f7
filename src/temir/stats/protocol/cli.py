"""``temir stats protocol ...``: draw up, show, print, export, sign, verify and check the
protocol "results of year N and plans for N+1". The commands are registered in
:mod:`temir.stats.cli`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from temir.accounts.cli import AS_OPTION, cli_actor
from temir.kit import runtime
from temir.kit.cli import JSON_OPTION, console, emit, language, print_json, user_errors
from temir.kit.errors import ValidationFailed
from temir.kit.i18n import N_
from temir.signing.keyring import load_keys
from temir.stats.plans.cli import BETWEEN, render_plan_vs_actual
from temir.stats.protocol import service as protocol_service

LANG_HELP = "auto (Russian + the parties' languages), ru, en, kk, tg, or e.g. ru+kk."
YEAR_N = typer.Option(..., "--year", help="Year N whose results the protocol records.")


def protocol_create(
    year: int = YEAR_N,
    between: tuple[str, str] = BETWEEN,
    parties: tuple[str, str] | None = typer.Option(
        None, help="The two railways that sign (default: of the countries, e.g. KZH TDZ)."
    ),
    note: list[str] = typer.Option([], "--note", help="A note or agreement (repeatable)."),
    notes_file: Path | None = typer.Option(None, help="Notes from a text file, one per line."),
    place: str = typer.Option("", help="Where it is signed."),
    date: str = typer.Option("", help="Date of the protocol (YYYY-MM-DD)."),
    replace: bool = typer.Option(False, help="Draw an unsigned protocol up again."),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Freeze year N's results and the stored N+1 plan into a protocol (to be signed)."""
    notes = list(note)
    if notes_file is not None:
        notes += [line for line in notes_file.read_text(encoding="utf-8").splitlines() if line]
    with user_errors(as_json):
        actor = cli_actor(as_user)
    with user_errors(as_json), runtime.uow()() as session:
        stored = protocol_service.create_protocol(
            session, actor, year, between[0], between[1], parties=parties, notes=notes,
            place=place, date=date, replace=replace,
        )  # fmt: skip
    emit(
        {"protocol_id": stored.protocol_id, "digest": stored.digest},
        as_json,
        lambda r: console.print(f"protocol {r['protocol_id']} created, SHA-256 {r['digest']}"),
    )


def protocol_list(as_json: bool = JSON_OPTION) -> None:
    """Stored protocols and who has signed them."""
    with user_errors(as_json), runtime.uow().read() as session:
        rows = protocol_service.list_protocols(session)
    if as_json:
        print_json(rows)
        return
    table = Table(title="protocols")
    for column in ("id", "results", "plan", "parties", "signed by", "synthetic"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            r["protocol_id"], str(r["year"]), str(r["plan_year"]), " ".join(r["parties"]),
            " ".join(r["signed_by"]) or "—", "yes" if r["synthetic"] else "no",
        )  # fmt: skip
    console.print(table)


def _render_protocol(stored: protocol_service.StoredProtocol) -> None:
    c = stored.content
    console.print(
        f"[bold]{stored.protocol_id}[/]: results {c['year']} and plan {c['plan_year']}, "
        f"{' – '.join(c['parties'])}" + ("  [magenta](synthetic)[/]" if c["synthetic"] else "")
    )
    table = Table(title=f"results {c['year']} vs {c['previous_year']}")
    for column in ("direction", "commodity", f"{c['previous_year']} t", f"{c['year']} t", "%"):
        table.add_column(
            column, justify="left" if column in ("direction", "commodity") else "right"
        )
    for r in c["results"]["rows"]:
        table.add_row(
            r["direction"], r["commodity_group"], f"{r['previous_tonnes']:,}",
            f"{r['tonnes']:,}", r["change_pct"] or "—",
        )  # fmt: skip
    t = c["results"]["total"]
    table.add_row(
        "total", "", f"{t['previous_tonnes']:,}", f"{t['tonnes']:,}", t["change_pct"] or "—"
    )
    console.print(table)
    plan = Table(title=f"plan {c['plan_year']}")
    for column in ("direction", "commodity", "t"):
        plan.add_column(column, justify="right" if column == "t" else "left")
    for r in c["plan"]["rows"]:
        plan.add_row(r["direction"], r["commodity_group"], f"{r['tonnes']:,}")
    plan.add_row("total", "", f"{c['plan']['total']:,}")
    console.print(plan)
    for i, n in enumerate(c["notes"], start=1):
        console.print(f"3.{i}. {n}")
    console.print(f"SHA-256 {stored.digest}; signed by: {', '.join(stored.signed_by) or '—'}")


def _pid(year: int, between: tuple[str, str], as_json: bool) -> str:
    with user_errors(as_json):
        return protocol_service.protocol_ref(year, between[0], between[1])


def protocol_show(
    year: int = YEAR_N, between: tuple[str, str] = BETWEEN, as_json: bool = JSON_OPTION
) -> None:
    """The stored protocol: figures, plan, notes, signatures."""
    pid = _pid(year, between, as_json)
    with user_errors(as_json), runtime.uow().read() as session:
        stored = protocol_service.get_protocol(session, pid)
    emit(stored.to_dict() if as_json else stored, as_json, _render_protocol)


def _write(out: Path, payload: bytes, as_json: bool) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(payload)
    emit(
        {"written": str(out), "bytes": len(payload)},
        as_json,
        lambda r: console.print(f"wrote {r['written']} ({r['bytes']:,} bytes)"),
    )


def protocol_pdf(
    year: int = YEAR_N,
    between: tuple[str, str] = BETWEEN,
    lang: str = typer.Option("auto", help=LANG_HELP),
    out: Path = typer.Option(..., "--out", "-o", help="PDF file to write."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Render the protocol as PDF (Russian and the parties' languages by default)."""
    pid = _pid(year, between, as_json)
    with user_errors(as_json), runtime.uow().read() as session:
        payload = protocol_service.protocol_pdf(session, pid, lang)
    _write(out, payload, as_json)


def protocol_xlsx(
    year: int = YEAR_N,
    between: tuple[str, str] = BETWEEN,
    lang: str = typer.Option("auto", help=LANG_HELP),
    out: Path = typer.Option(..., "--out", "-o", help="XLSX file to write."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Render the protocol as XLSX (sheets results, plan, notes)."""
    pid = _pid(year, between, as_json)
    with user_errors(as_json), runtime.uow().read() as session:
        payload = protocol_service.protocol_xlsx(session, pid, lang)
    _write(out, payload, as_json)


def protocol_export(
    year: int = YEAR_N,
    between: tuple[str, str] = BETWEEN,
    out: Path = typer.Option(..., "--out", "-o", help="JSON file to write."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Write the protocol and its signatures as JSON, to verify offline with public keys."""
    pid = _pid(year, between, as_json)
    with user_errors(as_json), runtime.uow().read() as session:
        document = protocol_service.export_protocol(session, pid)
    _write(out, json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8"), as_json)


def protocol_sign(
    year: int = YEAR_N,
    between: tuple[str, str] = BETWEEN,
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Sign the protocol for your railway with its organisation key (as for notes).

    The user (``--as``) must be a railway operator or an administrator of one of the parties.
    """
    pid = _pid(year, between, as_json)
    with user_errors(as_json):
        actor = cli_actor(as_user)
        secret = runtime.secret_key()
        with runtime.uow()() as session:
            signature = protocol_service.sign_protocol(session, actor, pid, secret=secret)
    emit(
        signature.model_dump(mode="json"),
        as_json,
        lambda r: console.print(f"signed for {r['role']} ({r['signer']}) with {r['key_id']}"),
    )


def _load_json_file(path: Path, field: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ValidationFailed(
            N_("{path} is not a readable JSON file."),
            code="stats.protocol.file",
            field=field,
            path=str(path),
        ) from None


def protocol_verify(
    year: int | None = typer.Option(None, "--year", help="Year N of a stored protocol."),
    between: tuple[str, str] = BETWEEN,
    file: Path | None = typer.Option(
        None, "--file", help="An exported protocol (temir stats protocol export) to verify offline."
    ),
    keys: Path | None = typer.Option(
        None,
        "--keys",
        help="Trusted public keys for --file: the keyring JSON of temir notes verify "
        "(GET /api/v1/keys/keyring.json).",
    ),
    as_user: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Check both parties' signatures; says which one fails and why. Exit 1 if not valid.

    A stored protocol is checked with the organisations' stored public keys (retired ones
    too); an exported file (``--file``) offline, with the keys of ``--keys`` only.
    """
    lang = language()
    with user_errors(as_json):
        if file is not None or keys is not None:
            if file is None or keys is None:
                raise ValidationFailed(
                    N_("Offline verification needs both --file and --keys."),
                    code="stats.protocol.offline",
                    field="keys" if keys is None else "file",
                )
            ring = load_keys(_load_json_file(keys, "keys"))
            result = protocol_service.verify_exported(_load_json_file(file, "file"), ring)
        else:
            if year is None:
                raise ValidationFailed(
                    N_("Give --year (a stored protocol) or --file and --keys."),
                    code="stats.protocol.verify_what",
                    field="year",
                )
            pid = protocol_service.protocol_ref(year, between[0], between[1])
            actor = cli_actor(as_user)
            with runtime.uow()() as session:
                result = protocol_service.verify_protocol(session, actor, pid)
    if as_json:
        print_json(result.to_dict(lang))
    else:
        for check in result.parties:
            mark = "[green]valid[/]" if check.valid else f"[red]{check.message(lang)}[/]"
            console.print(f"  {check.party} {check.signer} {check.key_id or ''}: {mark}")
        for message in result.problem_messages(lang):
            console.print(f"  [red]{message}[/]")
        console.print("[green]VALID[/]" if result.valid else "[red]NOT VALID[/]")
    if not result.valid:
        raise typer.Exit(1)


def protocol_check(
    year: int = typer.Option(..., "--year", help="Plan year whose actuals to check (N+1)."),
    between: tuple[str, str] = BETWEEN,
    as_json: bool = JSON_OPTION,
) -> None:
    """This year's actuals against the plan signed in last year's protocol."""
    pid = _pid(year - 1, between, as_json)
    with user_errors(as_json), runtime.uow().read() as session:
        report = protocol_service.check_protocol(session, pid, year)
    emit(report.to_dict() if as_json else report, as_json, render_plan_vs_actual)
