"""What a note must pass before the store writes it, each refusal a 422 naming the box.

The shape of a document, the rules of the stage it reaches (against the network view), the
reason a step gives, and a well-formed next version: checked before anything is written, so a
refused step leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from temir.kit.errors import ValidationFailed
from temir.kit.i18n import N_
from temir.network.provider import view_for
from temir.notes.boxes import Issue, Stage, parse_note, schema_issues, validate_note
from temir.notes.model import Note
from temir.notes.network import NetworkView
from temir.notes.signatures import next_version
from temir.notes.store.records import REASON_MAX


def invalid(issues: Sequence[Issue]) -> ValidationFailed:
    ordered = sorted(issues, key=lambda i: i.severity != "error")
    return ValidationFailed.from_problems([i.problem() for i in ordered])


def parse(document: Any) -> Note:
    note, issues = parse_note(document)
    if note is None:
        raise invalid(issues)
    return note


def check(
    session: Session, note: Note, network: NetworkView | None, stage: Stage
) -> tuple[Issue, ...]:
    """422 with every issue when the note breaks a rule; the warnings otherwise.

    The network is the session's edition (the engine quotes use) unless the caller gives one.
    """
    result = validate_note(note, network or view_for(session), stage)
    if not result.valid:
        raise invalid(result.issues)
    return result.warnings


def reason(text: str | None, required: bool = False) -> str:
    value = (text or "").strip()
    if required and not value:
        raise ValidationFailed(N_("Give a reason."), code="note.reason_required", field="reason")
    if len(value) > REASON_MAX:
        raise ValidationFailed(
            N_("A reason has at most {max} characters."),
            code="note.reason_too_long",
            field="reason",
            max=REASON_MAX,
        )
    return value


def next_of(note: Note, changes: Mapping[str, Any]) -> Note:
    """The next version with ``changes``, or 422 naming the box of each bad field."""
    try:
        return next_version(note, changes)
    except ValidationError as exc:
        raise invalid(schema_issues(exc)) from None


_FIXED_FIELDS = frozenset({"form", "note_id", "version", "previous_digest"})


def correctable(changes: Mapping[str, Any]) -> None:
    """422 unless a correction names at least one box and only boxes that may change (never
    the note's identity, version or chain)."""
    if not isinstance(changes, Mapping) or not changes:
        raise ValidationFailed(
            N_("Say which boxes change."), code="note.no_changes", field="changes"
        )
    fixed = sorted(_FIXED_FIELDS.intersection(changes))
    unknown = sorted(set(changes) - set(Note.model_fields))
    if fixed or unknown:
        raise ValidationFailed(
            N_("Field {name} cannot be corrected."),
            code="note.field_not_correctable",
            field=(fixed or unknown)[0],
            name=(fixed or unknown)[0],
        )
