"""ESR station codes: worked examples from domain.md §3.1, real codes, and properties."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from temir.codes.esr import check_esr, esr_check_digit, parse_esr
from temir.kit.errors import Problem, ValidationFailed

ReadCsv = Callable[[str], list[dict[str, str]]]

# domain.md §3.1: worked examples and further real codes (TR-4 change telegrams).
VALID = [
    "888004",  # Абакан: 48 mod 11 = 4
    "684001",  # Костанай (KZH)
    "728801",  # Ташгузар (UTY)
    "652808",  # Аллагуват: first pass 10, second pass 96 mod 11 = 8
    "648400",  # Круглое Поле: 10 twice, so 0
    "532100",  # Пятигорск: double-10 case
    "230600",  # Электроугли: double-10 case
    "728905",  # Дехканабад (UTY)
    "614403",  # Порт Оля
    "076300",  # Лужская
    "076404",  # Лужская (export)
    "076508",  # Лужская (transshipment)
]


def codes(problems: list[Problem]) -> list[str]:
    return [p.code for p in problems]


def first_pass(body: str) -> int:
    """The first-pass remainder, computed here independently of the module."""
    return sum(int(d) * w for d, w in zip(body, range(1, 6), strict=True)) % 11


@pytest.mark.parametrize("code", VALID)
def test_worked_examples_are_valid(code: str) -> None:
    assert check_esr(code) == []
    assert parse_esr(code) == code


@pytest.mark.parametrize(
    ("body", "expected"),
    [("88800", 4), ("68400", 1), ("72880", 1), ("65280", 8), ("64840", 0)],
)
def test_check_digit_matches_worked_examples(body: str, expected: int) -> None:
    assert esr_check_digit(body) == expected


def test_malashevichi_pseudo_code_is_rejected_with_expected_digit() -> None:
    # domain.md: 040600 is the one real code that misses. By hand: 0+8+0+24+0 = 32 ≡ 10,
    # second pass 0+16+0+36+0 = 52 ≡ 8, so 8 is expected and 0 is written.
    [problem] = check_esr("040600")
    assert problem.code == "esr.check_digit"
    assert problem.field == "esr"
    assert dict(problem.params) == {"actual": 0, "expected": 8}
    assert problem.message("en") == "The ESR check digit is 0, expected 8."


@pytest.mark.parametrize(("code", "actual"), [("888005", 5), ("888000", 0), ("888009", 9)])
def test_wrong_check_digit_names_the_expected_one(code: str, actual: int) -> None:
    [problem] = check_esr(code)
    assert problem.code == "esr.check_digit"
    assert problem.params["actual"] == actual
    assert problem.params["expected"] == 4


@pytest.mark.parametrize("text", [" 888004", "888004\n", "\t888004  "])
def test_surrounding_whitespace_is_accepted(text: str) -> None:
    assert check_esr(text) == []
    assert parse_esr(text) == "888004"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("88800", ["esr.length"]),
        ("8880044", ["esr.length"]),
        ("88800A", ["esr.not_digits"]),
        ("888 004", ["esr.not_digits", "esr.length"]),
        ("888-04", ["esr.not_digits"]),
        ("+88004", ["esr.not_digits"]),
        ("８８８００４", ["esr.not_digits"]),  # full-width digits
        ("٨٨٨٠٠٤", ["esr.not_digits"]),  # Arabic-Indic digits: str.isdigit() would accept them
        ("abc", ["esr.not_digits", "esr.length"]),
        ("", ["esr.empty"]),
        ("   ", ["esr.empty"]),
    ],
)
def test_malformed_codes_report_every_broken_rule(text: str, expected: list[str]) -> None:
    problems = check_esr(text)
    assert codes(problems) == expected
    assert all(p.field == "esr" for p in problems)


def test_length_problem_says_how_long() -> None:
    [problem] = check_esr("88800")
    assert problem.params["length"] == 5
    assert problem.params["expected"] == 6


def test_parse_raises_with_all_problems() -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_esr("12ab")
    assert [p.code for p in caught.value.problems] == ["esr.not_digits", "esr.length"]
    assert caught.value.code == "esr.not_digits"


@pytest.mark.parametrize("body", ["8880", "888004", "8880a", "", "８８８００"])
def test_check_digit_rejects_a_bad_body(body: str) -> None:
    with pytest.raises(ValueError, match="ESR"):
        esr_check_digit(body)


bodies = st.text(alphabet="0123456789", min_size=5, max_size=5).filter(
    lambda b: set(b) != {"0"}
)  # zeros only: refused by their own rule


@given(bodies)
def test_exactly_one_check_digit_makes_a_body_valid(body: str) -> None:
    valid = [d for d in "0123456789" if check_esr(body + d) == []]
    assert valid == [str(esr_check_digit(body))]


@given(bodies, st.integers(0, 4), st.integers(1, 9))
def test_single_digit_error_in_body_is_caught_when_no_remainder_is_ten(
    body: str, position: int, shift: int
) -> None:
    # Weights 1..5 are non-zero mod 11 and a digit changes by 1..9, so the first-pass remainder
    # always changes. When neither remainder is 10 the check digit is that remainder, so the
    # error shows. (A remainder of 10 falls to the second pass, where collisions can happen.)
    mutated = body[:position] + str((int(body[position]) + shift) % 10) + body[position + 1 :]
    assume(first_pass(body) != 10 and first_pass(mutated) != 10)
    code = body + str(esr_check_digit(body))
    assert check_esr(code) == []
    assert codes(check_esr(mutated + code[5])) == ["esr.check_digit"]


@given(bodies, st.integers(1, 9))
def test_error_in_check_digit_itself_is_always_caught(body: str, shift: int) -> None:
    wrong = (esr_check_digit(body) + shift) % 10
    assert codes(check_esr(body + str(wrong))) == ["esr.check_digit"]


def test_single_digit_errors_are_not_all_caught_by_the_esr_method() -> None:
    # Worked out by hand: body 64840 has first pass 6+8+24+16+0 = 54 ≡ 10 and second pass
    # 18+16+40+24+0 = 98 ≡ 10, so its check digit is 0 (domain.md). Body 64849 adds 9·5 = 45 to
    # the first pass: 99 ≡ 0, so its check digit is 0 too. 648400 and 648490 differ in one
    # digit and are both valid: the guarantee above really needs its "no remainder 10" condition.
    assert check_esr("648400") == []
    assert check_esr("648490") == []


def test_every_station_code_in_the_network_data_is_valid(shared_csv: ReadCsv) -> None:
    rows = shared_csv("data/network/stations.csv")
    found = [row["esr_code"].strip() for row in rows if row["esr_code"].strip()]
    assert len(found) > 900
    bad = {code: codes(check_esr(code)) for code in found if check_esr(code)}
    assert bad == {}


def test_every_code_in_tr4_station_transit_points_is_valid(shared_csv: ReadCsv) -> None:
    rows = shared_csv("data/tr4/station_transit_points.csv")
    found = [row[col].strip() for row in rows for col in ("esr_code", "transit_esr")]
    found = [code for code in found if code]
    assert len(found) > 5000
    bad = {code: codes(check_esr(code)) for code in found if check_esr(code)}
    assert bad == {}
