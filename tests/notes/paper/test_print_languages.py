"""The printed note speaks the departure country's language and Russian, and everything fits.

Checked on the PDF itself (pdfminer, :mod:`tests.pdf_inspect`): the text layer holds both
languages' headings, no heading crosses a box's frame or a column rule, and every printed
character has a glyph in the font it was drawn with.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from temir.kit.errors import ValidationFailed
from temir.kit.i18n import translate
from temir.notes.model import Money, Note, StationRef
from temir.notes.paper import layout
from temir.notes.paper.languages import departure_country, print_languages
from temir.notes.paper.pdf import render_pdf
from temir.notes.paper.titles import HEADINGS
from tests import pdf_inspect


def _leaving(note: Note, railway: str | None) -> Note:
    departure = StationRef(esr="745309", name="Душанбе II", railway=railway)
    return note.model_copy(update={"departure": departure})


@pytest.mark.parametrize(
    ("railway", "wanted"),
    [
        ("KZH", ("kk", "ru")),
        ("27", ("kk", "ru")),
        ("TDZ", ("tg", "ru")),
        ("ТДЖ", ("tg", "ru")),
        ("UTI", ("ru",)),  # no Uzbek catalog: Russian alone
        ("KZD", ("ru",)),  # no Chinese headings in the reference data: Russian alone
    ],
)
def test_box_2_railway_chooses_national_language_plus_russian(
    note: Note, railway: str, wanted: tuple[str, ...]
) -> None:
    assert print_languages(_leaving(note, railway)) == wanted


def test_without_a_box_2_railway_the_first_carrier_decides(note: Note) -> None:
    assert note.carriers[0].carrier == "KZH"
    assert departure_country(_leaving(note, None)) == "KZ"
    bare = _leaving(note, None).model_copy(update={"carriers": []})
    assert departure_country(bare) is None
    assert print_languages(bare) == ("ru",)


def test_an_override_wins_and_unknown_languages_are_refused(note: Note) -> None:
    assert print_languages(note, "tg") == ("tg", "ru")
    assert print_languages(note, "RU") == ("ru",)
    assert print_languages(note, "auto") == ("kk", "ru")
    with pytest.raises(ValidationFailed) as caught:
        print_languages(note, "zh")
    assert caught.value.code == "notes.print_language"
    assert caught.value.field == "lang"


def _expected_headings(lang: str) -> list[str]:
    """Every heading of the form as the catalog (kk/tg) or the form (ru) words it."""
    params = {
        "sheet": {"number": 1, "name": "", "receiver": ""},
        "total_mass": {"mass": ""},
        "collected_from": {"who": ""},
        "grand_total": {"who": ""},
        "declared_value": {"value": ""},
    }
    out = []
    for key, heading in HEADINGS.items():
        if key == "synthetic":
            continue
        fill = params.get(key, {})
        text = heading.ru.format(**fill) if lang == "ru" else translate(heading.msgid, lang, **fill)
        out.append(text.split("()")[0].split(":")[0].strip())
    return out


@pytest.mark.parametrize(("railway", "national"), [("KZH", "kk"), ("TDZ", "tg")])
def test_pdf_text_holds_every_heading_in_both_languages(
    note: Note, railway: str, national: str
) -> None:
    valued = _leaving(note, railway).model_copy(
        update={"declared_value": Money(amount=Decimal("48000000.00"), currency="KZT")}
    )
    pdf = render_pdf(valued, [])
    text = "\n".join(pdf_inspect.page_text(p) for p in pdf_inspect.pages(pdf))
    assert "48000000.00 KZT" in text  # declared value, printed with box 3
    for lang in (national, "ru"):
        missing = [h for h in _expected_headings(lang) if h and h not in text]
        assert missing == [], lang
    # literal spot checks, so the test does not lean on the catalogs alone
    if national == "kk":
        assert "Жөнелтуші / Отправитель" in text
        assert "СМГС жүкқұжаты / Накладная СМГС" in text
    else:
        assert "Фиристанда / Отправитель" in text
        assert "Борхати СМГС / Накладная СМГС" in text


def test_russian_only_prints_no_kazakh_or_tajik_heading(note: Note) -> None:
    pdf = render_pdf(note, [], sheets=[1], lang="ru")
    text = "".join(pdf_inspect.page_text(p) for p in pdf_inspect.pages(pdf))
    assert "Отправитель" in text
    assert "Жөнелтуші" not in text
    assert "Фиристанда" not in text


@pytest.mark.parametrize("lang", ["kk", "tg", "ru"])
def test_no_text_overflows_its_box_or_other_text_and_every_glyph_is_in_its_font(
    note: Note, lang: str
) -> None:
    valued = note.model_copy(
        update={"declared_value": Money(amount=Decimal("48000000.00"), currency="KZT")}
    )
    pdf = render_pdf(valued, [], sheets=[1], lang=lang)
    pages = pdf_inspect.pages(pdf)
    assert len(pages) == 2
    for page in pages:
        assert pdf_inspect.overflowing(page) == []
        assert pdf_inspect.overlapping(page) == []
    assert pdf_inspect.missing_glyphs(pdf) == []


def test_the_checks_see_an_overflow_and_a_missing_glyph() -> None:
    """The inspection itself can fail: a string across a frame, a Chinese letter in DejaVu."""
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4)
    canvas.setFont(layout.font(), 8)
    canvas.rect(100, 700, 40, 20)
    canvas.drawString(102, 706, "Жүкті алушыға беру туралы белгілер")
    canvas.drawString(102, 600, "霍")
    canvas.drawString(300, 500, "Отправитель")
    canvas.drawString(310, 502, "Получатель")
    canvas.save()
    pdf = buf.getvalue()
    (page,) = pdf_inspect.pages(pdf)
    assert len(pdf_inspect.overflowing(page)) == 1
    assert pdf_inspect.overlapping(page) == ["'Получатель' on 'Отправитель'"]
    # ReportLab's text layer says U+0000 for a character its font lacks; either way it is found
    assert len(pdf_inspect.missing_glyphs(pdf)) == 1
