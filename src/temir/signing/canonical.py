"""The canonical form of a JSON document (RFC 8785, JCS) and its digest. Pure.

Why canonical: a signature must survive any honest copy of a document — keys reordered by a
database's JSON column, a file re-indented, a round trip through another language — and fail on
any change of content. So what is signed is the SHA-256 of the document's RFC 8785 bytes, with
``None`` and empty lists/objects removed first (so a field added to a model later, defaulting
to empty, does not change old digests).

Three exact paths to the same bytes:

* :func:`canonical_json` takes any JSON value. For float-free values with ASCII keys, RFC 8785
  output equals sorted, compact JSON with raw UTF-8 (same escapes: ``\\b \\f \\n \\r \\t``, other
  controls as lowercase ``\\u00xx``), which one C encoder writes; anything else (a float, a
  non-ASCII key) goes through the ``rfc8785`` package.
* :func:`canonical_dump` is the faster path for ``model_dump(mode="json")`` output of a model
  whose shape guarantees ASCII keys and no floats (``extra="forbid"``, Decimal and datetime as
  strings): orjson sorts the keys and writes the bytes, after empty parts are dropped in one
  pass when the bytes show any (see :data:`_EMPTY_LIST`, bench/RESULTS.md). The caller
  vouches for the shape; ``tests/signing/test_canonical.py`` and the notes' own tests check
  both paths against ``rfc8785``.
* :func:`canonical_model` takes such a model itself: its empty lists are left out by pydantic
  and the bytes are taken as orjson writes them unless they show an empty part to drop (what
  every note digest uses; ``tests/signing/test_canonical.py`` compares it with the reference on
  generated model trees).
"""

from __future__ import annotations

import functools
import hashlib
import json
import typing
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from types import UnionType
from typing import Annotated, Any, TypeGuard, Union

import orjson
import rfc8785
from pydantic import AwareDatetime, BaseModel, PlainSerializer, WrapSerializer


class _NeedsReference(Exception):
    """The value has a float or a non-ASCII key: only the reference encoder is exact."""


_DICT, _LIST = dict, list


