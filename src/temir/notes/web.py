"""Pages of the note store: the list, a note's detail, the note form pages (new note, edit a
draft, correct after acceptance), print and verify; and the router of all note pages.

The box form itself (fields, form ↔ note, inline checks) is :mod:`temir.notes.web_form`; the
detail page with its lifecycle steps is :mod:`temir.notes.web_steps`. :data:`router` puts the
three together in the one order that works: fixed paths (``/notes/new``, ``/notes/verify``,
``/notes/form/row``, ``/notes/{note_id}/pdf``) before the paths that take any value in their
place (``/notes/{note_id}``, ``/notes/{note_id}/{step}``).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from temir.accounts.deps import optional_actor
from temir.accounts.model import Actor
from temir.kit.api import read_session, request_language, uow_of
from temir.kit.errors import NotFound, PermissionDenied, TemirError, ValidationFailed
from temir.kit.i18n import N_, russian_names
from temir.network.provider import router_for, view_for
from temir.notes import lifecycle, web_form, web_steps
from temir.notes.boxes import Stage
from temir.notes.example import example_note
from temir.notes.lifecycle import NoteAction, NoteStatus
from temir.notes.model import Note
from temir.notes.store import service
from temir.notes.store.model import NoteSummary
from temir.notes.web_form import (
    check_form,
    correct_mode,
    corrections,
    edit_mode,
    form_page,
    form_to_document,
    form_values,
    network_of,
    new_mode,
    note_to_form,
    row_command,
)
from temir.notes.web_steps import detail_page, editable, login_redirect, missing_page
from temir.signing import service as signing_service
from temir.web import nav
from temir.web.templating import render

pages = APIRouter(include_in_schema=False)


def _secret(request: Request) -> str:
    """The installation secret: the version a form makes is signed by its maker."""
    secret: str = request.app.state.settings.secret_key
    return secret


nav.add("/notes", N_("Notes"), 30)

MAX_UPLOAD: Final = 20_000_000


@pages.get("/notes", response_class=HTMLResponse)
def notes_list(
    request: Request,
    status: str = "",
    station: str = "",
    cargo: str = "",
    wagon: str = "",
    number: str = "",
    party: str = "",
    date_from: str = "",
    date_to: str = "",
    session: Session = Depends(read_session),
    actor: Actor | None = Depends(optional_actor),
) -> Response:
    """The notes the actor may see, searched by number, party, station, cargo, wagon, dates."""
    if actor is None:
        return login_redirect(request)
    lang = request_language(request)
    filters = {
        "status": status, "station": station, "cargo": cargo, "wagon": wagon, "number": number,
        "party": party, "date_from": date_from, "date_to": date_to,
    }  # fmt: skip
    error = None
    total, notes = 0, list[NoteSummary]()
    try:
        total, notes = service.list_notes(
            session,
            actor,
            status=status or None,
            station=station[:40] or None,
            cargo=cargo[:40] or None,
            wagon=wagon[:40] or None,
            number=number[:40] or None,
            party=party[:80] or None,
            date_from=_day(date_from, "date_from"),
            date_to=_day(date_to, "date_to"),
            limit=100,
        )
    except TemirError as exc:
        error = exc.message(lang)
    return render(
        request,
        "notes_list.html",
        notes=notes,
        total=total,
        filters=filters,
        statuses=[s.value for s in NoteStatus],
        error=error,
        names=_list_names(session, notes, lang),
    )


BAD_DATE = N_("Give the date as YYYY-MM-DD.")


def _day(text: str, name: str) -> date | None:
    """A date filter as the browser's date input sends it; a clear error otherwise."""
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise ValidationFailed(BAD_DATE, code="note.invalid_date", field=name) from None


