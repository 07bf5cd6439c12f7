"""The languages a protocol is printed in: Russian and the languages of its parties. Pure.

Why: the yearly KZ–TJ protocol is signed by KTZ (KZH) and TDZ; each side reads its own
language and both read Russian, the common working language of the CIS railways. So by default
(``auto``) the PDF and XLSX carry every heading in Russian, then Kazakh for KZH, then Tajik for
TDZ, side by side in one document. A single language (``ru``, ``en``, ``kk``, ``tg``) or a list
(``ru+kk``) can be asked for instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from temir.kit.errors import ValidationFailed
from temir.kit.i18n import N_

#: The railway → the language of its country that Temir has a catalog for.
PARTY_LANGUAGE: Final = {"KZH": "kk", "TDZ": "tg"}
LANGUAGES: Final = ("ru", "en", "kk", "tg")
AUTO: Final = "auto"


def parse_languages(text: str | None) -> tuple[str, ...] | None:
    """``None``/``auto`` → ``None`` (decided by the parties); ``ru+kk`` → ``("ru", "kk")``."""
    chosen = (text or AUTO).strip().lower()
    if chosen == AUTO:
        return None
    parts = [p.strip() for p in chosen.replace(",", "+").split("+")]
    wrong = [p for p in parts if p not in LANGUAGES]
    if wrong or not parts:
        raise ValidationFailed(
            N_("Language {language} is not available; choose auto, ru, en, kk, tg or e.g. ru+kk."),
            code="stats.protocol.lang",
            field="lang",
            language=(wrong[0] if wrong else chosen)[:10],
        )
    return tuple(dict.fromkeys(parts))


def protocol_languages(parties: Sequence[str], text: str | None = None) -> tuple[str, ...]:
    """The print languages, first one leading: ``("ru", "kk", "tg")`` for KZH and TDZ."""
    chosen = parse_languages(text)
    if chosen is not None:
        return chosen
    national = [PARTY_LANGUAGE[p] for p in parties if p in PARTY_LANGUAGE]
    return tuple(dict.fromkeys(["ru", *national]))
