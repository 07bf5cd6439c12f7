"""``/api/v1/stats/protocols``: the protocol "results of N and plans for N+1" as JSON, PDF
and XLSX; signing and verifying it.

Access decision: signed protocols are agreements between railways at the level of the
published aggregates; reads are public like the volumes. Drawing one up and signing it needs a
railway operator or an administrator of one of the two railways; the signature is the
organisation's key, as for notes. Every verification through the API is audited (anonymous
callers as "anonymous" with their address).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from temir.accounts.deps import client_address, current_actor, optional_actor
from temir.accounts.model import Actor, Channel, Role
from temir.kit.api import read_session, request_language, uow_of
from temir.kit.contract import COUNTRY_PAIR, declared
from temir.kit.errors import ValidationFailed
from temir.kit.i18n import N_
from temir.stats.plans.api import BETWEEN, PlanWriter, parse_between
from temir.stats.protocol import service as protocol_service
from temir.stats.protocol.languages import AUTO, parse_languages

router = APIRouter()


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ProtocolId = Annotated[str, Path(max_length=40, description="e.g. 2025-KZ-TJ")]


def _secret(request: Request) -> str:
    secret: str = request.app.state.settings.secret_key
    return secret


def _reader(request: Request, actor: Actor | None) -> Actor:
    if actor is not None:
        return actor
    return Actor(label="anonymous", role=Role.VIEWER, via=Channel.API,
                 remote_addr=client_address(request))  # fmt: skip


FILE_LANGUAGE = Query(
    max_length=10,
    json_schema_extra=declared(pattern=r"^(auto|(ru|en|kk|tg)([+,](ru|en|kk|tg))*)$"),
)


def _file_language(lang: str | None) -> str:
    """The ``?lang=`` of a file, checked: ``auto`` (default), ``ru``, ``en``, ``kk``, ``tg``,
    ``ru+kk``…"""
    parse_languages(lang)
    return (lang or AUTO).strip().lower()


@router.get("/protocols")
def protocols(
    session: Annotated[Session, Depends(read_session)],
    year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
) -> list[dict[str, Any]]:
    """Stored protocols (results of N, plans for N+1) and who has signed them."""
    return protocol_service.list_protocols(session, year)


class ProtocolIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=1990, le=2100, description="Year N whose results are recorded.")
    between: str = Field(
        "KZ,TJ", max_length=10, description="Two country codes, e.g. KZ,TJ.",
        json_schema_extra=declared(pattern=COUNTRY_PAIR),
    )  # fmt: skip
    parties: list[str] | None = Field(
        None, min_length=2, max_length=2, description="The two railways (default: KZH, TDZ)."
    )
    notes: list[str] = Field(default_factory=list, max_length=50)
    place: str = Field("", max_length=120)
    date: str = Field("", max_length=10, description="YYYY-MM-DD")
    replace: bool = False


@router.post("/protocols", status_code=201)
def create_protocol(request: Request, body: ProtocolIn, actor: PlanWriter) -> dict[str, Any]:
    """Draw up a protocol from year N's results and the stored N+1 plan (railway operators or
    administrators of a party; audited)."""
    a, b = parse_between(body.between)
    if any(len(n) > 2000 for n in body.notes):
        raise ValidationFailed(
            N_("A note is longer than 2000 characters."), code="stats.protocol.note", field="notes"
        )
    parties = (body.parties[0][:8], body.parties[1][:8]) if body.parties else None
    with uow_of(request)() as session:
        stored = protocol_service.create_protocol(
            session, actor, body.year, a, b, parties=parties, notes=body.notes,
            place=body.place, date=body.date, replace=body.replace,
        )  # fmt: skip
    return stored.to_dict()


@router.get("/protocols/{protocol_id}")
def protocol(
    session: Annotated[Session, Depends(read_session)], protocol_id: ProtocolId
) -> dict[str, Any]:
    """A protocol: the signed content (figures, plan, notes), its digest and signatures."""
    return protocol_service.get_protocol(session, protocol_id).to_dict()


@router.post("/protocols/{protocol_id}/sign")
def protocol_sign(
    request: Request, protocol_id: ProtocolId, actor: Annotated[Actor, Depends(current_actor)]
) -> dict[str, Any]:
    """Sign for the caller's railway with its organisation's current key (audited)."""
    with uow_of(request)() as session:
        signature = protocol_service.sign_protocol(
            session, actor, protocol_id, secret=_secret(request)
        )
    return signature.model_dump(mode="json")


@router.get("/protocols/{protocol_id}/verify")
def protocol_verify(
    request: Request,
    protocol_id: ProtocolId,
    actor: Annotated[Actor | None, Depends(optional_actor)],
) -> dict[str, Any]:
    """Both signatures against the stored content and the organisations' public keys (retired
    keys still verify); names the party whose signature fails and why. Audited."""
    with uow_of(request)() as session:
        result = protocol_service.verify_protocol(session, _reader(request, actor), protocol_id)
    return result.to_dict(request_language(request))


@router.get("/protocols/{protocol_id}/export")
def protocol_export(
    session: Annotated[Session, Depends(read_session)], protocol_id: ProtocolId
) -> dict[str, Any]:
    """The protocol and its signatures, as ``temir stats protocol verify --file`` reads it."""
    return protocol_service.export_protocol(session, protocol_id)


@router.get("/protocols/{protocol_id}/check")
def protocol_check_of(
    session: Annotated[Session, Depends(read_session)],
    protocol_id: ProtocolId,
    year: Annotated[int | None, Query(ge=1990, le=2100, description="The plan year.")] = None,
) -> dict[str, Any]:
    """The plan year's actuals (to date) against the plan signed in the protocol."""
    return protocol_service.check_protocol(session, protocol_id, year).to_dict()


@router.get("/protocols/{protocol_id}/protocol.pdf")
def protocol_pdf(
    session: Annotated[Session, Depends(read_session)],
    protocol_id: ProtocolId,
    lang: Annotated[str | None, FILE_LANGUAGE] = None,
) -> Response:
    """The protocol as PDF: by default in Russian and the parties' languages side by side (KZH
    Kazakh, TDZ Tajik); ``?lang=ru``, ``en``, ``kk``, ``tg`` for one, ``ru+kk`` for a choice."""
    chosen = _file_language(lang)
    payload = protocol_service.protocol_pdf(session, protocol_id, chosen)
    name = f"protocol-{protocol_id.upper()}-{chosen.replace('+', '-')}.pdf"
    return Response(
        payload,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@router.get("/protocols/{protocol_id}/protocol.xlsx")
def protocol_xlsx(
    session: Annotated[Session, Depends(read_session)],
    protocol_id: ProtocolId,
    lang: Annotated[str | None, FILE_LANGUAGE] = None,
) -> Response:
    """The protocol as XLSX (sheets results, plan, notes), in the languages of the PDF."""
    chosen = _file_language(lang)
    payload = protocol_service.protocol_xlsx(session, protocol_id, chosen)
    name = f"protocol-{protocol_id.upper()}-{chosen.replace('+', '-')}.xlsx"
    return Response(
        payload,
        media_type=XLSX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/protocol-check")
def protocol_check(
    session: Annotated[Session, Depends(read_session)],
    year: Annotated[int, Query(ge=1990, le=2100, description="Plan year (N+1) to check.")],
    between: Annotated[str, BETWEEN] = "KZ,TJ",
) -> dict[str, Any]:
    """A year's actuals against the plan signed in the protocol of the year before."""
    a, b = parse_between(between)
    return protocol_service.check_protocol(
        session, protocol_service.protocol_ref(year - 1, a, b), year
    ).to_dict()
