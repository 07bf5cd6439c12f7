"""The canonical form (RFC 8785) of any JSON value: the fast path equals the reference."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import AwareDatetime, BaseModel, Field, field_serializer

from temir.signing.canonical import (
    _prune_reference,
    _shape,
    canonical_dump,
    canonical_json,
    canonical_model,
)

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


# --- canonical_model: a pydantic model's dump, its empty lists left out by pydantic ----------
class Leaf(BaseModel):
    code: str | None = None
    marks: list[str] = Field(default_factory=list)


class Branch(BaseModel):
    name: str = ""
    leaf: Leaf | None = None
    leaves: list[Leaf] = Field(default_factory=list)
    at: AwareDatetime | None = None
    amount: Decimal | None = None


class Tree(BaseModel):
    branches: list[Branch] = Field(default_factory=list)
    top: Branch | None = None
    tags: list[str] = Field(default_factory=list)


class Loose(BaseModel):
    """Open: a free-form dict can hold ``None`` and empty parts inside."""

    data: dict[str, Any] = Field(default_factory=dict)
    items: list[str | None] = Field(default_factory=list)


class Serialised(BaseModel):
    """Open: its own serializer may write what pydantic's exclusions never see."""

    value: str = ""

    @field_serializer("value")
    def _empty_as_none(self, value: str) -> str | None:
        return value or None


class Node(BaseModel):
    """Recursive: its shape is worked out without recursing for ever."""

    label: str = ""
    children: list[Node] = Field(default_factory=list)


def _reference(model: BaseModel) -> bytes:
    return bytes(rfc8785.dumps(_prune_reference(model.model_dump(mode="json", exclude_none=True))))


texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6)
leaves = st.builds(Leaf, code=st.none() | texts, marks=st.lists(texts, max_size=2))
branches = st.builds(
    Branch,
    name=texts,
    leaf=st.none() | leaves,
    leaves=st.lists(leaves, max_size=2),
    at=st.none() | st.just(datetime(2026, 3, 2, 8, 30, tzinfo=UTC)),
    amount=st.none() | st.decimals(0, 10**6, places=2, allow_nan=False),
)
trees = st.builds(
    Tree,
    branches=st.lists(branches, max_size=3),
    top=st.none() | branches,
    tags=st.lists(texts, max_size=2),
)


@settings(max_examples=300, deadline=None)
@given(trees)
def test_a_model_s_canonical_bytes_are_the_reference_bytes(tree: Tree) -> None:
    assert canonical_model(tree) == _reference(tree)


def test_an_empty_nested_model_is_dropped_as_the_reference_drops_it() -> None:
    tree = Tree(top=Branch(leaf=Leaf(), leaves=[Leaf(marks=[])]), branches=[Branch()])
    assert (
        canonical_model(tree)
        == _reference(tree)
        == b'{"branches":[{"name":""}],"top":' + (b'{"leaves":[{}],"name":""}}')
    )


def test_which_models_take_the_short_check() -> None:
    assert _shape(Tree).closed
    assert _shape(Branch).closed
    assert not _shape(Loose).closed
    assert not _shape(Serialised).closed
    assert [name for name, _ in _shape(Tree).lists] == ["branches", "tags"]


@pytest.mark.parametrize(
    "model",
    [
        Loose(data={"a": None, "b": [], "c": {"d": {}}, "e": "x"}, items=[None, "y"]),
        Loose(),
        Serialised(value=""),
        Serialised(value="v"),
        Node(label="a", children=[Node(label="b", children=[Node()]), Node(children=[])]),
    ],
)
def test_open_and_recursive_models_match_the_reference(model: BaseModel) -> None:
    assert canonical_model(model) == _reference(model)


def test_a_part_that_is_not_its_field_s_model_takes_the_pruning_path() -> None:
    # model_copy(update=...) does not validate: a dict where a Branch is declared
    tree = Tree().model_copy(update={"branches": [{"name": "", "leaf": None, "leaves": []}]})
    with pytest.warns(UserWarning, match="(?i)serializ"):  # pydantic: an unexpected value
        written = canonical_model(tree)
    assert written == b'{"branches":[{"name":""}]}'
