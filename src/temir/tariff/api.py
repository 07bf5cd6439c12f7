"""JSON API: routes, batch routes, quotes. Thin: validate, call the service, shape the answer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from temir.accounts.deps import optional_actor
from temir.accounts.model import Actor
from temir.kit.api import read_session, request_language
from temir.kit.errors import Unauthenticated, ValidationFailed
from temir.kit.messages import define
from temir.tariff import service

router = APIRouter(tags=["routes and quotes"])
SessionDep = Annotated[Session, Depends(read_session)]
MAX_BATCH = 100_000
MAX_ANONYMOUS_BATCH = 1_000  # larger batches need a token: they cost the server real work


def _m(msgid: str) -> str:
    """Declare a user-facing msgid of the tariff catalog (see temir.kit.messages)."""
    return define("tariff", msgid)


@router.get("/routes")
def routes(
    request: Request,
    session: SessionDep,
    from_: Annotated[str, Query(alias="from", description="ESR code or station name")],
    to: Annotated[str, Query(description="ESR code or station name")],
    via: Annotated[list[str] | None, Query()] = None,
    alternatives: Annotated[int, Query(ge=1, le=50)] = 5,
) -> dict[str, Any]:
    r = service.router(session)
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
            _m("Batches of more than {limit} pairs need an API token (Authorization: Bearer)."),
            code="route.batch_needs_token",
            field="pairs",
            limit=MAX_ANONYMOUS_BATCH,
        )
    r = service.router(session)
    rows = service.batch_routes(r, [(p.from_esr, p.to_esr) for p in body.pairs])
    return {
        "results": [
            {
                "from_esr": x.from_esr,
                "to_esr": x.to_esr,
                "km": x.km,
                "km_by_railway": x.km_by_railway,
                "borders": x.borders,
                "error": x.error or None,
            }
            for x in rows
        ]
    }


@router.get("/quotes")
def quotes(
    request: Request,
    session: SessionDep,
    from_: Annotated[str, Query(alias="from")],
    to: str,
    cargo: str,
    mass_kg: int,
    wagon_owner: str = "carrier",
    speed: str = "freight",
    container: str | None = None,
    empty_return: bool = False,
    via: Annotated[list[str] | None, Query()] = None,
    alternatives: Annotated[int, Query(ge=1, le=20)] = 5,
) -> dict[str, Any]:
    if wagon_owner not in ("carrier", "other"):
        raise ValidationFailed(
            _m("wagon_owner must be carrier or other."), code="quote.option", field="wagon_owner"
        )
    if speed not in ("freight", "high"):
        raise ValidationFailed(
            _m("speed must be freight or high."), code="quote.option", field="speed"
        )
    r = service.router(session)
    q = service.quote(
        r,
        from_,
        to,
        etsng=cargo,
        mass_kg=mass_kg,
        wagon_owner=wagon_owner,
        speed=speed,
        container=container,
        empty_return=empty_return,
        via=via or [],
        alternatives=alternatives,
        tables=service.rate_tables(session),
    )
    lang = request_language(request)
    data = q.to_dict(lang)
    for a, alt in zip(data["alternatives"], q.alternatives, strict=True):
        a["route"] = service.route_dict(r, alt.route, lang)
    return data


@router.get("/routes/data-quality")
def data_quality(session: SessionDep) -> list[dict[str, Any]]:
    return [d.to_dict() for d in service.quality_report(service.router(session))]
