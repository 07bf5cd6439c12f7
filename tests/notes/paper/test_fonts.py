"""The SMGS PDF's fonts cover every letter the notes print: Kazakh and Tajik Cyrillic in DejaVu,
the Chinese station names in the shipped Droid Sans Fallback subset (not "Khorgos (□□□)")."""

from __future__ import annotations

import re
from pathlib import Path

from reportlab.pdfbase.ttfonts import TTFont

from temir.notes.example import example_note
from temir.notes.paper import layout
from temir.notes.paper.pdf import render_pdf

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
