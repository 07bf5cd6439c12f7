from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.pofile import read_po

from temir.kit import i18n
from temir.kit.messages import Message

SOURCES = Path(i18n.__file__).resolve().parents[1]
LITERAL = r""""(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'"""
MESSAGE = re.compile(rf"(?<![A-Za-z0-9_])(?:N_|_)\(\s*((?:{LITERAL})(?:\s*(?:{LITERAL}))*)")
#: Letters only one of the two languages has (Kazakh һ and Tajik ҳ are different letters).
KAZAKH_ONLY = set("ӘәӨөҰұҮүІіҢңҺһ")
TAJIK_ONLY = set("ӢӣӮӯҲҳҶҷ")


def test_russian_catalog_translates_and_fills_placeholders() -> None:
    assert i18n.translate("Invalid input in {field}: {detail}", "ru", field="mass", detail="x") == (
        "Неверные данные в поле mass: x"
    )


def test_unknown_language_and_missing_message_fall_back_to_english() -> None:
    assert i18n.translate("Not found.", "xx") == "Not found."
    assert i18n.translate("A message nobody translated {n}", "ru", n=3) == (
        "A message nobody translated 3"
    )


def test_normalise_language_accepts_regional_forms() -> None:
    assert i18n.normalise_language("ru-RU") == "ru"
    assert i18n.normalise_language("RU") == "ru"
    assert i18n.normalise_language(None) == "en"
    assert i18n.normalise_language("de") == "en"


def test_every_catalog_parses_and_keeps_placeholders() -> None:
    """A translation must use exactly the placeholders of its English message."""
    for path in sorted(i18n.LOCALE_DIR.glob("*/LC_MESSAGES/*.po")):
        with Path(path).open("rb") as fh:
            catalog = read_po(fh)
        for message in catalog:
            if not message.id or not message.string:
                continue
            assert isinstance(message.id, str)
            wanted = set(re.findall(r"{(\w+)}", message.id))
            got = set(re.findall(r"{(\w+)}", str(message.string)))
            assert wanted == got, f"{path.name}: {message.id!r} → {message.string!r}"


def _read(path: Path) -> list[tuple[str, str, bool, list[str]]]:
    with path.open("rb") as fh:
        catalog = read_po(fh)
    return [(str(m.id), str(m.string), m.fuzzy, list(m.user_comments)) for m in catalog if m.id]


def test_every_shipped_language_is_offered() -> None:
    assert i18n.TRANSLATIONS == ("ru", "kk", "tg")
    assert i18n.available_languages() == ("en", "ru", "kk", "tg")


