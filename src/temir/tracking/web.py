"""Tracking pages: search → the timeline of a wagon, container or note (position on the map,
custody, ETA, delay, handover acts), and a border point (wagons waiting, dwell statistics).

Plain GET pages: tracking asks questions, so its addresses can be bookmarked and shared, and
work without JavaScript. Visibility is the services' (a shipment one may not see is "not
found"); a visitor who is not logged in is sent to log in first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from temir.accounts.deps import optional_actor
from temir.accounts.model import Actor, Role
from temir.kit.api import read_session, request_language, uow_of
from temir.kit.errors import TemirError, ValidationFailed
from temir.kit.i18n import N_
from temir.network.routes.map import RouteMap, positions, route_map
from temir.network.routes.service import station_name
from temir.network.web import RAILWAY_COLOURS
from temir.network.webdata import whole_network
from temir.notes.store.records import party_of
from temir.notes.web_form import form_values
from temir.notes.web_steps import login_redirect
from temir.tracking import acts, borders, timeline
from temir.tracking.model import ActStatus, DiscrepancyKind, EventKind, HoldReason
from temir.tracking.rules import BAD_TIME
from temir.tracking.timeline import Tracking, local_time
from temir.web import nav
from temir.web.templating import render

router = APIRouter(include_in_schema=False)
nav.add("/tracking", N_("Tracking"), 35)

KINDS: Final = {
    EventKind.DEPARTURE: N_("Departure"),
    EventKind.STATION_ARRIVAL: N_("Arrived at station"),
    EventKind.STATION_DEPARTURE: N_("Left station"),
    EventKind.BORDER_PASSED: N_("Border passed"),
    EventKind.HANDOVER_OFFERED: N_("Handover offered"),
    EventKind.HANDOVER_ACCEPTED: N_("Handover accepted"),
    EventKind.HANDOVER_DISPUTED: N_("Handover disputed"),
    EventKind.ARRIVAL: N_("Arrived at destination"),
    EventKind.DELIVERY: N_("Delivered"),
    EventKind.HOLD: N_("Held"),
    EventKind.RELEASE: N_("Released"),
}
HOLDS: Final = {
    HoldReason.CUSTOMS: N_("customs"),
    HoldReason.TECHNICAL: N_("technical"),
    HoldReason.COMMERCIAL: N_("commercial"),
}
ACT_STATUSES: Final = {
    ActStatus.OFFERED: N_("offered"),
    ActStatus.ACCEPTED: N_("taken over"),
    ActStatus.DISPUTED: N_("disputed"),
}
DISCREPANCIES: Final = {
    DiscrepancyKind.SEAL_BROKEN: N_("seal broken"),
    DiscrepancyKind.SEAL_MISSING: N_("seal missing"),
    DiscrepancyKind.SEAL_DIFFERS: N_("seal differs"),
    DiscrepancyKind.MASS_DIFFERS: N_("mass differs"),
    DiscrepancyKind.UNIT_MISSING: N_("wagon or container missing"),
    DiscrepancyKind.DAMAGE: N_("damage"),
    DiscrepancyKind.OTHER: N_("other"),
}
DELAY: Final = {
    "on_time": N_("On time"),
    "late": N_("Late"),
    "expected_late": N_("Expected late"),
    "unknown": N_("Unknown"),
}


@dataclass(frozen=True)
class MapView:
    """What ``network_route_map.html`` needs (it was made for the quote page's alternatives)."""

    map: RouteMap
    number: int = 1


def _map(session: Session, found: Tracking, lang: str) -> MapView | None:
    if found.note is None or found.note.route is None:
        return None
    view = timeline.network(session)
    net = whole_network(session, lang)
    marks = [
        (u.last.station_esr, f"{u.unit}: {found.name(u.last.station_esr, lang)}")
        for u in found.units
        if u.last is not None
    ]
    drawn = route_map(view.router, found.note.route.as_route(), net, positions(net), lang, marks)
    return None if drawn is None else MapView(drawn)


@dataclass(frozen=True)
class HandoverForms:
    """Which handover forms the actor gets on a note's page (the services decide again)."""

    offer_to: str | None
    """The next carrier, when the actor's railway holds units it may offer now."""
    decide: tuple[str, ...]
    """Acts offered to the actor's railway, awaiting its decision."""


def _handover_forms(session: Session, actor: Actor, found: Tracking) -> HandoverForms:
    note = found.note
    who = party_of(session, actor)
    if note is None or who.role is not Role.RAILWAY_OPERATOR or who.railway is None:
        return HandoverForms(None, ())
    decide = tuple(
        a.act_id for a in note.acts
        if a.status is ActStatus.OFFERED and a.offer.to_railway == who.railway
    )  # fmt: skip
    offered = {
        u for a in note.acts if a.status is ActStatus.OFFERED for u in a.offer.unit_numbers()
    }
    holds = [u.unit for u in found.units if u.custody == who.railway and u.unit not in offered]
    carriers = note.carriers
    index = carriers.index(who.railway) if who.railway in carriers else len(carriers)
    live = note.status in ("accepted", "in_transit")
    offer_to = carriers[index + 1] if holds and live and index + 1 < len(carriers) else None
    return HandoverForms(offer_to, decide)


def _page(
    request: Request,
    session: Session,
    actor: Actor,
    query: str,
    failed: str | None = None,
    status: int = 200,
) -> Response:
    lang = request_language(request)
    found: Tracking | None = None
    error = None
    if query:
        try:
            found = timeline.track(session, actor, query)
        except TemirError as exc:
            error, status = exc.message(lang), exc.status
    return render(
        request,
        "tracking_page.html",
        status_code=status,
        q=query,
        found=found,
        error=error,
        failed=failed,
        forms=None if found is None else _handover_forms(session, actor, found),
        map=None if found is None else _map(session, found, lang),
        synthetic=found is not None and found.note is not None and found.note.synthetic,
        **_labels(),
    )


@router.get("/tracking", response_class=HTMLResponse)
def tracking_page(
    request: Request,
    q: str = "",
    session: Session = Depends(read_session),
    actor: Actor | None = Depends(optional_actor),
) -> Response:
    if actor is None:
        return login_redirect(request)
    return _page(request, session, actor, q.strip()[:40])


def _secret(request: Request) -> str:
    secret: str = request.app.state.settings.secret_key
    return secret


def _form_time(form: dict[str, str], name: str = "at") -> datetime | None:
    """A form's date and time, read as UTC (the form says so); None when left empty."""
    text = form.get(name, "").strip()[:40]
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(BAD_TIME, code="event.time", field=name, value=text) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _after(
    request: Request, actor: Actor, note_id: str, step: Callable[[Session], object]
) -> Response:
    """Run a handover step in one unit of work; back to the note's page, or the page with the
    step's error beside the forms (its status: 403, 404, 409, 422)."""
    try:
        with uow_of(request)() as session:
            step(session)
    except TemirError as exc:
        with uow_of(request).read() as session:
            return _page(request, session, actor, note_id, exc.message(request_language(request)),
                         exc.status)  # fmt: skip
    return RedirectResponse(f"/tracking?q={note_id}#handover", status_code=303)


@router.post("/tracking/notes/{note_id}/offer", response_class=HTMLResponse)
async def offer_page(
    request: Request, note_id: str, actor: Actor | None = Depends(optional_actor)
) -> Response:
    """The railway in custody offers the handover act (signed with its key)."""
    if actor is None:
        return login_redirect(request)
    form = await form_values(request)
    key = note_id[:40]

    def step(session: Session) -> object:
        return acts.offer(
            session, actor, key, station_esr=form.get("station_esr", "").strip()[:20] or None,
            at=_form_time(form), paper_reference=form.get("paper_reference", "").strip()[:100],
            secret=_secret(request),
        )  # fmt: skip

    return _after(request, actor, key, step)


@router.post("/tracking/acts/{act_id}/{decision}", response_class=HTMLResponse)
async def decide_page(
    request: Request, act_id: str, decision: str, actor: Actor | None = Depends(optional_actor)
) -> Response:
    """The incoming railway accepts the act, or disputes it with one discrepancy named."""
    if actor is None:
        return login_redirect(request)
    form = await form_values(request)
    note_id = form.get("note_id", "")[:40]
    if decision not in ("accept", "dispute"):
        return RedirectResponse(f"/tracking?q={note_id}", status_code=303)

    def step(session: Session) -> object:
        if decision == "accept":
            return acts.accept(session, actor, act_id[:40], at=_form_time(form),
                               secret=_secret(request))  # fmt: skip
        found = {k: form.get(k, "")[:200] for k in ("kind", "unit", "expected", "found")}
        return acts.dispute(session, actor, act_id[:40], discrepancies=[found],
                            at=_form_time(form), secret=_secret(request))  # fmt: skip

    return _after(request, actor, note_id, step)


def _labels() -> dict[str, Any]:
    return {
        "kinds": KINDS,
        "holds": HOLDS,
        "act_statuses": ACT_STATUSES,
        "discrepancies": DISCREPANCIES,
        "delay": DELAY,
        "colours": RAILWAY_COLOURS,
        "local_time": local_time,
    }


@router.get("/tracking/borders", response_class=HTMLResponse)
def borders_page(
    request: Request,
    session: Session = Depends(read_session),
    actor: Actor | None = Depends(optional_actor),
) -> Response:
    """Every crossing with observed dwell over the last twelve months."""
    if actor is None:
        return login_redirect(request)
    stats = sorted(borders.observed_dwell(session).values(), key=lambda s: -s.count)
    r = timeline.network(session).router
    lang = request_language(request)
    return render(request, "tracking_borders.html", stats=stats,
                  name=lambda esr: station_name(r, esr, lang))  # fmt: skip


@router.get("/tracking/borders/{esr}", response_class=HTMLResponse)
def border_page(
    request: Request,
    esr: str,
    session: Session = Depends(read_session),
    actor: Actor | None = Depends(optional_actor),
) -> Response:
    if actor is None:
        return login_redirect(request)
    lang = request_language(request)
    try:
        point = borders.border_point(session, actor, esr[:20])
    except TemirError as exc:
        return render(request, "tracking_border.html", status_code=exc.status, point=None,
                      error=exc.message(lang))  # fmt: skip
    r = timeline.network(session).router
    return render(
        request, "tracking_border.html", point=point, error=None,
        name=lambda code: station_name(r, code, lang),
        zone=timeline.zone_of(point.crossing.a_railway), **_labels(),
    )  # fmt: skip
