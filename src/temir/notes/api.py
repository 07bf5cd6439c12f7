"""JSON routes for SMGS notes: schema, stateless validation, the store and its steps.

Notes arrive as raw request bodies read with a size cap, so broken JSON, wrong types, unknown
boxes or a huge upload all come back as the rule issues of :func:`temir.notes.boxes.parse_note`
(422, each naming its box), never as a 500. Every write runs in one unit of work. The public
keys that verify notes are served by :mod:`temir.signing.api`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from temir.accounts.deps import current_actor
from temir.accounts.model import Actor
from temir.kit.api import read_session, request_language, uow_of
from temir.kit.contract import declared
from temir.kit.errors import ValidationFailed
from temir.kit.i18n import N_
from temir.network.provider import view_for
from temir.notes.boxes import MAX_DOCUMENT_BYTES, Stage, validate_document
from temir.notes.lifecycle import NoteStatus
from temir.notes.model import note_json_schema
from temir.notes.paper.languages import CHOICES as PRINT_LANGUAGES
from temir.notes.store import bulk_import, carrier_steps, service

router = APIRouter(tags=["notes"])


async def raw_body(request: Request) -> bytes:
    """The request body, read no further than one byte past the note size limit."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_DOCUMENT_BYTES:
            break
    return b"".join(chunks)


Body = Annotated[bytes, Depends(raw_body)]


def _secret(request: Request) -> str:
    secret: str = request.app.state.settings.secret_key
    return secret


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AcceptIn(_In):
    consignment_number: str = Field(min_length=1, max_length=40, description="Box 29.")
    contract_date: AwareDatetime | None = Field(None, description="Box 26 (default: now).")


class RefuseIn(_In):
    reason: str = Field(min_length=1, max_length=400)


class ArriveIn(_In):
    at: AwareDatetime | None = Field(None, description="Box 27 (default: now).")


class DeliverIn(_In):
    received_by: str = Field(min_length=1, max_length=300, description="Box 36.")
    at: AwareDatetime | None = None


class CorrectIn(_In):
    changes: dict[str, Any] = Field(description="Top-level note fields and their new values.")
    reason: str = Field(min_length=1, max_length=400)


class ReportIn(_In):
    number: str = Field(min_length=1, max_length=40, description="Box 31: report number.")
    station_esr: str = Field(min_length=1, max_length=20, description="Where it was drawn up.")
    drawn_up_at: AwareDatetime | None = Field(None, description="Default: now.")


class ExtendIn(_In):
    days: int = Field(ge=1, le=365, description="Box 32: days the delivery time is extended.")
    reason: str = Field(min_length=1, max_length=400, description="Ground (SMGS Art. 24).")
    station_esr: str = Field(min_length=1, max_length=20, description="Where it was recorded.")


class SignIn(_In):
    version: int | None = Field(None, ge=1, le=10_000, description="Default: current version.")


# --- stateless ---------------------------------------------------------------------------------
@router.get("/notes/schema")
def schema() -> dict[str, Any]:
    """JSON Schema of a note; every field names its SMGS box (``x-smgs-box``)."""
    return note_json_schema()


@router.post("/notes/validate")
def validate(
    request: Request,
    body: Body,
    stage: Stage = Stage.SUBMISSION,
    session: Session = Depends(read_session),
) -> dict[str, Any]:
    """Check a note box by box without storing it (no log-in needed)."""
    result = validate_document(body, view_for(session), stage)
    return result.to_dict(request_language(request))


# --- the store ---------------------------------------------------------------------------------
@router.post("/notes", status_code=201)
def create(request: Request, body: Body, actor: Actor = Depends(current_actor)) -> dict[str, Any]:
    """A new draft of the caller's organisation (boxes 26, 27, 29, 33–36 left empty)."""
    detail = service.create_note_in(uow_of(request), actor, body, secret=_secret(request))
    return detail.to_dict(request_language(request))


MAX_IMPORT_BYTES = 50_000_000


