"""What a check of a note reports: rules, issues, results, and how far the note has come. Pure.

An :class:`Issue` names its rule id, box, severity and path (``goods[1].gng``) and renders its
English message, or the Russian one (``locale/ru/LC_MESSAGES/notes.po``), only when shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from temir.kit.errors import Problem, Severity
from temir.kit.i18n import translate
from temir.kit.messages import Message

ERROR, WARNING = Severity.ERROR, Severity.WARNING


class Stage(StrEnum):
    """How far the note has come: acceptance for carriage also needs boxes 26 and 29."""

    SUBMISSION = "submission"
    ACCEPTANCE = "acceptance"


@dataclass(frozen=True, slots=True)
class NoteRule:
    id: str
    box: int | None
    severity: Severity
    msgid: str

    def issue(self, path: str | None = None, cause: Problem | None = None, **params: Any) -> Issue:
        return Issue(self.id, self.box, self.severity, self.msgid, params, path, cause)


@dataclass(frozen=True, slots=True)
class Issue:
    """One broken rule in one note: rule id, box, severity and where (``goods[1].gng``)."""

    rule: str
    box: int | None
    severity: Severity
    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)
    path: str | None = None
    cause: Problem | None = None

    def message(self, lang: str = "en") -> str:
        params = _rendered(self.params, lang)
        if self.cause is not None:
            params["reason"] = self.cause.message(lang)
        return translate(self.msgid, lang, **params)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "rule": self.rule,
            "box": self.box,
            "severity": str(self.severity),
            "message": self.message(lang),
            "path": self.path,
        }

    def problem(self) -> Problem:
        """The same issue as a kit :class:`Problem` (for :class:`ValidationFailed`)."""
        where = f"box {self.box}" if self.box is not None else self.path
        params = _rendered(self.params, "en")
        if self.cause is not None:
            params["reason"] = self.cause.message("en")
        return Problem(self.rule, self.msgid, where, params, self.severity)


def _rendered(params: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """Parameters as shown: a :class:`Message` parameter (a TR-4 method name) in ``lang``."""
    return {k: v.text(lang) if isinstance(v, Message) else v for k, v in params.items()}


@dataclass(frozen=True, slots=True)
class ValidationResult:
    valid: bool
    issues: tuple[Issue, ...]

    @property
    def errors(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.severity is ERROR)

    @property
    def warnings(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.severity is WARNING)

    def rule_ids(self) -> set[str]:
        return {i.rule for i in self.issues}

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {"valid": self.valid, "issues": [i.to_dict(lang) for i in self.issues]}
