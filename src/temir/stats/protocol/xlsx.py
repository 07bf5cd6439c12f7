"""The protocol as an XLSX workbook: sheets ``results``, ``plan`` and ``notes``.

Figures are numbers (not text), so an analyst can sum and chart them; headings follow the
chosen language; like the PDF it is drawn from the stored, signed content.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from temir.kit.i18n import N_, translate
from temir.signing.model import Signature
from temir.stats.protocol.pdf import MONTH_ABBR, direction_name, group_name, party_name, texts


def _pct(value: str | None) -> float | None:
    return None if value is None else float(value)


def render_xlsx(
    content: Mapping[str, Any], signatures: Sequence[Signature], digest: str, lang: str = "en"
) -> bytes:
    t = texts(content, lang)
    book = Workbook()
    bold = Font(bold=True)

    results = book.active
    assert results is not None
    results.title = "results"
    results.append([f"{t['title']}: {t['subtitle']}, {t['between']}"])
    if content.get("synthetic"):
        results.append([t["synthetic"]])
    results.append([])
    year, previous = content["year"], content["previous_year"]
    header = [
        translate(N_("direction"), lang),
        translate(N_("commodity group"), lang),
        "commodity_group",
        translate(N_("{year}, t"), lang, year=previous),
        translate(N_("{year}, t"), lang, year=year),
        translate(N_("change, %"), lang),
        translate(N_("wagons"), lang),
    ]
    results.append(header)
    for cell in results[results.max_row]:
        cell.font = bold
    for line in content["results"]["rows"]:
        results.append([
            direction_name(line["direction"], content, lang),
            group_name(line["commodity_group"], lang), line["commodity_group"],
            line["previous_tonnes"], line["tonnes"], _pct(line["change_pct"]), line["wagons"],
        ])  # fmt: skip
    results.append([])
    for line in content["results"]["by_direction"]:
        results.append([
            direction_name(line["direction"], content, lang), "", "",
            line["previous_tonnes"], line["tonnes"], _pct(line["change_pct"]),
        ])  # fmt: skip
    total = content["results"]["total"]
    results.append([
        translate(N_("total"), lang), "", "", total["previous_tonnes"], total["tonnes"],
        _pct(total["change_pct"]),
    ])  # fmt: skip
    for cell in results[results.max_row]:
        cell.font = bold

    plan = book.create_sheet("plan")
    plan.append([t["plan"]])
    plan.append([])
    plan.append([
        translate(N_("direction"), lang), translate(N_("commodity group"), lang),
        "commodity_group", *[translate(m, lang) for m in MONTH_ABBR],
        translate(N_("plan {year}, t"), lang, year=content["plan_year"]),
    ])  # fmt: skip
    for cell in plan[plan.max_row]:
        cell.font = bold
    months: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * 12)
    for c in content["plan"]["cells"]:
        months[(c["direction"], c["commodity_group"])][int(c["month"]) - 1] += int(c["tonnes"])
    for line in content["plan"]["rows"]:
        values = months[(line["direction"], line["commodity_group"])]
        plan.append([
            direction_name(line["direction"], content, lang),
            group_name(line["commodity_group"], lang), line["commodity_group"], *values,
            line["tonnes"],
        ])  # fmt: skip
    column_totals = [sum(v[m] for v in months.values()) for m in range(12)]
    plan.append([translate(N_("total"), lang), "", "", *column_totals, content["plan"]["total"]])
    for cell in plan[plan.max_row]:
        cell.font = bold

    notes = book.create_sheet("notes")
    notes.append([t["notes"]])
    for i, note in enumerate(content.get("notes") or [], start=1):
        notes.append([f"3.{i}", note])
    notes.append([])
    notes.append([t["signatures"]])
    notes.append([
        translate(N_("party"), lang), translate(N_("signed by"), lang),
        translate(N_("key"), lang), translate(N_("signed at (UTC)"), lang),
    ])  # fmt: skip
    by_party = {s.role: s for s in signatures}
    for party in content["parties"]:
        sig = by_party.get(party)
        notes.append(
            [party_name(party, lang), translate(N_("not signed"), lang)]
            if sig is None
            else [party_name(party, lang), sig.signer, sig.key_id, sig.signed_at.isoformat()]
        )
    notes.append([])
    notes.append(["protocol_id", content["protocol_id"]])
    notes.append(["sha256", digest])

    for sheet in (results, plan, notes):
        sheet.column_dimensions["A"].width = 28
        sheet.column_dimensions["B"].width = 30
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