def _list_names(session: Session, notes: list[NoteSummary], lang: str) -> dict[str, str]:
    """Station and cargo names for the codes on this page of the list (code → name)."""
    from temir.codes.gng import gng_name
    from temir.network import service as network

    view = view_for(session)
    out: dict[str, str] = {}
    for s in notes:
        for esr in (s.departure_esr, s.destination_esr):
            if esr and esr not in out:
                info = view.station(esr)
                if info is not None:
                    out[esr] = _station_label(view, esr, info.name_ru, lang)
        if s.cargo_gng and f"gng:{s.cargo_gng}" not in out:
            out[f"gng:{s.cargo_gng}"] = gng_name(s.cargo_gng) or ""
        if s.cargo_etsng and f"etsng:{s.cargo_etsng}" not in out:
            curated, _ = network.search_commodities(session, s.cargo_etsng, limit=5)
            found = [c.etsng_name_ru for c in curated if c.etsng == s.cargo_etsng]
            out[f"etsng:{s.cargo_etsng}"] = (found[0] if found else "") or ""
    return out


def _station_label(view: Any, esr: str, name_ru: str, lang: str) -> str:
    english = None if russian_names(lang) else view.router.data.name_en.get(esr)
    return str(english or name_ru)


@pages.get("/notes/new", response_class=HTMLResponse)
def note_form(
    request: Request,
    example: bool = False,
    from_: str = Query("", alias="from", max_length=20),
    to: str = Query("", max_length=20),
    cargo: str = Query("", max_length=20),
    mass_kg: str = Query("", max_length=12),
    alt: int = Query(1, ge=1, le=10),
    via: str = Query("", max_length=200),
    session: Session = Depends(read_session),
    actor: Actor | None = Depends(optional_actor),
) -> Response:
    """An empty form, the example, or a draft started from a quote's route (``from``/``to``)."""
    if actor is None:
        return login_redirect(request)
    values: dict[str, str] = note_to_form(_draft_example()) if example else {}
    started = None
    if from_ and to:
        from temir.notes.from_quote import start_from_quote

        try:
            started = start_from_quote(
                router_for(session), from_.strip(), to.strip(), etsng=cargo.strip(),
                mass_kg=mass_kg.strip(), alternative=alt,
                via=tuple(v.strip() for v in via.split(",") if v.strip()),
            )  # fmt: skip
        except TemirError as exc:
            return form_page(request, new_mode(), {}, None, exc.message(request_language(request)))
        values = started.values
    return form_page(request, new_mode(), values, route=started.route if started else None)


def _draft_example() -> Note:
    return lifecycle.draft_of(example_note())


@pages.post("/notes/new", response_class=HTMLResponse)
async def note_create(request: Request, actor: Actor | None = Depends(optional_actor)) -> Response:
    if actor is None:
        return login_redirect(request)
    values = await form_values(request)
    lang = request_language(request)
    changed = row_command(values)
    if changed is not None:
        return form_page(
            request, new_mode(), changed, check_form(changed, lang, network=network_of(request))[1]
        )
    _valid, issues = check_form(values, lang, network=network_of(request))
    try:
        detail = await run_in_threadpool(
            service.create_note_in, uow_of(request), actor, form_to_document(values),
            secret=_secret(request),
        )  # fmt: skip
    except TemirError as exc:
        return form_page(request, new_mode(), values, issues, exc.message(lang), exc.status)
    return RedirectResponse(f"/notes/{detail.summary.id}", status_code=303)


@pages.get("/notes/verify", response_class=HTMLResponse)
def verify_page(request: Request) -> HTMLResponse:
    return render(request, "notes_verify.html", verdict=None, error=None, qr="")


