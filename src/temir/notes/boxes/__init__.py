"""The boxes of the SMGS note: the rulebook, the box-by-box checker, and parsing of raw input.

Pure. ``model`` (issues, results, stage), ``rules`` (every rule declared once, with its box),
``checker`` (one validation pass over a note), ``parsing`` (a note from JSON, or the issues).
The names below are what callers use.
"""

from temir.notes.boxes.checker import validate_note
from temir.notes.boxes.model import Issue, NoteRule, Stage, ValidationResult
from temir.notes.boxes.parsing import (
    MAX_DOCUMENT_BYTES,
    box_of_path,
    parse_note,
    schema_issues,
    validate_document,
)
from temir.notes.boxes.rules import READ, RULES, rule_catalogue

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "READ",
    "RULES",
    "Issue",
    "NoteRule",
    "Stage",
    "ValidationResult",
    "box_of_path",
    "parse_note",
    "rule_catalogue",
    "schema_issues",
    "validate_document",
    "validate_note",
]
