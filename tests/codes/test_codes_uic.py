"""12-digit UIC wagon numbers: worked examples (domain.md §3.5), forms, Luhn properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from temir.codes.uic import check_uic_wagon, parse_uic_wagon, uic_check_digit, uic_keeper_country
from temir.kit.errors import ValidationFailed


def luhn_ok(number: str) -> bool:
    """Textbook Luhn over the full number (check digit included), written independently."""
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


@pytest.mark.parametrize(
    ("text", "digits", "country"),
    [
        ("21-81-2471217-3", "218124712173", "81"),
        ("21 80 155 9 084-5", "218015590845", "80"),
        ("50 51 26-18 001-5", "505126180015", "51"),
        ("218124712173", "218124712173", "81"),
        ("  21-81-2471217-3 ", "218124712173", "81"),
    ],
)
def test_worked_examples_in_their_usual_forms(text: str, digits: str, country: str) -> None:
    assert check_uic_wagon(text) == []
    assert parse_uic_wagon(text) == digits
    assert uic_keeper_country(text) == country


def test_check_digit_of_a_worked_example_by_hand() -> None:
    # 2181247121 7: right-to-left weights 2,1,2,…: 7·2=14→5, 1, 2·2=4, 1, 7·2=14→5, 4, 2·2=4,
    # 1, 8·2=16→7, 1, 2·2=4 → 5+1+4+1+5+4+4+1+7+1+4 = 37, complement to 40 = 3.
    assert uic_check_digit("21812471217") == 3


def test_wrong_check_digit_names_the_expected_one() -> None:
    [problem] = check_uic_wagon("21-81-2471217-4")
    assert problem.code == "uic.check_digit"
    assert problem.field == "uic-wagon"
    assert dict(problem.params) == {"actual": 4, "expected": 3}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("21-81-2471217", ["uic.length"]),
        ("24119703", ["uic.length"]),  # an 8-digit 1520 mm number is not a UIC number
        ("21--81-2471217-3", ["uic.separators"]),
        ("21  80 155 9 084-5", ["uic.separators"]),
        ("-218124712173", ["uic.separators"]),
        ("21-81-2471217-3-", ["uic.separators"]),
        ("21_81_2471217_3", ["uic.not_digits"]),
        ("21.81.2471217.3", ["uic.not_digits"]),
        ("21-81-247121A-3", ["uic.not_digits"]),
        ("", ["uic.empty"]),
    ],
)
def test_malformed_numbers(text: str, expected: list[str]) -> None:
    assert [p.code for p in check_uic_wagon(text)] == expected


def test_keeper_country_needs_a_valid_number() -> None:
    with pytest.raises(ValidationFailed):
        uic_keeper_country("21-81-2471217-4")


bodies = st.text(alphabet="0123456789", min_size=11, max_size=11).filter(
    lambda b: set(b) != {"0"}
)  # zeros only: refused by their own rule


@given(bodies, st.integers(0, 11), st.integers(1, 9))
def test_every_single_digit_substitution_is_caught(body: str, position: int, shift: int) -> None:
    number = body + str(uic_check_digit(body))
    assert check_uic_wagon(number) == []
    wrong = number[:position] + str((int(number[position]) + shift) % 10) + number[position + 1 :]
    assert [p.code for p in check_uic_wagon(wrong)] == ["uic.check_digit"]


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_validity_agrees_with_textbook_luhn(number: str) -> None:
    assert (check_uic_wagon(number) == []) == (luhn_ok(number) and set(number) != {"0"})
