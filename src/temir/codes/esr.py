"""ESR (ЕСР) station codes: six digits, the last a mod-11 check digit.

Why it matters: SMGS boxes 2, 5, 6, 22 and 37 carry 6-digit station codes, and a mistyped code
sends a wagon to the wrong station or breaks the tariff distance lookup. The check digit catches
most typing errors before a note is issued. One station may have several ESR codes (by operation:
export, transshipment), so this module checks the code only, not which station it names.

Method (domain.md §3.1, reproduced on 786 of 787 real RZD codes): weights 1..5 over the first
five digits mod 11; a remainder of 10 is redone with weights 3..7; a second 10 gives 0.
"""

from __future__ import annotations

from temir.codes._digits import DigitRules, examine_digits, mod11_check_digit, require_digits
from temir.codes._rules import Outcome, rule
from temir.kit.errors import Problem

KIND = "esr"
LENGTH = 6

RULES = DigitRules(
    empty=rule("esr.empty", "The ESR station code is empty."),
    length=rule("esr.length", "An ESR station code has {expected} digits, this one has {length}."),
    not_digits=rule("esr.not_digits", "An ESR station code may contain only the digits 0–9."),
    check_digit=rule("esr.check_digit", "The ESR check digit is {actual}, expected {expected}."),
    all_zero=rule("esr.all_zero", "An ESR station code of zeros only ({value}) names no station."),
)


def esr_check_digit(body: str) -> int:
    """The check digit for the first five digits of an ESR code."""
    return mod11_check_digit(require_digits(body, LENGTH - 1, "an ESR code body"))


def examine_esr(text: str) -> Outcome:
    """Canonical form (when valid) and every problem; surrounding whitespace is ignored."""
    return examine_digits(
        text.strip(), field=KIND, length=LENGTH, rules=RULES, check_digit=esr_check_digit
    )


def check_esr(text: str) -> list[Problem]:
    """Every rule ``text`` breaks as an ESR code; empty when it is valid."""
    return list(examine_esr(text).problems)


def parse_esr(text: str) -> str:
    """The six-digit ESR code, or :class:`~temir.kit.errors.ValidationFailed`."""
    return examine_esr(text).value()
