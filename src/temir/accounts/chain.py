"""The audit log as a hash chain: what each row's digest covers, and how the chain is checked.

Why: an audit log that anyone with database access can edit quietly proves nothing. Each row
carries its position in the chain (``seq``, 1, 2, 3, ...), the digest of the row before it
(``prev_digest``; the first row points at :data:`GENESIS`) and its own ``digest``: SHA-256 of
the RFC 8785 canonical JSON of its content *and* ``prev_digest``. A one-row *chain head* keeps
the length, the last digest and the id of the last row. So:

* a row changed after it was written no longer matches its own digest;
* a row deleted leaves a gap in the positions (or, at the end, a chain shorter than its head);
* a row inserted with SQL is not in the head (its position is past the head's length, or its id
  past the head's last id, or out of order with its neighbours'), whatever digest it carries;
* a row rewritten together with its digest no longer matches the ``prev_digest`` of the next.

What it does not do: someone who can write SQL *and* recompute every later digest and the head
can rewrite history undetected. Against that, keep the head digest outside the database (it is
printed by ``temir audit verify``) and compare later. The database id is not in the digest (it
is assigned at insert time, after the digest is computed) but the order of ids is checked.

Pure: no framework imports. :func:`verify` walks rows in chain order and names the first break.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final

import rfc8785

from temir.kit.i18n import N_, translate

GENESIS: Final = "0" * 64
"""The ``prev_digest`` of the first row."""


@dataclass(frozen=True)
class ChainRow:
    """One audit row as the chain sees it (what is stored, read back from the database)."""

    id: int
    seq: int
    at: datetime
    actor: str
    actor_user_id: int | None
    action: str
    target_type: str | None
    target_id: str | None
    via: str
    remote_addr: str | None
    details: Mapping[str, Any] | None
    prev_digest: str
    digest: str


@dataclass(frozen=True)
class ChainHead:
    length: int
    last_digest: str
    last_id: int | None


def storable_details(details: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """``details`` as the JSON column gives it back (tuples become lists, keys strings), so the
    digest computed before the insert is the one recomputed from the stored row."""
    if details is None:
        return None
    value: dict[str, Any] = json.loads(json.dumps(details, allow_nan=False))
    return value


def _instant(at: datetime) -> str:
    aware = at if at.tzinfo is not None else at.replace(tzinfo=UTC)  # SQLite reads back naive UTC
    return aware.astimezone(UTC).isoformat(timespec="microseconds")


def digest_of(
    *,
    seq: int,
    at: datetime,
    actor: str,
    actor_user_id: int | None,
    action: str,
    target_type: str | None,
    target_id: str | None,
    via: str,
    remote_addr: str | None,
    details: Mapping[str, Any] | None,
    prev_digest: str,
) -> str:
    """SHA-256 (hex) of the canonical form of one row's content and its predecessor's digest."""
    content: dict[str, Any] = {
        "seq": seq,
        "at": _instant(at),
        "actor": actor,
        "actor_user_id": actor_user_id,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "via": via,
        "remote_addr": remote_addr,
        "details": None if details is None else dict(details),
        "prev": prev_digest,
    }
    return hashlib.sha256(rfc8785.dumps(content)).hexdigest()


CONTENT: Final = (
    "at",
    "actor_user_id",
    "actor",
    "action",
    "target_type",
    "target_id",
    "via",
    "remote_addr",
    "details",
)
"""The columns of a row that its digest covers, besides ``seq`` and ``prev_digest``."""


def row_digest(row: ChainRow) -> str:
    """The digest ``row`` should carry, recomputed from what is stored."""
    content = {name: getattr(row, name) for name in CONTENT}
    return digest_of(seq=row.seq, prev_digest=row.prev_digest, **content)


class BreakKind(StrEnum):
    CHANGED = "changed"  # a row's content no longer matches its digest
    DELETED = "deleted"  # positions are missing
    INSERTED = "inserted"  # a row the chain never wrote
    RELINKED = "relinked"  # a row does not follow the one before it (one was rewritten)
    HEAD = "head"  # the chain head does not match the rows (missing or changed)


@dataclass(frozen=True)
class ChainBreak:
    """The first broken link: what kind, where, and a message to show (msgid + params)."""

    kind: BreakKind
    msgid: str
    row_id: int | None = None
    seq: int | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "en") -> str:
        return translate(self.msgid, lang, **self.params)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "kind": str(self.kind),
            "row_id": self.row_id,
            "seq": self.seq,
            "message": self.message(lang),
        }


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking the whole chain."""

    checked: int  # rows read
    head: ChainHead | None
    first_break: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.first_break is None

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "length": None if self.head is None else self.head.length,
            "head_digest": None if self.head is None else self.head.last_digest,
            "break": None if self.first_break is None else self.first_break.to_dict(lang),
        }


