"""JSON API of quotes. Thin: validate, call the service, shape the answer.

Routes and batches are :mod:`temir.network.routes.api`'s; a quote routes on the same engine
(:func:`temir.network.provider.router_for`).
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

import anyio
import anyio.to_thread
import orjson
from anyio.lowlevel import RunVar
from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session
from starlette.datastructures import QueryParams
from starlette.types import ASGIApp, Receive, Scope, Send

from temir.kit.api import request_language
from temir.kit.contract import ETSNG, declared
from temir.kit.db import UnitOfWork
from temir.kit.errors import ValidationFailed
from temir.kit.messages import define
from temir.network.provider import router_for
from temir.network.routes.service import route_dict
from temir.network.routing.engine import Router
from temir.network.routing.model import Route
from temir.tariff import answers, service
from temir.tariff.dwell import border_dwell
from temir.tariff.model import Speed, WagonOwner

router = APIRouter(tags=["routes and quotes"])


def _m(msgid: str) -> str:
    """Declare a user-facing msgid of the tariff catalog (see temir.kit.messages)."""
    return define("tariff", msgid)


#: Declared for clients; the quote's own rule answers a mass out of range (``quote.mass``).
MASS = {"minimum": 1, "maximum": service.MAX_MASS_KG}
OWNERS = declared(enum=[str(w) for w in WagonOwner])
SPEEDS = declared(enum=[str(v) for v in Speed])


@router.get("/quotes", response_model=dict[str, Any])
async def quotes(
    request: Request,
    from_: Annotated[str, Query(alias="from")],
    to: str,
    cargo: Annotated[
        str, Query(description="ETSNG code (6 digits).", json_schema_extra=declared(pattern=ETSNG))
    ],
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
) -> Response:
    """The quote, served from :mod:`temir.tariff.answers` when the same question was answered
    on the same data; the ``X-Cache`` header says which (``hit`` or ``miss``).

    Async on purpose: a cached answer whose data edition is known is sent from the event loop
    without a database session or a worker thread; anything else (reading the edition,
    computing the quote) runs in a worker thread with a read session.
    """
    if wagon_owner not in ("carrier", "other"):
        raise ValidationFailed(
            _m("wagon_owner must be carrier or other."), code="quote.option", field="wagon_owner"
        )
    if speed not in ("freight", "high"):
        raise ValidationFailed(
            _m("speed must be freight or high."), code="quote.option", field="speed"
        )
    headers: dict[str, str] = {}
    if mass_kg is None and mass is not None:
        mass_kg = mass
        headers["Deprecation"] = "true"  # RFC 9745: the old parameter name
    if mass_kg is None:
        raise ValidationFailed(
            _m("Give the mass in kg (mass_kg)."), code="quote.mass_missing", field="mass_kg"
        )
    asked = QuoteAsked(from_, to, cargo, mass_kg, wagon_owner, speed, container, empty_return,
                       tuple(via or ()), alternatives)  # fmt: skip
    return await _respond(request, asked, headers)


async def _respond(request: Request, asked: QuoteAsked, headers: dict[str, str]) -> Response:
    """The answer to a validated question: kept, or computed in a worker thread."""
    lang = request_language(request)
    uow: UnitOfWork = request.app.state.uow
    known = answers.fresh_editions(uow.engine)
    body = answers.quote_answers.get((asked, lang, known)) if known is not None else None
    hit = body is not None
    if body is None:
        body, hit = await anyio.to_thread.run_sync(_answer, uow, asked, lang, limiter=_computing())
    headers["X-Cache"] = "hit" if hit else "miss"
    return Response(body, media_type="application/json", headers=headers)


QUOTE_THREADS = 2
"""Threads computing quote answers at once, per process (a kept answer needs none)."""


_limiter: RunVar[anyio.CapacityLimiter] = RunVar("quote_limiter")


def _computing() -> anyio.CapacityLimiter:
    """The quote computations' own limiter, one per event loop (as AnyIO keeps its default).

    Why: a quote is CPU work under the GIL. Run in the default 40 threads, 50 waiting quotes
    contend for the GIL in no order, and a few wait many times the mean (the p99 was 3-4x the
    p50). Behind a limiter of :data:`QUOTE_THREADS` they wait in line instead (AnyIO's
    limiter wakes waiters first come, first served) while the other threads stay free for
    the rest of the API; two, so one computes while the other reads the database. Measured
    with 50 clients, 2 workers, 8 s runs: p99 27.5-29.4 ms at 3,033-3,172 req/s with two,
    32.0-34.2 ms at 3,210-3,376 req/s with forty (the default's share).
    """
    try:
        return _limiter.get()
    except LookupError:
        made = anyio.CapacityLimiter(QUOTE_THREADS)
        _limiter.set(made)
        return made


class QuotesFastPath:
    """Answers ``GET /api/v1/quotes`` with a plain, valid question before FastAPI routes it.

    Why: on a kept answer FastAPI's own work was most of a request — matching the path
    against every route, then resolving the eleven declared query parameters (about two
    thirds of a hit's time in process). A question whose every parameter is in a form whose
    meaning is beyond doubt (:func:`plain_question`) is read here directly and answered by
    the same :func:`_respond`; anything else — a missing, repeated, unknown or unusual
    parameter, another method, an error while answering — goes on to the declared route,
    which validates, answers and reports errors exactly as before (an error found here is
    not reported from here: the request is passed on and the route finds it again). The
    route stays the OpenAPI declaration. Installed innermost of the app's own middleware,
    so headers, sessions and idempotency apply as to any request.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] == QUOTES:
            asked = plain_question(QueryParams(scope["query_string"]))
            if asked is not None:
                response = None
                with contextlib.suppress(Exception):  # the declared route answers, errors too
                    response = await _respond(Request(scope, receive), asked, {})
                if response is not None:
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)


