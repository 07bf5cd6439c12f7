"""Use cases of webhooks: subscribe, list, remove, read the delivery log, redeliver, queue a
test; the node's signing key. Services never commit (the caller's unit of work does).

Who may do what: a user manages its own organisation's subscriptions (any role: a consignee's
viewer too — it only chooses where its own notes' events go); an administrator any
organisation's. Someone else's subscription is "not found", as notes are.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Final

from sqlalchemy.orm import Session

from temir.accounts import audit
from temir.accounts import repository as accounts_repository
from temir.accounts import service as accounts_service
from temir.accounts.model import Actor, Role
from temir.kit import clock
from temir.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from temir.kit.i18n import N_
from temir.signing import sealing
from temir.signing.algorithms import Ed25519Signer, public_pem
from temir.webhooks import repository, rules
from temir.webhooks.model import Attempt, Delivery, DeliveryStatus, Subscription
from temir.webhooks.repository import aware, aware_or_none
from temir.webhooks.tables import WebhookDeliveryRow, WebhookKeyRow, WebhookSubscriptionRow

MAX_LIST: Final = 500
NO_SUBSCRIPTION = N_("No webhook subscription {id}.")
NO_DELIVERY = N_("No webhook delivery {id}.")
NO_ORGANISATION = N_("Name the organisation the subscription is for (--org).")
OTHER_ORGANISATION = N_("You manage only your own organisation's webhooks.")
REMOVED = N_("Webhook subscription {id} is removed.")
NOT_FAILED = N_("Delivery {id} is {status}: only a failed or delivered one is sent again.")
BAD_STATUS = N_("Unknown delivery status {value}; choose among: {choices}.")


def _subscription(
    row: WebhookSubscriptionRow, slug: str, counts: dict[str, int] | None = None
) -> Subscription:
    return Subscription(
        id=row.id,
        organisation=slug,
        url=row.url,
        events=tuple(p for p in row.events.split(",") if p),
        description=row.description or "",
        created_at=aware(row.created_at),
        created_by=row.created_by,
        removed_at=aware_or_none(row.removed_at),
        counts=counts or {},
    )


def _org_id_for(session: Session, actor: Actor, organisation: str | None) -> int:
    """The organisation whose webhooks ``actor`` manages (its own; an admin names one)."""
    if organisation:
        org = accounts_service.get_organisation(session, organisation)
        if actor.role is not Role.ADMIN and org.id != actor.organisation_id:
            raise PermissionDenied(OTHER_ORGANISATION, code="webhooks.other_organisation")
        return org.id
    if actor.organisation_id is None:
        raise ValidationFailed(NO_ORGANISATION, code="webhooks.organisation", field="organisation")
    return actor.organisation_id


def _slug(session: Session, organisation_id: int) -> str:
    return accounts_repository.organisation_slugs(session, {organisation_id}).get(
        organisation_id, ""
    )


def create(
    session: Session,
    actor: Actor,
    *,
    url: str,
    events: Iterable[str] = ("*",),
    secret: str | None = None,
    description: str = "",
    organisation: str | None = None,
) -> tuple[Subscription, str]:
    """A new subscription and its secret (shown to the caller now; the receiver keeps it)."""
    org_id = _org_id_for(session, actor, organisation)
    row = WebhookSubscriptionRow(
        id=str(uuid.uuid4()),
        organisation_id=org_id,
        url=rules.check_url(url),
        events=",".join(rules.check_events(events)),
        secret=rules.check_secret(secret),
        description=(description or "").strip()[:200],
        created_at=clock.now(),
        created_by=actor.label,
    )
    repository.add_subscription(session, row)
    audit.record(
        session, actor, "webhooks.subscribed", "webhook_subscription", row.id,
        {"url": row.url, "events": row.events, "organisation_id": org_id},
    )  # fmt: skip
    return _subscription(row, _slug(session, org_id)), row.secret


def _own(session: Session, actor: Actor, subscription_id: str) -> WebhookSubscriptionRow:
    """The subscription if ``actor`` manages it; 404 otherwise (not told to outsiders)."""
    try:
        key = str(uuid.UUID(str(subscription_id).strip()))
    except ValueError:
        key = None
    row = repository.subscription_row(session, key) if key else None
    if row is None or (
        actor.role is not Role.ADMIN and row.organisation_id != actor.organisation_id
    ):
        raise NotFound(NO_SUBSCRIPTION, code="webhooks.not_found", field="id",
                       id=str(subscription_id)[:40])  # fmt: skip
    return row


def get(session: Session, actor: Actor, subscription_id: str) -> Subscription:
    row = _own(session, actor, subscription_id)
    counts = repository.delivery_counts(session, [row.id]).get(row.id, {})
    return _subscription(row, _slug(session, row.organisation_id), counts)


def list_subscriptions(
    session: Session, actor: Actor, organisation: str | None = None, *, removed: bool = False
) -> list[Subscription]:
    """The actor's organisation's subscriptions (an administrator: all, or one organisation's)."""
    if actor.role is Role.ADMIN and not organisation:
        org_id: int | None = None
    else:
        org_id = _org_id_for(session, actor, organisation)
    rows = repository.subscription_rows(session, org_id, removed=removed)[:MAX_LIST]
    counts = repository.delivery_counts(session, [r.id for r in rows])
    slugs = accounts_repository.organisation_slugs(session, {r.organisation_id for r in rows})
    return [_subscription(r, slugs.get(r.organisation_id, ""), counts.get(r.id)) for r in rows]


def remove(session: Session, actor: Actor, subscription_id: str) -> Subscription:
    """Stop sending (pending deliveries are not sent); the delivery log stays readable."""
    row = _own(session, actor, subscription_id)
    if row.removed_at is None:
        repository.remove_subscription(session, row, actor.label, clock.now())
        audit.record(session, actor, "webhooks.removed", "webhook_subscription", row.id,
                     {"url": row.url})  # fmt: skip
    return _subscription(row, _slug(session, row.organisation_id))


def _delivery(row: WebhookDeliveryRow, log: Iterable[Attempt] = ()) -> Delivery:
    return Delivery(
        id=row.id,
        subscription_id=row.subscription_id,
        event_type=row.event_type,
        event_id=row.event_id,
        note_id=row.note_id,
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        next_attempt_at=aware(row.next_attempt_at),
        created_at=aware(row.created_at),
        delivered_at=aware_or_none(row.delivered_at),
        last_status_code=row.last_status_code,
        last_error=row.last_error,
        log=tuple(log),
    )


def deliveries(
    session: Session,
    actor: Actor,
    subscription_id: str,
    *,
    status: str | None = None,
    limit: int = 50,
) -> list[Delivery]:
    """A subscription's delivery log: newest first, each with every attempt."""
    row = _own(session, actor, subscription_id)
    if status and status not in set(DeliveryStatus):
        raise ValidationFailed(BAD_STATUS, code="webhooks.status", field="status",
                               value=status[:20], choices=", ".join(DeliveryStatus))  # fmt: skip
    found = repository.delivery_rows(session, row.id, status or None, max(1, min(limit, MAX_LIST)))
    log: dict[str, list[Attempt]] = {}
    for a in repository.attempt_rows(session, [d.id for d in found]):
        log.setdefault(a.delivery_id, []).append(
            Attempt(a.attempt, aware(a.at), a.status_code, a.latency_ms, a.error)
        )
    return [_delivery(d, log.get(d.id, ())) for d in found]


def redeliver(session: Session, actor: Actor, delivery_id: str) -> Delivery:
    """Queue a failed (or delivered) delivery again, now, for a new round of attempts; its id
    stays the same, so a receiver that had it already dedupes."""
    row = repository.delivery_row(session, str(delivery_id)[:40], for_update=True)
    if row is None:
        raise NotFound(NO_DELIVERY, code="webhooks.delivery_not_found", field="id",
                       id=str(delivery_id)[:40])  # fmt: skip
    try:
        subscription = _own(session, actor, row.subscription_id)
    except NotFound:
        raise NotFound(NO_DELIVERY, code="webhooks.delivery_not_found", field="id",
                       id=row.id) from None  # fmt: skip
    if subscription.removed_at is not None:
        raise Conflict(REMOVED, code="webhooks.removed", field="id", id=subscription.id)
    if row.status == DeliveryStatus.PENDING:
        raise Conflict(NOT_FAILED, code="webhooks.pending", field="id", id=row.id,
                       status=row.status)  # fmt: skip
    row.status = str(DeliveryStatus.PENDING)
    row.round_attempts = 0
    row.next_attempt_at = clock.now()
    audit.record(session, actor, "webhooks.redelivered", "webhook_delivery", row.id,
                 {"subscription_id": row.subscription_id})  # fmt: skip
    return _delivery(row)


def queue_test(session: Session, actor: Actor, subscription_id: str) -> str:
    """Queue a ``webhook.test`` delivery (signed like any other) and return its id."""
    row = _own(session, actor, subscription_id)
    if row.removed_at is not None:
        raise Conflict(REMOVED, code="webhooks.removed", field="id", id=row.id)
    now = clock.now()
    delivery_id = str(uuid.uuid4())
    repository.insert_deliveries(
        session,
        [
            {
                "id": delivery_id, "subscription_id": row.id, "event_type": rules.TEST_EVENT,
                "event_id": f"test:{delivery_id}", "note_id": None,
                "payload": {"subscription_id": row.id, "requested_by": actor.label},
                "occurred_at": now, "status": str(DeliveryStatus.PENDING), "attempts": 0,
                "round_attempts": 0, "next_attempt_at": now, "last_status_code": None,
                "last_error": None, "created_at": now, "delivered_at": None,
            }
        ],
    )  # fmt: skip
    audit.record(session, actor, "webhooks.test", "webhook_subscription", row.id,
                 {"delivery_id": delivery_id})  # fmt: skip
    return delivery_id


# --- the node's key --------------------------------------------------------------------------


def node_key(session: Session, secret: str) -> WebhookKeyRow:
    """The node's current webhook key, made now (and audited) if it has none yet."""
    found = repository.current_key(session)
    if found is not None:
        return found
    sealed = sealing.new_sealed_key(secret)
    row = WebhookKeyRow(
        key_id=sealed.key_id,
        algorithm=sealed.algorithm,
        public_key=sealed.public_key,
        private_key_sealed=sealed.sealed_private_key,
        salt=sealed.salt,
        created_at=clock.now(),
        retired_at=None,
    )
    repository.add_key(session, row)
    audit.record(session, Actor.system("webhooks"), "webhooks.key_created", "webhook_key",
                 row.key_id)  # fmt: skip
    return row


def node_signer(session: Session, secret: str) -> Ed25519Signer:
    key = node_key(session, secret)
    return sealing.unseal(key.key_id, key.private_key_sealed, key.salt, secret)


def public_keys(session: Session) -> list[dict[str, object]]:
    """The node's webhook keys, retired ones included (they still verify what they signed)."""
    return [
        {
            "key_id": k.key_id,
            "algorithm": k.algorithm,
            "public_key": k.public_key,
            "public_key_pem": public_pem(k.public_key),
            "created_at": aware(k.created_at).isoformat(),
            "current": k.retired_at is None,
            "signs": rules.WEBHOOK_KIND.domain.decode("ascii").strip()
            + " + sha256(TIMESTAMP.BODY)",
        }
        for k in repository.key_rows(session)
    ]
