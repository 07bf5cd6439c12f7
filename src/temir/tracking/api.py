"""JSON routes of tracking: events (one, or a batch as NDJSON/CSV), timelines, border points,
dwell, and the handover acts.

Events come as raw JSON objects, not a request model, so that every broken rule is reported by
:mod:`temir.tracking.rules` with its field and in the caller's language (a request model would
answer in English and stop at the first type). A refused batch is a 422 whose error lists the
rejected lines; nothing of it was written.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Body, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from temir.accounts.deps import current_actor
from temir.accounts.model import Actor
from temir.kit.api import error_body, read_session, request_language, uow_of
from temir.kit.contract import ESR, declared
from temir.kit.errors import ValidationFailed
from temir.kit.i18n import N_, translate
from temir.tracking import acts, borders, bulk, rules, service, timeline

router = APIRouter(tags=["tracking"])

MAX_UPLOAD: Final = 20_000_000
BATCH_REFUSED = N_("The batch was not recorded: {count} lines are rejected.")
TOO_BIG = N_("The upload is larger than {limit} bytes; send it in parts or use temir events "
             "import.")  # fmt: skip


def _secret(request: Request) -> str:
    """The installation secret: each half of an act is signed by the railway that made it."""
    secret: str = request.app.state.settings.secret_key
    return secret


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OfferIn(_In):
    note_id: str = Field(max_length=40)
    station_esr: str | None = Field(None, max_length=20, description="Default: end of section.")
    units: list[Annotated[str, Field(max_length=20)]] | None = Field(None, max_length=500)
    seals: dict[str, list[Annotated[str, Field(max_length=40)]]] | None = Field(
        None, description="Seals as found at the border, per unit (default: box 19)."
    )
    masses: dict[str, int] | None = Field(None, description="Mass in kg per unit (box 18).")
    at: AwareDatetime | None = Field(None, description="Default: now; a paper act's time.")
    paper_reference: str | None = Field(None, max_length=100)
    act_id: str | None = Field(None, max_length=40, description="Idempotency: the act's id.")


class DecisionIn(_In):
    at: AwareDatetime | None = None


class DiscrepancyIn(_In):
    kind: str = Field(max_length=40)
    unit: str = Field(max_length=20)
    expected: str | None = Field(None, max_length=200)
    found: str | None = Field(None, max_length=200)
    remarks: str | None = Field(None, max_length=200)


class DisputeIn(_In):
    discrepancies: list[DiscrepancyIn] = Field(max_length=500)
    commercial_act: str | None = Field(None, max_length=40, description="Box 31 number.")
    at: AwareDatetime | None = None


@router.post("/tracking/events", status_code=201)
def record_event(
    request: Request,
    event: dict[str, Any] = Body(
        ...,
        description="One event: key, kind, unit, station_esr, …",
        json_schema_extra=rules.event_schema(),
    ),
    actor: Actor = Depends(current_actor),
) -> JSONResponse:
    """Record one event; a repeated key with the same content is a duplicate (200)."""
    with uow_of(request)() as session:
        result = service.record_event(session, actor, event)
    return JSONResponse(result, status_code=201 if result["status"] == "recorded" else 200)


@router.post("/tracking/events/batch")
async def record_batch(
    request: Request,
    format: str | None = Query(
        None,
        max_length=10,
        description="ndjson (default) or csv.",
        json_schema_extra=declared(enum=bulk.FORMATS),
    ),
    actor: Actor = Depends(current_actor),
) -> JSONResponse:
    """A batch of events as NDJSON (one object a line) or CSV with a header: all or nothing."""
    lang = request_language(request)
    body = await _read(request)
    fmt = bulk.detect_format(".csv" if "csv" in request.headers.get("content-type", "") else "",
                             format)  # fmt: skip
    items = list(bulk.records(body, fmt))
    with uow_of(request)() as session:
        outcome = bulk.batch_outcome(session, actor, items)
    if outcome.rejected:
        message = translate(BATCH_REFUSED, lang, count=len(outcome.rejected))
        body_out = error_body(
            "tracking.batch_refused", message, "lines",
            rejected=[r.to_dict(lang) for r in outcome.rejected],
        )  # fmt: skip
        return JSONResponse(body_out, status_code=422)
    return JSONResponse(outcome.to_dict(lang))


async def _read(request: Request) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_UPLOAD:
            raise ValidationFailed(TOO_BIG, code="tracking.too_big", field="body", limit=MAX_UPLOAD)
        chunks.append(chunk)
    return b"".join(chunks)


@router.get("/tracking/dwell")
def dwell(
    session: Session = Depends(read_session),
    months: int = Query(12, ge=1, le=120),
    by_month: bool = Query(False, description="Per crossing and calendar month of acceptance."),
    _actor: Actor = Depends(current_actor),
) -> dict[str, Any]:
    """Observed border dwell per crossing (and month) over recent months (all crossings)."""
    if by_month:
        monthly = borders.dwell_by_month(session, months=months)
        return {"months": months, "by_month": True, "crossings": [s.to_dict() for s in monthly]}
    stats = borders.observed_dwell(session, months=months)
    return {"months": months, "by_month": False,
            "crossings": [s.to_dict() for s in stats.values()]}  # fmt: skip


@router.get("/tracking/borders/{esr}")
def border_point(
    esr: Annotated[str, Path(json_schema_extra=declared(pattern=ESR))],
    session: Session = Depends(read_session),
    months: int = Query(12, ge=1, le=120),
    actor: Actor = Depends(current_actor),
) -> dict[str, Any]:
    """A border point: wagons waiting now, dwell per month and overall."""
    return borders.border_point(session, actor, esr[:20], months=months).to_dict()


@router.get("/tracking/{query}")
def track(
    request: Request,
    query: str,
    session: Session = Depends(read_session),
    actor: Actor = Depends(current_actor),
) -> dict[str, Any]:
    """Timeline, custody, position, ETA and delay of a wagon, container or note."""
    return timeline.track(session, actor, query[:40]).to_dict(request_language(request))


@router.post("/handovers", status_code=201)
def offer(request: Request, data: OfferIn, actor: Actor = Depends(current_actor)) -> Any:
    """The outgoing railway offers a handover act to the next carrier of box 22."""
    with uow_of(request)() as session:
        act = acts.offer(
            session, actor, data.note_id, station_esr=data.station_esr, units=data.units,
            seals=data.seals, masses=data.masses, at=data.at,
            paper_reference=data.paper_reference, act_id=data.act_id, secret=_secret(request),
        )  # fmt: skip
    return act.to_dict()


@router.post("/handovers/{act_id}/accept")
def accept(
    request: Request, act_id: str, data: DecisionIn, actor: Actor = Depends(current_actor)
) -> Any:
    """The incoming railway accepts the act: custody moves."""
    with uow_of(request)() as session:
        act = acts.accept(session, actor, act_id[:40], at=data.at, secret=_secret(request))
    return act.to_dict()


@router.post("/handovers/{act_id}/dispute")
def dispute(
    request: Request, act_id: str, data: DisputeIn, actor: Actor = Depends(current_actor)
) -> Any:
    """The incoming railway disputes the act with its discrepancies (a commercial act)."""
    with uow_of(request)() as session:
        act = acts.dispute(
            session, actor, act_id[:40],
            discrepancies=[d.model_dump() for d in data.discrepancies],
            commercial_act=data.commercial_act, at=data.at, secret=_secret(request),
        )  # fmt: skip
    return act.to_dict()


@router.get("/handovers/{ref}")
def show(
    ref: str, session: Session = Depends(read_session), actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """An act by its id, or every act of a note by the note's id."""
    return {"acts": [a.to_dict() for a in acts.show(session, actor, ref[:40])]}
