"""OSJD/UIC railway codes: the numeric code, the Latin and Cyrillic abbreviations, names.

Why it matters: SMGS boxes 22, 23 and 37 name railways by code (КЗХ, УТИ, ТДЖ …), payer codes
are kept per railway, and digits 3–4 of a UIC wagon number are the keeper's railway code. Only
railways listed with a source in domain.md §5 are here; where that table marks an abbreviation as
unknown (Estonia's Latin one) or absent, it is ``None`` rather than guessed.

Time zones are given as IANA ids only for the five Central Asian railways and RZD, whose dates
Temir must show locally. Offsets are never stored: Kazakhstan moved to a single zone (UTC+5) in
2024, and only the tz database, not this module, should know such changes.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

from temir.codes._rules import Outcome, rule
from temir.kit.errors import Problem, ValidationFailed
from temir.kit.i18n import russian_names

KIND = "railway"

EMPTY = rule("railway.empty", "The railway code is empty.")
UNKNOWN = rule(
    "railway.unknown",
    "Unknown railway code {value}: use the OSJD number (e.g. 27) or abbreviation (e.g. KZH, КЗХ).",
)


@dataclass(frozen=True)
class Railway:
    """One railway administration as OSJD and the CIS tariffs name it."""

    numeric: str
    """UIC/OSJD numeric code, two digits (``"27"``)."""
    latin: str | None
    """OSJD Latin abbreviation (``"KZH"``), ``None`` where no source gives one."""
    cyrillic: str | None
    """Abbreviation used in the ETT and Tariff Policy (``"КЗХ"``)."""
    name_en: str
    name_ru: str
    country: str
    """ISO 3166-1 alpha-2 country code."""
    time_zone: str | None = None
    """IANA time zone id, only for the Central Asian railways and RZD."""
    aliases: tuple[str, ...] = ()
    """Other abbreviations seen in sources (e.g. ``UTY`` for Uzbekistan)."""

    def name(self, lang: str = "en") -> str:
        return self.name_ru if russian_names(lang) else self.name_en


# Source of every row: domain.md §5 (numeric codes: KDE kitinerary uic_country_code_table, CC0;
# Latin: OSJD annual reports 2019/2020; Cyrillic: ETT party list, Tariff Policy telegrams).
RAILWAYS: tuple[Railway, ...] = (
    Railway("20", "RZD", "РЖД", "Russian Railways", "Российские железные дороги", "RU",
            "Europe/Moscow"),
    Railway("21", "BC", "БЧ", "Belarusian Railway", "Белорусская железная дорога", "BY"),
    Railway("22", "UZ", "УЗ", "Ukrainian Railways", "Украинские железные дороги", "UA"),
    Railway("23", "CFM", "ЧФМ", "Railway of Moldova", "Железная дорога Молдовы", "MD"),
    Railway("24", "LTG", "ЛГ", "Lithuanian Railways", "Литовские железные дороги", "LT"),
    Railway("25", "LDZ", "ЛДЗ", "Latvian Railway", "Латвийская железная дорога", "LV"),
    Railway("26", None, "ЭВР", "Estonian Railway", "Эстонская железная дорога", "EE"),
    Railway("27", "KZH", "КЗХ", "Kazakhstan Temir Zholy", "Казахстан темир жолы", "KZ",
            "Asia/Almaty"),
    Railway("28", "GR", "ГР", "Georgian Railway", "Грузинская железная дорога", "GE"),
    Railway("29", "UTI", "УТИ", "Uzbek Railways", "Узбекские железные дороги", "UZ",
            "Asia/Tashkent", aliases=("UTY",)),
    Railway("30", "ZC", "ЗЧ", "Railways of the DPRK", "Железные дороги КНДР", "KP"),
    Railway("31", "UBZD", "УБЖД", "Ulaanbaatar Railway", "Улан-Баторская железная дорога", "MN"),
    Railway("32", "VZD", "ВЖД", "Vietnam Railways", "Вьетнамские железные дороги", "VN"),
    Railway("33", "KZD", "КЖД", "China Railway", "Китайские железные дороги", "CN"),
    Railway("57", "AZD", "АЗ", "Azerbaijan Railways", "Азербайджанские железные дороги", "AZ"),
    Railway("58", None, "АРМ", "South Caucasus Railway (Armenia)",
            "Южно-Кавказская железная дорога (Армения)", "AM"),
    Railway("59", "KRG", "КРГ", "Kyrgyz Railways", "Кыргызская железная дорога", "KG",
            "Asia/Bishkek"),
    Railway("66", "TDZ", "ТДЖ", "Tajik Railway", "Таджикская железная дорога", "TJ",
            "Asia/Dushanbe"),
    Railway("67", "TRK", "ТРК", "Turkmen Railways", "Туркменские железные дороги", "TM",
            "Asia/Ashgabat"),
    Railway("68", "ARA", None, "Afghanistan Railway Authority", "Железные дороги Афганистана",
            "AF"),
    Railway("96", "RAI", None, "Railways of the Islamic Republic of Iran",
            "Железные дороги Исламской Республики Иран", "IR"),
)  # fmt: skip


def _index(railways: tuple[Railway, ...]) -> Mapping[str, Railway]:
    index: dict[str, Railway] = {}
    for railway in railways:
        keys = [railway.numeric, railway.latin, railway.cyrillic, *railway.aliases]
        for key in keys:
            if key is None:
                continue
            folded = key.casefold()
            if folded in index:
                raise ValueError(f"railway code {key!r} is ambiguous")
            index[folded] = railway
    return index


_BY_CODE = _index(RAILWAYS)


def find_railway(code: str | int) -> Railway | None:
    """The railway with this numeric code or abbreviation (any case), or ``None``."""
    return _BY_CODE.get(str(code).strip().casefold())


@functools.lru_cache(maxsize=1024)
def railway_abbr(code: str) -> str | None:
    """OSJD Latin abbreviation (``KZH``) for ``27``, ``KZH`` or ``КЗХ``; ``None`` if unknown."""
    found = find_railway(code) if code else None
    return (found.latin or found.numeric) if found else None


def railway_key(code: str | None) -> str | None:
    """How Temir names a railway in notes, custody and protocols: the OSJD abbreviation when the
    code is known (``27`` → ``KZH``), else the code as given in capitals; ``None`` for none.

    Why not refuse an unknown code here: an organisation's railway code is checked when the
    organisation is made; here the same railway must come out the same however it was written.
    """
    if not code:
        return None
    return railway_abbr(code) or code.strip().upper()


def examine_railway(text: str) -> Outcome:
    """Canonical form is the two-digit numeric code, which every railway has."""
    cleaned = text.strip()
    if not cleaned:
        return Outcome(None, (EMPTY.problem(KIND),))
    railway = find_railway(cleaned)
    if railway is None:
        return Outcome(None, (UNKNOWN.problem(KIND, value=cleaned),))
    return Outcome(railway.numeric, ())


def check_railway(text: str) -> list[Problem]:
    """Every rule ``text`` breaks as a railway code; empty when it names a known railway."""
    return list(examine_railway(text).problems)


def lookup_railway(code: str | int) -> Railway:
    """The railway for a numeric code or abbreviation, or :class:`ValidationFailed`."""
    found = examine_railway(str(code))
    if found.problems:
        raise ValidationFailed.from_problems(found.problems)
    return _BY_CODE[str(code).strip().casefold()]
