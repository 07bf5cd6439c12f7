"""A note from raw input — JSON text, bytes or a decoded object — or the issues why not. Pure.

Never raises for bad input: broken JSON, wrong types, unknown boxes and oversized text all come
back as issues naming the box and path, so an API or a batch import answers 422 with reasons,
never a 500.
"""

from __future__ import annotations

import json
from typing import Any, Final, get_args

from pydantic import BaseModel, ValidationError

from temir.notes.boxes.checker import validate_note
from temir.notes.boxes.model import ERROR, Issue, Stage, ValidationResult
from temir.notes.boxes.rules import CONTROL, JSON, SCHEMA, TOO_BIG
from temir.notes.model import TEXT_PATTERNS, Note, field_box
from temir.notes.network import NetworkView

MAX_DOCUMENT_BYTES: Final = 2_000_000
MAX_SCHEMA_ISSUES: Final = 50


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def box_of_path(loc: tuple[int | str, ...]) -> int | None:
    """The SMGS box a field path (``('goods', 0, 'gng')``) lies in, the deepest one declared."""
    model: type[BaseModel] | None = Note
    found: int | None = None
    for part in loc:
        if isinstance(part, int):
            continue
        if model is None:
            break
        info = model.model_fields.get(part)
        if info is None:
            break
        number = field_box(model, part)
        if number is not None:
            found = number
        model = _inner_model(info.annotation)
    return found


def _path_text(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "note"


def schema_issues(error: ValidationError) -> tuple[Issue, ...]:
    """Pydantic's type errors as note issues naming the box and path, without echoing input."""
    issues: list[Issue] = []
    for err in error.errors(include_input=False, include_url=False)[:MAX_SCHEMA_ISSUES]:
        loc = tuple(err["loc"])
        path = _path_text(loc)
        context = err.get("ctx") or {}
        if err["type"] == "string_pattern_mismatch" and context.get("pattern") in TEXT_PATTERNS:
            issues.append(Issue(CONTROL.id, box_of_path(loc), ERROR, CONTROL.msgid,
                                {"field": path}, path))  # fmt: skip
            continue
        issues.append(
            Issue(
                SCHEMA.id,
                box_of_path(loc),
                ERROR,
                SCHEMA.msgid,
                {"field": path, "detail": err["msg"]},
                path,
            )
        )
    return tuple(issues)


def parse_note(data: Any) -> tuple[Note | None, tuple[Issue, ...]]:
    """A :class:`Note` from JSON text, bytes or a decoded object — or the issues why not.

    Never raises for bad input: broken JSON, wrong types, unknown fields and oversized text all
    come back as issues.
    """
    if isinstance(data, bytes | str):
        size = len(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
        if size > MAX_DOCUMENT_BYTES:
            return None, (TOO_BIG.issue(None, size=size, limit=MAX_DOCUMENT_BYTES),)
        # Fast path: pydantic parses the JSON text itself (in Rust), about twice as fast as
        # json.loads + model_validate, which made parsing half of a validation. Any failure
        # takes the path below, so a bad document gets exactly the issues it always got.
        try:
            return Note.model_validate_json(data), ()
        except (ValidationError, ValueError, TypeError, RecursionError):
            pass
        try:
            data = json.loads(data)
        except (ValueError, RecursionError) as exc:
            detail = str(exc)[:200]
            return None, (JSON.issue(None, detail=detail),)
    if not isinstance(data, dict):
        return None, (SCHEMA.issue(None, field="note", detail="a JSON object is expected"),)
    try:
        return Note.model_validate(data), ()
    except ValidationError as exc:
        return None, schema_issues(exc)
    except (ValueError, TypeError, RecursionError) as exc:  # defensive: never a traceback
        return None, (SCHEMA.issue(None, field="note", detail=type(exc).__name__),)


def validate_document(
    data: Any, network: NetworkView, stage: Stage = Stage.SUBMISSION
) -> ValidationResult:
    """Parse then validate; any shape of input gives a :class:`ValidationResult`."""
    note, issues = parse_note(data)
    if note is None:
        return ValidationResult(False, issues)
    return validate_note(note, network, stage)
