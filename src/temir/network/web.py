"""Pages of the reference network: station search, station detail, the network map.

Why these pages read through small view records: a template should show what a user needs
(names in their language, every code with its role, what is estimated and why) without knowing
the tables. The search itself belongs to the network service; this module only presents it.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from temir.kit.api import read_session, request_language
from temir.kit.i18n import N_
from temir.network import webdata
from temir.web import nav
from temir.web.svgmap import Drawing, Edge, Point, bridges, draw
from temir.web.templating import render

router = APIRouter(include_in_schema=False)

nav.add("/stations", N_("Stations"), 10)
nav.add("/map", N_("Map"), 20)

# Places named on the overview map: capitals, ports, the main border and junction cities.
MAP_LABELS = frozenset(
    {
        "690002", "700007", "722400", "745309", "716607", "661705", "689503", "698606",
        "673905", "696102", "709406", "727809", "730002", "735109", "747802", "671707",
        "665602", "739007", "743604", "754505", "751309", "684001", "663503", "708403",
        "811905", "840109", "752800", "750203", "748909", "717703",
    }
)  # fmt: skip

RAILWAY_COLOURS = {
    "KZH": "#1f6fb2",
    "UTI": "#1b8a5a",
    "TDZ": "#b8322a",
    "KRG": "#c27c0e",
    "TRK": "#7b3fa0",
    "RZD": "#6b7280",
}


@router.get("/stations", response_class=HTMLResponse)
def stations_page(
    request: Request, q: str = "", session: Session = Depends(read_session)
) -> HTMLResponse:
    """The search page; with ``HX-Request`` only the results, for the live search."""
    query = q.strip()
    results = webdata.search(session, query, request_language(request)) if query else []
    partial = request.headers.get("hx-request") == "true" and not request.headers.get(
        "hx-history-restore-request"
    )
    template = "network_station_results.html" if partial else "network_stations.html"
    return render(request, template, q=query, results=results, limit=webdata.SEARCH_LIMIT)


@router.get("/stations/{esr}", response_class=HTMLResponse)
def station_page(
    request: Request, esr: str, session: Session = Depends(read_session)
) -> HTMLResponse:
    lang = request_language(request)
    station = webdata.station_by_esr(session, esr.strip(), lang)
    if station is None:
        return render(request, "network_station_missing.html", status_code=404, esr=esr)
    neighbourhood = webdata.neighbourhood(session, station, lang)
    drawing = _drawing(neighbourhood, width=420, labels=None, highlight=station.id)
    return render(
        request,
        "network_station.html",
        station=station,
        sections=webdata.sections_of(session, station, lang),
        drawing=drawing,
        colours=RAILWAY_COLOURS,
    )


@router.get("/map", response_class=HTMLResponse)
def map_page(request: Request, session: Session = Depends(read_session)) -> HTMLResponse:
    network = webdata.whole_network(session, request_language(request))
    drawing = _drawing(network, width=1100, labels=MAP_LABELS, highlight=None)
    return render(
        request,
        "network_map.html",
        drawing=drawing,
        colours=RAILWAY_COLOURS,
        railways=network.railways,
        crossings=network.crossings,
        unplaced=network.unplaced,
        suspect=network.suspect,
    )


def _drawing(
    network: webdata.NetworkView, width: float, labels: frozenset[str] | None, highlight: int | None
) -> Drawing:
    points = [
        Point(
            key=str(place.id),
            lat=place.lat,
            lon=place.lon,
            railway=place.railway,
            name=place.name,
            label=labels is None or bool(labels & set(place.esrs)),
            href=f"/stations/{place.esrs[0]}" if place.esrs else "",
            kind=place.kind,
            estimated=place.coord_estimated,
            border=place.border,
            border_estimated=place.border_estimated,
            highlight=place.id == highlight,
        )
        for place in network.places
        if place.drawable and place.lat is not None and place.lon is not None
    ]
    edges = [Edge(str(a), str(b), railway) for a, b, railway in network.edges if a != b]
    names = {str(place.id): place.name for place in network.places}
    edges += bridges({p.key for p in points}, edges, names)
    return draw(points, edges, width=width, padding=16 if labels is not None else 30)
