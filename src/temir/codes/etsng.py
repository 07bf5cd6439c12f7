"""ETSNG (ЕТСНГ) cargo codes: five significant digits plus a mod-11 check digit.

Why it matters: carriage over RZD needs the ETSNG code in SMGS box 15 beside the GNG code, and the
tariff is looked up by it. ETSNG uses the same GOST 1983 method as ESR codes (domain.md §3.2):
weights 1..5 mod 11, redone with weights 3..7 on a remainder of 10, and 0 on a second 10.
The first three digits are the tariff position (group).
"""

from __future__ import annotations

from temir.codes._digits import DigitRules, examine_digits, mod11_check_digit, require_digits
from temir.codes._rules import Outcome, rule
from temir.kit.errors import Problem

KIND = "etsng"
LENGTH = 6

RULES = DigitRules(
    empty=rule("etsng.empty", "The ETSNG cargo code is empty."),
    length=rule(
        "etsng.length", "An ETSNG cargo code has {expected} digits, this one has {length}."
    ),
    not_digits=rule("etsng.not_digits", "An ETSNG cargo code may contain only the digits 0–9."),
    check_digit=rule(
        "etsng.check_digit", "The ETSNG check digit is {actual}, expected {expected}."
    ),
    all_zero=rule("etsng.all_zero", "An ETSNG cargo code of zeros only ({value}) names no cargo."),
)


def etsng_check_digit(body: str) -> int:
    """The check digit for the five significant digits of an ETSNG code."""
    return mod11_check_digit(require_digits(body, LENGTH - 1, "an ETSNG code body"))


def examine_etsng(text: str) -> Outcome:
    return examine_digits(
        text.strip(), field=KIND, length=LENGTH, rules=RULES, check_digit=etsng_check_digit
    )


def check_etsng(text: str) -> list[Problem]:
    """Every rule ``text`` breaks as an ETSNG code; empty when it is valid."""
    return list(examine_etsng(text).problems)


def parse_etsng(text: str) -> str:
    """The six-digit ETSNG code, or :class:`~temir.kit.errors.ValidationFailed`."""
    return examine_etsng(text).value()


def etsng_tariff_position(code: str) -> str:
    """The 3-digit tariff position (group) of a valid ETSNG code, e.g. ``011`` for wheat."""
    return parse_etsng(code)[:3]
