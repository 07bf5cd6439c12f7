"""One entry point for every kind of code: ``check(kind, code) -> CodeCheck``.

Why: the CLI, the API and the web form all offer "check this code", and must answer in the same
shape with the same machine codes. :data:`KINDS` is the single registry of kinds, so adding a
kind is one line here and every front end picks it up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from temir.codes._rules import Outcome, rule, rule_for
from temir.codes.container import examine_container
from temir.codes.esr import examine_esr
from temir.codes.etsng import examine_etsng
from temir.codes.gng import examine_gng
from temir.codes.railways import examine_railway
from temir.codes.uic import examine_uic_wagon
from temir.codes.wagon import examine_wagon
from temir.kit.errors import Problem
from temir.kit.i18n import available_languages

Checker = Callable[[str], Outcome]

KINDS: Mapping[str, Checker] = MappingProxyType(
    {
        "esr": examine_esr,
        "etsng": examine_etsng,
        "gng": examine_gng,
        "wagon": examine_wagon,
        "uic-wagon": examine_uic_wagon,
        "container": examine_container,
        "railway": examine_railway,
    }
)
"""Kind name → checker returning the canonical form (when valid) and every problem."""

UNKNOWN_KIND = rule("codes.unknown_kind", "Unknown kind of code {kind}; known kinds: {known}.")


@dataclass(frozen=True)
class CodeCheck:
    """The verdict on one code: what was given, its canonical form, and what is wrong."""

    kind: str
    code: str
    normalized: str | None
    valid: bool
    problems: tuple[Problem, ...]

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """JSON-ready verdict; each error carries its message in ``lang`` and in every language."""
        return {
            "code": self.code,
            "kind": self.kind,
            "valid": self.valid,
            "normalized": self.normalized,
            "errors": [_problem_dict(problem, lang) for problem in self.problems],
        }


def _problem_dict(problem: Problem, lang: str) -> dict[str, Any]:
    declared = rule_for(problem.code)
    return {
        "code": problem.code,
        "rule": declared.name if declared else problem.code,
        "field": problem.field,
        "params": dict(problem.params),
        "message": problem.message(lang),
        "messages": {language: problem.message(language) for language in available_languages()},
    }


def check(kind: str, code: str) -> CodeCheck:
    """Check ``code`` as ``kind`` (one of :data:`KINDS`); never raises for bad input."""
    checker = KINDS.get(kind)
    if checker is None:
        problem = UNKNOWN_KIND.problem("kind", kind=kind, known=", ".join(KINDS))
        return CodeCheck(kind, code, None, False, (problem,))
    found = checker(code)
    return CodeCheck(kind, code, found.normalized, found.valid, found.problems)
