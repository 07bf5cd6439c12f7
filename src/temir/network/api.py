"""JSON routes of the reference network: stations, railways, border crossings, commodities.

Reference data is public: no authentication. Every estimated value is returned with its flag.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from temir.kit.api import read_session
from temir.kit.contract import ESR, declared
from temir.network import service
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
) -> list[StationOut]:
    """Stations whose Russian or English name has a word starting with each word of ``q``
    (case, accents, ё/е and Kazakh/Tajik letters ignored), or with an ESR code starting with
    ``q``."""
    found = service.search_stations(
        session, q, railway=railway, country=country, kind=kind, limit=limit
    )
    return [StationOut.of(s) for s in found]


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
