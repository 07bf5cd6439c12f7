"""All SQL of webhooks: subscriptions, the delivery queue and its log, the node's keys.

Reads of notes and organisations are here too (webhooks sits above them): which notes the
written events belong to and who their parties are, in one query per batch.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from temir.accounts.rules import railway_of
from temir.accounts.tables import OrganisationRow
from temir.kit.db import read_apart
from temir.notes.lifecycle import NoteFacts
from temir.notes.store.tables import NoteRow
from temir.tracking import timeline
from temir.webhooks.rules import Subscriber
from temir.webhooks.tables import (
    WebhookAttemptRow,
    WebhookDeliveryRow,
    WebhookKeyRow,
    WebhookSubscriptionRow,
)


def aware(value: datetime) -> datetime:
    """SQLite hands times back naive (they were written in UTC)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def aware_or_none(value: datetime | None) -> datetime | None:
    return None if value is None else aware(value)


# --- subscriptions ---------------------------------------------------------------------------


_LIVE: Final = "webhooks.live_subscribers"
"""Where a session keeps the live subscriptions it has read (see :func:`active_subscribers`)."""


def add_subscription(session: Session, row: WebhookSubscriptionRow) -> None:
    session.add(row)
    session.flush()
    session.info.pop(_LIVE, None)


def remove_subscription(
    session: Session, row: WebhookSubscriptionRow, by: str, at: datetime
) -> None:
    row.removed_at = at
    row.removed_by = by
    session.info.pop(_LIVE, None)


def subscription_row(session: Session, subscription_id: str) -> WebhookSubscriptionRow | None:
    return session.get(WebhookSubscriptionRow, subscription_id)


def subscription_rows(
    session: Session, organisation_id: int | None, *, removed: bool = False
) -> list[WebhookSubscriptionRow]:
    """An organisation's subscriptions (every organisation's for ``None``), oldest first."""
    query = select(WebhookSubscriptionRow)
    if organisation_id is not None:
        query = query.where(WebhookSubscriptionRow.organisation_id == organisation_id)
    if not removed:
        query = query.where(WebhookSubscriptionRow.removed_at.is_(None))
    return list(session.scalars(query.order_by(WebhookSubscriptionRow.created_at)))


def active_subscribers(session: Session) -> list[tuple[WebhookSubscriptionRow, Subscriber]]:
    """Every live subscription with its organisation as visibility needs it.

    Read once per unit of work (and again after this session adds or removes one): every write
    a transaction announces asks, a bulk import thousands of times, and most installations have
    no subscriber at all.
    """
    found: list[tuple[WebhookSubscriptionRow, Subscriber]] | None = session.info.get(_LIVE)
    if found is None:
        with read_apart(session, WebhookSubscriptionRow, OrganisationRow):  # flushes no note
            rows = session.execute(
                select(WebhookSubscriptionRow, OrganisationRow)
                .join(OrganisationRow, OrganisationRow.id == WebhookSubscriptionRow.organisation_id)
                .where(WebhookSubscriptionRow.removed_at.is_(None))
            ).all()
        found = [(sub, Subscriber(org.id, railway_of(org))) for sub, org in rows]
        session.info[_LIVE] = found
    return list(found)


def organisation_row(session: Session, organisation_id: int) -> OrganisationRow | None:
    return session.get(OrganisationRow, organisation_id)


def note_facts(session: Session, note_ids: Collection[str]) -> dict[str, NoteFacts]:
    """Who may see each note, as the note rules need it (box 22 carriers, box 4 consignee)."""
    if not note_ids:
        return {}
    rows = session.scalars(select(NoteRow).where(NoteRow.id.in_(sorted(note_ids))))
    return {r.id: timeline.note_facts(r) for r in rows}


def delivery_counts(session: Session, subscription_ids: Sequence[str]) -> dict[str, dict[str, int]]:
    if not subscription_ids:
        return {}
    rows = session.execute(
        select(WebhookDeliveryRow.subscription_id, WebhookDeliveryRow.status, func.count())
        .where(WebhookDeliveryRow.subscription_id.in_(list(subscription_ids)))
        .group_by(WebhookDeliveryRow.subscription_id, WebhookDeliveryRow.status)
    ).all()
    out: dict[str, dict[str, int]] = {}
    for sub, status, count in rows:
        out.setdefault(sub, {})[status] = int(count)
    return out


# --- the queue -------------------------------------------------------------------------------


def queued_event_ids(
    session: Session, subscription_ids: Collection[str], event_ids: Collection[str]
) -> set[tuple[str, str]]:
    """The (subscription, event) pairs already queued among these."""
    if not subscription_ids or not event_ids:
        return set()
    found: set[tuple[str, str]] = set()
    ids = sorted(event_ids)
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(WebhookDeliveryRow.subscription_id, WebhookDeliveryRow.event_id).where(
                WebhookDeliveryRow.subscription_id.in_(sorted(subscription_ids)),
                WebhookDeliveryRow.event_id.in_(ids[start : start + 500]),
            )
        ).all()
        found.update((s, e) for s, e in rows)
    return found


