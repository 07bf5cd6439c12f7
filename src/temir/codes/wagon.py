"""8-digit freight wagon numbers of the 1520 mm network, with a Luhn check digit.

Why it matters: the wagon number goes in SMGS box 7 and identifies the wagon for the border
handover (box 33) and for every carrier's records. Method (domain.md §3.3, validated on 671 of 671
real numbers): weights 2,1,2,1,2,1,2 over digits 1..7, add the digits of each product, check digit
= (10 − sum mod 10) mod 10. Luhn catches every single-digit substitution. An 8-digit number
carries no country: the owning railway is given separately.
"""

from __future__ import annotations

from temir.codes._digits import DigitRules, examine_digits, luhn_check_digit, require_digits
from temir.codes._rules import Outcome, rule
from temir.kit.errors import Problem

KIND = "wagon"
LENGTH = 8

RULES = DigitRules(
    empty=rule("wagon.empty", "The wagon number is empty."),
    length=rule("wagon.length", "A wagon number has {expected} digits, this one has {length}."),
    not_digits=rule("wagon.not_digits", "A wagon number may contain only the digits 0–9."),
    check_digit=rule(
        "wagon.check_digit", "The wagon number check digit is {actual}, expected {expected}."
    ),
    all_zero=rule("wagon.all_zero", "A wagon number of zeros only ({value}) names no wagon."),
)


def wagon_check_digit(body: str) -> int:
    """The check digit for the first seven digits of a wagon number."""
    return luhn_check_digit(require_digits(body, LENGTH - 1, "a wagon number body"))


def examine_wagon(text: str) -> Outcome:
    return examine_digits(
        text.strip(), field=KIND, length=LENGTH, rules=RULES, check_digit=wagon_check_digit
    )


def check_wagon(text: str) -> list[Problem]:
    """Every rule ``text`` breaks as a wagon number; empty when it is valid."""
    return list(examine_wagon(text).problems)


def parse_wagon(text: str) -> str:
    """The eight-digit wagon number, or :class:`~temir.kit.errors.ValidationFailed`."""
    return examine_wagon(text).value()
