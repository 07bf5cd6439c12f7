"""A note parsed from JSON text equals the note (or the issues) parsed from the decoded object.

Text goes through pydantic's own JSON parser first (the fast path); these tests pin that it
accepts exactly what ``json.loads`` + ``model_validate`` accepts, with the same result.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings

from temir.notes.boxes.parsing import parse_note
from tests.notes.boxes.test_robustness import BASE, mutated


def _both(data: Any) -> None:
    text = json.dumps(data, ensure_ascii=False)
    assert parse_note(text) == parse_note(json.loads(text))
    assert parse_note(text.encode()) == parse_note(json.loads(text))


def test_the_example_note_parses_the_same_from_text() -> None:
    note, issues = parse_note(json.dumps(BASE))
    assert note is not None
    assert issues == ()
    _both(BASE)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_notes_parse_the_same_from_text(data: Any) -> None:
    _both(data)
