"""JSON routes of the exchange.

Node to node (no log-in: the signature is the credential): ``POST /exchange/envelopes``
(a batch from one peer → signed receipts), ``POST /exchange/resend`` (a signed request to send
envelopes again), ``GET /exchange/identity`` (this node's railway and public keys).
For people: status, peers (administrators), retry, what this node holds of a note, and the
handover of a received note (offer, accept, dispute).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from temir.accounts.deps import current_actor, require_role
from temir.accounts.model import Actor, Role
from temir.codes import RAILWAYS
from temir.exchange import handover, holdings, inbox, service
from temir.exchange.model import EnvelopeKind, PeerKey
from temir.kit.api import read_session, request_language, uow_of
from temir.kit.contract import declared

router = APIRouter(tags=["exchange"])
operator = require_role(Role.RAILWAY_OPERATOR)


def _secret(request: Request) -> str:
    secret: str = request.app.state.settings.secret_key
    return secret


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


#: What a peer is added by: the OSJD Latin abbreviation (the rule also reads other spellings).
RAILWAY_CODES = tuple(r.latin for r in RAILWAYS if r.latin)


_KINDS = declared(enum=[str(k) for k in EnvelopeKind])


class BatchIn(_In):
    envelopes: list[dict[str, Any]] = Field(
        max_length=inbox.MAX_BATCH, json_schema_extra={"minItems": 1}
    )


class PeerIn(_In):
    railway: str = Field(max_length=10, json_schema_extra=declared(enum=RAILWAY_CODES))
    base_url: str = Field(
        max_length=300, json_schema_extra=declared(pattern=r"^https?://[^\s/?#]+")
    )
    keys: list[PeerKey] = Field(default_factory=list, max_length=50)
    kinds: list[Annotated[str, Field(max_length=40, json_schema_extra=_KINDS)]] | None = Field(
        None, max_length=10
    )


class DisputeIn(_In):
    discrepancies: list[dict[str, Any]] = Field(max_length=500, json_schema_extra={"minItems": 1})
    commercial_act: str | None = Field(None, max_length=40)


@router.post("/exchange/envelopes")
def receive(request: Request, batch: BatchIn) -> dict[str, Any]:
    """Envelopes from a peer node: each checked, deduplicated, ordered and applied; a receipt
    for each (``applied``, ``queued``, ``duplicate``, or ``rejected`` and why), the batch's
    receipts signed by this node."""
    with uow_of(request)() as session:
        receipts = inbox.receive(
            session, batch.envelopes, _secret(request), request_language(request)
        )
    return receipts


RESEND_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["request", "signature"],
    "properties": {
        "request": {
            "type": "object",
            "required": ["requester", "sender", "note_id", "first", "last", "at"],
            "properties": {
                "requester": {"type": "string", "enum": list(RAILWAY_CODES)},
                "sender": {"type": "string", "enum": list(RAILWAY_CODES)},
                "note_id": {"type": "string", "maxLength": 40},
                "first": {"type": "integer", "minimum": 1},
                "last": {"type": "integer", "minimum": 1},
                "at": {"type": "string", "format": "date-time"},
            },
        },
        "signature": {"type": "object"},
    },
}
"""A resend request as :func:`temir.exchange.inbox.resend_request` writes it (the signature
is checked against the requester's keys; an unsigned or unknown requester is a 403)."""


@router.post("/exchange/resend")
def resend(
    request: Request, body: dict[str, Any] = Body(..., json_schema_extra=RESEND_SCHEMA)
) -> dict[str, Any]:
    """A peer asks for envelopes again (signed by it): they are sent at once."""
    with uow_of(request)() as session:
        return {"reopened": inbox.handle_resend(session, body)}


@router.get("/exchange/identity")
def identity(session: Session = Depends(read_session)) -> dict[str, Any]:
    """This node's railway and public keys with their validity (what peers add)."""
    return service.identity(session)


@router.get("/exchange/status")
def status(
    session: Session = Depends(read_session), _actor: Actor = Depends(operator)
) -> dict[str, Any]:
    """Per link: queue depth, oldest pending, last success, last error, waiting in the inbox."""
    return service.status(session)


@router.get("/exchange/peers")
def peers(
    session: Session = Depends(read_session), _actor: Actor = Depends(operator)
) -> dict[str, Any]:
    return {"peers": [p.to_dict() for p in service.list_peers(session)]}


@router.post("/exchange/peers", status_code=201)
def add_peer(
    request: Request, peer: PeerIn, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    with uow_of(request)() as session:
        return service.add_peer(
            session, actor, peer.railway, peer.base_url, peer.keys, peer.kinds
        ).to_dict()


@router.delete("/exchange/peers/{railway}")
def remove_peer(
    request: Request,
    railway: Annotated[str, Path(json_schema_extra=declared(enum=RAILWAY_CODES))],
    actor: Actor = Depends(current_actor),
) -> dict[str, Any]:
    with uow_of(request)() as session:
        return service.remove_peer(session, actor, railway[:10]).to_dict()


@router.post("/exchange/retry")
def retry(
    request: Request, peer: str | None = None, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    with uow_of(request)() as session:
        return {"rescheduled": service.retry(session, actor, peer)}


@router.get("/exchange/notes/{note_id}")
def holding(
    note_id: str, session: Session = Depends(read_session), _actor: Actor = Depends(operator)
) -> dict[str, Any]:
    """What this node holds of a note: versions, signatures, events, acts, custody."""
    return holdings.holding(session, note_id[:40])


@router.post("/exchange/notes/{note_id}/offer", status_code=201)
def offer(request: Request, note_id: str, actor: Actor = Depends(current_actor)) -> dict[str, Any]:
    with uow_of(request)() as session:
        return handover.offer(session, actor, note_id[:40], secret=_secret(request))


@router.post("/exchange/acts/{act_id}/accept")
def accept(request: Request, act_id: str, actor: Actor = Depends(current_actor)) -> dict[str, Any]:
    with uow_of(request)() as session:
        return handover.accept(session, actor, act_id[:40], secret=_secret(request))


@router.post("/exchange/acts/{act_id}/dispute")
def dispute(
    request: Request, act_id: str, body: DisputeIn, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    with uow_of(request)() as session:
        return handover.dispute(
            session,
            actor,
            act_id[:40],
            secret=_secret(request),
            discrepancies=body.discrepancies,
            commercial_act=body.commercial_act,
        )
