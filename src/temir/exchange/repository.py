"""All SQL of the exchange: node, peers and keys, outbox, inbox and cursors, records, links."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from temir.exchange.tables import (
    CursorRow,
    InboxRow,
    LinkRow,
    NodeRow,
    OutboxRow,
    PeerKeyRow,
    PeerRow,
    RecordRow,
)


# --- node and peers ----------------------------------------------------------------------------
def node(session: Session) -> NodeRow | None:
    return session.get(NodeRow, 1)


def peer_rows(session: Session) -> Sequence[PeerRow]:
    return session.scalars(select(PeerRow).order_by(PeerRow.railway)).all()


def peer_row(session: Session, railway: str) -> PeerRow | None:
    return session.get(PeerRow, railway)


def peer_keys(session: Session, railway: str | None = None) -> Sequence[PeerKeyRow]:
    query = select(PeerKeyRow).order_by(PeerKeyRow.railway, PeerKeyRow.valid_from)
    if railway is not None:
        query = query.where(PeerKeyRow.railway == railway)
    return session.scalars(query).all()


def peer_key(session: Session, railway: str, key_id: str) -> PeerKeyRow | None:
    return session.get(PeerKeyRow, (railway, key_id))


def delete_peer(session: Session, railway: str) -> None:
    session.execute(delete(PeerKeyRow).where(PeerKeyRow.railway == railway))
    session.execute(delete(PeerRow).where(PeerRow.railway == railway))


# --- outbox ------------------------------------------------------------------------------------
def next_sequence(session: Session, receiver: str, note_id: str) -> int:
    found = session.scalar(
        select(func.max(OutboxRow.sequence)).where(
            OutboxRow.receiver == receiver, OutboxRow.note_id == note_id
        )
    )
    return int(found or 0) + 1


def queued_items(session: Session, receiver: str, note_id: str) -> set[str]:
    return set(
        session.scalars(
            select(OutboxRow.item_key).where(
                OutboxRow.receiver == receiver, OutboxRow.note_id == note_id
            )
        )
    )


def due(session: Session, now: datetime, limit: int) -> Sequence[Any]:
    """(receiver, envelope) of undelivered envelopes whose time has come, per link and note in
    sequence order."""
    return session.execute(
        select(OutboxRow.receiver, OutboxRow.envelope)
        .where(OutboxRow.delivered_at.is_(None), OutboxRow.next_attempt_at <= now)
        .order_by(OutboxRow.receiver, OutboxRow.created_at, OutboxRow.note_id, OutboxRow.sequence)
        .limit(limit)
    ).all()


def mark_delivered(session: Session, ids: Sequence[str], now: datetime) -> None:
    """Envelopes acknowledged by a signed receipt (delivered once: a later copy changes
    nothing)."""
    for first in range(0, len(ids), 500):
        session.execute(
            update(OutboxRow)
            .where(OutboxRow.id.in_(ids[first : first + 500]), OutboxRow.delivered_at.is_(None))
            .values(delivered_at=now, last_error=None)
        )


def outbox_rows(session: Session, ids: Sequence[str]) -> Sequence[OutboxRow]:
    return session.scalars(select(OutboxRow).where(OutboxRow.id.in_(ids))).all()


def reopen(
    session: Session, receiver: str, note_id: str, first: int, last: int, now: datetime
) -> int:
    """Send envelopes ``first..last`` of a note to ``receiver`` again (a resend request)."""
    result = session.execute(
        update(OutboxRow)
        .where(
            OutboxRow.receiver == receiver,
            OutboxRow.note_id == note_id,
            OutboxRow.sequence >= first,
            OutboxRow.sequence <= last,
        )
        .values(delivered_at=None, next_attempt_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def retry_now(session: Session, receiver: str | None, now: datetime) -> int:
    query = update(OutboxRow).where(OutboxRow.delivered_at.is_(None))
    if receiver is not None:
        query = query.where(OutboxRow.receiver == receiver)
    result = session.execute(query.values(next_attempt_at=now, attempts=0))
    return int(getattr(result, "rowcount", 0) or 0)


def pending_counts(session: Session) -> dict[str, tuple[int, datetime | None]]:
    rows = session.execute(
        select(OutboxRow.receiver, func.count(), func.min(OutboxRow.created_at))
        .where(OutboxRow.delivered_at.is_(None))
        .group_by(OutboxRow.receiver)
    ).all()
    return {r[0]: (int(r[1]), r[2]) for r in rows}


# --- inbox -------------------------------------------------------------------------------------
def inbox_rows(session: Session, ids: Sequence[str]) -> dict[str, InboxRow]:
    if not ids:
        return {}
    found = session.scalars(select(InboxRow).where(InboxRow.id.in_(ids))).all()
    return {r.id: r for r in found}


def cursors(session: Session, sender: str, note_ids: Sequence[str]) -> dict[str, CursorRow]:
    """The cursors of these notes' envelopes from ``sender``, locked for this transaction."""
    if not note_ids:
        return {}
    query = select(CursorRow).where(CursorRow.sender == sender, CursorRow.note_id.in_(note_ids))
    return {c.note_id: c for c in session.scalars(query.with_for_update())}


