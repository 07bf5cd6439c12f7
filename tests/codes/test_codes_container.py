"""ISO 6346 container numbers: worked examples (domain.md §3.4), category, forms."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from temir.codes.container import (
    LETTER_VALUES,
    check_container,
    container_check_digit,
    container_owner_code,
    parse_container,
)
from temir.kit.errors import ValidationFailed


def codes(text: str) -> list[str]:
    return [p.code for p in check_container(text)]


@pytest.mark.parametrize("number", ["CSQU3054383", "ZEPU0037255"])
def test_worked_examples_are_valid(number: str) -> None:
    assert check_container(number) == []
    assert parse_container(number) == number


def test_check_digits_of_worked_examples() -> None:
    assert container_check_digit("CSQU305438") == 3  # sum 6185, mod 11 = 3
    assert container_check_digit("ZEPU003725") == 5  # sum 4592


def test_mscu6639871_is_invalid_with_expected_zero() -> None:
    # domain.md: used as an example in public code, but its computed check digit is 0
    [problem] = check_container("MSCU6639871")
    assert problem.code == "container.check_digit"
    assert problem.field == "container"
    assert dict(problem.params) == {"actual": 1, "expected": 0}
    assert problem.message("en") == "The container check digit is 1, expected 0."


def test_letter_values_follow_iso_6346() -> None:
    assert LETTER_VALUES["A"] == 10
    assert LETTER_VALUES["B"] == 12
    assert LETTER_VALUES["K"] == 21
    assert LETTER_VALUES["L"] == 23
    assert LETTER_VALUES["U"] == 32
    assert LETTER_VALUES["V"] == 34
    assert LETTER_VALUES["Z"] == 38
    assert len(LETTER_VALUES) == 26
    assert all(value % 11 for value in LETTER_VALUES.values())


@pytest.mark.parametrize("text", ["csqu3054383", "CSQU 305438 3", "CSQU-305438-3", " CSQU3054383 "])
def test_common_written_forms_are_normalised(text: str) -> None:
    assert parse_container(text) == "CSQU3054383"
    assert container_owner_code(text) == "CSQ"


def test_wrong_category_letter_is_its_own_error() -> None:
    # A (10) instead of U (32) at position 3 changes the sum by -22·8, a multiple of 11, so the
    # check digit 3 still fits and the category is the only problem.
    problems = check_container("CSQA3054383")
    assert [p.code for p in problems] == ["container.category"]
    assert problems[0].params["category"] == "A"


def test_wrong_category_and_wrong_check_digit_are_both_reported() -> None:
    assert codes("CSQA3054384") == ["container.category", "container.check_digit"]


@pytest.mark.parametrize(
    "number",
    [
        "CSQJ3054386",  # J = 20: sum changes by -12·8 = -96 ≡ 3, so 3 + 3 = 6
        "CSQZ3054387",  # Z = 38: sum changes by +6·8 = 48 ≡ 4, so 3 + 4 = 7
    ],
)
def test_categories_j_and_z_are_accepted(number: str) -> None:
    assert check_container(number) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CSQU305438", ["container.length"]),
        ("CSQU30543831", ["container.length"]),
        ("CSQ13054383", ["container.format"]),
        ("CSQU30543X3", ["container.format"]),
        ("СSQU3054383", ["container.format"]),  # first letter is Cyrillic С
        ("3054383CSQU", ["container.format"]),
        ("", ["container.empty"]),
        ("   ", ["container.empty"]),
    ],
)
def test_malformed_numbers(text: str, expected: list[str]) -> None:
    assert codes(text) == expected


def test_parse_raises_on_invalid() -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_container("MSCU6639871")
    assert caught.value.code == "container.check_digit"


owners = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=3, max_size=3)
categories = st.sampled_from("UJZ")
serials = st.text(alphabet="0123456789", min_size=6, max_size=6)


@given(owners, categories, serials)
def test_generated_numbers_round_trip_and_only_one_check_digit_fits(
    owner: str, category: str, serial: str
) -> None:
    body = owner + category + serial
    fits = [d for d in "0123456789" if check_container(body + d) == []]
    assert fits == [str(container_check_digit(body))]


@given(owners, categories, serials, st.integers(4, 9), st.integers(1, 9))
def test_serial_digit_errors_are_caught_unless_remainder_is_ten(
    owner: str, category: str, serial: str, position: int, shift: int
) -> None:
    # A digit change of 1..9 times 2^position is never a multiple of 11, so sum mod 11 changes;
    # only the final "mod 10" (10 → 0) can hide it.
    body = owner + category + serial
    wrong = body[:position] + str((int(body[position]) + shift) % 10) + body[position + 1 :]

    def remainder(text: str) -> int:
        return (
            sum((int(c) if c.isdigit() else LETTER_VALUES[c]) * 2**i for i, c in enumerate(text))
            % 11
        )

    if 10 in (remainder(body), remainder(wrong)):
        return
    number = body + str(container_check_digit(body))
    assert codes(wrong + number[-1]) == ["container.check_digit"]
