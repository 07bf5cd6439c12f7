"""Random mutations of a note never crash validation: the answer is always a ValidationResult."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from temir.network.view import shipped_view
from temir.notes.boxes import ValidationResult, validate_document
from temir.notes.example import example_note

BASE = example_note().model_dump(mode="json")

junk = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=30),
    st.just(""), st.just("684001"), st.just([]), st.just({}), st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)  # fmt: skip


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out += _paths(item, (*prefix, i))
    return out


PATHS = _paths(BASE)


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(PATHS))
        target: Any = data
        try:
            for part in path[:-1]:
                target = target[part]
            if draw(st.booleans()) and isinstance(target, dict):
                target.pop(path[-1], None)
            else:
                target[path[-1]] = draw(junk)
        except (KeyError, IndexError, TypeError):
            continue
    return data


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutations_never_crash(data: Any) -> None:
    result = validate_document(data, shipped_view())
    assert isinstance(result, ValidationResult)
    for issue in result.issues:
        issue.to_dict("ru")


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200))
def test_arbitrary_bytes_never_crash(blob: bytes | str) -> None:
    result = validate_document(blob, shipped_view())
    assert isinstance(result, ValidationResult)


def test_json_with_float_nan_and_deep_nesting_never_crash() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    for doc in ('{"version": NaN}', deep, json.dumps({"wagons": [{"number": 1e300}]})):
        assert not validate_document(doc, shipped_view()).valid
