"""OSJD railway codes (domain.md §5): lookup by number or abbreviation, time zones."""

from __future__ import annotations

import zoneinfo

import pytest

from temir.codes.railways import (
    RAILWAYS,
    check_railway,
    find_railway,
    lookup_railway,
    railway_abbr,
    railway_key,
)
from temir.kit.errors import ValidationFailed

# domain.md §5: numeric, Latin (OSJD), Cyrillic (ETT / Tariff Policy), country
TABLE = [
    ("20", "RZD", "РЖД", "RU"),
    ("27", "KZH", "КЗХ", "KZ"),
    ("29", "UTI", "УТИ", "UZ"),
    ("33", "KZD", "КЖД", "CN"),
    ("59", "KRG", "КРГ", "KG"),
    ("66", "TDZ", "ТДЖ", "TJ"),
    ("67", "TRK", "ТРК", "TM"),
    ("21", "BC", "БЧ", "BY"),
    ("57", "AZD", "АЗ", "AZ"),
]

ZONES = {
    "27": "Asia/Almaty",
    "29": "Asia/Tashkent",
    "66": "Asia/Dushanbe",
    "59": "Asia/Bishkek",
    "67": "Asia/Ashgabat",
    "20": "Europe/Moscow",
}


@pytest.mark.parametrize(("numeric", "latin", "cyrillic", "country"), TABLE)
def test_table_from_the_reference(numeric: str, latin: str, cyrillic: str, country: str) -> None:
    railway = lookup_railway(numeric)
    assert (railway.numeric, railway.latin, railway.cyrillic, railway.country) == (
        numeric,
        latin,
        cyrillic,
        country,
    )
    for key in (latin, latin.lower(), cyrillic, cyrillic.lower(), f" {numeric} ", int(numeric)):
        assert lookup_railway(key) is railway


def test_uzbekistan_is_also_found_as_uty() -> None:
    assert lookup_railway("uty").numeric == "29"


def test_time_zones_only_for_central_asia_and_rzd() -> None:
    zones = {r.numeric: r.time_zone for r in RAILWAYS if r.time_zone is not None}
    assert zones == ZONES
    for zone in zones.values():
        zoneinfo.ZoneInfo(zone)  # a real IANA id


def test_unknown_codes_are_structured_errors() -> None:
    for code in ("XX", "99", "KZ", "27a"):
        [problem] = check_railway(code)
        assert problem.code == "railway.unknown"
        assert problem.field == "railway"
        assert problem.params["value"] == code
        assert find_railway(code) is None
    with pytest.raises(ValidationFailed) as caught:
        lookup_railway("XX")
    assert caught.value.code == "railway.unknown"
    assert [p.code for p in check_railway(" ")] == ["railway.empty"]


def test_codes_are_unique_and_well_formed() -> None:
    numerics = [r.numeric for r in RAILWAYS]
    assert len(numerics) == len(set(numerics))
    assert all(len(n) == 2 and n.isdigit() for n in numerics)
    assert all(len(r.country) == 2 and r.country.isupper() for r in RAILWAYS)
    assert all(r.name_en and r.name_ru for r in RAILWAYS)


def test_only_sourced_entries() -> None:
    # domain.md §5 lists exactly these numeric codes
    expected = {"20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31", "32"}
    expected |= {"33", "57", "58", "59", "66", "67", "68", "96"}
    assert {r.numeric for r in RAILWAYS} == expected
    assert lookup_railway("26").latin is None  # Estonia: the source list was truncated


def test_names_by_language() -> None:
    kzh = lookup_railway("KZH")
    assert kzh.name("ru") == kzh.name_ru
    assert kzh.name("en") == kzh.name_en
    assert kzh.name_ru != kzh.name_en


def test_a_railway_comes_out_the_same_however_it_is_written() -> None:
    assert {railway_abbr(c) for c in ("27", "KZH", "кзх", "КЗХ")} == {"KZH"}
    assert railway_abbr("26") == "26"  # Estonia: no sourced Latin abbreviation, so its number
    assert railway_abbr("XYZ") is None
    assert railway_key("29") == "UTI"
    assert railway_key(" new ") == "NEW"  # unknown: kept as given, in capitals
    assert railway_key(None) is None
    assert railway_key("") is None
