"""Tables of the exchange (migration 0011): this node, its peers and their keys, the outbox,
the inbox with its per-note cursors, the records received from peers, link status.

Why outbox and inbox are tables and not queues: an envelope must be written in the same
transaction as the change it carries (outbox) and as its effect (inbox), so a crash at any
instant leaves either both or neither. Unique constraints carry the invariants: one envelope
per record and peer (``receiver, item_key``), one per sequence of a note on a link, one record
per item at the receiver — so a retry or a replay can never write anything twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from temir.kit.db import Base


class NodeRow(Base):
    """This installation as a node: the railway it is and the organisation whose key signs."""

    __tablename__ = "exchange_node"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    railway: Mapped[str] = mapped_column(String(8))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PeerRow(Base):
    __tablename__ = "exchange_peers"

    railway: Mapped[str] = mapped_column(String(8), primary_key=True)
    base_url: Mapped[str] = mapped_column(String(300))
    kinds: Mapped[str] = mapped_column(String(300))  # comma-separated envelope kinds
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    added_by: Mapped[str] = mapped_column(String(120))


class PeerKeyRow(Base):
    __tablename__ = "exchange_peer_keys"

    railway: Mapped[str] = mapped_column(
        ForeignKey("exchange_peers.railway", ondelete="CASCADE"), primary_key=True
    )
    key_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    algorithm: Mapped[str] = mapped_column(String(40))
    public_key: Mapped[str] = mapped_column(String(200))
    valid_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    valid_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OutboxRow(Base):
    """An envelope to deliver, signed when written (with the key valid then)."""

    __tablename__ = "exchange_outbox"
    __table_args__ = (
        UniqueConstraint("receiver", "item_key"),
        UniqueConstraint("receiver", "note_id", "sequence"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    receiver: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(24))
    note_id: Mapped[str] = mapped_column(String(40))
    item_key: Mapped[str] = mapped_column(String(200))
    sequence: Mapped[int] = mapped_column(Integer)
    envelope: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(String(400))
    receipt: Mapped[dict[str, Any] | None] = mapped_column(JSON)


Index("ix_exchange_outbox_pending", OutboxRow.delivered_at, OutboxRow.next_attempt_at)


class InboxRow(Base):
    """An envelope received; ``applied_at`` empty while it waits for an earlier one."""

    __tablename__ = "exchange_inbox"
    __table_args__ = (UniqueConstraint("sender", "note_id", "sequence"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sender: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(24))
    note_id: Mapped[str] = mapped_column(String(40))
    item_key: Mapped[str] = mapped_column(String(200))
    sequence: Mapped[int] = mapped_column(Integer)
    payload_digest: Mapped[str] = mapped_column(String(64))
    envelope: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    applied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)


class CursorRow(Base):
    """How far the envelopes of one note from one peer are applied, and since when a gap."""

    __tablename__ = "exchange_cursors"

    sender: Mapped[str] = mapped_column(String(8), primary_key=True)
    note_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_applied: Mapped[int] = mapped_column(Integer, default=0)
    gap_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    resend_asked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RecordRow(Base):
    """A record this node holds from a peer (or made itself about a peer's note): the effect."""

    __tablename__ = "exchange_records"
    __table_args__ = (UniqueConstraint("kind", "item_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    item_key: Mapped[str] = mapped_column(String(200))
    note_id: Mapped[str] = mapped_column(String(40), index=True)
    origin: Mapped[str] = mapped_column(String(8))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    envelope_id: Mapped[str | None] = mapped_column(String(36))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LinkRow(Base):
    __tablename__ = "exchange_links"

    peer: Mapped[str] = mapped_column(String(8), primary_key=True)
    last_success_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
