"""Which languages the printed note speaks: the departure country's language plus Russian. Pure.

Why: SMGS notes are filled in and printed in the language of the country of departure with a
translation into Russian (or Chinese); Russian is the working language of KZ and TJ
(shared/reference/domain.md §1.1, a forwarder's page ⚠️). So a note leaving Kazakhstan prints
Kazakh + Russian, one leaving Tajikistan Tajik + Russian.

The departure country comes from the railway of box 2 (else the first carrier of box 22, which
is the departure railway's). Temir has Kazakh and Tajik catalogs only: a note leaving
Uzbekistan, Kyrgyzstan or China prints in Russian alone (no Uzbek, Kyrgyz or Chinese catalog,
and no official Chinese wording of the form's headings in the reference data), and
:data:`MISSING_CATALOG` names the language that would be wanted.
"""

from __future__ import annotations

from typing import Final

from temir.codes.railways import find_railway
from temir.kit.errors import ValidationFailed
from temir.kit.i18n import N_
from temir.notes.model import Note

RUSSIAN: Final = "ru"
#: Country (ISO 3166-1) → the national language Temir has a catalog for.
NATIONAL_LANGUAGE: Final = {"KZ": "kk", "TJ": "tg"}
#: Countries whose language the form would want but Temir has no catalog for (prints Russian).
MISSING_CATALOG: Final = {"UZ": "uz", "KG": "ky", "TM": "tk", "CN": "zh"}
#: What ``--lang`` / ``?lang=`` accept: a national language (printed with Russian) or ``ru``.
CHOICES: Final = ("auto", *NATIONAL_LANGUAGE.values(), RUSSIAN)


def departure_country(note: Note) -> str | None:
    """ISO country of the departure railway (box 2, else the first carrier of box 22)."""
    codes = [note.departure.railway, *(c.carrier for c in note.carriers[:1])]
    for code in codes:
        railway = find_railway(code) if code else None
        if railway is not None:
            return railway.country
    return None


def parse_print_language(text: str | None) -> str | None:
    """``None``/``auto`` → chosen from the note; ``kk``/``tg`` → that + Russian; ``ru`` alone."""
    chosen = (text or "auto").strip().lower()
    if chosen not in CHOICES:
        raise ValidationFailed(
            N_("Print language {value} is not available; choose one of: {choices}."),
            code="notes.print_language",
            field="lang",
            value=chosen[:10],
            choices=", ".join(CHOICES),
        )
    return None if chosen == "auto" else chosen


def print_languages(note: Note, override: str | None = None) -> tuple[str, ...]:
    """The languages of the printed headings, national first: ``("kk", "ru")`` or ``("ru",)``."""
    chosen = parse_print_language(override)
    if chosen is None:
        country = departure_country(note)
        chosen = NATIONAL_LANGUAGE.get(country or "", RUSSIAN)
    return (RUSSIAN,) if chosen == RUSSIAN else (chosen, RUSSIAN)
