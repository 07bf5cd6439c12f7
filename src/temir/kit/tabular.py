"""Reading CSV and XLSX files that users import, so that a bad file is an answer, not a crash.

Why one reader: a file from outside can be anything — UTF-16 from a spreadsheet's "Unicode
text", Windows-1251, a zip cut short, a PDF renamed ``.xlsx``, one line of a gigabyte. Each
importer (statistics, plans, tariffs) raises the same :class:`ValidationFailed` for the same
mistake, naming the line (CSV) or the file (XLSX), before anything is written: the importers
read every row before their one write.

Rows come with their number as an editor or a spreadsheet shows it (the header is row 1).
"""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from temir.kit.errors import ValidationFailed
from temir.kit.i18n import N_

#: Longest line a CSV import reads (a row of the widest import is well under 1 KiB).
MAX_LINE = 1 << 20
_BOMS = {b"\xff\xfe": "UTF-16", b"\xfe\xff": "UTF-16"}

NOT_UTF8 = N_("Line {line} is not UTF-8 text (byte {offset}); save the file as CSV UTF-8.")
UTF16 = N_("The file is {encoding} text; save it as CSV UTF-8.")
TOO_LONG = N_("Line {line} is longer than {limit} bytes.")
BAD_CSV = N_("Line {line} cannot be read as CSV: {detail}.")
NOT_XLSX = N_("The file is not an XLSX workbook ({detail}).")
NO_SHEET = N_("The workbook has no sheet.")

Rows = Iterator[tuple[int, Mapping[str, Any]]]


def _lines(handle: IO[bytes]) -> Iterator[str]:
    """The file's lines decoded, each checked as it is read (a file may be large)."""
    number = 0
    while True:
        raw = handle.readline(MAX_LINE + 1)
        if not raw:
            return
        number += 1
        if len(raw) > MAX_LINE:
            raise ValidationFailed(
                TOO_LONG, code="file.line_too_long", field=f"line {number}", line=number,
                limit=MAX_LINE,
            )  # fmt: skip
        if number == 1:
            encoding = _BOMS.get(raw[:2])
            if encoding:
                raise ValidationFailed(
                    UTF16, code="file.not_utf8", field="line 1", encoding=encoding
                )
        try:
            yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            raise ValidationFailed(
                NOT_UTF8, code="file.not_utf8", field=f"line {number}", line=number,
                offset=exc.start + 1,
            ) from None  # fmt: skip


def read_csv(path: Path) -> tuple[list[str], Rows]:
    """The header and the rows (as dicts) of a UTF-8 CSV file; problems raise as they are met."""
    handle = path.open("rb")
    reader = csv.DictReader(_lines(handle))
    try:
        header = list(reader.fieldnames or [])
    except (ValidationFailed, csv.Error) as exc:
        handle.close()
        raise _csv_problem(exc, 1) from None

    def rows() -> Rows:
        with handle:
            try:
                yield from enumerate(reader, start=2)
            except csv.Error as exc:
                raise _csv_problem(exc, max(reader.line_num, 1)) from None

    return header, rows()


def _csv_problem(exc: Exception, line: int) -> ValidationFailed:
    if isinstance(exc, ValidationFailed):
        return exc
    return ValidationFailed(
        BAD_CSV, code="file.bad_csv", field=f"line {line}", line=line, detail=str(exc)[:120]
    )


def _not_xlsx(exc: BaseException) -> ValidationFailed:
    detail = exc.__class__.__name__ if not str(exc) else str(exc)[:120]
    return ValidationFailed(NOT_XLSX, code="file.not_xlsx", field="file", detail=detail)


def read_xlsx(path: Path) -> tuple[list[str], Rows]:
    """The header and the rows of the first sheet of an XLSX workbook; empty rows are skipped."""
    from openpyxl import load_workbook

    if not zipfile.is_zipfile(path):
        raise _not_xlsx(ValueError("not a zip archive"))
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises whatever its parts raise on a broken file
        raise _not_xlsx(exc) from None
    try:
        if not book.worksheets:
            raise ValidationFailed(NO_SHEET, code="file.not_xlsx", field="file")
        lines = book.worksheets[0].iter_rows(values_only=True)
        header = [str(c).strip() if c is not None else "" for c in next(lines, ())]
    except ValidationFailed:
        book.close()
        raise
    except Exception as exc:
        book.close()
        raise _not_xlsx(exc) from None

    def rows() -> Rows:
        try:
            for number, values in enumerate(lines, start=2):
                if all(v is None for v in values):
                    continue
                yield number, dict(zip(header, values, strict=False))
        except Exception as exc:  # a sheet cut short shows only while it is read
            raise _not_xlsx(exc) from None
        finally:
            book.close()

    return header, rows()
