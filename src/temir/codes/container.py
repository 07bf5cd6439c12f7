"""ISO 6346 freight container numbers: owner code, category, serial number, check digit.

Why it matters: containers are listed in SMGS box 15, and container trains are a large part of
KZ–China–Central Asia traffic. A number is 4 letters (3-letter owner code + category identifier
U = freight container, J = detachable equipment, Z = trailer or chassis), 6 serial digits and a
check digit. Method (domain.md §3.4): letters count A=10, B=12 … Z=38, skipping multiples of 11;
sum value × 2^position over the first ten characters; check = (sum mod 11) mod 10.
People write ``CSQU 305438 3`` or ``csqu-305438-3``: case, spaces and hyphens are normalised.
"""

from __future__ import annotations

import string

from temir.codes._digits import ASCII_DIGITS
from temir.codes._rules import Outcome, outcome, rule
from temir.kit.errors import Problem

KIND = "container"
LENGTH = 11
CATEGORIES = ("U", "J", "Z")

EMPTY = rule("container.empty", "The container number is empty.")
LENGTH_RULE = rule(
    "container.length",
    "A container number has {expected} characters (4 letters and 7 digits), this one has {length}.",
)
FORMAT = rule(
    "container.format",
    "A container number is 4 letters followed by 7 digits, e.g. CSQU3054383.",
)
CATEGORY = rule(
    "container.category",
    "The fourth letter of a container number is the category and must be U, J or Z, "
    "not {category}.",
)
CHECK_DIGIT = rule(
    "container.check_digit", "The container check digit is {actual}, expected {expected}."
)


def _letter_values() -> dict[str, int]:
    values: dict[str, int] = {}
    value = 10
    for letter in string.ascii_uppercase:
        if value % 11 == 0:
            value += 1
        values[letter] = value
        value += 1
    return values


LETTER_VALUES: dict[str, int] = _letter_values()
"""ISO 6346 letter values: A=10, B=12, … L=23, … U=32, V=34, … Z=38 (multiples of 11 skipped)."""


def _char_value(ch: str) -> int:
    return int(ch) if ch in ASCII_DIGITS else LETTER_VALUES[ch]


def container_check_digit(body: str) -> int:
    """The check digit for the first ten characters (4 capital letters, 6 digits)."""
    if (
        len(body) != LENGTH - 1
        or not all(ch in LETTER_VALUES for ch in body[:4])
        or not all(ch in ASCII_DIGITS for ch in body[4:])
    ):
        raise ValueError(f"a container number body is 4 capital letters and 6 digits: {body!r}")
    total = sum(_char_value(ch) << position for position, ch in enumerate(body))
    return total % 11 % 10


def examine_container(text: str) -> Outcome:
    cleaned = text.strip().upper().replace(" ", "").replace("-", "")
    if not cleaned:
        return Outcome(None, (EMPTY.problem(KIND),))
    if len(cleaned) != LENGTH:
        return Outcome(None, (LENGTH_RULE.problem(KIND, length=len(cleaned), expected=LENGTH),))
    letters, digits = cleaned[:4], cleaned[4:]
    if not all(ch in LETTER_VALUES for ch in letters) or not all(
        ch in ASCII_DIGITS for ch in digits
    ):
        return Outcome(None, (FORMAT.problem(KIND, text=cleaned),))
    problems: list[Problem] = []
    if letters[3] not in CATEGORIES:
        problems.append(CATEGORY.problem(KIND, category=letters[3]))
    expected = container_check_digit(cleaned[:-1])
    actual = int(cleaned[-1])
    if actual != expected:
        problems.append(CHECK_DIGIT.problem(KIND, actual=actual, expected=expected))
    return outcome(cleaned, problems)


def check_container(text: str) -> list[Problem]:
    """Every rule ``text`` breaks as a container number; empty when it is valid."""
    return list(examine_container(text).problems)


def parse_container(text: str) -> str:
    """The 11-character canonical number (capitals, no separators), or ValidationFailed."""
    return examine_container(text).value()


def container_owner_code(text: str) -> str:
    """The 3-letter owner code of a valid container number."""
    return parse_container(text)[:3]
