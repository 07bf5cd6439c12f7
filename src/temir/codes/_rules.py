"""The registry of every rule ``temir.codes`` can report, and the result shape checkers share.

Why a registry: each failure must be a :class:`~temir.kit.errors.Problem` with a stable machine
code and an English message template that has a Russian translation. Declaring every rule once,
at import time, lets the test suite walk :data:`RULES` and prove that no message reaches a user
untranslated, and stops two modules from claiming the same machine code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from temir.kit.errors import Problem, ValidationFailed


@dataclass(frozen=True)
class Rule:
    """One rule: its machine code (``esr.check_digit``) and English message template."""

    code: str
    msgid: str

    @property
    def name(self) -> str:
        """The rule's name within its kind: ``check_digit`` for ``esr.check_digit``."""
        return self.code.rpartition(".")[2]

    def problem(self, field: str, **params: Any) -> Problem:
        return Problem(code=self.code, msgid=self.msgid, field=field, params=params)


RULES: dict[str, Rule] = {}
"""Every rule declared by the package, by machine code."""


def rule(code: str, msgid: str) -> Rule:
    """Declare a rule; a machine code may be declared only once."""
    if code in RULES:
        raise ValueError(f"rule {code!r} declared twice")
    RULES[code] = declared = Rule(code, msgid)
    return declared


def rule_for(code: str) -> Rule | None:
    return RULES.get(code)


@dataclass(frozen=True)
class Outcome:
    """What a checker found: the canonical form (only when valid) and every problem."""

    normalized: str | None
    problems: tuple[Problem, ...]

    @property
    def valid(self) -> bool:
        return not self.problems

    def value(self) -> str:
        """The canonical form, or :class:`ValidationFailed` carrying every problem."""
        if self.problems or self.normalized is None:
            raise ValidationFailed.from_problems(self.problems)
        return self.normalized


def outcome(normalized: str, problems: list[Problem]) -> Outcome:
    """Build an :class:`Outcome`, dropping the canonical form when anything failed."""
    return Outcome(None if problems else normalized, tuple(problems))
