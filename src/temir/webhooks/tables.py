"""Stored webhooks: subscriptions, the delivery queue (outbox), each attempt, the node's key.

Why this shape: a delivery row is written in the transaction that writes its event, so the
queue is exactly what was committed; ``(subscription_id, event_id)`` is unique, so one event
is queued once per subscription whatever retries its writer makes. The worker takes a due
delivery by pushing its ``next_attempt_at`` forward (a lease) in an UPDATE that only succeeds
for one worker, on SQLite and PostgreSQL alike; a worker that dies loses nothing, the lease
runs out. Attempts are only added: the delivery log. A subscription is removed by marking it,
so its log stays readable.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from temir.kit.db import Base


class WebhookSubscriptionRow(Base):
    __tablename__ = "webhook_subscriptions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # UUID
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[str] = mapped_column(String(1000))  # patterns, comma-separated
    secret: Mapped[str] = mapped_column(String(200))  # the HMAC key the receiver holds too
    description: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(120))
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    removed_by: Mapped[str | None] = mapped_column(String(120))


class WebhookDeliveryRow(Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (UniqueConstraint("subscription_id", "event_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # Temir-Delivery-Id
    subscription_id: Mapped[str] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"), index=True
    )
    event_type: Mapped[str] = mapped_column(String(40))
    event_id: Mapped[str] = mapped_column(String(200))
    note_id: Mapped[str | None] = mapped_column(String(36))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(12))
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # every attempt, all rounds
    round_attempts: Mapped[int] = mapped_column(Integer, default=0)  # since (re)queued
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(400))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


Index(
    "ix_webhook_deliveries_status_next_attempt_at",
    WebhookDeliveryRow.status,
    WebhookDeliveryRow.next_attempt_at,
)


class WebhookAttemptRow(Base):
    """One POST of a delivery: the delivery log. Append-only."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[str] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True
    )
    attempt: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status_code: Mapped[int | None] = mapped_column(Integer)
    latency_ms: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(400))


class WebhookKeyRow(Base):
    """The node's key that signs every webhook; the private half sealed like organisations'
    keys (:mod:`temir.signing.sealing`). Retired keys stay published: they still verify."""

    __tablename__ = "webhook_keys"

    key_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    algorithm: Mapped[str] = mapped_column(String(40))
    public_key: Mapped[str] = mapped_column(String(200))
    private_key_sealed: Mapped[str] = mapped_column(Text)
    salt: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
