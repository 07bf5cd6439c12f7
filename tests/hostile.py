"""Files a careless or hostile user imports: each importer must answer them with a structured
error (code, field naming the line or cell) and write nothing.

Why one list: every import format (CSV, XLSX, NDJSON, JSON lines, XML) meets the same files, so
a new importer is tried against all of them by taking this list.
"""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zip_without_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a spreadsheet")
    return out.getvalue()


def hostile_files(good_text: str) -> dict[str, bytes]:
    """Bad versions of a good UTF-8 text file ``good_text`` (header + rows), by name."""
    lines = good_text.splitlines(keepends=True)
    cp1251 = good_text + "ф,ы,в\n"
    return {
        "binary": bytes(range(256)) * 64,
        "utf16": good_text.encode("utf-16"),
        "cp1251": cp1251.encode("cp1251", errors="replace"),
        "empty": b"",
        "huge_line": lines[0].encode() + b"x" * (3 << 20) + b"\n",
        "huge_field": lines[0].encode() + b'"' + b"x" * 200_000 + b'"\n',
        "nul": good_text.encode().replace(b"\n", b"\x00\n", 2),
        "nul_in_cell": (lines[0] + "\x00" + "".join(lines[1:])).encode(),
        "wrong_columns": b"a,b,c\n1,2,3\n",
        "truncated_zip": xlsx_bytes([["a", "b"], [1, 2]])[:900],
        "zip_not_workbook": zip_without_workbook(),
    }
