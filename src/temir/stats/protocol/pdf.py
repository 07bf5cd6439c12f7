"""The protocol as a PDF, drawn from its stored (signed) content, in one or several languages.

By default Russian plus the parties' languages (:mod:`temir.stats.protocol.languages`: for the
KZH–TDZ protocol Russian, Kazakh and Tajik): every heading, row label and column title is
printed in each language, one under the other. Commodity groups have Russian and English names
only (shared data), so they print in Russian unless the protocol is printed in English alone.

Why from the stored content and not from the database: the paper must show exactly the figures
both parties signed; recomputing them from facts imported later would change the paper under
the signatures. The footer carries the protocol id and the digest the signatures cover, so the
paper can be checked against the electronic protocol (``temir stats protocol verify``).

Fonts: DejaVu Sans Condensed vendored with the notes (``temir/notes/fonts``, licence there).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from temir.kit.i18n import N_, translate
from temir.signing.model import Signature
from temir.stats import data

FONT = "DejaVuSansCondensed"
FONT_FILE = Path(__file__).resolve().parents[2] / "notes" / "fonts" / "DejaVuSansCondensed.ttf"

COUNTRY_NAMES = {
    "KZ": (N_("Kazakhstan")),
    "TJ": (N_("Tajikistan")),
    "UZ": (N_("Uzbekistan")),
    "KG": (N_("Kyrgyzstan")),
    "TM": (N_("Turkmenistan")),
    "RU": (N_("Russia")),
}
RAILWAY_COUNTRY = {"KZH": "KZ", "TDZ": "TJ", "UTI": "UZ", "KRG": "KG", "TRK": "TM", "RZD": "RU"}
DIRECTION_NAMES = {
    "export": N_("export {a}→{b}"),
    "import": N_("import {b}→{a}"),
    "transit": N_("transit {a}–{b}"),
}
BASIS_NAMES = {
    "forecast": N_("forecast (seasonal model)"),
    "entered": N_("entered"),
    "imported": N_("imported"),
}
MONTH_ABBR = (
    N_("Jan"), N_("Feb"), N_("Mar"), N_("Apr"), N_("May"), N_("Jun"),
    N_("Jul"), N_("Aug"), N_("Sep"), N_("Oct"), N_("Nov"), N_("Dec"),
)  # fmt: skip


def font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_FILE)))
    return FONT


def number(value: int, lang: str) -> str:
    text = f"{value:,}"
    return text.replace(",", "\u00a0") if lang == "ru" else text


def percent(value: str | None, lang: str) -> str:
    if value is None:
        return "—"
    sign = "" if value.startswith("-") else "+"
    text = sign + value
    return text.replace(".", ",") if lang == "ru" else text


def group_name(code: str, lang: str) -> str:
    """The commodity group's name: English for ``en``, else Russian (no kk/tg names exist)."""
    group = data.commodity_groups().get(code)
    if group is None:
        return code
    return group.name_en if lang == "en" else group.name_ru


class Words:
    """Text in every print language, national ones after the first, repeats dropped."""

    def __init__(self, langs: Sequence[str]) -> None:
        self.langs = tuple(langs)
        self.first = self.langs[0]

    def each(self, msgid: str, **params: Any) -> list[str]:
        return list(dict.fromkeys(translate(msgid, lang, **params) for lang in self.langs))

    def of(self, fn: Callable[..., str], *args: Any) -> list[str]:
        """``fn(*args, lang)`` in every language: ``party_name``, ``direction_name``, …"""
        return list(dict.fromkeys(fn(*args, lang) for lang in self.langs))

    def lines(self, msgid: str, **params: Any) -> str:
        return "\n".join(self.each(msgid, **params))


def party_name(code: str, lang: str) -> str:
    country = RAILWAY_COUNTRY.get(code)
    return f"{code} ({translate(COUNTRY_NAMES[country], lang)})" if country else code


def direction_name(direction: str, content: Mapping[str, Any], lang: str) -> str:
    a, b = content["countries"]
    msgid = DIRECTION_NAMES.get(direction)
    return translate(msgid, lang, a=a, b=b) if msgid else direction


