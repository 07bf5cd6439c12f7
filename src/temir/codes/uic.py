"""12-digit UIC wagon numbers (CIM/SMGS and European wagons), with a Luhn check digit.

Why it matters: under the common CIM/SMGS note, wagons are identified by their 12-digit UIC
number, and digits 3–4 name the keeper's country (OSJD/UIC railway code, see
:mod:`temir.codes.railways`). Method (domain.md §3.5): over the 11 base digits, weights 2,1,2,1…
from right to left, add the digits of the products, complement to the next ten. People write the
number in groups (``21-81-2471217-3``, ``21 80 155 9 084-5``), so single spaces or hyphens
between digit groups are accepted and dropped.
"""

from __future__ import annotations

import re

from temir.codes._digits import (
    ASCII_DIGITS,
    DigitRules,
    examine_digits,
    luhn_check_digit,
    require_digits,
)
from temir.codes._rules import Outcome, rule
from temir.kit.errors import Problem

KIND = "uic-wagon"
LENGTH = 12

RULES = DigitRules(
    empty=rule("uic.empty", "The UIC wagon number is empty."),
    length=rule("uic.length", "A UIC wagon number has {expected} digits, this one has {length}."),
    not_digits=rule(
        "uic.not_digits",
        "A UIC wagon number may contain only the digits 0–9, spaces and hyphens.",
    ),
    check_digit=rule(
        "uic.check_digit", "The UIC wagon number check digit is {actual}, expected {expected}."
    ),
    all_zero=rule("uic.all_zero", "A UIC wagon number of zeros only ({value}) names no wagon."),
)
SEPARATORS = rule(
    "uic.separators",
    "Digit groups of a UIC wagon number may be separated by one space or hyphen only.",
)

_GROUPED = re.compile(r"[0-9]+(?:[ -][0-9]+)*")
_ALLOWED = ASCII_DIGITS | {" ", "-"}


def uic_check_digit(body: str) -> int:
    """The check digit for the 11 base digits of a UIC wagon number."""
    return luhn_check_digit(require_digits(body, LENGTH - 1, "a UIC wagon number body"))


def examine_uic_wagon(text: str) -> Outcome:
    cleaned = text.strip()
    if cleaned and not all(ch in _ALLOWED for ch in cleaned):
        return Outcome(None, (RULES.not_digits.problem(KIND, text=cleaned),))
    if cleaned and not _GROUPED.fullmatch(cleaned):
        return Outcome(None, (SEPARATORS.problem(KIND, text=cleaned),))
    digits = cleaned.replace(" ", "").replace("-", "")
    return examine_digits(
        digits, field=KIND, length=LENGTH, rules=RULES, check_digit=uic_check_digit
    )


def check_uic_wagon(text: str) -> list[Problem]:
    """Every rule ``text`` breaks as a UIC wagon number; empty when it is valid."""
    return list(examine_uic_wagon(text).problems)


def parse_uic_wagon(text: str) -> str:
    """The 12 digits without separators, or :class:`~temir.kit.errors.ValidationFailed`."""
    return examine_uic_wagon(text).value()


def uic_keeper_country(text: str) -> str:
    """Digits 3–4 of a valid UIC wagon number: the keeper's UIC country code (e.g. ``"81"``)."""
    return parse_uic_wagon(text)[2:4]
