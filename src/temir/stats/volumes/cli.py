"""``temir stats volumes | generate | import | check``: volumes, synthetic demo data and the
import of historical statistics. The commands are registered in :mod:`temir.stats.cli`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from temir.accounts.model import Actor, Channel
from temir.kit import runtime
from temir.kit.cli import JSON_OPTION, console, emit, print_json, user_errors
from temir.stats.volumes import service
from temir.stats.volumes.model import Breakdown, Direction, VolumeReport


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


def rebuild(as_json: bool = JSON_OPTION) -> None:
    """Sum the volume cells that reports read again from the facts (after a bulk load outside
    Temir; Temir's own writes keep them up to date)."""
    actor = Actor.system("stats.rebuild", via=Channel.CLI)
    with user_errors(as_json), runtime.uow()() as session:
        cells = service.rebuild_cells(session, actor)
    emit({"cells": cells}, as_json, lambda r: console.print(f"{r['cells']:,} volume cells"))


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
