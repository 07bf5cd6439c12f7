"""GNG (ГНГ, Harmonised Goods Nomenclature of OSJD) cargo codes: 8 digits, no check digit.

Why it matters: SMGS box 15 must carry the GNG code, and the ETT tariff class hangs on it. GNG has
no check digit, so the only protection against a typing error is the nomenclature itself: a code
that is well formed but absent from the shipped list is reported as ``gng.unknown``, separately
from a malformed code (``gng.format``), so a user can tell "mistyped" from "not in our edition".

The shipped list (``temir/data/cargo/gng.csv``, 12,286 codes) is of unknown edition (≈2020s, see
``SOURCES.md`` there). GNG follows HS revisions, so "unknown" may mean "from another edition".
The list is read once, lazily, through :mod:`importlib.resources` so it works from a wheel too.
"""

from __future__ import annotations

import csv
import functools
import io
from importlib import resources

from temir.codes._digits import is_ascii_digits
from temir.codes._rules import Outcome, outcome, rule
from temir.kit.errors import Problem

KIND = "gng"
LENGTH = 8
EDITION = "GNG, edition unknown (≈2020s)"
"""How to describe the shipped nomenclature to users: its source does not state an edition."""

EMPTY = rule("gng.empty", "The GNG cargo code is empty.")
FORMAT = rule("gng.format", "A GNG cargo code has exactly {expected} digits 0–9.")
ALL_ZERO = rule(
    "gng.all_zero",
    "GNG code {value} (zeros only) is no heading of the nomenclature: name the goods.",
)
UNKNOWN = rule(
    "gng.unknown",
    "GNG code {value} is not in the shipped GNG nomenclature (edition unknown).",
)


@functools.cache
def _nomenclature() -> dict[str, str]:
    """GNG code → Russian name, read once from the packaged CSV."""
    source = resources.files("temir").joinpath("data", "cargo", "gng.csv")
    text = source.read_text(encoding="utf-8")
    return {row["gng"]: row["name_ru"] for row in csv.DictReader(io.StringIO(text))}


def gng_codes() -> frozenset[str]:
    """Every code in the shipped GNG list."""
    return frozenset(_nomenclature())


def gng_name(code: str) -> str | None:
    """The Russian name of a GNG code, ``None`` when the code is not in the list or unnamed."""
    name = _nomenclature().get(code.strip())
    return name or None


def examine_gng(text: str) -> Outcome:
    cleaned = text.strip()
    if not cleaned:
        return Outcome(None, (EMPTY.problem(KIND),))
    if len(cleaned) != LENGTH or not is_ascii_digits(cleaned):
        return Outcome(None, (FORMAT.problem(KIND, expected=LENGTH, text=cleaned),))
    problems: list[Problem] = []
    if set(cleaned) == {"0"}:
        # the shipped list has an unnamed 00000000 row; it is no goods (issue 11.7)
        return Outcome(None, (ALL_ZERO.problem(KIND, value=cleaned),))
    if cleaned not in _nomenclature():
        problems.append(UNKNOWN.problem(KIND, value=cleaned))
    return outcome(cleaned, problems)


def check_gng(text: str) -> list[Problem]:
    """Every rule ``text`` breaks as a GNG code; empty when it is valid and listed."""
    return list(examine_gng(text).problems)


def parse_gng(text: str) -> str:
    """The eight-digit GNG code, or :class:`~temir.kit.errors.ValidationFailed`."""
    return examine_gng(text).value()
