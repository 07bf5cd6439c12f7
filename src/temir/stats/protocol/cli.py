"""``temir stats``: volumes, synthetic demo data, import of historical statistics."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from temir.accounts.cli import AS_OPTION, cli_actor, os_user
from temir.accounts.model import Actor, Channel
from temir.kit import runtime
from temir.kit.cli import JSON_OPTION, console, emit, language, print_json, user_errors
from temir.kit.errors import ValidationFailed
from temir.kit.i18n import N_, translate
from temir.notes.verify import load_keys
from temir.stats import plan_service, protocol_service, service
from temir.stats.forecast import Forecast
from temir.stats.model import Breakdown, Direction, VolumeReport
from temir.stats.plans import PLAN_COLUMNS, PlanVsActual

app = typer.Typer(no_args_is_help=True)


@contextmanager
def _progress(label: str, enabled: bool = True) -> Iterator[service.Progress | None]:
    """A Rich progress bar; Ctrl-C aborts the unit of work, so nothing half-written remains."""
    if not enabled:
        yield None
        return
    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _render(report: VolumeReport) -> None:
    table = Table(
        title=f"{report.country_a}–{report.country_b} {report.year} vs {report.year - 1}"
        + (" (synthetic data)" if report.synthetic_included else "")
    )
    for column in ("", "tonnes", "Mt", "wagons", f"{report.year - 1} t", "change %", "share %"):
        table.add_column(column, justify="right" if column else "left")
    for row in (*report.rows, report.total):
        table.add_row(
            row.key,
            f"{row.tonnes:,}",
            f"{row.tonnes / 1e6:.3f}",
            f"{row.wagons:,}",
            f"{row.previous_tonnes:,}",
            "—" if row.change_pct is None else f"{row.change_pct:+.1f}",
            "—" if row.share_pct is None else f"{row.share_pct:.1f}",
        )
    console.print(table)


@app.command()
def volumes(
    year: int = typer.Option(..., help="Year to report (compared with the year before)."),
    between: tuple[str, str] = typer.Option(("KZ", "TJ"), help="Two country codes, e.g. KZ TJ."),
    by: Breakdown = typer.Option(Breakdown.TOTAL, help="Break down by this dimension."),
    commodity: str | None = typer.Option(None, help="Only this commodity group."),
    direction: Direction | None = typer.Option(None, help="Only export, import or transit."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Freight volumes between two countries: tonnes, wagons, change on last year, share."""
    with user_errors(as_json), runtime.uow().read() as session:
        report = service.volumes(
            session, year, between[0], between[1], by, commodity, direction=direction
        )
    emit(report.to_dict() if as_json else report, as_json, _render)


