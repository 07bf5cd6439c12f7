"""Events in bulk: NDJSON or CSV read line by line, recorded batch by batch.

Why batches, each its own unit of work: a railway's daily export can be millions of lines; a
batch (5,000 lines by default) is all or nothing (:func:`temir.tracking.service.ingest`), so a
bad line keeps its batch out and is reported with its line number and reasons, while every
other batch goes in. Sending the file again after fixing the lines records only what is
missing: the batches already in come back as duplicates.

Line numbers count from 1 as an editor shows them; for CSV the header is line 1.
"""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy.orm import Session

from temir.accounts.model import Actor
from temir.kit.db import UnitOfWork
from temir.kit.errors import Problem, ValidationFailed
from temir.kit.i18n import N_
from temir.kit.tabular import BAD_CSV
from temir.tracking import rules, service
from temir.tracking.rules import Rejected

DEFAULT_BATCH: Final = 5_000
FORMATS: Final = ("ndjson", "csv")
BAD_JSON = N_("Line {line} is not a JSON object: {detail}")
NOT_UTF8 = N_("Line {line} is not UTF-8 text; save the file as UTF-8.")
BAD_FORMAT = N_("Unknown format {value}; one of: {choices}.")
CSV_HEADER = N_("The CSV header must name the columns: {fields} (at least kind, unit, "
                "station_esr, at).")  # fmt: skip

Record = tuple[int, Mapping[str, Any] | Rejected]


def detect_format(name: str, given: str | None) -> str:
    """The format named, or guessed from the file name (``.csv`` → CSV, otherwise NDJSON)."""
    if given:
        value = given.strip().lower()
        if value not in FORMATS:
            raise ValidationFailed(
                BAD_FORMAT, code="tracking.format", field="format", value=value[:20],
                choices=", ".join(FORMATS),
            )  # fmt: skip
        return value
    return "csv" if name.lower().endswith(".csv") else "ndjson"


def ndjson_records(lines: Iterable[str | bytes]) -> Iterator[Record]:
    """One record per non-blank line; a line that is not a JSON object is a rejected line."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except (ValueError, RecursionError) as exc:
            yield number, _bad(number, str(exc)[:120])
            continue
        if not isinstance(value, dict):
            yield number, _bad(number, "an object {...} is expected")
            continue
        yield number, value


def _bad(number: int, detail: str) -> Rejected:
    problem = Problem("event.json", BAD_JSON, None, {"line": number, "detail": detail})
    return Rejected(number, (problem,))


def _texts(lines: Iterable[str | bytes], bad: set[int]) -> Iterator[str]:
    """Lines as text; a line that is not UTF-8 goes on with replacement characters and its
    number into ``bad``, so that it is rejected rather than recorded garbled."""
    for number, line in enumerate(lines, start=1):
        if isinstance(line, str):
            yield line
            continue
        raw = line[3:] if number == 1 and line.startswith(codecs.BOM_UTF8) else line
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            bad.add(number)
            yield raw.decode("utf-8", errors="replace")


def _rejected(number: int, code: str, msgid: str, **params: Any) -> Rejected:
    return Rejected(number, (Problem(code, msgid, f"line {number}", {"line": number, **params}),))


def csv_records(lines: Iterable[str | bytes]) -> Iterator[Record]:
    """Rows of a CSV file with a header naming :data:`~temir.tracking.rules.FIELDS`; empty
    cells are absent values. A row that is not UTF-8 or not CSV is a rejected line."""
    bad: set[int] = set()
    reader = csv.reader(_texts(lines, bad))
    try:
        header = next(reader, None)
    except csv.Error:
        header = []
    if header is None:
        return
    names = [h.strip().lstrip("\ufeff").lower() for h in header]
    if 1 in bad or not {"kind", "unit", "station_esr", "at"} <= set(names):
        raise ValidationFailed(
            CSV_HEADER, code="tracking.csv_header", field="header", fields=", ".join(rules.FIELDS)
        )
    last = 1
    while True:
        try:
            row = next(reader, None)
        except csv.Error as exc:
            last = reader.line_num
            yield last, _rejected(last, "event.csv", BAD_CSV, detail=str(exc)[:120])
            continue
        if row is None:
            return
        first, last = last + 1, reader.line_num
        broken = next((n for n in range(first, last + 1) if n in bad), None)
        if broken is not None:
            yield last, _rejected(broken, "event.not_utf8", NOT_UTF8)
            continue
        if not any(cell.strip() for cell in row):
            continue
        yield last, {n: v for n, v in zip(names, row, strict=False) if v.strip()}


def records(body: bytes, fmt: str) -> Iterator[Record]:
    """Records of a whole body (an API upload)."""
    lines = body.splitlines(keepends=True)
    if fmt == "csv":
        return csv_records(lines)
    if lines and lines[0].startswith(codecs.BOM_UTF8):
        lines[0] = lines[0][3:]
    return ndjson_records(lines)


@dataclass
class ImportReport:
    read: int = 0
    recorded: int = 0
    duplicates: int = 0
    batches_written: int = 0
    batches_refused: int = 0
    rejected: list[Rejected] = field(default_factory=list)

    def to_dict(self, lang: str = "en", max_lines: int = 1000) -> dict[str, Any]:
        return {
            "read": self.read,
            "recorded": self.recorded,
            "duplicates": self.duplicates,
            "batches_written": self.batches_written,
            "batches_refused": self.batches_refused,
            "rejected_lines": len(self.rejected),
            "rejected": [r.to_dict(lang) for r in self.rejected[:max_lines]],
        }


def batch_outcome(session: Session, actor: Actor, batch: list[Record]) -> service.BatchOutcome:
    """One batch: lines the reader already rejected keep it out too."""
    early = [r for _, r in batch if isinstance(r, Rejected)]
    fields = [(n, r) for n, r in batch if not isinstance(r, Rejected)]
    return service.ingest(session, actor, fields, rejected=early)


def import_records(
    uow: UnitOfWork,
    actor: Actor,
    items: Iterable[Record],
    *,
    batch: int = DEFAULT_BATCH,
    on_batch: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Record ``items`` in batches of ``batch`` lines, one unit of work each."""
    if not 1 <= batch <= service.MAX_BATCH:
        raise ValidationFailed(
            service.BATCH_SIZE, code="tracking.batch_size", field="batch", max=service.MAX_BATCH
        )
    report = ImportReport()
    pending: list[Record] = []

    def flush() -> None:
        with uow() as session:
            outcome = batch_outcome(session, actor, pending)
        report.rejected += outcome.rejected
        report.recorded += outcome.recorded
        report.duplicates += outcome.duplicates
        if outcome.rejected:
            report.batches_refused += 1
        else:
            report.batches_written += 1
        pending.clear()
        if on_batch is not None:
            on_batch(report)

    for item in items:
        report.read += 1
        pending.append(item)
        if len(pending) >= batch:
            flush()
    if pending:
        flush()
    return report
