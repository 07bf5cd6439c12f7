"""The error tree every capability raises, and the one shape users see.

Why one tree: the CLI, the API and the web pages must show the *same* machine code, field and
message for the same mistake. Each error carries an English message template (``msgid``) and its
parameters; the entry point translates it with :func:`temir.kit.i18n.translate` for the user's
language. Pure module: no I/O framework imports.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input: a rule that failed, where, and how to say it.

    ``code`` is the stable machine code (e.g. ``esr.check_digit``); ``field`` names the input
    field or SMGS box (e.g. ``box 2`` or ``mass_kg``); ``msgid`` is the English template whose
    ``{name}`` placeholders are filled from ``params``.
    """

    code: str
    msgid: str
    field: str | None = None
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    severity: Severity = Severity.ERROR

    def message(self, lang: str = "en") -> str:
        from temir.kit.i18n import translate  # local: i18n reads catalogs lazily

        return translate(self.msgid, lang, **self.params)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "code": self.code,
            "field": self.field,
            "severity": str(self.severity),
            "message": self.message(lang),
        }


class TemirError(Exception):
    """Base of every error a user may see. ``status`` maps to HTTP in the API layer."""

    status: int = 400
    default_code: str = "error"

    def __init__(
        self,
        msgid: str,
        *,
        code: str | None = None,
        field: str | None = None,
        problems: tuple[Problem, ...] = (),
        params: Mapping[str, Any] | None = None,
        **more_params: Any,
    ) -> None:
        self.msgid = msgid
        self.code = code or self.default_code
        self.field = field
        self.params = {**(params or {}), **more_params}
        self.problems = problems
        super().__init__(self.message("en"))

    def message(self, lang: str = "en") -> str:
        from temir.kit.i18n import translate

        return translate(self.msgid, lang, **self.params)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        body: dict[str, Any] = {
            "code": self.code,
            "message": self.message(lang),
            "field": self.field,
        }
        if self.problems:
            body["problems"] = [p.to_dict(lang) for p in self.problems]
        return {"error": body}

    def headers(self) -> dict[str, str]:
        """HTTP headers the answer must carry (e.g. ``Retry-After``); none by default."""
        return {}


class ValidationFailed(TemirError):
    """Input broke a rule. ``problems`` lists every rule that failed, not just the first."""

    status = 422
    default_code = "validation_failed"

    @classmethod
    def from_problems(cls, problems: tuple[Problem, ...] | list[Problem]) -> ValidationFailed:
        problems = tuple(problems)
        first = problems[0]
        return cls(
            first.msgid, code=first.code, field=first.field, problems=problems, params=first.params
        )


class NotFound(TemirError):
    status = 404
    default_code = "not_found"


class Conflict(TemirError):
    status = 409
    default_code = "conflict"


class Unauthenticated(TemirError):
    status = 401
    default_code = "unauthenticated"


class PermissionDenied(TemirError):
    status = 403
    default_code = "permission_denied"


class TooManyRequests(TemirError):
    """Refused for now; ``retry_after`` (whole seconds) says when trying again can succeed."""

    status = 429
    default_code = "too_many_requests"

    def __init__(self, msgid: str, *, retry_after: int, **kwargs: Any) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(msgid, **kwargs)

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}
