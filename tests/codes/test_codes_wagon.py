"""8-digit 1520 mm wagon numbers: worked examples (domain.md §3.3) and Luhn properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from temir.codes.wagon import check_wagon, parse_wagon, wagon_check_digit
from temir.kit.errors import ValidationFailed

VALID = ["24119703", "52171246", "24626814", "28085454", "51553246"]


def luhn_ok(number: str) -> bool:
    """Textbook Luhn over the full number (check digit included), written independently."""
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


@pytest.mark.parametrize("number", VALID)
def test_worked_examples_are_valid(number: str) -> None:
    assert check_wagon(number) == []
    assert parse_wagon(f"  {number}\n") == number


@pytest.mark.parametrize(("body", "expected"), [("2411970", 3), ("5217124", 6)])
def test_check_digit_matches_worked_examples(body: str, expected: int) -> None:
    assert wagon_check_digit(body) == expected


def test_wrong_check_digit_names_the_expected_one() -> None:
    [problem] = check_wagon("24119704")
    assert problem.code == "wagon.check_digit"
    assert problem.field == "wagon"
    assert dict(problem.params) == {"actual": 4, "expected": 3}
    assert problem.message("en") == "The wagon number check digit is 4, expected 3."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2411970", ["wagon.length"]),
        ("241197033", ["wagon.length"]),
        ("2411970X", ["wagon.not_digits"]),
        ("2411 9703", ["wagon.not_digits", "wagon.length"]),
        ("", ["wagon.empty"]),
    ],
)
def test_malformed_numbers(text: str, expected: list[str]) -> None:
    assert [p.code for p in check_wagon(text)] == expected


def test_parse_raises_on_invalid() -> None:
    with pytest.raises(ValidationFailed):
        parse_wagon("24119704")


@pytest.mark.parametrize("number", VALID)
def test_every_single_digit_error_in_the_examples_is_caught(number: str) -> None:
    for position in range(8):
        for digit in "0123456789":
            if digit != number[position]:
                wrong = number[:position] + digit + number[position + 1 :]
                assert check_wagon(wrong) != [], wrong


bodies = st.text(alphabet="0123456789", min_size=7, max_size=7).filter(
    lambda b: set(b) != {"0"}
)  # zeros only: refused by their own rule


@given(bodies, st.integers(0, 7), st.integers(1, 9))
def test_every_single_digit_substitution_is_caught(body: str, position: int, shift: int) -> None:
    number = body + str(wagon_check_digit(body))
    assert check_wagon(number) == []
    wrong = number[:position] + str((int(number[position]) + shift) % 10) + number[position + 1 :]
    assert [p.code for p in check_wagon(wrong)] == ["wagon.check_digit"]


@given(st.text(alphabet="0123456789", min_size=8, max_size=8))
def test_validity_agrees_with_textbook_luhn(number: str) -> None:
    assert (check_wagon(number) == []) == (luhn_ok(number) and set(number) != {"0"})


@given(bodies, st.integers(0, 6))
def test_adjacent_transpositions_are_caught_except_09(body: str, position: int) -> None:
    # Luhn's known blind spot is swapping 0 and 9; every other adjacent swap is caught.
    number = body + str(wagon_check_digit(body))
    a, b = number[position], number[position + 1]
    if a == b or {a, b} == {"0", "9"}:
        return
    swapped = number[:position] + b + a + number[position + 2 :]
    assert check_wagon(swapped) != []