def waiting(
    session: Session, sender: str, note_ids: Sequence[str]
) -> dict[tuple[str, int], InboxRow]:
    """Envelopes of these notes from ``sender`` waiting for an earlier one."""
    if not note_ids:
        return {}
    query = select(InboxRow).where(
        InboxRow.sender == sender, InboxRow.note_id.in_(note_ids), InboxRow.applied_at.is_(None)
    )
    return {(r.note_id, r.sequence): r for r in session.scalars(query)}


def insert_inbox(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(InboxRow), rows)


def insert_records(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(RecordRow), rows)


def recorded(session: Session, item_keys: Sequence[str]) -> set[tuple[str, str]]:
    """(kind, item key) of the records among ``item_keys`` already held."""
    if not item_keys:
        return set()
    query = select(RecordRow.kind, RecordRow.item_key).where(RecordRow.item_key.in_(item_keys))
    return {(r[0], r[1]) for r in session.execute(query)}


def gaps(session: Session, older_than: datetime) -> Sequence[CursorRow]:
    """Cursors with an envelope waiting since before ``older_than`` for an earlier one."""
    return session.scalars(
        select(CursorRow).where(CursorRow.gap_since.is_not(None), CursorRow.gap_since <= older_than)
    ).all()


def first_waiting(session: Session, sender: str, note_id: str) -> int | None:
    found = session.scalar(
        select(func.min(InboxRow.sequence)).where(
            InboxRow.sender == sender, InboxRow.note_id == note_id, InboxRow.applied_at.is_(None)
        )
    )
    return None if found is None else int(found)


def waiting_counts(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(InboxRow.sender, func.count())
        .where(InboxRow.applied_at.is_(None))
        .group_by(InboxRow.sender)
    ).all()
    return {r[0]: int(r[1]) for r in rows}


# --- records -----------------------------------------------------------------------------------
def record(session: Session, kind: str, item_key: str) -> RecordRow | None:
    return session.scalar(
        select(RecordRow).where(RecordRow.kind == kind, RecordRow.item_key == item_key)
    )


def records_of_note(session: Session, note_id: str) -> Sequence[RecordRow]:
    return session.scalars(
        select(RecordRow).where(RecordRow.note_id == note_id).order_by(RecordRow.id)
    ).all()


def record_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(RecordRow.kind, func.count()).group_by(RecordRow.kind)).all()
    return {r[0]: int(r[1]) for r in rows}


# --- links -------------------------------------------------------------------------------------
def link(session: Session, peer: str) -> LinkRow:
    found = session.get(LinkRow, peer)
    if found is None:
        found = LinkRow(peer=peer)
        session.add(found)
    return found


def links(session: Session) -> dict[str, LinkRow]:
    return {r.peer: r for r in session.scalars(select(LinkRow)).all()}