def texts(content: Mapping[str, Any], lang: str) -> dict[str, str]:
    """The headings of the protocol in ``lang`` (also used by tests to find the text)."""
    t = {
        "title": translate(N_("Protocol"), lang),
        "subtitle": translate(
            N_("Results of {year} and plans for {plan_year}"),
            lang,
            year=content["year"],
            plan_year=content["plan_year"],
        ),
        "between": translate(
            N_("between {party_a} and {party_b}"),
            lang,
            party_a=party_name(content["parties"][0], lang),
            party_b=party_name(content["parties"][1], lang),
        ),
        "results": translate(N_("1. Results of {year}"), lang, year=content["year"]),
        "plan": translate(N_("2. Plan for {year}"), lang, year=content["plan_year"]),
        "notes": translate(N_("3. Notes and agreements"), lang),
        "signatures": translate(N_("Signatures"), lang),
        "synthetic": translate(
            N_("SYNTHETIC DEMO DATA — these are not real freight figures."), lang
        ),
    }
    return t


def _table(
    rows: list[list[Any]],
    widths: Sequence[float],
    font_name: str,
    text_columns: int = 1,
    total_row: bool = True,
) -> Table:
    table = Table(rows, colWidths=list(widths), repeatRows=1)
    last = [("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#f3f3f3"))] if total_row else []
    table.setStyle(
        TableStyle(
            [
                *last,
                ("FONT", (0, 0), (-1, -1), font_name, 8),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#8a9bb0")),
                ("ALIGN", (text_columns, 1), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def render_pdf(
    content: Mapping[str, Any],
    signatures: Sequence[Signature],
    digest: str,
    lang: str | Sequence[str] = "en",
) -> bytes:
    """The protocol as an A4 PDF in ``lang``: one language or several (``("ru", "kk", "tg")``)."""
    name = font()
    w = Words((lang,) if isinstance(lang, str) else lang)
    first = w.first
    styles = {
        "title": ParagraphStyle("t", fontName=name, fontSize=16, leading=20, alignment=TA_CENTER),
        "sub": ParagraphStyle("s", fontName=name, fontSize=11, leading=14, alignment=TA_CENTER),
        "h": ParagraphStyle("h", fontName=name, fontSize=11, leading=14, spaceBefore=8,
                            spaceAfter=4, keepWithNext=1),
        "p": ParagraphStyle("p", fontName=name, fontSize=9, leading=12),
        "cell": ParagraphStyle("c", fontName=name, fontSize=8, leading=9.6),
        "warn": ParagraphStyle("w", fontName=name, fontSize=9, leading=12,
                               textColor=colors.HexColor("#b00020"), alignment=TA_CENTER),
    }  # fmt: skip

    def para(lines: Sequence[str], style: str) -> Paragraph:
        return Paragraph("<br/>".join(escape(x) for x in lines), styles[style])

    def cell(lines: Sequence[str]) -> Paragraph:
        return para(lines, "cell")

    each_text = [texts(content, x) for x in w.langs]

    def heading(key: str) -> list[str]:
        return list(dict.fromkeys(t[key] for t in each_text))

    year, previous = content["year"], content["previous_year"]
    story: list[Any] = [
        para([" / ".join(heading("title"))], "title"),
        para(heading("subtitle"), "sub"),
        para(heading("between"), "sub"),
    ]
    place_date = ", ".join(x for x in (content.get("place"), content.get("date")) if x)
    if place_date:
        story.append(Paragraph(escape(place_date), styles["sub"]))
    if content.get("synthetic"):
        story += [Spacer(1, 3 * mm), para(heading("synthetic"), "warn")]

    def direction(line: Mapping[str, Any]) -> Paragraph:
        return cell(w.of(direction_name, line["direction"], content))

    def total_label() -> Paragraph:
        return cell([" / ".join(w.each(N_("total")))])

    # 1. results
    story.append(para(heading("results"), "h"))
    tonnes_n = cell(w.each(N_("{year}, t"), year=year))
    tonnes_p = cell(w.each(N_("{year}, t"), year=previous))
    change = cell(w.each(N_("change, %")))
    results = content["results"]
    rows: list[list[Any]] = [[cell(w.each(N_("direction"))), tonnes_p, tonnes_n, change]]
    for line in results["by_direction"]:
        rows.append([
            direction(line),
            number(line["previous_tonnes"], first), number(line["tonnes"], first),
            percent(line["change_pct"], first),
        ])  # fmt: skip
    total = results["total"]
    rows.append([
        total_label(), number(total["previous_tonnes"], first),
        number(total["tonnes"], first), percent(total["change_pct"], first),
    ])  # fmt: skip
    story += [_table(rows, (70 * mm, 35 * mm, 35 * mm, 25 * mm), name), Spacer(1, 4 * mm)]
    rows = [[
        cell(w.each(N_("direction"))), cell(w.each(N_("commodity group"))),
        tonnes_p, tonnes_n, change, cell(w.each(N_("wagons"))),
    ]]  # fmt: skip
    for line in results["rows"]:
        rows.append([
            direction(line), cell(w.of(group_name, line["commodity_group"])),
            number(line["previous_tonnes"], first), number(line["tonnes"], first),
            percent(line["change_pct"], first), number(line["wagons"], first),
        ])  # fmt: skip
    rows.append([
        total_label(), "", number(total["previous_tonnes"], first),
        number(total["tonnes"], first), percent(total["change_pct"], first), "",
    ])  # fmt: skip
    widths = (36 * mm, 40 * mm, 25 * mm, 25 * mm, 28 * mm, 24 * mm)
    story.append(_table(rows, widths, name, text_columns=2))

    # 2. plan
    plan = content["plan"]
    story.append(para(heading("plan"), "h"))
    basis = [
        translate(N_("Basis: {basis}."), x,
                  basis=", ".join(translate(BASIS_NAMES.get(b, b), x) for b in plan["basis"]))
        for x in w.langs
    ] if plan.get("basis") else []  # fmt: skip
    if basis:
        story.append(para(list(dict.fromkeys(basis)), "p"))
    plan_t = cell(w.each(N_("plan {year}, t"), year=content["plan_year"]))
    rows = [[cell(w.each(N_("direction"))), cell(w.each(N_("commodity group"))), plan_t]]
    for line in plan["rows"]:
        rows.append([
            direction(line), cell(w.of(group_name, line["commodity_group"])),
            number(line["tonnes"], first),
        ])  # fmt: skip
    rows.append([total_label(), "", number(plan["total"], first)])
    story += [_table(rows, (55 * mm, 60 * mm, 40 * mm), name, 2), Spacer(1, 3 * mm)]
    months = [0] * 12
    for c in plan["cells"]:
        months[int(c["month"]) - 1] += int(c["tonnes"])
    rows = [
        [cell(w.each(m)) for m in MONTH_ABBR],
        [number(round(x / 1000), first) for x in months],
    ]
    story.append(para(w.each(N_("Plan by month, thousand t")), "p"))
    story.append(_table(rows, [15 * mm] * 12, name, 0, total_row=False))

    # 3. notes
    story.append(para(heading("notes"), "h"))
    for i, note in enumerate(content.get("notes") or [], start=1):
        story.append(Paragraph(escape(f"3.{i}. {note}"), styles["p"]))
    if not content.get("notes"):
        story.append(Paragraph("—", styles["p"]))

    # signatures
    story.append(para(heading("signatures"), "h"))
    by_party = {s.role: s for s in signatures}
    rows = [[cell(w.each(N_("party"))), cell(w.each(N_("signed by"))),
             cell(w.each(N_("key"))), cell(w.each(N_("signed at (UTC)")))]]  # fmt: skip
    for party in content["parties"]:
        sig = by_party.get(party)
        who = cell(w.of(party_name, party))
        if sig is None:
            rows.append([who, cell(w.each(N_("not signed"))), "", ""])
        else:
            rows.append([who, sig.signer, sig.key_id, sig.signed_at.strftime("%Y-%m-%d %H:%M")])
    story.append(_table(rows, (40 * mm, 45 * mm, 55 * mm, 35 * mm), name, 4, total_row=False))

    footer = translate(
        N_("Protocol {id} · SHA-256 {digest} · page {page}"), first, id=content["protocol_id"]
    )

    def on_page(canvas: Canvas, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(name, 6.5)
        canvas.drawString(
            15 * mm, 8 * mm, footer.replace("{digest}", digest).replace("{page}", str(doc.page))
        )
        canvas.restoreState()

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"{each_text[0]['title']} {content['protocol_id']}",
        author=" / ".join(content["parties"]),
        subject="languages: " + "+".join(w.langs),
    )
    document.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()
