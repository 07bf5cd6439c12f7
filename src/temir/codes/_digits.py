"""Shared machinery for fixed-length numeric codes that end in a check digit.

Why shared: ESR, ETSNG, 1520 mm wagon and UIC wagon numbers differ only in their length and
check-digit method, so they are read the same way: strip surrounding whitespace, insist on ASCII
digits (``str.isdigit`` would let Arabic-Indic or superscript digits through), check the length,
then the check digit. Every rule that fails is reported, not just the first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from temir.codes._rules import Outcome, Rule, outcome
from temir.kit.errors import Problem

ASCII_DIGITS = frozenset("0123456789")


def is_ascii_digits(text: str) -> bool:
    return bool(text) and all(ch in ASCII_DIGITS for ch in text)


def require_digits(body: str, length: int, what: str) -> list[int]:
    """Digits of ``body``; a wrong body is a programming error, so it raises ``ValueError``."""
    if len(body) != length or not is_ascii_digits(body):
        raise ValueError(f"{what} needs exactly {length} ASCII digits, got {body!r}")
    return [int(ch) for ch in body]


def mod11_check_digit(digits: list[int]) -> int:
    """The Soviet (GOST, 1983) mod-11 method shared by ESR, ETSNG and OKPO codes.

    Weights 1, 2, 3, … give a remainder mod 11; a remainder of 10 cannot be one digit, so the
    weights are shifted by two (3, 4, 5, …) and the sum taken again; a second 10 becomes 0.
    """
    first = sum(d * w for w, d in enumerate(digits, start=1)) % 11
    if first < 10:
        return first
    second = sum(d * w for w, d in enumerate(digits, start=3)) % 11
    return second if second < 10 else 0


def luhn_check_digit(digits: list[int]) -> int:
    """Luhn: weights 2, 1, 2, 1, … from the rightmost digit, digit sums, complement to ten.

    Used by 1520 mm wagon numbers (weights 2,1,2,1,2,1,2 over seven digits, left to right, which
    is the same thing) and by 12-digit UIC wagon numbers. It catches every single-digit error.
    """
    total = 0
    for position, digit in enumerate(reversed(digits)):
        product = digit * (2 if position % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


@dataclass(frozen=True)
class DigitRules:
    """The rules every numeric check-digit code has.

    ``all_zero``: a code of zeros only passes both check-digit methods (0 is the check digit
    of 0…0) but names no station, cargo or wagon — it is what a blank field or a placeholder
    becomes, so it is refused by its own rule (issue 11.7).
    """

    empty: Rule
    length: Rule
    not_digits: Rule
    check_digit: Rule
    all_zero: Rule | None = None


def examine_digits(
    cleaned: str,
    *,
    field: str,
    length: int,
    rules: DigitRules,
    check_digit: Callable[[str], int],
) -> Outcome:
    """Check an already whitespace-stripped code of ``length`` digits, the last a check digit."""
    if not cleaned:
        return Outcome(None, (rules.empty.problem(field),))
    problems: list[Problem] = []
    if not is_ascii_digits(cleaned):
        problems.append(rules.not_digits.problem(field, text=cleaned))
    if len(cleaned) != length:
        problems.append(rules.length.problem(field, length=len(cleaned), expected=length))
    if not problems and rules.all_zero is not None and set(cleaned) == {"0"}:
        problems.append(rules.all_zero.problem(field, value=cleaned))
    elif not problems:
        expected = check_digit(cleaned[:-1])
        actual = int(cleaned[-1])
        if actual != expected:
            problems.append(rules.check_digit.problem(field, actual=actual, expected=expected))
    return outcome(cleaned, problems)