def _inserted(row: ChainRow, head: ChainHead, previous: ChainRow | None) -> bool:
    return (
        row.seq > head.length
        or (head.last_id is not None and row.id > head.last_id)
        or (previous is not None and row.id <= previous.id)
    )


def _break_at(row: ChainRow, head: ChainHead, previous: ChainRow | None) -> ChainBreak | None:
    expected_seq = 1 if previous is None else previous.seq + 1
    expected_prev = GENESIS if previous is None else previous.digest
    where = {"id": row.id, "seq": row.seq}
    if row.seq < expected_seq or _inserted(row, head, previous):
        return ChainBreak(
            BreakKind.INSERTED,
            N_("Audit row {id} (position {seq}) was not written by Temir: it was inserted."),
            row.id,
            row.seq,
            where,
        )
    if row_digest(row) != row.digest:
        return ChainBreak(
            BreakKind.CHANGED,
            N_("Audit row {id} (position {seq}) was changed after it was written."),
            row.id,
            row.seq,
            where,
        )
    if row.seq > expected_seq:
        return ChainBreak(
            BreakKind.DELETED,
            N_("Audit rows at positions {first} to {last} were deleted (before row {id})."),
            row.id,
            expected_seq,
            {**where, "first": expected_seq, "last": row.seq - 1},
        )
    if row.prev_digest != expected_prev:
        return ChainBreak(
            BreakKind.RELINKED,
            N_(
                "Audit row {id} (position {seq}) does not follow the row before it: one of "
                "the two was rewritten."
            ),
            row.id,
            row.seq,
            where,
        )
    return None


def _break_at_end(head: ChainHead, last: ChainRow | None) -> ChainBreak | None:
    length = 0 if last is None else last.seq
    if length < head.length:
        return ChainBreak(
            BreakKind.DELETED,
            N_("Audit rows at positions {first} to {last} were deleted (at the end)."),
            None,
            length + 1,
            {"first": length + 1, "last": head.length},
        )
    if (GENESIS if last is None else last.digest) != head.last_digest:
        return ChainBreak(
            BreakKind.HEAD, N_("The audit chain head does not match the last audit row.")
        )
    return None


def verify(head: ChainHead | None, rows: Iterable[ChainRow]) -> Verdict:
    """Check ``rows`` (in ``seq`` order) against ``head``; stop at the first break."""
    if head is None:
        missing = ChainBreak(BreakKind.HEAD, N_("The audit chain head is missing."))
        return Verdict(checked=0, head=None, first_break=missing)
    previous: ChainRow | None = None
    checked = 0
    for row in rows:
        checked += 1
        broken = _break_at(row, head, previous)
        if broken is not None:
            return Verdict(checked=checked, head=head, first_break=broken)
        previous = row
    return Verdict(checked=checked, head=head, first_break=_break_at_end(head, previous))


def link(
    head: ChainHead, rows: Iterable[Mapping[str, Any]]
) -> tuple[list[dict[str, Any]], ChainHead]:
    """Chain new rows (content without ``seq``/``prev_digest``/``digest``) after ``head``.

    Returns the rows with those three fields filled, and the head after them but for
    ``last_id``, which the database assigns (the caller fills it in after the insert).
    """
    out: list[dict[str, Any]] = []
    seq, prev = head.length, head.last_digest
    for content in rows:
        seq += 1
        chained = {**content, "seq": seq, "prev_digest": prev}
        prev = digest_of(**chained)
        out.append({**chained, "digest": prev})
    return out, ChainHead(length=seq, last_digest=prev, last_id=head.last_id)
