"""Queue a delivery for every subscriber that may see what was just written — in the writer's
own transaction (a subscriber of :mod:`temir.kit.changes`).

Why here and not in the worker: the delivery row commits or rolls back with the event it
reports, so nothing committed is missed and nothing rolled back is sent. Who is told is the
note rules' answer for the subscribing organisation (:func:`temir.webhooks.rules.may_see`):
an event of no note, or of a note the organisation may not see, queues nothing for it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

from sqlalchemy.orm import Session

from temir.kit import clock
from temir.kit.changes import Change
from temir.webhooks import repository, rules
from temir.webhooks.model import DeliveryStatus

TARGET: Final = "temir.webhooks.outbox:on_changes"
"""What the entry points pass to :func:`temir.kit.changes.subscribe` (:mod:`temir.wiring`)."""

EVENT_FIELDS: Final = (
    "key", "kind", "unit", "unit_kind", "station_esr", "at", "reporter", "note_id", "hold",
    "remarks", "act_id",
)  # fmt: skip
"""What a subscriber is told of a tracking event (not who typed it in)."""


def jsonable(value: Any) -> Any:
    """Times as ISO 8601, decimals as text, containers walked: what JSON columns store."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return value


def _described(topic: str, item: Mapping[str, Any]) -> tuple[str, dict[str, Any], datetime]:
    """The event's id (unique per subscription), what is sent, and when it happened."""
    now = clock.now()
    if topic == "tracking.event":
        data = {name: item.get(name) for name in EVENT_FIELDS if item.get(name) is not None}
        at = item.get("at")
        return f"event:{item['key']}", jsonable(data), at if isinstance(at, datetime) else now
    if topic.startswith("handover."):
        return f"act:{item['act_id']}:{item['status']}", jsonable(dict(item)), now
    data = {k: v for k, v in item.items() if k != "actor_organisation_id"}
    at = item.get("at")
    event_id = f"note:{item['note_id']}:v{item.get('version')}:{item.get('action')}:{uuid.uuid4()}"
    return event_id, jsonable(data), at if isinstance(at, datetime) else now


def topic_of(change: Change) -> str | None:
    """The webhook event type a change is told as, or None for what subscribers are not told
    (note versions and signatures travel between railway nodes only)."""
    if change.kind == "event":
        return "tracking.event"
    if change.kind == "note_step":
        return f"note.{change.payload['action']}"
    if change.kind == "handover_status":
        return f"handover.{change.payload['status']}"
    return None


def on_changes(session: Session, found: Sequence[Change]) -> None:
    """Queue what ``found`` tells subscribers, one :func:`enqueue` per run of one event type."""
    batches: dict[str, list[Mapping[str, Any]]] = {}
    for change in found:
        topic = topic_of(change)
        if topic is not None:
            item = dict(change.payload)
            if isinstance(item.get("at"), str):  # events carry their time as ISO text
                item["at"] = datetime.fromisoformat(item["at"])
            batches.setdefault(topic, []).append(item)
    for topic, items in batches.items():
        enqueue(session, topic, items)


def enqueue(session: Session, topic: str, items: Sequence[Mapping[str, Any]]) -> None:
    """Queue ``items`` of ``topic`` for each live subscription that wants the type and may
    see the item's note."""
    subscribers = [
        (row, who)
        for row, who in repository.active_subscribers(session)
        if rules.wants(row.events.split(","), topic)
    ]
    if not subscribers:
        return
    facts = repository.note_facts(session, {str(i["note_id"]) for i in items if i.get("note_id")})
    now = clock.now()
    candidates: list[dict[str, Any]] = []
    for item in items:
        note_facts = facts.get(str(item.get("note_id") or ""))
        if note_facts is None:
            continue
        event_id, data, occurred = _described(topic, item)
        for row, who in subscribers:
            if rules.may_see(who, note_facts):
                candidates.append(_delivery(row.id, topic, event_id, item, data, occurred, now))
    queued = repository.queued_event_ids(
        session, {c["subscription_id"] for c in candidates}, {c["event_id"] for c in candidates}
    )
    seen: set[tuple[str, str]] = set()
    rows = []
    for c in candidates:
        pair = (c["subscription_id"], c["event_id"])
        if pair not in queued and pair not in seen:
            seen.add(pair)
            rows.append(c)
    repository.insert_deliveries(session, rows)


def _delivery(
    subscription_id: str,
    topic: str,
    event_id: str,
    item: Mapping[str, Any],
    data: dict[str, Any],
    occurred: datetime,
    now: datetime,
) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "subscription_id": subscription_id,
        "event_type": topic,
        "event_id": event_id[:200],
        "note_id": item.get("note_id"),
        "payload": data,
        "occurred_at": occurred,
        "status": str(DeliveryStatus.PENDING),
        "attempts": 0,
        "round_attempts": 0,
        "next_attempt_at": now,
        "last_status_code": None,
        "last_error": None,
        "created_at": now,
        "delivered_at": None,
    }
