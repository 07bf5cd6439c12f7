"""JSON API of quotes. Thin: validate, call the service, shape the answer.

Routes and batches are :mod:`temir.network.routes.api`'s; a quote routes on the same engine
(:func:`temir.network.provider.router_for`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.orm import Session

from temir.kit.api import read_session, request_language
from temir.kit.contract import ETSNG, declared
from temir.kit.errors import ValidationFailed
from temir.kit.messages import define
from temir.network.provider import router_for
from temir.network.routes.service import route_dict
from temir.tariff import service
from temir.tariff.dwell import border_dwell
from temir.tariff.model import Speed, WagonOwner

router = APIRouter(tags=["routes and quotes"])
SessionDep = Annotated[Session, Depends(read_session)]


def _m(msgid: str) -> str:
    """Declare a user-facing msgid of the tariff catalog (see temir.kit.messages)."""
    return define("tariff", msgid)


#: Declared for clients; the quote's own rule answers a mass out of range (``quote.mass``).
MASS = {"minimum": 1, "maximum": service.MAX_MASS_KG}
OWNERS = declared(enum=[str(w) for w in WagonOwner])
SPEEDS = declared(enum=[str(v) for v in Speed])
OWNERS = declared(enum=[str(w) for w in WagonOwner])
SPEEDS = declared(enum=[str(v) for v in Speed])


@router.get("/quotes")
def quotes(
    request: Request,
    session: SessionDep,
    from_: Annotated[str, Query(alias="from")],
    to: str,
    cargo: Annotated[
        str, Query(description="ETSNG code (6 digits).", json_schema_extra=declared(pattern=ETSNG))
    ],
    response: Response,
    mass_kg: Annotated[int | None, Query(json_schema_extra=MASS)] = None,
    mass: Annotated[
        int | None,
        Query(
            deprecated=True,
            description="Deprecated: the old name of mass_kg.",
            json_schema_extra=MASS,
        ),
    ] = None,
    wagon_owner: Annotated[str, Query(json_schema_extra=OWNERS)] = "carrier",
    speed: Annotated[str, Query(json_schema_extra=SPEEDS)] = "freight",
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
    if mass_kg is None and mass is not None:
        mass_kg = mass
        response.headers["Deprecation"] = "true"  # RFC 9745: the old parameter name
    if mass_kg is None:
        raise ValidationFailed(
            _m("Give the mass in kg (mass_kg)."), code="quote.mass_missing", field="mass_kg"
        )
    r = router_for(session)
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
    observed = service.observed_dwell(session)
    for a, alt in zip(data["alternatives"], q.alternatives, strict=True):
        a["route"] = route_dict(r, alt.route, lang)
        a["border_dwell"] = border_dwell([(b.exit_esr, b.entry_esr) for b in alt.route.borders],
                                         observed)  # fmt: skip
    return data