@pages.post("/notes/verify", response_class=HTMLResponse)
async def verify_submit(
    request: Request,
    file: UploadFile | None = File(None),
    qr: str = Form(""),
) -> HTMLResponse:
    """Public: check an uploaded note file or PDF, or a pasted QR line, with this node's keys."""
    from temir.notes.paper.verify import Kind, read_evidence, verify_evidence
    from temir.signing.keyring import KeyRing

    lang = request_language(request)
    qr = qr.strip()[:4000]
    try:
        data = await file.read(MAX_UPLOAD + 1) if file is not None and file.filename else b""
        if len(data) > MAX_UPLOAD:
            raise ValidationFailed(N_("The file is too large."), code="notes.too_large")
        raw = data or qr.encode("utf-8")
        if not raw:
            raise ValidationFailed(
                N_("Upload a note file or PDF, or paste the QR line."), code="notes.verify_empty"
            )
        evidence = read_evidence(raw)
        with uow_of(request).read() as session:
            ring = KeyRing(signing_service.public_entries(session))
            against = None
            if evidence.kind == Kind.QR and evidence.qr is not None:
                against = _stored_signed(session, evidence.qr.note_id)
        verdict = verify_evidence(evidence, ring, against).to_dict(lang)
    except TemirError as exc:
        return render(
            request, "notes_verify.html", status_code=422, verdict=None,
            error=exc.message(lang), qr=qr,
        )  # fmt: skip
    return render(request, "notes_verify.html", verdict=verdict, error=None, qr=qr)


def _stored_signed(session: Session, note_id: str) -> Any:
    """The stored note a QR line names, read on the verifier's behalf: only the verdict is
    shown (validity, version numbers, signers), never the note's content."""
    from temir.notes.signatures import SignedNote

    try:
        data = service.export(session, Actor.system("notes-verify-page"), note_id[:64])
    except NotFound:
        return None
    return SignedNote.model_validate(data)


@pages.get("/notes/{note_id}", response_class=HTMLResponse)
def note_detail(
    request: Request,
    note_id: str,
    session: Session = Depends(read_session),
    actor: Actor | None = Depends(optional_actor),
) -> Response:
    if actor is None:
        return login_redirect(request)
    return detail_page(request, session, actor, note_id)


def _prefilled_form(
    request: Request, note_id: str, actor: Actor | None, action: NoteAction
) -> Response:
    """The box form filled from the current version, for editing a draft or correcting one."""
    if actor is None:
        return login_redirect(request)
    detail = editable(request, actor, note_id, action)
    if isinstance(detail, HTMLResponse):
        return detail
    mode = (edit_mode if action is NoteAction.EDIT else correct_mode)(detail.summary)
    return form_page(request, mode, note_to_form(Note.model_validate(detail.document)))


@pages.get("/notes/{note_id}/edit", response_class=HTMLResponse)
def note_edit_form(
    request: Request, note_id: str, actor: Actor | None = Depends(optional_actor)
) -> Response:
    return _prefilled_form(request, note_id, actor, NoteAction.EDIT)


@pages.post("/notes/{note_id}/edit", response_class=HTMLResponse)
async def note_edit(
    request: Request, note_id: str, actor: Actor | None = Depends(optional_actor)
) -> Response:
    """Save the edited draft as a new version (the store refuses anyone but the consignor)."""
    if actor is None:
        return login_redirect(request)
    detail = editable(request, actor, note_id, NoteAction.EDIT)
    if isinstance(detail, HTMLResponse):
        return detail
    mode = edit_mode(detail.summary)
    values = await form_values(request)
    lang = request_language(request)
    changed = row_command(values)
    if changed is not None:
        return form_page(
            request, mode, changed, check_form(changed, lang, network=network_of(request))[1]
        )
    _valid, issues = check_form(values, lang, network=network_of(request))
    try:
        with uow_of(request)() as session:
            service.edit_note(
                session, actor, detail.summary.id, form_to_document(values),
                secret=_secret(request),
            )  # fmt: skip
    except (NotFound, PermissionDenied) as exc:
        return missing_page(request, note_id, exc)
    except TemirError as exc:
        return form_page(request, mode, values, issues, exc.message(lang), exc.status)
    return RedirectResponse(f"/notes/{detail.summary.id}", status_code=303)


@pages.get("/notes/{note_id}/correct", response_class=HTMLResponse)
def note_correct_form(
    request: Request, note_id: str, actor: Actor | None = Depends(optional_actor)
) -> Response:
    return _prefilled_form(request, note_id, actor, NoteAction.CORRECT)