def _prune(value: Any) -> Any:
    """Generic fast path: drop empty parts, refuse what only the reference encodes exactly."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not key.isascii():
                raise _NeedsReference
            if item is None or item == [] or item == {}:
                continue
            pruned = _prune(item)
            if pruned is None or pruned == [] or pruned == {}:
                continue
            out[key] = pruned
        return out
    if isinstance(value, list):
        return [_prune(item) for item in value]
    if isinstance(value, float):
        raise _NeedsReference
    return value


def _prune_dump_dict(value: dict[str, Any]) -> dict[str, Any]:
    """The model-dump fast path: keys sorted here, empty parts dropped, in one pass.

    Only for ``model_dump(mode="json")`` output whose shape the model guarantees: ASCII field
    names, no floats, no dict/list nested directly in a list except models. Sorting ASCII keys
    by code point equals RFC 8785's UTF-16 order.
    """
    out: dict[str, Any] = {}
    for key in sorted(value):
        item = value[key]
        if item is None:
            continue
        kind = type(item)
        if kind is _DICT:
            item = _prune_dump_dict(item)
            if not item:
                continue
        elif kind is _LIST:
            if not item:
                continue
            item = _prune_dump_list(item)
        out[key] = item
    return out


def _prune_dump_list(value: list[Any]) -> list[Any]:
    return [
        _prune_dump_dict(i) if type(i) is _DICT else _prune_dump_list(i) if type(i) is _LIST else i
        for i in value
    ]


def _prune_reference(value: Any) -> Any:
    if isinstance(value, dict):
        pruned = {k: _prune_reference(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v is not None and v != [] and v != {}}
    if isinstance(value, list):
        return [_prune_reference(item) for item in value]
    return value


_ENCODER = json.JSONEncoder(
    separators=(",", ":"), ensure_ascii=False, allow_nan=False, check_circular=False
)
_SORTED_ENCODER = json.JSONEncoder(
    separators=(",", ":"), ensure_ascii=False, allow_nan=False, check_circular=False,
    sort_keys=True,
)  # fmt: skip


def canonical_content(value: Any) -> Any:
    """The JSON value that is signed: ``value`` without empty (``None``, ``[]``, ``{}``) parts."""
    return _prune_reference(value)


def canonical_json(value: Any) -> bytes:
    """RFC 8785 bytes of a JSON value (fast exact path for float-free values, see module doc)."""
    try:
        pruned = _prune(value)
    except _NeedsReference:
        return bytes(rfc8785.dumps(_prune_reference(value)))
    return _SORTED_ENCODER.encode(pruned).encode("utf-8")


def _drop_empty_dict(value: dict[str, Any]) -> dict[str, Any]:
    """``value`` without ``None`` and empty parts, keys left unsorted (orjson sorts them)."""
    out: dict[str, Any] = {}
    for key, item in value.items():
        if item is None:
            continue
        kind = type(item)
        if kind is _DICT:
            item = _drop_empty_dict(item)
            if not item:
                continue
        elif kind is _LIST:
            if not item:
                continue
            item = _drop_empty_list(item)
        out[key] = item
    return out


def _drop_empty_list(value: list[Any]) -> list[Any]:
    return [
        _drop_empty_dict(i) if type(i) is _DICT else _drop_empty_list(i) if type(i) is _LIST else i
        for i in value
    ]


def canonical_dump(dump: dict[str, Any]) -> bytes:
    """RFC 8785 bytes of a model's ``model_dump(mode="json")`` whose shape is vouched for
    (module doc): the same bytes as :func:`canonical_json`, faster.

    orjson writes what the stdlib encoder writes for JSON-native values (strings escaped the
    same way — every code point checked in ``tests/signing/test_canonical.py`` — compact,
    raw UTF-8) and sorts the keys in Rust, which was most of the cost; a dump holds only
    JSON-native values (``mode="json"``). What orjson refuses (an integer beyond 64 bits, a
    lone surrogate) goes to the stdlib encoder, which decides as before.
    """
    return _written(dump, _ANY_EMPTY)


def _written(dump: dict[str, Any], signs: tuple[bytes, ...]) -> bytes:
    """orjson's sorted bytes of ``dump``; pruned first when they hold one of ``signs``."""
    try:
        written = orjson.dumps(dump, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return _ENCODER.encode(_prune_dump_dict(dump)).encode("utf-8")
    if any(sign in written for sign in signs):
        written = orjson.dumps(_drop_empty_dict(dump), option=orjson.OPT_SORT_KEYS)
    return written


_EMPTY_LIST, _EMPTY_OBJECT, _NULL = b"[]", b"{}", b"null"
_ANY_EMPTY = (_EMPTY_LIST, _EMPTY_OBJECT, _NULL)
"""Why written first and pruned only if needed: dropping empty parts is a walk in Python that
costs more than writing the bytes. If the bytes hold none of ``[]``, ``{}`` and ``null`` — not
even inside a string — the value has no ``None`` and no empty list or object at any depth, so
dropping would change nothing and the bytes already are the canonical ones. One of them
anywhere (a text reading "[]" too) takes the pruning path, exact as before."""


def canonical_model(model: BaseModel) -> bytes:
    """:func:`canonical_dump` of ``model.model_dump(mode="json", exclude_none=True)``, the
    same bytes, with the empty lists left out by pydantic (:func:`empty_lists`) rather than
    dropped afterwards in Python.

    For a model whose fields at any depth are models, scalars and lists of them
    (:attr:`_Shape.closed`), nothing else can leave an empty part but a nested model with
    nothing in it, so only ``{}`` is looked for before the bytes are taken as they are; any
    other model is checked for all three (:data:`_EMPTY_LIST`).

    The model must hold values of its fields' types, as validation leaves it (``model_copy(
    update=...)`` does not check them): a part that is not its field's model sends the whole
    model down the pruning path; a scalar field given a list or a dict is not looked for."""
    try:
        exclude = empty_lists(model)
    except _NotAsDeclared:
        return canonical_dump(model.model_dump(mode="json", exclude_none=True))
    dump = model.model_dump(mode="json", exclude_none=True, exclude=exclude)
    return _written(dump, (_EMPTY_OBJECT,) if _shape(type(model)).closed else _ANY_EMPTY)


def empty_lists(model: BaseModel) -> dict[str, Any]:
    """What to pass as ``model_dump(exclude=...)`` to leave out the model's empty lists at any
    depth: parts the canonical form drops anyway, so the bytes are the same."""
    shape = _shape(type(model))
    out: dict[str, Any] = {}
    for name, item_model in shape.lists:
        items = getattr(model, name)
        if not items:
            out[name] = True
        elif item_model is not None:
            inside = {i: e for i, item in enumerate(items) if (e := _empty_in(item, item_model))}
            if inside:
                out[name] = inside
    for name, nested_model in shape.nested:
        value = getattr(model, name)
        if value is not None and (empty := _empty_in(value, nested_model)):
            out[name] = empty
    return out


class _NotAsDeclared(Exception):
    """A part that is not an instance of its field's model (see :func:`canonical_model`)."""


def _empty_in(value: Any, declared: type[BaseModel]) -> dict[str, Any]:
    if not isinstance(value, declared):
        raise _NotAsDeclared
    return empty_lists(value)


@dataclass(frozen=True)
class _Shape:
    """What :func:`empty_lists` visits in instances of one model class."""

    lists: tuple[tuple[str, type[BaseModel] | None], ...]
    """List fields, each with its item model when that can hold lists itself."""
    nested: tuple[tuple[str, type[BaseModel]], ...]
    """Fields of one nested model (or None) that can hold lists."""
    closed: bool
    """Every field, at any depth, is a model, a scalar (text, number, date, enum) or a list of
    them, never ``None`` inside a list: after ``exclude_none`` and :func:`empty_lists` the only
    empty part left can be a nested model with nothing in it."""


_SCALARS = (str, int, Decimal, date, datetime, Enum)


_OPEN = _Shape((), (), closed=False)
_in_progress: set[type[BaseModel]] = set()


@functools.cache
def _shape(model: type[BaseModel]) -> _Shape:
    """The model's shape, worked out once per class. A model met again inside itself (a
    recursive model) is taken as open there: the full check, never a wrong shortcut."""
    if model in _in_progress:
        return _OPEN
    _in_progress.add(model)
    try:
        return _shape_of(model)
    finally:
        _in_progress.discard(model)


def _shape_of(model: type[BaseModel]) -> _Shape:
    lists: list[tuple[str, type[BaseModel] | None]] = []
    nested: list[tuple[str, type[BaseModel]]] = []
    decorators = model.__pydantic_decorators__
    serialisers = [
        m for field in model.model_fields.values() for m in field.metadata
        if isinstance(m, (PlainSerializer, WrapSerializer))
    ]  # fmt: skip
    closed = not (  # a serializer of its own could write anything
        decorators.field_serializers or decorators.model_serializers
        or model.model_computed_fields or serialisers
    )  # fmt: skip
    for name, field in model.model_fields.items():
        annotation = _bare(field.annotation)
        if typing.get_origin(annotation) is list:
            args = typing.get_args(annotation)
            item = _bare(args[0]) if args else Any
            inner = item if _is_model(item) else None
            closed = closed and (_shape(inner).closed if inner else _is_scalar(item))
            holds = inner is not None and _holds_lists(inner)
            lists.append((name, inner if holds else None))
            continue
        options = [_bare(a) for a in typing.get_args(annotation) if a is not type(None)]
        options = options if typing.get_origin(annotation) in (Union, UnionType) else [annotation]
        models = [o for o in options if _is_model(o)]
        closed = closed and all(
            _shape(o).closed if _is_model(o) else _is_scalar(o) for o in options
        )
        if len(models) == 1 and _holds_lists(models[0]):
            nested.append((name, models[0]))
        elif models and any(_holds_lists(m) for m in models):
            closed = False  # a union of models: left to the full check
    return _Shape(tuple(lists), tuple(nested), closed)


def _bare(annotation: Any) -> Any:
    """``Annotated[X, ...]`` as ``X``."""
    while typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _is_model(annotation: Any) -> TypeGuard[type[BaseModel]]:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _is_scalar(annotation: Any) -> bool:
    if annotation is AwareDatetime:  # pydantic's marker class: a datetime with an offset
        return True
    return isinstance(annotation, type) and issubclass(annotation, _SCALARS)


def _holds_lists(model: type[BaseModel]) -> bool:
    shape = _shape(model)
    return bool(shape.lists or shape.nested)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digest_of(value: Any) -> str:
    """SHA-256 (hex) of the canonical form of a JSON value: what a signature signs."""
    return sha256_hex(canonical_json(value))
