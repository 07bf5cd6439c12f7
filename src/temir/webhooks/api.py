"""JSON routes of webhooks: subscribe, list, show, remove, test, the delivery log, redeliver,
and the node's public keys that verify every webhook's Ed25519 signature (public: no log-in).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from temir.accounts.deps import current_actor
from temir.accounts.model import Actor
from temir.kit.api import read_session, uow_of
from temir.kit.contract import declared
from temir.webhooks import delivery, rules, service

router = APIRouter(tags=["webhooks"])


#: What an event filter may name: an event type, ``PREFIX.*`` or ``*``.
_PATTERNS = sorted(
    {"*", *(t for t in rules.EVENT_TYPES if t != rules.TEST_EVENT),
     *(t.split(".")[0] + ".*" for t in rules.EVENT_TYPES if t != rules.TEST_EVENT)}
)  # fmt: skip

_Pattern = Annotated[str, Field(max_length=60, json_schema_extra=declared(enum=_PATTERNS))]


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Declared for clients; temir.webhooks.rules checks them and answers webhooks.url, …
    url: str = Field(
        max_length=rules.MAX_URL, description="http:// or https://, no credentials.",
        json_schema_extra=declared(pattern=r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,4})?(/[!-~]*)?$"),
    )  # fmt: skip
    events: list[_Pattern] = Field(
        default_factory=lambda: ["*"], max_length=rules.MAX_EVENTS,
        description="Event types: tracking.event, handover.*, note.accept, … or *.",
        json_schema_extra={"minItems": 1},
    )  # fmt: skip
    secret: str | None = Field(
        None, max_length=rules.SECRET_MAX, description="Default: a new random one.",
        json_schema_extra={"minLength": rules.SECRET_MIN},
    )  # fmt: skip
    description: str = Field("", max_length=200)
    organisation: str | None = Field(None, max_length=64, description="Administrators only.")


def _secret(request: Request) -> str:
    secret: str = request.app.state.settings.secret_key
    return secret


@router.get("/webhooks/keys")
def keys(session: Session = Depends(read_session)) -> dict[str, Any]:
    """The node's public keys that sign webhooks (``Temir-Key-Id``), retired ones included."""
    return {"keys": service.public_keys(session)}


@router.post("/webhooks", status_code=201)
def create(
    request: Request, data: SubscriptionIn, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """Subscribe a URL to the events of your organisation's notes; the answer carries the
    secret of the HMAC signature (keep it: it is not shown again)."""
    with uow_of(request)() as session:
        sub, secret = service.create(
            session, actor, url=data.url, events=data.events, secret=data.secret,
            description=data.description, organisation=data.organisation,
        )  # fmt: skip
    return {**sub.to_dict(), "secret": secret}


@router.get("/webhooks")
def list_subscriptions(
    session: Session = Depends(read_session),
    actor: Actor = Depends(current_actor),
    organisation: str | None = Query(None, max_length=64),
    removed: bool = Query(False, description="Include removed subscriptions."),
) -> dict[str, Any]:
    found = service.list_subscriptions(session, actor, organisation, removed=removed)
    return {"subscriptions": [s.to_dict() for s in found]}


@router.get("/webhooks/{subscription_id}")
def show(
    subscription_id: str,
    session: Session = Depends(read_session),
    actor: Actor = Depends(current_actor),
) -> dict[str, Any]:
    return service.get(session, actor, subscription_id[:40]).to_dict()


@router.delete("/webhooks/{subscription_id}")
def remove(
    request: Request, subscription_id: str, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """Stop sending; the delivery log stays readable."""
    with uow_of(request)() as session:
        return service.remove(session, actor, subscription_id[:40]).to_dict()


@router.post("/webhooks/{subscription_id}/test")
def send_test(
    request: Request, subscription_id: str, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """Send a signed ``webhook.test`` now and tell what the receiver answered."""
    outcome = delivery.send_test(uow_of(request), actor, subscription_id[:40], _secret(request))
    return outcome.to_dict()


@router.get("/webhooks/{subscription_id}/deliveries")
def deliveries(
    subscription_id: str,
    session: Session = Depends(read_session),
    actor: Actor = Depends(current_actor),
    status: str | None = Query(None, max_length=20, description="pending, delivered, failed"),
    limit: int = Query(50, ge=1, le=500),
) -> dict[str, Any]:
    """The delivery log, newest first: each delivery with every attempt (status code,
    latency, error)."""
    found = service.deliveries(session, actor, subscription_id[:40], status=status, limit=limit)
    return {"deliveries": [d.to_dict() for d in found]}


@router.post("/webhooks/deliveries/{delivery_id}/redeliver")
def redeliver(
    request: Request, delivery_id: str, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """Queue a failed (or delivered) delivery again, with the same delivery id."""
    with uow_of(request)() as session:
        return service.redeliver(session, actor, delivery_id[:40]).to_dict()
