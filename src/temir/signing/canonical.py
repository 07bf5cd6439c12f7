"""The canonical form of a JSON document (RFC 8785, JCS) and its digest. Pure.

Why canonical: a signature must survive any honest copy of a document — keys reordered by a
database's JSON column, a file re-indented, a round trip through another language — and fail on
any change of content. So what is signed is the SHA-256 of the document's RFC 8785 bytes, with
``None`` and empty lists/objects removed first (so a field added to a model later, defaulting
to empty, does not change old digests).

Two exact paths to the same bytes:

* :func:`canonical_json` takes any JSON value. For float-free values with ASCII keys, RFC 8785
  output equals sorted, compact JSON with raw UTF-8 (same escapes: ``\\b \\f \\n \\r \\t``, other
  controls as lowercase ``\\u00xx``), which one C encoder writes; anything else (a float, a
  non-ASCII key) goes through the ``rfc8785`` package.
* :func:`canonical_dump` is the faster path for ``model_dump(mode="json")`` output of a model
  whose shape guarantees ASCII keys and no floats (``extra="forbid"``, Decimal and datetime as
  strings): empty parts dropped in one pass, then orjson sorts the keys and writes the bytes
  (see bench/RESULTS.md). The caller vouches for the shape; ``tests/signing/test_canonical.py`` and
  the notes' own tests check both paths against ``rfc8785``.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import orjson
import rfc8785


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
    try:
        return orjson.dumps(_drop_empty_dict(dump), option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return _ENCODER.encode(_prune_dump_dict(dump)).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digest_of(value: Any) -> str:
    """SHA-256 (hex) of the canonical form of a JSON value: what a signature signs."""
    return sha256_hex(canonical_json(value))
