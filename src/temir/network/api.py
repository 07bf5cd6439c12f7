"""JSON routes of the reference network: stations, railways, border crossings, commodities.

Reference data is public: no authentication. Every estimated value is returned with its flag.
"""

from __future__ import annotations

import contextlib
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session
from starlette.datastructures import QueryParams
from starlette.types import ASGIApp, Receive, Scope, Send

from temir.kit.api import read_session
from temir.kit.contract import ESR, declared
from temir.network import service, station_index
from temir.network.model import Station

router = APIRouter(tags=["reference"])

SessionDep = Annotated[Session, Depends(read_session)]


class StationCodeOut(BaseModel):
    esr: str
    name_ru: str
    role: str
    railway: str
    point_type: str | None
    operations: str | None
    transit_point: bool
    network_node: bool


class StationOut(BaseModel):
    id: int
    name_ru: str
    name_en: str
    name_en_estimated: bool
    railway: str
    country: str
    kind: str
    lat: float | None
    lon: float | None
    coord_estimated: bool
    coord_source: str | None
    coord_suspect: str | None = None
    codes: list[StationCodeOut]

    @classmethod
    def of(cls, station: Station) -> StationOut:
        return cls.model_validate(station.to_dict())


class RailwayOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    numeric_code: int | None
    name_ru: str
    name_en: str
    short_ru: str | None
    country: str
    timezone: str | None


class BorderCrossingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    a_esr: str
    a_railway: str
    a_country: str
    a_name_ru: str
    a_name_en: str
    b_esr: str | None
    b_railway: str
    b_country: str
    b_name_ru: str
    b_name_en: str
    link_type: str
    km_between: int | None
    confidence: str
    estimated: bool
    basis: str
    source: str


class SectionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    from_esr: str
    to_esr: str
    km: int | None
    railway: str
    tr4_section: str | None
    tr4_section_title: str | None
    section_type: str | None
    freight: bool
    estimated: bool


class CommodityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    gng: str
    etsng: str | None
    etsng_name_ru: str | None
    gng_name_ru: str
    hs_heading: str | None
    group: str
    verified: str
    source: str


class GngOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    gng: str
    section: str
    heading: str
    name_ru: str


class CommoditySearchOut(BaseModel):
    """Curated commodities of the trade (with group, verification and source) first, then
    matching entries of the GNG nomenclature."""

    curated: list[CommodityOut]
    gng: list[GngOut]


@router.get("/stations", response_model=list[StationOut])
def search_stations(
    session: SessionDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
    railway: Annotated[str | None, Query(max_length=8)] = None,
    country: Annotated[str | None, Query(max_length=2)] = None,
    kind: Annotated[str | None, Query(max_length=16)] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_LIMIT)] = 20,
) -> Response:
    """Stations whose Russian or English name has a word starting with each word of ``q``
    (case, accents, ё/е and Kazakh/Tajik letters ignored), or with an ESR code starting with
    ``q``."""
    index = station_index.index_for(session)
    return _stations_answer(index, q, railway, country, kind, limit)


def _stations_answer(
    index: station_index.StationIndex,
    q: str | None,
    railway: str | None,
    country: str | None,
    kind: str | None,
    limit: int,
) -> Response:
    """The JSON of the matching places, each rendered once per edition by the very serialiser
    FastAPI used for ``list[StationOut]`` (so the bytes are the same)."""
    rendered = index.memo("api", _render)
    found = service.search_in(index, q, railway, country, kind, limit)
    body = b"[" + b",".join([rendered[i] for i in found]) + b"]"
    return Response(body, media_type="application/json")


def _render(index: station_index.StationIndex) -> list[bytes]:
    to_json = StationOut.__pydantic_serializer__.to_json
    return [to_json(StationOut.of(s)) for s in index.stations]


STATIONS = "/api/v1/stations"
_TEXTS = {"q": 200, "railway": 8, "country": 2, "kind": 16}  # name → max_length, as declared
_LIMIT = re.compile(r"[1-9][0-9]{0,2}")


class StationsFastPath:
    """Answers ``GET /api/v1/stations`` with plain parameters before FastAPI routes it.

    Why: with the answer a filter over the in-memory index, FastAPI's own work (matching the
    path against every route, resolving the declared parameters and the session dependency,
    a worker thread) was most of a request. Parameters each given once, of the declared names
    and lengths, ``limit`` a whole number in range, are read here and answered from the
    index when its edition need not be read again (:func:`station_index.fresh_index`);
    anything else goes on to the declared route, which validates, answers and reports
    errors as before. Installed innermost of the app's middleware, like the quotes' one.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] == STATIONS:
            response = None
            with contextlib.suppress(Exception):  # the declared route answers, errors too
                asked = _plain(QueryParams(scope["query_string"]))
                index = station_index.fresh_index(scope["app"].state.uow.engine)
                if asked is not None and index is not None:
                    response = _stations_answer(index, **asked)
            if response is not None:
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _plain(query: QueryParams) -> dict[str, Any] | None:
    """The parameters when each has one meaning beyond doubt, else None."""
    got: dict[str, Any] = {"limit": 20}
    seen: set[str] = set()
    for name, value in query.multi_items():
        if name in seen:
            return None
        seen.add(name)
        if name == "limit":
            if _LIMIT.fullmatch(value) is None or int(value) > service.MAX_LIMIT:
                return None
            got["limit"] = int(value)
        elif name in _TEXTS and len(value) <= _TEXTS[name]:
            got[name] = value
        else:
            return None
    return {"q": None, "railway": None, "country": None, "kind": None, **got}


@router.get("/stations/{esr}", response_model=StationOut)
def get_station(
    session: SessionDep, esr: Annotated[str, Path(json_schema_extra=declared(pattern=ESR))]
) -> StationOut:
    """The station carrying this ESR code, with all its codes. 422 if the code is malformed
    (the error names the rule), 404 ``station.not_found`` if no station has it."""
    return StationOut.of(service.get_station(session, esr))


@router.get("/railways", response_model=list[RailwayOut])
def list_railways(session: SessionDep) -> list[RailwayOut]:
    return [RailwayOut.model_validate(r) for r in service.list_railways(session)]


@router.get("/border-crossings", response_model=list[BorderCrossingOut])
def list_border_crossings(
    session: SessionDep,
    railway: Annotated[str | None, Query(max_length=8)] = None,
    country: Annotated[str | None, Query(max_length=2)] = None,
) -> list[BorderCrossingOut]:
    """Pairs of border codes; ``estimated`` is true where the pairing is inferred
    (confidence medium or low)."""
    rows = service.list_border_crossings(session, railway, country)
    return [BorderCrossingOut.model_validate(r) for r in rows]


@router.get("/network/sections", response_model=list[SectionOut])
def list_sections(
    session: SessionDep,
    railway: Annotated[str | None, Query(max_length=8)] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 2000,
) -> list[SectionOut]:
    """Edges of the TR-4 network graph with tariff km (``railway=BORDER`` for 0-km links)."""
    rows = service.list_sections(session, railway, limit)
    return [SectionOut.model_validate(r) for r in rows]


@router.get("/commodities", response_model=CommoditySearchOut)
def search_commodities(
    session: SessionDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_LIMIT)] = 50,
) -> CommoditySearchOut:
    """By GNG or ETSNG code (or leading digits) or words of the Russian name."""
    curated, gng = service.search_commodities(session, q, limit)
    return CommoditySearchOut(
        curated=[CommodityOut.model_validate(c) for c in curated],
        gng=[GngOut.model_validate(g) for g in gng],
    )
