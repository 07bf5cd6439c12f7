"""The canonical form (RFC 8785) of any JSON value: the fast path equals the reference."""

from __future__ import annotations

from typing import Any

import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from temir.signing.canonical import _prune_reference, canonical_dump, canonical_json

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**53) + 1, 2**53 - 1), st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_fast_canonical_path_matches_the_reference(value: Any) -> None:
    try:
        expected = rfc8785.dumps(_prune_reference(value))
    except Exception:  # the reference refuses some values (e.g. lone surrogates)
        return
    assert canonical_json(value) == expected


ascii_keys = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=8)
dump_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ascii_keys, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(ascii_keys, dump_values, max_size=6))
def test_the_model_dump_path_matches_the_reference(value: dict[str, Any]) -> None:
    try:
        expected = rfc8785.dumps(_prune_reference(value))
    except Exception:  # the reference refuses some values (e.g. lone surrogates)
        return
    assert canonical_dump(value) == expected


def test_every_code_point_is_written_as_the_reference_writes_it() -> None:
    for cp in [*range(0xD800), *range(0xE000, 0x110000, 7)]:
        text = chr(cp) + "a"
        assert canonical_dump({"k": text}) == rfc8785.dumps({"k": text}), hex(cp)


def test_what_orjson_refuses_is_written_by_the_stdlib_encoder() -> None:
    big = {"n": 2**70, "list": [], "s": "x"}
    assert canonical_dump(big) == b'{"n":1180591620717411303424,"s":"x"}'