def insert_deliveries(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(WebhookDeliveryRow), rows)


def due_ids(
    session: Session, now: datetime, limit: int, only: Collection[str] | None = None
) -> list[str]:
    """Pending deliveries whose time has come, the longest waiting first (``only``: of these
    subscriptions)."""
    query = select(WebhookDeliveryRow.id).where(
        WebhookDeliveryRow.status == "pending", WebhookDeliveryRow.next_attempt_at <= now
    )
    if only is not None:
        query = query.where(WebhookDeliveryRow.subscription_id.in_(sorted(only)))
    return list(session.scalars(query.order_by(WebhookDeliveryRow.next_attempt_at).limit(limit)))


def claim(session: Session, delivery_id: str, now: datetime, lease_until: datetime) -> bool:
    """Take a due delivery for one attempt: only one worker's UPDATE matches."""
    result = session.execute(
        update(WebhookDeliveryRow)
        .where(
            WebhookDeliveryRow.id == delivery_id,
            WebhookDeliveryRow.status == "pending",
            WebhookDeliveryRow.next_attempt_at <= now,
        )
        .values(next_attempt_at=lease_until)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def claim_due(
    session: Session,
    now: datetime,
    lease_until: datetime,
    limit: int,
    *,
    only: Collection[str] | None = None,
    ids: Collection[str] | None = None,
) -> list[str]:
    """Take up to ``limit`` due deliveries in one UPDATE ... RETURNING: a row another worker
    leased meanwhile no longer matches (its next attempt moved past ``now``)."""
    due = select(WebhookDeliveryRow.id).where(
        WebhookDeliveryRow.status == "pending", WebhookDeliveryRow.next_attempt_at <= now
    )
    if only is not None:
        due = due.where(WebhookDeliveryRow.subscription_id.in_(sorted(only)))
    if ids is not None:
        due = due.where(WebhookDeliveryRow.id.in_(sorted(ids)))
    due = due.order_by(WebhookDeliveryRow.next_attempt_at).limit(limit)
    statement = (
        update(WebhookDeliveryRow)
        .where(
            WebhookDeliveryRow.id.in_(due),
            WebhookDeliveryRow.status == "pending",
            WebhookDeliveryRow.next_attempt_at <= now,
        )
        .values(next_attempt_at=lease_until)
        .returning(WebhookDeliveryRow.id)
        .execution_options(synchronize_session=False)
    )
    return list(session.scalars(statement))


def deliveries_by_id(
    session: Session, delivery_ids: Collection[str], *, for_update: bool = False
) -> list[WebhookDeliveryRow]:
    if not delivery_ids:
        return []
    query = select(WebhookDeliveryRow).where(WebhookDeliveryRow.id.in_(sorted(delivery_ids)))
    if for_update:
        query = query.with_for_update()
    return list(session.scalars(query))


def subscriptions_by_id(
    session: Session, subscription_ids: Collection[str]
) -> dict[str, WebhookSubscriptionRow]:
    if not subscription_ids:
        return {}
    rows = session.scalars(
        select(WebhookSubscriptionRow).where(
            WebhookSubscriptionRow.id.in_(sorted(subscription_ids))
        )
    )
    return {r.id: r for r in rows}


def delivery_row(
    session: Session, delivery_id: str, *, for_update: bool = False
) -> WebhookDeliveryRow | None:
    return session.get(WebhookDeliveryRow, delivery_id, with_for_update=for_update or None)


def delivery_rows(
    session: Session, subscription_id: str, status: str | None, limit: int
) -> list[WebhookDeliveryRow]:
    query = select(WebhookDeliveryRow).where(WebhookDeliveryRow.subscription_id == subscription_id)
    if status:
        query = query.where(WebhookDeliveryRow.status == status)
    query = query.order_by(WebhookDeliveryRow.created_at.desc(), WebhookDeliveryRow.id)
    return list(session.scalars(query.limit(limit)))


def add_attempt(session: Session, row: WebhookAttemptRow) -> None:
    session.add(row)


def attempt_rows(session: Session, delivery_ids: Sequence[str]) -> list[WebhookAttemptRow]:
    if not delivery_ids:
        return []
    return list(
        session.scalars(
            select(WebhookAttemptRow)
            .where(WebhookAttemptRow.delivery_id.in_(list(delivery_ids)))
            .order_by(WebhookAttemptRow.delivery_id, WebhookAttemptRow.attempt)
        )
    )


# --- the node's keys -------------------------------------------------------------------------


def current_key(session: Session) -> WebhookKeyRow | None:
    return session.scalars(
        select(WebhookKeyRow)
        .where(WebhookKeyRow.retired_at.is_(None))
        .order_by(WebhookKeyRow.created_at.desc())
        .limit(1)
    ).first()


def key_rows(session: Session) -> list[WebhookKeyRow]:
    return list(session.scalars(select(WebhookKeyRow).order_by(WebhookKeyRow.created_at)))


def add_key(session: Session, row: WebhookKeyRow) -> None:
    session.add(row)
    session.flush()
