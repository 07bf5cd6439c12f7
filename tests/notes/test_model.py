"""The model: every box 1–65 present, boxes named in the JSON Schema, types held firm."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from temir.notes.model import BOXES, SCHEMA_BOX_KEY, Filler, Note, note_json_schema


def _boxes_in(schema: Any) -> set[int]:
    found: set[int] = set()
    if isinstance(schema, dict):
        if isinstance(schema.get(SCHEMA_BOX_KEY), int):
            found.add(schema[SCHEMA_BOX_KEY])
        for value in schema.values():
            found |= _boxes_in(value)
    elif isinstance(schema, list):
        for value in schema:
            found |= _boxes_in(value)
    return found


def test_box_registry_covers_1_to_65() -> None:
    assert sorted(BOXES) == list(range(1, 66))


def test_schema_names_every_box_on_some_field() -> None:
    schema = note_json_schema()
    assert _boxes_in(schema["properties"]) | _boxes_in(schema["$defs"]) == set(range(1, 66))


def test_schema_field_carries_box_and_filler() -> None:
    schema = note_json_schema()
    goods_line = schema["$defs"]["GoodsLine"]["properties"]
    assert goods_line["gng"][SCHEMA_BOX_KEY] == 15
    assert goods_line["mass_kg"][SCHEMA_BOX_KEY] == 18
    assert schema["properties"]["contract_date"]["x-smgs-filled-by"] == "contractual_carrier"
    assert schema["properties"]["arrival_date"]["x-smgs-filled-by"] == "destination_carrier"
    json.dumps(schema)  # serialisable as published


def test_fillers_follow_the_reference_table() -> None:
    assert BOXES[1].filled_by is Filler.CONSIGNOR
    assert BOXES[26].filled_by is Filler.CONTRACTUAL_CARRIER
    assert BOXES[33].filled_by is Filler.CARRIER
    assert BOXES[36].filled_by is Filler.DESTINATION_CARRIER


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValidationError):
        Note.model_validate({"contract_date": "2026-03-02T10:00:00"})


def test_mass_must_be_whole_kilograms() -> None:
    with pytest.raises(ValidationError):
        Note.model_validate({"goods": [{"mass_kg": 1.5}]})


def test_unknown_field_is_refused() -> None:
    with pytest.raises(ValidationError):
        Note.model_validate({"consignor": {"nmae": "x"}})


def test_at_most_six_charging_sections() -> None:
    with pytest.raises(ValidationError):
        Note.model_validate({"charges": [{"letter": "А"}] * 7})


def test_money_keeps_decimal_exactly(note: Note) -> None:
    data = note.model_dump(mode="json")
    data["collect_from_consignor"] = {"amount": "0.10", "currency": "CHF"}
    parsed = Note.model_validate(data)
    assert parsed.collect_from_consignor is not None
    assert str(parsed.collect_from_consignor.amount) == "0.10"
