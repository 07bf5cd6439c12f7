"""The SMGS PDF's fonts cover every letter the notes print: Kazakh and Tajik Cyrillic in DejaVu,
the Chinese station names in the shipped Droid Sans Fallback subset (not "Khorgos (□□□)")."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from temir.notes.example import example_note
from temir.notes.paper import layout
from temir.notes.paper.pdf import render_pdf
from tests import pdf_inspect

DATA = Path(layout.__file__).resolve().parents[2] / "data"
KAZAKH_TAJIK = "әғқңөұүһіӘҒҚҢӨҰҮҺІӣӯҳҷӢӮҲҶ"


def _chars(font_file: Path) -> set[int]:
    return set(TTFont("probe", str(font_file)).face.charToGlyph)


def test_dejavu_has_the_kazakh_and_tajik_letters() -> None:
    covered = _chars(layout._FONT_FILE)
    assert [c for c in KAZAKH_TAJIK if ord(c) not in covered] == []


def test_the_cjk_subset_covers_every_chinese_character_of_the_shipped_data() -> None:
    text = "".join(p.read_text(encoding="utf-8", errors="ignore") for p in DATA.rglob("*.csv"))
    wanted = set(re.findall(r"[\u4e00-\u9fff]", text))
    assert wanted >= set("霍尔果斯阿拉山口")
    covered = _chars(layout.CJK_FONT_FILE)
    assert sorted(c for c in wanted if ord(c) not in covered) == []


def test_runs_put_chinese_in_the_cjk_font() -> None:
    assert layout.runs("Хоргос (霍尔果斯)", layout.FONT) == [
        (layout.FONT, "Хоргос ("),
        (layout.CJK_FONT, "霍尔果斯"),
        (layout.FONT, ")"),
    ]


def test_a_note_naming_khorgos_in_chinese_embeds_both_fonts() -> None:
    note = example_note()
    note = note.model_copy(
        update={"destination": note.destination.model_copy(update={"name": "Khorgos (霍尔果斯)"})}
    )
    pdf = render_pdf(note, [])
    assert b"DejaVuSansCondensed" in pdf
    assert b"DroidSansFallback" in pdf


NAME_COLUMNS = ("name_ru", "name_en", "osm_name", "a_name_ru", "a_name_en", "b_name_ru",
                "b_name_en", "a_nearest_station", "b_nearest_station")  # fmt: skip


def _station_names() -> list[str]:
    """Every station name in the shipped network and TR-4 data: what boxes 2, 5, 6 and 22 print."""
    names: set[str] = set()
    for path in [*(DATA / "network").glob("*.csv"), *(DATA / "tr4").glob("*.csv")]:
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                names.update(row[c] for c in NAME_COLUMNS if row.get(c))
    return sorted(names)


def test_every_shipped_station_name_prints_with_no_missing_glyph() -> None:
    """Drawn the way the form draws text (Page.text, CJK runs apart), read back from the PDF."""
    names = _station_names()
    assert len(names) > 900
    assert any("霍尔果斯" in n for n in names)
    assert any(set(n) & set("әғқңөұүһі") for n in names)  # Kazakh letters occur in the data
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4)
    page = layout.Page(canvas, layout.font())
    line, y = "", 0.0
    for name in [*names, ""]:
        if name and len(line) + len(name) < 150:
            line += name + " · "
            continue
        page.text(0, y, line, 6)
        line, y = name + " · ", y + 2.6
        if y > 280:
            canvas.showPage()
            y = 0.0
    canvas.save()
    pdf = buf.getvalue()
    assert pdf_inspect.missing_glyphs(pdf) == []
    printed = "".join(pdf_inspect.page_text(p) for p in pdf_inspect.pages(pdf))
    flat = printed.replace(" ", "")
    assert [n for n in names if n.replace(" ", "") not in flat] == []


def test_a_note_to_khorgos_prints_the_chinese_name_from_the_cjk_font() -> None:
    note = example_note()
    khorgos = note.destination.model_copy(update={"name": "Khorgos (霍尔果斯)", "esr": ""})
    pdf = render_pdf(note.model_copy(update={"destination": khorgos}), [], sheets=[1])
    assert pdf_inspect.missing_glyphs(pdf) == []
    first = pdf_inspect.pages(pdf)[0]
    assert "霍尔果斯" in pdf_inspect.page_text(first)
    cjk = {r.font for r in pdf_inspect.runs(first) if "霍" in r.text}
    assert [f.split("+")[-1] for f in cjk] == ["DroidSansFallback"]


def test_every_kazakh_and_tajik_letter_prints_with_a_glyph() -> None:
    note = example_note()
    consignor = note.consignor.model_copy(update={"name": f"ТОО «{KAZAKH_TAJIK}»"})
    pdf = render_pdf(note.model_copy(update={"consignor": consignor}), [], sheets=[1])
    assert pdf_inspect.missing_glyphs(pdf) == []
    assert KAZAKH_TAJIK in pdf_inspect.page_text(pdf_inspect.pages(pdf)[0])


def test_a_protocol_printed_first_does_not_keep_the_cjk_font_from_a_note() -> None:
    """The protocol's PDF registers the form's base font without the CJK one; the note's
    font check must still register the CJK font (it used to look at the base font only)."""
    from reportlab.pdfbase import pdfmetrics

    from temir.notes.paper import layout

    registered = pdfmetrics._fonts  # ReportLab's registry: start as a fresh process would
    saved = dict(registered)
    try:
        registered.pop(layout.CJK_FONT, None)
        registered.pop(layout.FONT, None)
        from temir.stats.protocol import pdf as protocol_pdf

        assert protocol_pdf.font() == layout.FONT  # the same base font, registered alone
        layout.font()
        assert layout.CJK_FONT in pdfmetrics.getRegisteredFontNames()
    finally:
        registered.clear()
        registered.update(saved)
