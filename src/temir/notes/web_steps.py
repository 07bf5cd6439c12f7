"""One note's page and its lifecycle steps: the detail page, the steps it offers, and the POST
form of each step (submit, accept, refuse, handover, arrive, deliver, sign, and the carrier's
commercial report and extension of the delivery time, boxes 31 and 32).

The form edits the consignor's boxes; the carriers' boxes are filled by these steps, offered on
the detail page only to whoever the lifecycle rules let take them (:func:`allowed_steps`). The
store decides again when a step is taken. Here too is what a note page answers someone who may
not see it: the login page for a visitor, the "missing" page (404, 403, 409) for the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from temir.accounts import service as accounts_service
from temir.accounts.deps import optional_actor
from temir.accounts.model import Actor, Role
from temir.kit.api import request_language, uow_of
from temir.kit.errors import Conflict, NotFound, PermissionDenied, TemirError, ValidationFailed
from temir.kit.i18n import N_
from temir.notes import lifecycle
from temir.notes.lifecycle import NoteAction, NoteFacts, Party
from temir.notes.model import BOXES, Note
from temir.notes.store import carrier_steps, records, service
from temir.notes.store.model import NoteDetail, NoteSummary
from temir.notes.web_form import form_values
from temir.web.templating import render

router = APIRouter(include_in_schema=False)


def login_redirect(request: Request) -> RedirectResponse:
    """To the login page, and back to this page after it."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={target}", status_code=303)


def missing_page(request: Request, note_id: str, exc: TemirError | None = None) -> HTMLResponse:
    """The page for a note one may not open: 404 when unknown or not visible (a note's
    existence is not told to outsiders), else the error's status and message."""
    if exc is None or isinstance(exc, NotFound):
        return render(request, "notes_missing.html", status_code=404, note_id=note_id[:64])
    return render(
        request, "notes_missing.html", status_code=exc.status, note_id=note_id[:64],
        error=exc.message(request_language(request)),
    )  # fmt: skip


# --- who may take which step -------------------------------------------------------------------
STEPS: Final = (
    NoteAction.EDIT, NoteAction.SUBMIT, NoteAction.ACCEPT, NoteAction.REFUSE,
    NoteAction.HANDOVER, NoteAction.ARRIVE, NoteAction.DELIVER, NoteAction.SIGN,
    NoteAction.CORRECT, NoteAction.REPORT, NoteAction.EXTEND,
)  # fmt: skip


def _consignor_org_id(session: Session, summary: NoteSummary) -> int | None:
    if not summary.consignor:
        return None
    try:
        return accounts_service.get_organisation(session, summary.consignor).id
    except NotFound:
        return None


def _hands_over(who: Party, facts: NoteFacts) -> bool:
    """Whether the handover act (on the tracking page) concerns ``who`` now."""
    try:
        lifecycle.next_status(NoteAction.HANDOVER, facts.status)
    except Conflict:
        return False
    railway = who.railway if who.role is Role.RAILWAY_OPERATOR else None
    return who.admin or (railway is not None and railway in (facts.custody, facts.next_carrier()))


def allowed_steps(session: Session, actor: Actor, detail: NoteDetail) -> frozenset[NoteAction]:
    """The steps to offer: those the lifecycle rules authorise for this actor from this status
    (:func:`lifecycle.authorise`, :func:`lifecycle.next_status`), less those the store would
    refuse outright (no carrier to hand over to, goods not at the destination yet, a version
    the organisation has already signed). The store decides again when the step is taken."""
    s = detail.summary
    who = records.party_of(session, actor)
    facts = NoteFacts(s.status, _consignor_org_id(session, s), s.carriers, s.custody)
    allowed: set[NoteAction] = set()
    for step in STEPS:
        try:
            lifecycle.authorise(step, who, facts)
            lifecycle.next_status(step, facts.status)
        except (PermissionDenied, Conflict):
            continue
        allowed.add(step)
    if _hands_over(who, facts):  # offered by the one in custody, accepted by the next one
        allowed.add(NoteAction.HANDOVER)
    if facts.next_carrier() is None:
        allowed.discard(NoteAction.HANDOVER)
    if facts.custody != facts.destination_carrier:
        allowed.discard(NoteAction.ARRIVE)
    slug = _organisation_slug(session, actor)
    if slug is None or any(sig.get("organisation") == slug for sig in detail.signatures):
        allowed.discard(NoteAction.SIGN)
    return frozenset(allowed)


def _organisation_slug(session: Session, actor: Actor) -> str | None:
    if actor.organisation_id is None:
        return None
    for org in accounts_service.list_organisations(session):
        if org.id == actor.organisation_id:
            return org.slug
    return None