@pytest.mark.parametrize("lang", ["kk", "tg"])
def test_each_language_has_every_russian_catalog_with_the_same_messages(lang: str) -> None:
    """The Russian catalogs are the complete list; Kazakh and Tajik translate every entry."""
    russian = sorted((i18n.LOCALE_DIR / "ru" / "LC_MESSAGES").glob("*.po"))
    assert len(russian) >= 15
    theirs = sorted(p.name for p in (i18n.LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po"))
    assert theirs == [p.name for p in russian]
    for path in russian:
        ours = _read(i18n.LOCALE_DIR / lang / "LC_MESSAGES" / path.name)
        assert [m[0] for m in ours] == [m[0] for m in _read(path)], path.name
        assert [m[0] for m in ours if not m[1] or m[2]] == [], f"{lang}/{path.name}"


@pytest.mark.parametrize(("lang", "foreign"), [("kk", TAJIK_ONLY), ("tg", KAZAKH_ONLY)])
def test_translations_are_written_in_their_own_cyrillic_alphabet(
    lang: str, foreign: set[str]
) -> None:
    own = KAZAKH_ONLY if lang == "kk" else TAJIK_ONLY
    texts = [m[1] for p in (i18n.LOCALE_DIR / lang).glob("*/*.po") for m in _read(p)]
    assert [t for t in texts if foreign & set(t)] == []
    assert sum(1 for t in texts if own & set(t)) > len(texts) // 2


def test_review_marks_name_a_term_and_review_md_counts_them() -> None:
    """Unsure railway terms carry ``# review: term: translation``; REVIEW.md lists the totals."""
    review = (i18n.LOCALE_DIR / "REVIEW.md").read_text(encoding="utf-8")
    for lang in ("kk", "tg"):
        marked = 0
        terms: Counter[str] = Counter()
        for path in sorted((i18n.LOCALE_DIR / lang).glob("*/*.po")):
            for _, _, _, comments in _read(path):
                notes = [
                    c.removeprefix("review:").strip() for c in comments if c.startswith("review:")
                ]
                marked += bool(notes)
                for note in notes:
                    for part in note.split("; "):
                        assert ":" in part, f"{lang}/{path.name}: {note!r}"
                        terms[part.split(":")[0]] += 1
        assert marked > 0
        assert f"| {lang} | {marked} |" in review
        for term, count in terms.items():
            assert f"| {lang} | {term} | {count} |" in review, (lang, term, count)


def msgids_in_sources() -> list[str]:
    found: set[str] = set()
    for path in sorted(SOURCES.rglob("*")):
        if path.suffix in (".py", ".html") and "locale" not in path.parts:
            for match in MESSAGE.finditer(path.read_text(encoding="utf-8")):
                parts = re.findall(LITERAL, match.group(1))
                found.add("".join(ast.literal_eval(part) for part in parts))
    return sorted(found)


def test_the_source_extraction_finds_templates_and_code() -> None:
    ids = msgids_in_sources()
    assert "Home" in ids  # web template
    assert "Routes & quotes" in ids  # tariff template
    assert "Freight statistics" in ids  # stats template
    assert "Accept for carriage" in ids  # note template
    assert "Only a shipper user of the consignor's organisation may do this." in ids  # code
    assert len(ids) > 500


@pytest.mark.parametrize("lang", i18n.TRANSLATIONS)
def test_every_message_in_code_and_templates_is_in_each_catalog(lang: str) -> None:
    catalog = i18n._catalog(lang)
    missing = [m for m in msgids_in_sources() if m not in catalog]
    assert missing == []
    for msgid in msgids_in_sources():
        wanted = set(re.findall(r"{(\w+)}", msgid))
        assert set(re.findall(r"{(\w+)}", catalog[msgid])) == wanted, (lang, msgid)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("kk", "{field} өрісіндегі деректер қате: {detail}"),
        ("tg", "Маълумоти нодуруст дар майдони {field}: {detail}"),
    ],
)
def test_kazakh_and_tajik_fill_placeholders(lang: str, text: str) -> None:
    got = i18n.translate("Invalid input in {field}: {detail}", lang, field="mass", detail="x")
    assert got == text.format(field="mass", detail="x")
    assert i18n.normalise_language(lang.upper() + "-" + ("KZ" if lang == "kk" else "TJ")) == lang


@pytest.mark.parametrize("lang", i18n.TRANSLATIONS)
def test_babel_has_number_and_date_data_for_each_language(lang: str) -> None:
    """Numbers in messages are formatted by Babel for the reader's locale (no silent English)."""
    locale = Locale.parse(lang)
    assert locale.language == lang
    assert len(locale.months["stand-alone"]["wide"]) == 12
    line = Message.of("{km} km", km=1668).text(lang)
    assert line == "1\u00a0668 km"  # Kazakh and Tajik group thousands with a no-break space


@pytest.mark.parametrize(("lang", "russian"), [("ru", True), ("kk", True), ("tg-TJ", True),
                                               ("en", False), ("xx", False)])  # fmt: skip
def test_reference_data_is_named_in_russian_for_kazakh_and_tajik(lang: str, russian: bool) -> None:
    assert i18n.russian_names(lang) is russian
