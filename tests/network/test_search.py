"""Station search: by name in any case, script variant or language, and by ESR code."""

from __future__ import annotations

import pytest

from temir.kit.db import UnitOfWork
from temir.kit.errors import NotFound, ValidationFailed
from temir.network.service import get_station, search_commodities, search_stations


def _first(uow: UnitOfWork, q: str, **filters: str) -> tuple[str, list[str]]:
    with uow.read() as s:
        found = search_stations(s, q, **filters)  # type: ignore[arg-type]
    assert found, q
    return found[0].name_ru, [c.esr for c in found[0].codes]


@pytest.mark.parametrize(
    ("q", "name"),
    [
        ("костанай", "Костанай"),
        ("Kostanay", "Костанай"),
        ("КОСТАНАЙ", "Костанай"),
        ("Қостанай", "Костанай"),  # Kazakh қ
        ("Перемётная", "Переметная"),  # ё typed, е in TR-4
        ("Буребоф", "Бурёбоф"),  # е typed, ё in TR-4
        ("684001", "Костанай"),  # ESR code
        ("708507", "Достык"),  # the "(эксп.)" code finds the place
        ("Семиглавый", "Семиглавый Мар"),
        ("мар семиглав", "Семиглавый Мар"),  # word prefixes in any order
    ],
)
def test_search_finds_station(uow: UnitOfWork, q: str, name: str) -> None:
    assert _first(uow, q)[0] == name


def test_search_result_lists_all_codes_of_the_place(uow: UnitOfWork) -> None:
    _name, codes = _first(uow, "Достык")
    assert {"708403", "708507"} <= set(codes)
    with uow.read() as s:
        dostyk = search_stations(s, "Достык")[0]
    roles = {c.esr: c.role for c in dostyk.codes}
    assert roles["708403"] == "main"
    assert roles["708507"] == "export"
    assert dostyk.codes[0].role == "main"


def test_esr_prefix_and_filters(uow: UnitOfWork) -> None:
    with uow.read() as s:
        found = search_stations(s, "6840", limit=50)
        assert found
        assert all(any(c.esr.startswith("6840") for c in st.codes) for st in found)
        tdz = search_stations(s, "", railway="tdz", limit=200)
        assert tdz
        assert {st.railway for st in tdz} == {"TDZ"}
        borders = search_stations(s, "", kind="border", country="CN")
        assert {st.name_en for st in borders} == {"Alashankou (阿拉山口)", "Khorgos (霍尔果斯)"}
        assert all(st.codes == () for st in borders)


def test_odd_queries_do_not_fail(uow: UnitOfWork) -> None:
    with uow.read() as s:
        for q in ["%", "_", "'; drop table ref_stations; --", "(", "ё" * 500, "0", " "]:
            search_stations(s, q, limit=5)
        assert search_stations(s, "zzzzqqq") == []


def test_get_station_by_export_code_and_errors(uow: UnitOfWork) -> None:
    with uow.read() as s:
        assert get_station(s, "708507").name_ru == "Достык"
        with pytest.raises(ValidationFailed) as bad:
            get_station(s, "708508")
        assert bad.value.code == "esr.check_digit"
        with pytest.raises(ValidationFailed) as zeros:
            get_station(s, "000000")
        assert zeros.value.code == "esr.all_zero"
        with pytest.raises(NotFound) as missing:
            get_station(s, "100001")  # well-formed, no such station
        assert missing.value.code == "station.not_found"
        assert missing.value.field == "esr"


def test_coordinates_flagged(uow: UnitOfWork) -> None:
    with uow.read() as s:
        kostanay = get_station(s, "684001")
        assert kostanay.lat is not None
        assert kostanay.coord_source == "osm_name_match"
        assert not kostanay.coord_estimated
        assert kostanay.name_en_estimated  # machine transliteration


def test_commodities_wheat(uow: UnitOfWork) -> None:
    with uow.read() as s:
        curated, gng = search_commodities(s, "пшеница")
        assert ("10019900", "011005") in {(c.gng, c.etsng) for c in curated}
        assert "10019900" in {g.gng for g in gng}
        by_code, _ = search_commodities(s, "011005")
        assert [c.group for c in by_code] == ["grain"]
