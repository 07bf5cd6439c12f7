"""Text folding and transliteration for names people type in search boxes. Pure.

Why fold: a user types «костанай», «КОСТАНАЙ», «Қостанай» or «Kostanay» and expects the same
station; Russian writers drop the dots of ё; Kazakh and Tajik names carry letters a Russian
keyboard lacks. Stored search columns and queries are folded the same way, so a plain
``LIKE`` finds them on SQLite and PostgreSQL alike, with no database collation involved.
"""

from __future__ import annotations

import re
import unicodedata

_LETTERS = str.maketrans(
    {
        "ё": "е",
        # Kazakh
        "ә": "а",
        "ғ": "г",
        "қ": "к",
        "ң": "н",
        "ө": "о",
        "ұ": "у",
        "ү": "у",
        "һ": "х",
        "і": "и",
        # Tajik
        "ӣ": "и",
        "ӯ": "у",
        "ҳ": "х",
        "ҷ": "ч",
    }
)

_NOT_WORD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Lowercase, ё→е, Kazakh/Tajik letters to Russian ones, accents stripped, punctuation to
    single spaces. ``fold("Қостанай-1 (эксп.)") == "костанай 1 эксп"``."""
    lowered = text.lower().translate(_LETTERS)
    # й and ё decompose under NFD; fold them before stripping combining marks, keep й.
    lowered = lowered.replace("й", "\0")
    decomposed = unicodedata.normalize("NFD", lowered)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = unicodedata.normalize("NFC", stripped).replace("\0", "й")
    return _NOT_WORD.sub(" ", stripped).strip()


def search_words(text: str) -> str:
    """The folded words of ``text`` framed by spaces, as stored in ``search_text`` columns.

    The leading space lets ``LIKE '% word%'`` match the start of any word, including the first.
    """
    folded = fold(text)
    return f" {folded} " if folded else ""


_TRANSLIT = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    "ә": "a",
    "ғ": "g",
    "қ": "k",
    "ң": "n",
    "ө": "o",
    "ұ": "u",
    "ү": "u",
    "һ": "h",
    "і": "i",
    "ӣ": "i",
    "ӯ": "u",
    "ҳ": "h",
    "ҷ": "j",
}

_ABBREVIATIONS = (
    ("(эксп.)", "(exp.)"),
    ("(рзд)", "(loop)"),
    ("(перев.)", "(transship.)"),
    ("эксп.", "exp."),
    ("перев.", "transship."),
    ("паром", "ferry"),
)


def transliterate(name_ru: str) -> str:
    """A machine transliteration of a Russian station name (not an official Latin name).

    Used only where the source gives no English name; callers flag the result as estimated.
    """
    text = name_ru
    for ru, en in _ABBREVIATIONS:
        text = text.replace(ru, en)
    out: list[str] = []
    for ch in text:
        low = ch.lower()
        latin = _TRANSLIT.get(low)
        if latin is None:
            out.append(ch)
        elif ch != low and latin:
            out.append(latin[0].upper() + latin[1:])
        else:
            out.append(latin)
    return "".join(out)


# NUL and the other C0 controls, DEL, lone surrogates and the two non-characters XML 1.0 cannot
# carry: PostgreSQL cannot store NUL, a lone surrogate cannot be encoded as UTF-8 at all, and an
# XML export holding any of them is a file no parser (Temir's own included) reads back.
_CONTROL_IN_LINE = re.compile("[\x00-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_CONTROL_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def has_control_characters(text: str, *, lines: bool = False) -> bool:
    """Whether ``text`` holds a character no box should: C0 controls and DEL (tab, line feed and
    carriage return allowed when ``lines``: a text area), lone surrogates, U+FFFE and U+FFFF."""
    return (_CONTROL_IN_TEXT if lines else _CONTROL_IN_LINE).search(text) is not None