QUOTES = "/api/v1/quotes"
_SCALARS = frozenset({"from", "to", "cargo", "mass_kg", "wagon_owner", "speed", "container",
                      "empty_return", "alternatives", "lang"})  # fmt: skip
_WHOLE = re.compile(r"[1-9][0-9]{0,8}")


def plain_question(query: QueryParams) -> QuoteAsked | None:
    """The question when each parameter has one meaning beyond doubt, else None (the declared
    route decides): known names, each scalar once, ``from``/``to``/``cargo``/``mass_kg``
    given and not empty, whole numbers without sign, zeros or spaces, the options as
    declared, ``empty_return`` as ``true``/``false``; ``lang`` is the language's."""
    got: dict[str, str] = {}
    via: list[str] = []
    for name, value in query.multi_items():
        if name == "via" and value:
            via.append(value)
        elif name in _SCALARS and name not in got and (value or name == "lang"):
            got[name] = value
        else:
            return None
    try:
        mass_kg, from_, to, cargo = got["mass_kg"], got["from"], got["to"], got["cargo"]
    except KeyError:
        return None
    wagon_owner, speed = got.get("wagon_owner", "carrier"), got.get("speed", "freight")
    alternatives, empty = got.get("alternatives", "5"), got.get("empty_return", "false")
    if (
        _WHOLE.fullmatch(mass_kg) is None
        or _WHOLE.fullmatch(alternatives) is None
        or not 1 <= int(alternatives) <= 20
        or wagon_owner not in ("carrier", "other")
        or speed not in ("freight", "high")
        or empty not in ("true", "false")
    ):
        return None
    return QuoteAsked(from_, to, cargo, int(mass_kg), wagon_owner, speed, got.get("container"),
                      empty == "true", tuple(via), int(alternatives))  # fmt: skip


def _answer(uow: UnitOfWork, asked: QuoteAsked, lang: str) -> tuple[bytes, bool]:
    """The answer's bytes from the cache or computed, and whether they came from the cache."""
    made = False
    with uow.read() as session:

        def make() -> bytes:
            nonlocal made
            made = True
            return orjson.dumps(quote_answer(session, asked, lang))

        key = (asked, lang, answers.editions(session))
        return answers.quote_answers.get_or_make(key, make), not made


@dataclass(frozen=True)
class QuoteAsked:
    """A quote request as the service reads it: the cache key's first part."""

    from_: str
    to: str
    cargo: str
    mass_kg: int
    wagon_owner: str
    speed: str
    container: str | None
    empty_return: bool
    via: tuple[str, ...]
    alternatives: int


def quote_answer(session: Session, asked: QuoteAsked, lang: str) -> dict[str, Any]:
    """The answer of the quote API, computed (no cache): the quote, each alternative's route
    details and observed border dwell.

    For :func:`orjson.dumps` only: each alternative's ``route`` and ``border_dwell`` are
    :class:`orjson.Fragment` values (JSON kept as bytes, :func:`_route_json`,
    :func:`_dwell_json`); ``orjson.loads(orjson.dumps(answer))`` is the plain JSON.
    """
    r = router_for(session)
    q = service.quote(
        r,
        asked.from_,
        asked.to,
        etsng=asked.cargo,
        mass_kg=asked.mass_kg,
        wagon_owner=asked.wagon_owner,
        speed=asked.speed,
        container=asked.container,
        empty_return=asked.empty_return,
        via=list(asked.via),
        alternatives=asked.alternatives,
        tables=service.rate_tables(session),
    )
    data = q.to_dict(lang, functools.partial(_route_json, r))
    observed = service.observed_dwell(session)
    for a, alt in zip(data["alternatives"], q.alternatives, strict=True):
        a["border_dwell"] = _dwell_json(alt.route, observed)
    return data


def _route_json(r: Router, route: Route, lang: str) -> orjson.Fragment:
    """``route_dict(r, route, lang)`` as JSON bytes, kept on the route per language.

    Why: a lane's routes are memoised per edition and shown in every later quote of the lane;
    building their dicts (a deep copy of the kept rendering plus the station names) and
    serialising them again for each alternative of each quote was about a fifth of a miss.
    Kept with the router's names it was named from: another edition's router renders anew.
    """
    kept: dict[str, tuple[Router, orjson.Fragment]] | None = route.__dict__.get("_api_json")
    if kept is None:
        kept = route.__dict__["_api_json"] = {}
    found = kept.get(lang)
    if found is None or found[0] is not r:
        found = kept[lang] = (r, orjson.Fragment(orjson.dumps(route_dict(r, route, lang))))
    return found[1]


def _dwell_json(route: Route, observed: Mapping[tuple[str, str | None], Any]) -> orjson.Fragment:
    """:func:`border_dwell` of the route's crossings as JSON bytes, kept on the route while
    the same observed figures (the same kept :class:`~temir.tracking.dwell.DwellStat`
    objects, frozen values) stand behind them."""
    crossings = route.__dict__.get("_crossings")
    if crossings is None:
        crossings = route.__dict__["_crossings"] = [
            (b.exit_esr, b.entry_esr) for b in route.borders
        ]
    stats = [observed.get(c) for c in crossings]
    found: tuple[list[Any], orjson.Fragment] | None = route.__dict__.get("_dwell_json")
    if (
        found is None
        or len(found[0]) != len(stats)
        or any(a is not b for a, b in zip(found[0], stats, strict=True))
    ):
        found = (stats, orjson.Fragment(orjson.dumps(border_dwell(crossings, observed))))
        route.__dict__["_dwell_json"] = found
    return found[1]
