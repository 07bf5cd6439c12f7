"""ETSNG cargo codes: worked examples (domain.md §3.2, §4.3) and the shipped commodities list."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from temir.codes.etsng import check_etsng, etsng_check_digit, etsng_tariff_position, parse_etsng
from temir.kit.errors import ValidationFailed

ReadCsv = Callable[[str], list[dict[str, str]]]


@pytest.mark.parametrize("code", ["011005", "201005", "221066", "161170"])
def test_known_codes_are_valid(code: str) -> None:
    assert check_etsng(code) == []
    assert parse_etsng(f" {code} ") == code


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("55408", 1),  # russotrans table: 5+10+12+0+40 = 67 ≡ 1, КЧ 1
        ("55401", 7),  # 32 ≡ 10, second pass 62 ≡ 7, КЧ 7
        ("01100", 5),  # wheat
        ("20100", 5),  # crude oil
    ],
)
def test_check_digit_matches_the_reference(body: str, expected: int) -> None:
    assert etsng_check_digit(body) == expected


def test_wrong_check_digit_names_the_expected_one() -> None:
    [problem] = check_etsng("011006")
    assert problem.code == "etsng.check_digit"
    assert problem.field == "etsng"
    assert dict(problem.params) == {"actual": 6, "expected": 5}
    assert problem.message("en") == "The ETSNG check digit is 6, expected 5."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01100", ["etsng.length"]),
        ("0110055", ["etsng.length"]),
        ("01100X", ["etsng.not_digits"]),
        ("011 005", ["etsng.not_digits", "etsng.length"]),
        ("", ["etsng.empty"]),
    ],
)
def test_malformed_codes(text: str, expected: list[str]) -> None:
    assert [p.code for p in check_etsng(text)] == expected


def test_parse_rejects_an_invalid_code() -> None:
    with pytest.raises(ValidationFailed):
        parse_etsng("011006")


def test_tariff_position_is_the_first_three_digits() -> None:
    assert etsng_tariff_position("011005") == "011"
    assert etsng_tariff_position("201005") == "201"


@given(st.text(alphabet="0123456789", min_size=5, max_size=5).filter(lambda b: set(b) != {"0"}))
def test_generated_codes_round_trip(body: str) -> None:
    code = body + str(etsng_check_digit(body))
    assert parse_etsng(code) == code


def test_every_etsng_code_in_the_commodities_list_is_valid(packaged_csv: ReadCsv) -> None:
    found = [row["etsng"] for row in packaged_csv("commodities.csv") if row["etsng"].strip()]
    assert "011005" in found
    assert len(found) >= 10
    assert {code: [p.code for p in check_etsng(code)] for code in found if check_etsng(code)} == {}
