"""JSON API of routes: routes between two stations, batches, data quality. Thin.

Each request routes on its session's edition (:func:`temir.network.provider.router_for`), the
same engine the quotes and the note checks of that database use.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from temir.accounts.deps import optional_actor
from temir.accounts.model import Actor
from temir.kit.api import read_session, request_language
from temir.kit.errors import Unauthenticated
from temir.kit.messages import define
from temir.network.provider import router_for
from temir.network.routes import service

router = APIRouter(tags=["routes and quotes"])
SessionDep = Annotated[Session, Depends(read_session)]
MAX_BATCH = 100_000
MAX_ANONYMOUS_BATCH = 1_000  # larger batches need a token: they cost the server real work


@router.get("/routes")
def routes(
    request: Request,
    session: SessionDep,
    from_: Annotated[str, Query(alias="from", description="ESR code or station name")],
    to: Annotated[str, Query(description="ESR code or station name")],
    via: Annotated[list[str] | None, Query()] = None,
    alternatives: Annotated[int, Query(ge=1, le=50)] = 5,
) -> dict[str, Any]:
    r = router_for(session)
    found = service.find_routes(r, from_, to, via or [], alternatives)
    lang = request_language(request)
    shown = [service.route_dict(r, x, lang) for x in found]
    return {"routes": shown, "edition": r.data.edition}


class Pair(BaseModel):
    from_esr: str
    to_esr: str


class BatchIn(BaseModel):
    pairs: list[Pair] = Field(max_length=MAX_BATCH)


@router.post("/routes/batch")
def batch(
    session: SessionDep, body: BatchIn, actor: Annotated[Actor | None, Depends(optional_actor)]
) -> dict[str, Any]:
    """Up to 1,000 pairs for anyone; up to 100,000 with an API token."""
    if actor is None and len(body.pairs) > MAX_ANONYMOUS_BATCH:
        raise Unauthenticated(
            define(
                "routing",
                "Batches of more than {limit} pairs need an API token (Authorization: Bearer).",
            ),
            code="route.batch_needs_token",
            field="pairs",
            limit=MAX_ANONYMOUS_BATCH,
        )
    r = router_for(session)
    rows = service.batch_routes(r, [(p.from_esr, p.to_esr) for p in body.pairs])
    return {
        "results": [
            {
                "from_esr": x.from_esr,
                "to_esr": x.to_esr,
                "km": x.km,
                "km_by_railway": x.km_by_railway,
                "tariff_by_railway": x.tariff_by_railway or None,
                "borders": x.borders,
                "error": x.error or None,
            }
            for x in rows
        ]
    }


@router.get("/routes/data-quality")
def data_quality(session: SessionDep) -> list[dict[str, Any]]:
    return [d.to_dict() for d in service.quality_report(router_for(session))]