@router.post("/notes/import")
async def import_notes(
    request: Request,
    actor: Actor = Depends(current_actor),
    batch: int = Query(1000, ge=1, le=bulk_import.MAX_BATCH, description="Lines per transaction."),
    skip_invalid: bool = Query(False, description="Write a batch's valid lines anyway."),
) -> dict[str, Any]:
    """Drafts from JSON lines (one note a line), batch by batch, as ``temir notes import``.

    Rerunnable: a line is stored under its ``note_id`` (or a key of its content); lines already
    stored are counted in ``already_present`` and not written again."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_IMPORT_BYTES:
            raise ValidationFailed(
                N_("The upload is larger than {limit} bytes."), code="notes.import_too_big",
                field="body", limit=MAX_IMPORT_BYTES,
            )  # fmt: skip
        chunks.append(chunk)
    lines = b"".join(chunks).splitlines()
    report = await run_in_threadpool(
        bulk_import.import_jsonl, uow_of(request), actor, lines, batch=batch,
        skip_invalid=skip_invalid,
    )  # fmt: skip
    return report.to_dict(request_language(request))


# The JSON is written once, by orjson: the list is the most frequent authenticated read, and
# FastAPI's encoding of a returned dict cost more than reading the page. The declared
# response stays ``dict[str, Any]`` (no docstring: it would become the operation's
# description).
@router.get("/notes", response_model=dict[str, Any])
def list_notes(
    actor: Actor = Depends(current_actor),
    session: Session = Depends(read_session),
    status: str | None = Query(
        None, max_length=20, json_schema_extra=declared(enum=[s.value for s in NoteStatus])
    ),
    station: str | None = Query(None, max_length=20, description="Departure or destination ESR."),
    cargo: str | None = Query(None, max_length=20, description="ETSNG or GNG code."),
    wagon: str | None = Query(None, max_length=20),
    number: str | None = Query(None, max_length=40, description="Box 29, or part of it."),
    party: str | None = Query(
        None, max_length=80, description="Consignor organisation (slug or name) or carrier code."
    ),
    date_from: date | None = Query(None, description="Created on or after this day (UTC)."),
    date_to: date | None = Query(None, description="Created on or before this day (UTC)."),
    limit: int = Query(50, ge=1, le=service.MAX_LIMIT),
    offset: int = Query(0, ge=0, le=10_000_000),
) -> Response:
    total, notes = service.list_notes(
        session,
        actor,
        status=status,
        station=station,
        cargo=cargo,
        wagon=wagon,
        limit=limit,
        offset=offset,
        number=number,
        party=party,
        date_from=date_from,
        date_to=date_to,
    )
    body = {"total": total, "limit": limit, "offset": offset, "notes": [n.to_dict() for n in notes]}
    return Response(orjson.dumps(body), media_type="application/json")


@router.get("/notes/{note_id}")
def show(
    note_id: str,
    request: Request,
    actor: Actor = Depends(current_actor),
    session: Session = Depends(read_session),
) -> dict[str, Any]:
    return service.get_note(session, actor, note_id).to_dict(request_language(request))


@router.put("/notes/{note_id}")
def edit(
    note_id: str, request: Request, body: Body, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """Replace a draft's content: a new version."""
    with uow_of(request)() as session:
        detail = service.edit_note(session, actor, note_id, body, secret=_secret(request))
    return detail.to_dict(request_language(request))


@router.post("/notes/{note_id}/submit")
def submit(note_id: str, request: Request, actor: Actor = Depends(current_actor)) -> dict[str, Any]:
    with uow_of(request)() as session:
        detail = service.submit(session, actor, note_id)
    return detail.to_dict(request_language(request))


