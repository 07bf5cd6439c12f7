"""The dashboard's tables as files: CSV (one table, machine-readable) and XLSX (for people).

Why two shapes: a CSV is read by programs, so its header is fixed English column ids, numbers
are plain (no separators, a dot for decimals) and every row says whether the figures include
synthetic demo data. An XLSX is opened by analysts, so it has a title, headings in their
language, number formats and the synthetic warning above the table.
"""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from temir.kit.i18n import N_, translate
from temir.stats.volumes.dashboard import DIRECTION_LABELS, Dashboard, Table, commodity_name
from temir.stats.volumes.model import VolumeRow

CSV_COLUMNS = (
    "key",
    "label",
    "tonnes",
    "mt",
    "wagons",
    "consignments",
    "previous_tonnes",
    "previous_wagons",
    "change_pct",
    "share_pct",
    "includes_synthetic",
)


def file_name(board: Dashboard, table: str, extension: str) -> str:
    f = board.filters
    parts = ["temir-stats", f"{f.a}-{f.b}", str(f.year), table]
    if f.direction:
        parts.append(str(f.direction))
    if f.commodity:
        parts.append(f.commodity)
    if board.synthetic:
        parts.append("synthetic")
    return "_".join(parts) + "." + extension


def _csv_line(key: str, label: str, row: VolumeRow, synthetic: bool) -> list[object]:
    return [
        key,
        label,
        row.tonnes,
        f"{row.tonnes / 1_000_000:.3f}",
        row.wagons,
        row.facts,
        row.previous_tonnes,
        row.previous_wagons,
        "" if row.change_pct is None else f"{row.change_pct:.1f}",
        "" if row.share_pct is None else f"{row.share_pct:.1f}",
        "yes" if synthetic else "no",
    ]


def to_csv(board: Dashboard, name: str) -> bytes:
    """One table with its total as the last row (key ``total``); UTF-8 with a BOM for Excel."""
    table = board.tables[name]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for line in table.lines:
        writer.writerow(_csv_line(line.key, line.label, line.row, board.synthetic))
    total_label = translate(N_("Total"), board.lang)
    writer.writerow(_csv_line("total", total_label, table.total, board.synthetic))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


HEADERS = (
    N_("tonnes {year}"),
    N_("Mt {year}"),
    N_("wagons {year}"),
    N_("consignments {year}"),
    N_("tonnes {year}"),
    N_("wagons {year}"),
    N_("change, %"),
    N_("share, %"),
)
FORMATS = ("#,##0", "0.000", "#,##0", "#,##0", "#,##0", "#,##0", "+0.0;-0.0;0.0", "0.0")


def _sheet_title(board: Dashboard, table: Table) -> str:
    f = board.filters
    lang = board.lang
    scope = [board.pair_label, f"{f.year} / {f.year - 1}"]
    if f.direction:
        scope.append(translate(DIRECTION_LABELS[f.direction], lang))
    if f.commodity:
        scope.append(commodity_name(f.commodity, lang))
    return f"{table.title}: " + ", ".join(scope)


def to_xlsx(board: Dashboard) -> bytes:
    """A workbook with one sheet per table of ``board``; each ends with its total row."""
    lang = board.lang
    book = Workbook()
    for blank in list(book.worksheets):
        book.remove(blank)
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="EEF1F5")
    for table in board.tables.values():
        sheet = book.create_sheet(title=table.name)
        sheet.append([_sheet_title(board, table)])
        sheet["A1"].font = Font(bold=True, size=12)
        if board.synthetic:
            sheet.append([translate(N_("Synthetic demo data: not real traffic."), lang)])
            sheet["A2"].font = Font(bold=True, color="5B21B6")
        else:
            sheet.append([translate(N_("Source: shipment facts in Temir."), lang)])
        sheet.append([])
        years = [board.filters.year] * 4 + [board.filters.year - 1] * 2
        header = [table.key_header] + [
            translate(msgid, lang, year=years[i]) if i < len(years) else translate(msgid, lang)
            for i, msgid in enumerate(HEADERS)
        ]
        sheet.append(header)
        header_row = sheet.max_row
        for cell in sheet[header_row]:
            cell.font = bold
            cell.fill = head_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        rows = [(line.label, line.row) for line in table.lines]
        rows.append((translate(N_("Total"), lang), table.total))
        for label, row in rows:
            sheet.append(
                [
                    label,
                    row.tonnes,
                    round(row.tonnes / 1_000_000, 3),
                    row.wagons,
                    row.facts,
                    row.previous_tonnes,
                    row.previous_wagons,
                    row.change_pct,
                    row.share_pct,
                ]
            )
            for column, number_format in enumerate(FORMATS, start=2):
                sheet.cell(sheet.max_row, column).number_format = number_format
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        sheet.column_dimensions["A"].width = 42
        for column in range(2, len(FORMATS) + 2):
            sheet.column_dimensions[get_column_letter(column)].width = 15
        sheet.freeze_panes = sheet.cell(header_row + 1, 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
