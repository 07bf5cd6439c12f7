"""What a subscription, a queued delivery and one attempt to deliver it are. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    """Queued, or waiting for its next attempt."""
    DELIVERED = "delivered"
    """The receiver answered 2xx."""
    FAILED = "failed"
    """Every attempt of the round failed; a redelivery starts a new round."""


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


@dataclass(frozen=True)
class Subscription:
    """An organisation's webhook: where to POST, which event types, since when."""

    id: str
    organisation: str
    url: str
    events: tuple[str, ...]
    description: str
    created_at: datetime
    created_by: str
    removed_at: datetime | None = None
    counts: dict[str, int] = field(default_factory=dict)
    """Deliveries by status (only where a list asks for them)."""

    @property
    def active(self) -> bool:
        return self.removed_at is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "organisation": self.organisation,
            "url": self.url,
            "events": list(self.events),
            "description": self.description,
            "active": self.active,
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
            "removed_at": _iso(self.removed_at),
            "deliveries": dict(self.counts),
        }


@dataclass(frozen=True)
class Attempt:
    """One POST of a delivery: its number, when, the answer (or why there was none), how long."""

    number: int
    at: datetime
    status_code: int | None
    latency_ms: int
    error: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "attempt": self.number,
            "at": self.at.isoformat(),
            "status_code": self.status_code,
            "latency_ms": self.latency_ms,
            "error": self.error,
        }


@dataclass(frozen=True)
class Delivery:
    """One event for one subscription. Its id stays the same through every retry and
    redelivery: the receiver dedupes on it (``Temir-Delivery-Id``)."""

    id: str
    subscription_id: str
    event_type: str
    event_id: str
    note_id: str | None
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    log: tuple[Attempt, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "subscription_id": self.subscription_id,
            "event_type": self.event_type,
            "event_id": self.event_id,
            "note_id": self.note_id,
            "status": str(self.status),
            "attempts": self.attempts,
            "next_attempt_at": _iso(self.next_attempt_at) if self.status == "pending" else None,
            "created_at": self.created_at.isoformat(),
            "delivered_at": _iso(self.delivered_at),
            "last_status_code": self.last_status_code,
            "last_error": self.last_error,
            "log": [a.to_dict() for a in self.log],
        }


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to (the worker's report, and the answer of ``test``)."""

    delivery_id: str
    attempt: int
    status: DeliveryStatus
    status_code: int | None
    latency_ms: int
    error: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "delivery_id": self.delivery_id,
            "attempt": self.attempt,
            "status": str(self.status),
            "status_code": self.status_code,
            "latency_ms": self.latency_ms,
            "error": self.error,
        }