@app.command()
def generate(
    seed: int = typer.Option(2025, help="Random seed: the same seed gives the same facts."),
    years: list[int] = typer.Option([2024, 2025], "--years", help="Years to generate."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Replace the synthetic demo facts (imported facts are kept)."""
    actor = Actor.system("stats.generate", via=Channel.CLI)
    with user_errors(as_json), _progress("generating", not as_json) as progress:
        try:
            with runtime.uow()() as session:
                written = service.generate_synthetic(session, actor, seed, years, progress)
        except ValueError as error:
            from temir.kit.errors import ValidationFailed

            raise ValidationFailed(str(error), code="stats.generate", field="years") from None
    result: dict[str, Any] = {"written": written, "seed": seed, "years": years, "synthetic": True}
    emit(
        result, as_json, lambda r: console.print(f"{r['written']:,} synthetic facts (seed {seed})")
    )


@app.command(name="import")
def import_(
    file: Path = typer.Argument(..., help="CSV or XLSX file of shipment facts."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Import historical statistics from a file: all rows or none."""
    actor = Actor.system("stats.import", via=Channel.CLI)
    with (
        user_errors(as_json),
        _progress("importing", not as_json) as progress,
        runtime.uow()() as session,
    ):
        written = service.import_file(session, actor, file, progress)
    emit(
        {"written": written, "source": f"import:{file.name}"},
        as_json,
        lambda r: console.print(f"{r['written']:,} facts imported from {file.name}"),
    )


@app.command()
def check(as_json: bool = JSON_OPTION) -> None:
    """Compare the facts with the published figures (``data/stats/published.csv``)."""
    with user_errors(as_json), runtime.uow().read() as session:
        results = service.check_published(session)
    if as_json:
        print_json(results)
        return
    table = Table(title="published figures vs facts")
    for column in ("figure", "kind", "published t", "facts t", "ok"):
        table.add_column(column)
    for r in results:
        table.add_row(
            r["id"],
            r["kind"],
            f"{r['published_tonnes']:,}",
            f"{r['actual_tonnes']:,}",
            "yes" if r["matches"] else "NO",
        )
    console.print(table)


# --- plans and forecast ---------------------------------------------------------------------

plan_app = typer.Typer(no_args_is_help=True, help="Freight plans: enter, import, against actual.")
app.add_typer(plan_app, name="plan")

BETWEEN = typer.Option(("KZ", "TJ"), help="Two country codes, e.g. KZ TJ.")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _render_plan_vs_actual(report: PlanVsActual) -> None:
    lang = language()
    title = (
        f"{report.country_a}–{report.country_b} {report.year}: "
        + translate(N_("plan against actual"), lang)
        + (f" ({report.plan_source})" if report.plan_source != "plan" else "")
        + (translate(N_(" (synthetic data)"), lang) if report.synthetic_included else "")
    )
    for caption, lines in (
        (N_("by direction"), report.by_direction),
        (N_("by commodity group"), report.by_commodity),
        (N_("by month"), report.by_month),
    ):
        table = Table(title=f"{title} — {translate(caption, lang)}")
        for column in ("", "plan t", "actual t", "difference t", "fulfilment %"):
            table.add_column(column, justify="right" if column else "left")
        for line in (*lines, report.total):
            table.add_row(
                line.key,
                f"{line.plan_tonnes:,}",
                f"{line.actual_tonnes:,}",
                f"{line.difference_tonnes:+,}",
                _pct(line.fulfilment_pct),
            )
        console.print(table)
    if report.months_with_actuals and report.months_with_actuals[-1] < 12:
        console.print(
            translate(
                N_("Plan to date (months 1–{month}): {plan} t, fulfilled {pct} %."),
                lang,
                month=report.months_with_actuals[-1],
                plan=f"{report.plan_to_date_tonnes:,}",
                pct=_pct(report.fulfilment_to_date_pct),
            )
        )
    if not report.has_plan:
        console.print(translate(N_("No plan is stored for this year."), lang))


@plan_app.command("show")
def plan_show(
    year: int = typer.Option(..., help="Plan year."),
    between: tuple[str, str] = BETWEEN,
    as_json: bool = JSON_OPTION,
) -> None:
    """Plan against actual with fulfilment % by direction, commodity group and month."""
    with user_errors(as_json), runtime.uow().read() as session:
        report = plan_service.plan_vs_actual(session, year, between[0], between[1])
    emit(report.to_dict() if as_json else report, as_json, _render_plan_vs_actual)


@plan_app.command("set")
def plan_set(
    year: int = typer.Option(..., help="Plan year."),
    between: tuple[str, str] = BETWEEN,
    direction: str = typer.Option(..., help="export, import or transit (seen from the first)."),
    commodity: str = typer.Option(..., help="Commodity group code, e.g. grain."),
    tonnes: int = typer.Option(..., help="Tonnes: of the month, or of the year without --month."),
    month: int | None = typer.Option(None, help="Month 1–12; without it, spread over the year."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Enter a plan figure (replaces the same cells)."""
    actor = Actor.system(f"cli:{os_user()}", Channel.CLI)
    with user_errors(as_json), runtime.uow()() as session:
        cells = plan_service.set_plan(
            session, actor, year, between[0], between[1], direction, commodity, tonnes, month
        )
    emit(
        {"written": len(cells), "cells": [c.to_dict() for c in cells]},
        as_json,
        lambda r: console.print(f"{r['written']} plan cell(s) written"),
    )


@plan_app.command("import")
def plan_import(
    file: Path = typer.Argument(..., help=f"CSV or XLSX with columns {', '.join(PLAN_COLUMNS)}."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Import a plan file: all rows or none; cells in the file replace the same cells."""
    actor = Actor.system(f"cli:{os_user()}", Channel.CLI)
    with user_errors(as_json), runtime.uow()() as session:
        written = plan_service.import_plan_file(session, actor, file)
    emit(
        {"written": written, "file": file.name},
        as_json,
        lambda r: console.print(f"{r['written']:,} plan cells imported from {file.name}"),
    )


@plan_app.command("seed-from-forecast")
def plan_seed(
    year: int = typer.Option(..., help="Plan year to seed."),
    between: tuple[str, str] = BETWEEN,
    replace: bool = typer.Option(False, help="Overwrite an existing plan of that year."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Start the plan from the forecast (basis "forecast"); edit it with plan set/import."""
    actor = Actor.system(f"cli:{os_user()}", Channel.CLI)
    with user_errors(as_json), runtime.uow()() as session:
        written = plan_service.seed_plan_from_forecast(
            session, actor, year, between[0], between[1], replace
        )
    emit(
        {"written": written, "year": year, "basis": "forecast"},
        as_json,
        lambda r: console.print(f"{r['written']} plan cells seeded from the forecast for {year}"),
    )


def _render_forecast(result: Forecast) -> None:
    lang = language()
    point, low, high = result.monthly_total()
    table = Table(
        title=f"{result.country_a}–{result.country_b} "
        + translate(N_("forecast for {year}"), lang, year=result.year)
        + f" ({int(result.level * 100)} %)"
    )
    for column in ("month", "tonnes", "low", "high"):
        table.add_column(column, justify="right")
    for m in range(12):
        table.add_row(
            f"{m + 1:02d}",
            f"{point[m]:,}",
            "—" if low is None else f"{low[m]:,}",
            "—" if high is None else f"{high[m]:,}",
        )
    table.add_row(
        "total",
        f"{sum(point):,}",
        "—" if low is None else f"{sum(low):,}",
        "—" if high is None else f"{sum(high):,}",
    )
    console.print(table)
    groups = Table(title=translate(N_("by direction and commodity group"), lang))
    for column in ("direction", "commodity", "tonnes", "last year t", "growth %"):
        groups.add_column(column, justify="right" if column.endswith(("t", "%")) else "left")
    for s in result.series:
        groups.add_row(
            s.direction,
            s.commodity_group,
            f"{s.total:,}",
            f"{s.last_year_tonnes:,}",
            f"{(s.growth - 1) * 100:+.1f}",
        )
    console.print(groups)
    if result.backtest is not None:
        bt = result.backtest
        console.print(
            translate(
                N_(
                    "Back-test: {held_out} predicted from {fitted}: MAPE {mape} %, MAE {mae} t "
                    "per month."
                ),
                lang,
                held_out=bt.held_out_year,
                fitted=", ".join(str(y) for y in bt.fitted_years),
                mape=_pct(bt.mape),
                mae=f"{round(bt.mae):,}",
            )
        )
    for caveat in result.caveats:
        console.print(f"[yellow]![/] {caveat.message(lang)}")


@app.command("forecast")
def forecast_command(
    year: int = typer.Option(..., help="Year to forecast (from the years before it)."),
    between: tuple[str, str] = BETWEEN,
    level: float = typer.Option(0.8, help="Interval level: 0.8, 0.9 or 0.95."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Next year's tonnes per month and commodity group, with an interval and a back-test."""
    with user_errors(as_json), runtime.uow().read() as session:
        result = plan_service.forecast_year(session, year, between[0], between[1], level)
    emit(result.to_dict(language()) if as_json else result, as_json, _render_forecast)


# --- protocol -------------------------------------------------------------------------------

protocol_app = typer.Typer(
    no_args_is_help=True, help='Protocol "results of year N and plans for N+1": PDF, XLSX, signed.'
)
app.add_typer(protocol_app, name="protocol")
YEAR_N = typer.Option(..., "--year", help="Year N whose results the protocol records.")


@protocol_app.command("create")
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


@protocol_app.command("list")
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


@protocol_app.command("show")
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


@protocol_app.command("pdf")
def protocol_pdf(
    year: int = YEAR_N,
    between: tuple[str, str] = BETWEEN,
    lang: str = typer.Option("ru", help="ru or en."),
    out: Path = typer.Option(..., "--out", "-o", help="PDF file to write."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Render the protocol as PDF (Russian or English)."""
    pid = _pid(year, between, as_json)
    with user_errors(as_json), runtime.uow().read() as session:
        payload = protocol_service.protocol_pdf(session, pid, lang)
    _write(out, payload, as_json)


@protocol_app.command("xlsx")
def protocol_xlsx(
    year: int = YEAR_N,
    between: tuple[str, str] = BETWEEN,
    lang: str = typer.Option("ru", help="ru or en."),
    out: Path = typer.Option(..., "--out", "-o", help="XLSX file to write."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Render the protocol as XLSX (sheets results, plan, notes)."""
    pid = _pid(year, between, as_json)
    with user_errors(as_json), runtime.uow().read() as session:
        payload = protocol_service.protocol_xlsx(session, pid, lang)
    _write(out, payload, as_json)


@protocol_app.command("export")
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


@protocol_app.command("sign")
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
        secret = runtime.settings().secret_key
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


@protocol_app.command("verify")
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


@protocol_app.command("check")
def protocol_check(
    year: int = typer.Option(..., "--year", help="Plan year whose actuals to check (N+1)."),
    between: tuple[str, str] = BETWEEN,
    as_json: bool = JSON_OPTION,
) -> None:
    """This year's actuals against the plan signed in last year's protocol."""
    pid = _pid(year - 1, between, as_json)
    with user_errors(as_json), runtime.uow().read() as session:
        report = protocol_service.check_protocol(session, pid, year)
    emit(report.to_dict() if as_json else report, as_json, _render_plan_vs_actual)
