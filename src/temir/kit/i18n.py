"""Translations: gettext catalogs (``src/temir/locale/<lang>/LC_MESSAGES/*.po``).

Why .po read at run time: adding a language (Kazakh and Tajik were added this way) is then a
catalog file and nothing else, with no compile step to forget. Each capability keeps its own
catalog file (``codes.po``, ``web.po``, ...); all files of a language are merged. Message ids
are the English texts; a missing translation falls back to English, never to an error.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "ru": "Русский", "kk": "Қазақша", "tg": "Тоҷикӣ"}
#: The languages Temir ships complete catalogs for (the coverage tests hold each to every msgid).
TRANSLATIONS = tuple(code for code in LANGUAGE_NAMES if code != DEFAULT_LANGUAGE)


@functools.cache
def available_languages() -> tuple[str, ...]:
    """English plus every language that has a catalog, in a stable order."""
    found = {p.parent.parent.name for p in LOCALE_DIR.glob("*/LC_MESSAGES/*.po")}
    found.add(DEFAULT_LANGUAGE)
    order = list(LANGUAGE_NAMES)
    return tuple(sorted(found, key=lambda code: (order.index(code) if code in order else 99, code)))


@functools.cache
def _catalog(lang: str) -> dict[str, str]:
    from babel.messages.pofile import read_po

    out: dict[str, str] = {}
    for path in sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        for message in catalog:
            if message.id and isinstance(message.id, str) and message.string and not message.fuzzy:
                out[message.id] = str(message.string)
    return out


@functools.lru_cache(maxsize=512)  # asked dozens of times per quote, with a few distinct values
def normalise_language(lang: str | None) -> str:
    """Map ``ru-RU``, ``RU`` or an unknown value to a language we have."""
    if not lang:
        return DEFAULT_LANGUAGE
    if lang in available_languages():  # the usual case, asked for every text rendered
        return lang
    code = lang.strip().lower().replace("_", "-").split("-")[0]
    return code if code in available_languages() else DEFAULT_LANGUAGE


#: Readers of these languages get the Russian name of reference data (stations, railways,
#: border crossings, commodity groups, SMGS boxes). TR-4 names them in Russian; Temir's English
#: names are mostly transliterations; no public source at hand gives Kazakh or Tajik names, and
#: a made-up station name would be worse than the official Russian one (locale/REVIEW.md).
RUSSIAN_NAMES = frozenset({"ru", "kk", "tg"})


def russian_names(lang: str) -> bool:
    """Whether reference data is named in Russian for ``lang`` (else in English)."""
    return normalise_language(lang) in RUSSIAN_NAMES


def gettext(msgid: str, lang: str) -> str:
    return _catalog(normalise_language(lang)).get(msgid, msgid)


class _SafeDict(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def translate(msgid: str, lang: str = DEFAULT_LANGUAGE, **params: Any) -> str:
    """Translate ``msgid`` and fill its ``{placeholders}``; unknown placeholders stay visible."""
    template = gettext(msgid, lang)
    if not params:
        return template
    return template.format_map(_SafeDict(params))  # C formatting; same rules as vformat


def N_(msgid: str) -> str:  # noqa: N802 - the gettext convention for "mark, do not translate"
    """Mark a string for extraction without translating it now."""
    return msgid
