"""Tracking pages: search → the timeline of a wagon, container or note (position on the map,
custody, ETA, delay, handover acts), and a border point (wagons waiting, dwell statistics).

Plain GET pages: tracking asks questions, so its addresses can be bookmarked and shared, and
work without JavaScript. Visibility is the services' (a shipment one may not see is "not
found"); a visitor who is not logged in is sent to log in first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from temir.accounts.deps import optional_actor
from temir.accounts.model import Actor
from temir.kit.api import read_session, request_language
from temir.kit.errors import TemirError
from temir.kit.i18n import N_
from temir.network.routes.map import RouteMap, positions, route_map
from temir.network.routes.service import station_name
from temir.network.web import RAILWAY_COLOURS
from temir.network.webdata import whole_network
from temir.notes.web_steps import login_redirect
from temir.tracking import borders, timeline
from temir.tracking.model import ActStatus, DiscrepancyKind, EventKind, HoldReason
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


@router.get("/tracking", response_class=HTMLResponse)
def tracking_page(
    request: Request,
    q: str = "",
    session: Session = Depends(read_session),
    actor: Actor | None = Depends(optional_actor),
) -> Response:
    if actor is None:
        return login_redirect(request)
    lang = request_language(request)
    query = q.strip()[:40]
    found: Tracking | None = None
    error = None
    status = 200
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
        map=None if found is None else _map(session, found, lang),
        synthetic=found is not None and found.note is not None and found.note.synthetic,
        **_labels(),
    )


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
