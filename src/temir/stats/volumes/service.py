"""Statistics use cases on shipment facts: synthetic generation, volumes, published-figure
checks and the import of fact files. Each takes the Session of one unit of work and never
commits. Plans and the forecast are :mod:`temir.stats.plans.service`; the yearly protocol,
:mod:`temir.stats.protocol.service`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from temir.accounts import audit
from temir.accounts.model import Actor
from temir.kit import clock, tabular
from temir.kit.errors import NotFound, ValidationFailed
from temir.kit.i18n import N_
from temir.stats import data
from temir.stats.volumes import imports, repository, rules
from temir.stats.volumes.model import (
    SYNTHETIC_SOURCE,
    Breakdown,
    Direction,
    VolumeReport,
    VolumeRow,
)
from temir.stats.volumes.rules import tonnes_of

Progress = Callable[[int, int], None]


# --- synthetic demo data --------------------------------------------------------------------


def generate_synthetic(
    session: Session,
    actor: Actor,
    seed: int,
    years: Sequence[int] = (2024, 2025),
    progress: Progress | None = None,
) -> int:
    """Replace the synthetic facts of ``years`` with those of ``seed``; imports stay untouched.

    The generator (numpy) is imported here: every other statistics command starts faster.
    """
    from temir.stats.volumes import synthetic

    facts = synthetic.generate(seed, years, progress)
    now = clock.now()
    removed = repository.delete_source(session, SYNTHETIC_SOURCE, years)
    written = repository.insert_facts(session, facts, now)
    audit.record(
        session,
        actor,
        "stats.generate_synthetic",
        "stats_shipment_facts",
        None,
        {"seed": seed, "years": list(years), "written": written, "removed": removed},
    )
    return written


# --- volumes --------------------------------------------------------------------------------


def _key(cell: repository.Cell, by: Breakdown) -> list[str]:
    if by is Breakdown.COMMODITY:
        return [cell.commodity_group]
    if by is Breakdown.MONTH:
        return [f"{cell.month:02d}"]
    if by is Breakdown.QUARTER:
        return [f"Q{rules.quarter_of(cell.month)}"]
    if by is Breakdown.DIRECTION:
        return [cell.direction]
    if by is Breakdown.RAILWAY:
        # a consignment counts once on each railway it uses, even one it re-enters
        return list(dict.fromkeys(cell.route_railways.split(",")))
    if by is Breakdown.CROSSING:
        # Each border crossing the consignment passes, either way ("exit/entry" and
        # "entry/exit" are one crossing: the ESR pair in code order); "none" if none recorded.
        pairs = {"/".join(sorted(pair.split("/"))) for pair in cell.border_crossings.split()}
        return sorted(pairs) or ["none"]
    return ["total"]


def volumes(
    session: Session,
    year: int,
    a: str,
    b: str,
    by: Breakdown = Breakdown.TOTAL,
    commodity_group: str | None = None,
    months: Sequence[int] | None = None,
    direction: Direction | None = None,
) -> VolumeReport:
    """A–B traffic of ``year`` against ``year - 1``: tonnes, wagons, change and share.

    ``direction`` narrows "between" (both ways and transit) to export, import or transit only.
    """
    a, b = a.upper(), b.upper()
    if a == b:
        raise ValidationFailed(
            N_("Choose two different countries."), code="stats.same_country", field="between"
        )
    if commodity_group and commodity_group not in data.commodity_groups():
        raise NotFound(
            N_("Unknown commodity group {group}."),
            code="stats.unknown_commodity_group",
            field="commodity",
            group=commodity_group,
        )
    cells = repository.volume_cells(session, [year, year - 1], a, b, commodity_group, months)
    if direction is not None:
        cells = [cell for cell in cells if cell.direction == direction]
    sums: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    synthetic_seen = False
    for cell in cells:
        # Both years are shown (this year and the comparison), so either may be synthetic.
        synthetic_seen = synthetic_seen or cell.synthetic > 0
        for key in _key(cell, by):
            entry = sums[(cell.year, key)]
            entry[0] += cell.mass_kg
            entry[1] += cell.wagons
            entry[2] += cell.facts
        total = totals[cell.year]
        total[0] += cell.mass_kg
        total[1] += cell.wagons
        total[2] += cell.facts
    this_total = tonnes_of(totals[year][0])

    def row(key: str, now: list[int], before: list[int]) -> VolumeRow:
        tonnes = tonnes_of(now[0])
        previous = tonnes_of(before[0])
        return VolumeRow(
            key=key,
            tonnes=tonnes,
            wagons=now[1],
            facts=now[2],
            previous_tonnes=previous,
            previous_wagons=before[1],
            change_pct=rules.change_pct(tonnes, previous),
            share_pct=rules.share_pct(tonnes, this_total),
        )

    keys = sorted({key for (_, key) in sums})
    rows = tuple(
        row(k, sums.get((year, k), [0, 0, 0]), sums.get((year - 1, k), [0, 0, 0])) for k in keys
    )
    return VolumeReport(
        year=year,
        country_a=a,
        country_b=b,
        by=by,
        total=row("total", totals[year], totals[year - 1]),
        rows=rows if by is not Breakdown.TOTAL else (),
        synthetic_included=synthetic_seen,
    )


def rebuild_cells(session: Session, actor: Actor) -> int:
    """Sum the volume cells again from the facts (``temir stats rebuild``); returns the count.

    Temir keeps the cells in step with every write of facts; this is for facts loaded behind
    its back (a ``COPY`` into the table, a restore of the facts alone).
    """
    cells = repository.rebuild_cells(session)
    audit.record(
        session, actor, "stats.rebuild_cells", "stats_volume_cells", None, {"cells": cells}
    )
    return cells


def years_with_facts(session: Session, a: str, b: str) -> list[int]:
    """Years that have facts with an end in the pair A–B, oldest first."""
    return repository.fact_years(session, a.upper(), b.upper(), before=10_000)


def check_published(session: Session) -> list[dict[str, Any]]:
    """Each published figure beside what the facts add up to (for ``temir stats check``)."""
    out = []
    for figure in data.published_figures():
        months = list(range(figure.period_from.month, figure.period_to.month + 1))
        report = volumes(
            session,
            figure.period_from.year,
            figure.country_a,
            figure.country_b,
            Breakdown.DIRECTION,
            figure.commodity_group,
            months,
        )
        if figure.direction == "all":
            actual = report.total.tonnes
        else:
            actual = next((r.tonnes for r in report.rows if r.key == figure.direction), 0)
        ok = actual >= figure.tonnes if figure.kind == "lower_bound" else actual == figure.tonnes
        out.append(
            {
                "id": figure.id,
                "kind": figure.kind,
                "confidence": figure.confidence,
                "published_tonnes": figure.tonnes,
                "actual_tonnes": actual,
                "matches": ok,
            }
        )
    return out


# --- import ---------------------------------------------------------------------------------


def read_table(path: Path) -> tuple[list[str], Iterator[tuple[int, Mapping[str, Any]]]]:
    """The header and the rows of a CSV or XLSX file, each row with its line number as a
    spreadsheet shows it; 422 for any other format, 404 for a file that is not there."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ValidationFailed(
            N_("Only CSV and XLSX files can be imported."), code="stats.import.format", field="file"
        )
    if not path.is_file():
        raise NotFound(
            N_("File {path} not found."), code="stats.import.no_file", field="file", path=str(path)
        )
    return (tabular.read_csv if suffix == ".csv" else tabular.read_xlsx)(path)


def import_file(
    session: Session, actor: Actor, path: Path, progress: Progress | None = None
) -> int:
    """Import one CSV/XLSX file of facts, all or nothing.

    The source is ``import:<file name>``; importing a file of the same name again replaces its
    facts (a corrected file supersedes the old one). Synthetic facts are never touched.
    """
    header, rows = read_table(path)
    imports.check_header(header)
    source = f"import:{path.name}"
    facts = imports.parse_rows(rows, source, set(data.commodity_groups()))
    repository.delete_source(session, source)

    def counted() -> Iterator[Any]:
        for i, fact in enumerate(facts, start=1):
            if progress and (i % 1000 == 0 or i == len(facts)):
                progress(i, len(facts))
            yield fact

    written = repository.insert_facts(session, counted(), clock.now())
    audit.record(session, actor, "stats.import", "stats_shipment_facts", source, {"rows": written})
    return written