@router.post("/notes/{note_id}/accept")
def accept(
    note_id: str, body: AcceptIn, request: Request, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    with uow_of(request)() as session:
        detail = service.accept(
            session,
            actor,
            note_id,
            consignment_number=body.consignment_number,
            contract_date=body.contract_date,
            secret=_secret(request),
        )
    return detail.to_dict(request_language(request))


@router.post("/notes/{note_id}/refuse")
def refuse(
    note_id: str, body: RefuseIn, request: Request, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    with uow_of(request)() as session:
        detail = service.refuse(session, actor, note_id, reason=body.reason)
    return detail.to_dict(request_language(request))


@router.post("/notes/{note_id}/arrive")
def arrive(
    note_id: str,
    request: Request,
    actor: Actor = Depends(current_actor),
    body: ArriveIn | None = None,
) -> dict[str, Any]:
    when: datetime | None = body.at if body else None
    with uow_of(request)() as session:
        detail = service.arrive(session, actor, note_id, at=when, secret=_secret(request))
    return detail.to_dict(request_language(request))


@router.post("/notes/{note_id}/deliver")
def deliver(
    note_id: str, body: DeliverIn, request: Request, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    with uow_of(request)() as session:
        detail = service.deliver(
            session, actor, note_id, received_by=body.received_by, at=body.at,
            secret=_secret(request),
        )  # fmt: skip
    return detail.to_dict(request_language(request))


@router.post("/notes/{note_id}/correct")
def correct(
    note_id: str, body: CorrectIn, request: Request, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """A correction after acceptance: a new version, signed by the corrector."""
    with uow_of(request)() as session:
        detail = service.correct(
            session, actor, note_id, changes=body.changes, reason=body.reason,
            secret=_secret(request),
        )  # fmt: skip
    return detail.to_dict(request_language(request))


@router.post("/notes/{note_id}/commercial-report")
def commercial_report(
    note_id: str, body: ReportIn, request: Request, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """Box 31, by the carrier in custody: a new version signed with its key."""
    with uow_of(request)() as session:
        detail = carrier_steps.record_commercial_report(
            session, actor, note_id, number=body.number, station_esr=body.station_esr,
            drawn_up_at=body.drawn_up_at, secret=_secret(request),
        )  # fmt: skip
    return detail.to_dict(request_language(request))


@router.post("/notes/{note_id}/extend")
def extend(
    note_id: str, body: ExtendIn, request: Request, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """Box 32, by the carrier in custody: an extension of the delivery time (at most two)."""
    with uow_of(request)() as session:
        detail = carrier_steps.extend_delivery_time(
            session, actor, note_id, days=body.days, reason=body.reason,
            station_esr=body.station_esr, secret=_secret(request),
        )  # fmt: skip
    return detail.to_dict(request_language(request))


@router.post("/notes/{note_id}/sign", status_code=201)
def sign(
    note_id: str,
    request: Request,
    actor: Actor = Depends(current_actor),
    body: SignIn | None = None,
) -> dict[str, Any]:
    """Sign one version (default: the current one) with the organisation's current key."""
    with uow_of(request)() as session:
        return service.sign(
            session, actor, note_id, secret=_secret(request), version=body.version if body else None
        )


@router.get("/notes/{note_id}/history")
def history(
    note_id: str, actor: Actor = Depends(current_actor), session: Session = Depends(read_session)
) -> dict[str, Any]:
    return service.history(session, actor, note_id)


@router.get("/notes/{note_id}/verify")
def verify(
    note_id: str,
    request: Request,
    actor: Actor = Depends(current_actor),
    session: Session = Depends(read_session),
) -> dict[str, Any]:
    """Every signature and the chain of versions, checked with the stored public keys."""
    return service.verify(session, actor, note_id, request_language(request))


@router.get("/notes/{note_id}/export.json")
def export(
    note_id: str, actor: Actor = Depends(current_actor), session: Session = Depends(read_session)
) -> dict[str, Any]:
    """All versions and signatures, as ``temir notes verify`` reads them offline."""
    return service.export(session, actor, note_id)


@router.get(
    "/notes/{note_id}/pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "The SMGS form."}},
)
def pdf(
    note_id: str,
    sheets: Annotated[
        str,
        Query(
            max_length=40,
            description="all, or e.g. 1,2,6.",
            json_schema_extra=declared(pattern=r"^(all|[1-6](,[1-6])*)$"),
        ),
    ] = "all",
    lang: Annotated[
        str | None,
        Query(
            max_length=10,
            description="Print language: auto (departure country's + Russian), kk, tg or ru.",
            json_schema_extra=declared(enum=PRINT_LANGUAGES),
        ),
    ] = None,
    actor: Actor = Depends(current_actor),
    session: Session = Depends(read_session),
) -> Response:
    """The current version printed on the SMGS sheets, with its signatures and QR line.

    Headings print in the departure country's language and Russian (Kazakh from KZH, Tajik
    from TDZ, Russian alone otherwise); ``lang`` overrides.
    """
    from temir.notes.paper.languages import parse_print_language
    from temir.notes.paper.pdf import render_pdf
    from temir.notes.paper.sheets import parse_sheets
    from temir.notes.signatures import SignedNote

    chosen = parse_sheets(sheets)
    print_lang = parse_print_language(lang)
    signed = SignedNote.model_validate(service.export(session, actor, note_id))
    current = signed.versions[-1]
    name = f"smgs-{current.note.consignment_number or note_id[:8]}-v{current.note.version}.pdf"
    return Response(
        render_pdf(current.note, current.signatures, sheets=chosen, signed=signed, lang=print_lang),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@router.get(
    "/notes/{note_id}/xml",
    response_class=Response,
    responses={200: {"content": {"application/xml": {}}, "description": "The note as XML."}},
)
def xml(
    note_id: str, actor: Actor = Depends(current_actor), session: Session = Depends(read_session)
) -> Response:
    """The current version in the exchange XML (see notes/paper/XML_MAPPING.md)."""
    from temir.notes.paper.xml import note_to_xml
    from temir.notes.signatures import SignedNote

    signed = SignedNote.model_validate(service.export(session, actor, note_id))
    return Response(note_to_xml(signed.versions[-1].note), media_type="application/xml")