@pages.post("/notes/{note_id}/correct", response_class=HTMLResponse)
async def note_correct(
    request: Request, note_id: str, actor: Actor | None = Depends(optional_actor)
) -> Response:
    """A correction after acceptance: the boxes that differ, as a new version, with a reason."""
    if actor is None:
        return login_redirect(request)
    detail = editable(request, actor, note_id, NoteAction.CORRECT)
    if isinstance(detail, HTMLResponse):
        return detail
    mode = correct_mode(detail.summary)
    values = await form_values(request)
    reason = values.get("reason", "")[:1000]
    lang = request_language(request)
    changed = row_command(values)
    if changed is not None:
        issues = check_form(changed, lang, Stage.ACCEPTANCE, network=network_of(request))[1]
        return form_page(request, mode, changed, issues, reason=reason)
    changes = corrections(detail.document, form_to_document(values))
    try:
        with uow_of(request)() as session:
            service.correct(
                session, actor, detail.summary.id, changes=changes, reason=reason,
                secret=_secret(request),
            )  # fmt: skip
    except (NotFound, PermissionDenied) as exc:
        return missing_page(request, note_id, exc)
    except TemirError as exc:
        issues = check_form(values, lang, Stage.ACCEPTANCE, network=network_of(request))[1]
        return form_page(
            request, mode, values, issues, exc.message(lang), exc.status, reason=reason
        )
    return RedirectResponse(f"/notes/{detail.summary.id}", status_code=303)


def _note_part_page(
    request: Request, session: Session, actor: Actor | None, note_id: str, template: str
) -> Response:
    """One part of the detail page on its own address (a link, a bookmark, a print)."""
    if actor is None:
        return login_redirect(request)
    try:
        summary = service.get_note(session, actor, note_id).summary
        history = service.history(session, actor, note_id)
        verdict = service.verify(session, actor, note_id, request_language(request))
    except TemirError as exc:
        return missing_page(request, note_id, exc)
    return render(request, template, s=summary, history=history, verdict=verdict)


@pages.get("/notes/{note_id}/history", response_class=HTMLResponse)
def note_history(
    request: Request,
    note_id: str,
    session: Session = Depends(read_session),
    actor: Actor | None = Depends(optional_actor),
) -> Response:
    """Every event and version of the note (the same list as on its detail page)."""
    return _note_part_page(request, session, actor, note_id, "notes_note_history.html")


@pages.get("/notes/{note_id}/verify", response_class=HTMLResponse)
def note_verify(
    request: Request,
    note_id: str,
    session: Session = Depends(read_session),
    actor: Actor | None = Depends(optional_actor),
) -> Response:
    """The note's signatures and chain of versions, checked with the stored public keys."""
    return _note_part_page(request, session, actor, note_id, "notes_note_verify.html")


@pages.get("/notes/{note_id}/pdf")
def note_pdf(
    request: Request,
    note_id: str,
    sheets: str = "all",
    lang: str | None = None,
    session: Session = Depends(read_session),
    actor: Actor | None = Depends(optional_actor),
) -> Response:
    from temir.notes.paper.languages import parse_print_language
    from temir.notes.paper.pdf import render_pdf
    from temir.notes.paper.sheets import parse_sheets
    from temir.notes.signatures import SignedNote

    if actor is None:
        return login_redirect(request)
    try:
        chosen = parse_sheets(sheets[:40])
        print_lang = parse_print_language(lang[:10] if lang else None)
        signed = SignedNote.model_validate(service.export(session, actor, note_id))
    except TemirError as exc:
        return missing_page(request, note_id, exc)
    current = signed.versions[-1]
    pdf = render_pdf(
        current.note, current.signatures, sheets=chosen, signed=signed, lang=print_lang
    )
    name = f"smgs-{current.note.consignment_number or note_id[:8]}-v{current.note.version}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


# --- assembly: fixed paths first, the step catch-alls last ------------------------------------
router = APIRouter(include_in_schema=False)
for part in (web_form.router, pages, web_steps.router):
    router.include_router(part)