# --- one note: detail and its steps ------------------------------------------------------------
def detail_page(
    request: Request,
    session: Session,
    actor: Actor,
    note_id: str,
    failed: Mapping[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The note with its history, verdict and the steps this actor may take; ``failed`` is a
    step that was just refused, shown with its message and the values typed."""
    lang = request_language(request)
    try:
        detail = service.get_note(session, actor, note_id)
        history = service.history(session, actor, note_id)
        verdict = service.verify(session, actor, note_id, lang)
    except TemirError as exc:
        return missing_page(request, note_id, exc)
    note = Note.model_validate(detail.document)
    return render(
        request,
        "notes_detail.html",
        status_code=status_code,
        detail=detail,
        s=detail.summary,
        n=note,
        boxes=BOXES,
        history=history,
        verdict=verdict,
        synthetic=_synthetic(note),
        sheets=_sheets(),
        steps={str(a) for a in allowed_steps(session, actor, detail)},
        failed=failed or {},
        next_carrier=NoteFacts(
            detail.summary.status, None, detail.summary.carriers, detail.summary.custody
        ).next_carrier(),
    )


def _synthetic(note: Note) -> bool:
    from temir.notes.paper.sheets import is_synthetic

    return is_synthetic(note)


def _sheets() -> list[tuple[int, str, str]]:
    from temir.notes.paper.sheets import SHEETS

    return [(s.number, s.name_ru, s.name_en) for s in SHEETS.values()]


def editable(
    request: Request, actor: Actor, note_id: str, step: NoteAction
) -> NoteDetail | HTMLResponse:
    """The note, if ``actor`` may take ``step`` on it now; else the page that says why (404 for
    a note it may not see, 403 for the wrong party, 409 for the wrong status)."""
    with uow_of(request).read() as session:
        try:
            detail = service.get_note(session, actor, note_id)
        except TemirError as exc:
            return missing_page(request, note_id, exc)
        if step in allowed_steps(session, actor, detail):
            return detail
        s = detail.summary
        facts = NoteFacts(s.status, _consignor_org_id(session, s), s.carriers, s.custody)
        try:
            lifecycle.authorise(step, records.party_of(session, actor), facts)
            lifecycle.next_status(step, facts.status)
        except TemirError as exc:
            return missing_page(request, note_id, exc)
        return detail


def _moment(text: str, name: str) -> datetime | None:
    """A date or date-and-time from the step forms, read as UTC (the form says so); None if
    left empty, so the store uses the moment of the step."""
    value = text.strip()[:40]
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(
            N_("Enter a date as YYYY-MM-DD, or a date and time."),
            code="note.bad_date",
            field=name,
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _take_step(
    request: Request, actor: Actor, note_id: str, step: str, form: dict[str, str]
) -> Response:
    """Run one lifecycle step; back to the detail page, or the page with the step's error."""
    secret: str = request.app.state.settings.secret_key
    try:
        with uow_of(request)() as session:
            if step == "submit":
                service.submit(session, actor, note_id)
            elif step == "accept":
                service.accept(
                    session, actor, note_id,
                    consignment_number=_required(form, "consignment_number", 40),
                    contract_date=_moment(form.get("contract_date", ""), "contract_date"),
                    secret=secret,
                )  # fmt: skip
            elif step == "refuse":
                service.refuse(session, actor, note_id, reason=form.get("reason", "")[:1000])
            elif step == "arrive":
                service.arrive(
                    session, actor, note_id, at=_moment(form.get("at", ""), "at"), secret=secret
                )
            elif step == "deliver":
                service.deliver(
                    session, actor, note_id,
                    received_by=form.get("received_by", "")[:1000],
                    at=_moment(form.get("at", ""), "at"), secret=secret,
                )  # fmt: skip
            elif step == "report":
                carrier_steps.record_commercial_report(
                    session, actor, note_id,
                    number=_required(form, "number", 40),
                    station_esr=_required(form, "station_esr", 20),
                    drawn_up_at=_moment(form.get("at", ""), "at"), secret=secret,
                )  # fmt: skip
            elif step == "extend":
                carrier_steps.extend_delivery_time(
                    session, actor, note_id,
                    days=_days(form.get("days", "")),
                    reason=form.get("reason", "")[:1000],
                    station_esr=_required(form, "station_esr", 20), secret=secret,
                )  # fmt: skip
            elif step == "sign":
                service.sign(session, actor, note_id, secret=secret)
    except NotFound as exc:
        return missing_page(request, note_id, exc)
    except TemirError as exc:
        failed = {
            "step": step,
            "message": exc.message(request_language(request)),
            "status": exc.status,
            "values": form,
        }
        with uow_of(request).read() as session:
            return detail_page(request, session, actor, note_id, failed, exc.status)
    return RedirectResponse(f"/notes/{note_id}#history", status_code=303)


def _required(form: Mapping[str, str], name: str, size: int) -> str:
    value = form.get(name, "").strip()
    if not value:
        raise ValidationFailed(N_("Fill in this box."), code="note.box_required", field=name)
    if len(value) > size:
        raise ValidationFailed(
            N_("At most {max} characters."), code="note.too_long", field=name, max=size
        )
    return value


def _days(text: str) -> int:
    value = text.strip()
    if not value.isascii() or not value.isdigit() or len(value) > 3:
        raise ValidationFailed(
            N_("Give the days as a whole number."), code="note.extension_days", field="days"
        )
    return int(value)


STEP_PATHS: Final = ("submit", "accept", "refuse", "arrive", "deliver", "sign", "report", "extend")
"""The handover is not a step of this page: it is an act offered and accepted on the tracking
page (``/tracking?q=<note>``), which writes boxes 33 and 34 when the act is accepted."""


@router.post("/notes/{note_id}/{step}", response_class=HTMLResponse)
async def note_step(
    request: Request, note_id: str, step: str, actor: Actor | None = Depends(optional_actor)
) -> Response:
    """One POST form per lifecycle step, each with the CSRF token (checked by the middleware)."""
    if actor is None:
        return login_redirect(request)
    if step not in STEP_PATHS:
        return missing_page(request, note_id)
    return _take_step(request, actor, note_id, step, await form_values(request))


@router.get("/notes/{note_id}/{step}")
def note_step_page(note_id: str, step: str) -> Response:
    """A step's address opened directly (a reload, a language switch after a failed step):
    back to the note."""
    if step not in STEP_PATHS:
        return RedirectResponse("/notes", status_code=303)
    return RedirectResponse(f"/notes/{note_id[:64]}", status_code=303)
