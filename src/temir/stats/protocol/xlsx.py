"""The protocol as an XLSX workbook: sheets ``results``, ``plan`` and ``notes``.

Figures are numbers (not text), so an analyst can sum and chart them; headings follow the
chosen languages (by default Russian and the parties' languages, each heading's lines one under
the other in its cell, see :mod:`temir.stats.protocol.languages`); like the PDF it is drawn
from the stored, signed content. Columns are made as wide as their longest line, so no heading
is cut off.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from temir.kit.i18n import N_
from temir.signing.model import Signature
from temir.stats.protocol.pdf import (
    MONTH_ABBR,
    Words,
    direction_name,
    group_name,
    party_name,
    texts,
)

MIN_WIDTH, MAX_WIDTH = 8, 60
"""Column widths in characters; a longer line wraps (its cell wraps text)."""


def _pct(value: str | None) -> float | None:
    return None if value is None else float(value)


def _bold(sheet: Worksheet) -> None:
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def _fit_columns(sheet: Worksheet, skip_rows: int) -> None:
    """Each column as wide as its longest line (rows after the title lines), text cells wrap."""
    widths: dict[int, int] = defaultdict(lambda: MIN_WIDTH)
    for row in sheet.iter_rows(min_row=skip_rows + 1):
        for cell in row:
            if cell.value is None:
                continue
            longest = max(len(line) for line in str(cell.value).split("\n"))
            widths[cell.column] = max(widths[cell.column], min(longest + 2, MAX_WIDTH))
            if isinstance(cell.value, str):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = width


def render_xlsx(
    content: Mapping[str, Any],
    signatures: Sequence[Signature],
    digest: str,
    lang: str | Sequence[str] = "en",
) -> bytes:
    w = Words((lang,) if isinstance(lang, str) else lang)
    each_text = [texts(content, x) for x in w.langs]

    def heading(key: str) -> list[str]:
        return list(dict.fromkeys(t[key] for t in each_text))

    def joined(values: list[str]) -> str:
        return "\n".join(values)

    book = Workbook()
    results = book.active
    assert results is not None
    results.title = "results"
    lines = (f"{t['title']}: {t['subtitle']}, {t['between']}" for t in each_text)
    titles = list(dict.fromkeys(lines))
    for line in titles:
        results.append([line])
    if content.get("synthetic"):
        for line in heading("synthetic"):
            results.append([line])
    results.append([])
    title_rows = results.max_row
    year, previous = content["year"], content["previous_year"]
    total_label = " / ".join(w.each(N_("total")))
    results.append([
        w.lines(N_("direction")), w.lines(N_("commodity group")), "commodity_group",
        w.lines(N_("{year}, t"), year=previous), w.lines(N_("{year}, t"), year=year),
        w.lines(N_("change, %")), w.lines(N_("wagons")),
    ])  # fmt: skip
    _bold(results)
    for line in content["results"]["rows"]:
        results.append([
            joined(w.of(direction_name, line["direction"], content)),
            joined(w.of(group_name, line["commodity_group"])), line["commodity_group"],
            line["previous_tonnes"], line["tonnes"], _pct(line["change_pct"]), line["wagons"],
        ])  # fmt: skip
    results.append([])
    for line in content["results"]["by_direction"]:
        results.append([
            joined(w.of(direction_name, line["direction"], content)), "", "",
            line["previous_tonnes"], line["tonnes"], _pct(line["change_pct"]),
        ])  # fmt: skip
    total = content["results"]["total"]
    results.append([
        total_label, "", "", total["previous_tonnes"], total["tonnes"], _pct(total["change_pct"]),
    ])  # fmt: skip
    _bold(results)
    _fit_columns(results, title_rows)

    plan = book.create_sheet("plan")
    for line in heading("plan"):
        plan.append([line])
    plan.append([])
    title_rows = plan.max_row
    plan.append([
        w.lines(N_("direction")), w.lines(N_("commodity group")),
        "commodity_group", *[w.lines(m) for m in MONTH_ABBR],
        w.lines(N_("plan {year}, t"), year=content["plan_year"]),
    ])  # fmt: skip
    _bold(plan)
    months: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * 12)
    for c in content["plan"]["cells"]:
        months[(c["direction"], c["commodity_group"])][int(c["month"]) - 1] += int(c["tonnes"])
    for line in content["plan"]["rows"]:
        values = months[(line["direction"], line["commodity_group"])]
        plan.append([
            joined(w.of(direction_name, line["direction"], content)),
            joined(w.of(group_name, line["commodity_group"])), line["commodity_group"], *values,
            line["tonnes"],
        ])  # fmt: skip
    column_totals = [sum(v[m] for v in months.values()) for m in range(12)]
    plan.append([total_label, "", "", *column_totals, content["plan"]["total"]])
    _bold(plan)
    _fit_columns(plan, title_rows)

    notes = book.create_sheet("notes")
    for line in heading("notes"):
        notes.append([line])
    title_rows = notes.max_row
    for i, note in enumerate(content.get("notes") or [], start=1):
        notes.append([f"3.{i}", note])
    notes.append([])
    notes.append([joined(heading("signatures"))])
    notes.append([
        w.lines(N_("party")), w.lines(N_("signed by")),
        w.lines(N_("key")), w.lines(N_("signed at (UTC)")),
    ])  # fmt: skip
    by_party = {s.role: s for s in signatures}
    for party in content["parties"]:
        sig = by_party.get(party)
        who = joined(w.of(party_name, party))
        notes.append(
            [who, w.lines(N_("not signed"))]
            if sig is None
            else [who, sig.signer, sig.key_id, sig.signed_at.isoformat()]
        )
    notes.append([])
    notes.append(["protocol_id", content["protocol_id"]])
    notes.append(["sha256", digest])
    _fit_columns(notes, title_rows)

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
