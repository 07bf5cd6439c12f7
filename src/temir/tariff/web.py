"""The quote & compare page: alternatives side by side, each drawn on the network map.

Why a plain GET form: a quote is a question, not a change, so its address can be bookmarked and
shared, and the page works without JavaScript (type an ESR code or a station name). htmx only
adds station suggestions (a ``<datalist>`` filled from the network service's station search).
Errors are shown beside the field that caused them, with the same codes as the CLI and API.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from temir.kit.api import read_session, request_language
from temir.kit.errors import TemirError
from temir.kit.i18n import N_
from temir.network import service as network
from temir.network.provider import router_for
from temir.network.routes.map import RouteMap, positions, route_map
from temir.network.routes.service import station_name
from temir.network.routing import Router
from temir.network.webdata import whole_network
from temir.tariff import data as tariff_data
from temir.tariff import service
from temir.tariff.model import Alternative, Quote
from temir.web import nav
from temir.web.templating import render

router = APIRouter(include_in_schema=False)

nav.add("/quote", N_("Routes & quotes"), 30)

CONTAINERS = ("3t", "5t")
SUGGESTIONS = 12
LEADING_ESR = re.compile(r"^\s*(\d{6})(?:\s|$)")
# service error fields -> the form field that shows them
FORM_FIELD = {"file": "form", "date": "form", "km": "form"}
MASS_DEPRECATED = N_(
    "The parameter “mass” is deprecated: use “mass_kg” (the same name as the API and the CLI’s "
    "--mass-kg)."
)


@dataclass
class QuoteForm:
    """What the user typed, kept as text so that the form can be shown again unchanged."""

    from_: str = ""
    to: str = ""
    cargo: str = ""
    mass_kg: str = ""
    wagon_owner: str = "carrier"
    speed: str = "freight"
    container: str = ""
    via: str = ""

    @classmethod
    def of(cls, params: Any) -> QuoteForm:
        def get(name: str, default: str = "") -> str:
            return str(params.get(name, default) or default).strip()

        return cls(
            get("from"),
            get("to"),
            get("cargo"),
            get("mass_kg") or get("mass"),
            get("wagon_owner", "carrier"),
            get("speed", "freight"),
            get("container"),
            get("via"),
        )

    @property
    def asked(self) -> bool:
        return bool(self.from_ or self.to or self.mass_kg)

    def via_list(self) -> list[str]:
        return [station_text(v) for v in re.split(r"[;,]", self.via) if v.strip()]


def station_text(text: str) -> str:
    """A suggestion reads ``684001 Костанай``: its leading ESR code is what is meant."""
    found = LEADING_ESR.match(text)
    return found.group(1) if found else text.strip()


@dataclass
class AlternativeView:
    number: int
    alt: Alternative
    legs: list[dict[str, Any]]
    borders: list[dict[str, Any]]
    map: RouteMap | None
    notes: list[str] = field(default_factory=list)


def _commodities(session: Session) -> list[tuple[str, str, str]]:
    """The curated commodities that have an ETSNG code, from the reference database."""
    curated, _gng = network.search_commodities(session, None, limit=200)
    seen: dict[str, tuple[str, str, str]] = {}
    for c in curated:
        if c.etsng and c.etsng not in seen:
            seen[c.etsng] = (c.etsng, c.etsng_name_ru or c.gng_name_ru, c.group or "")
    return sorted(seen.values(), key=lambda c: c[1])


def _views(
    r: Router, q: Quote, session: Session, lang: str, dwell: Mapping[Any, Any]
) -> list[AlternativeView]:
    net = whole_network(session, lang)
    coords = positions(net)
    out = []
    for n, alt in enumerate(q.alternatives, 1):
        route = alt.route
        legs = [
            {
                "railway": leg.railway,
                "entry": station_name(r, leg.entry_esr, lang),
                "entry_esr": leg.entry_esr,
                "exit": station_name(r, leg.exit_esr, lang),
                "exit_esr": leg.exit_esr,
                "km": leg.km,
                "official": leg.official,
                # None: a national leg, whose tariff is not loaded (charge.reason says so)
                "charge": charge.amount_chf,
                "tariff": charge.tariff,
                "role": charge.role,
                "reason": charge.reason,
            }
            for leg, charge in zip(route.legs, alt.legs, strict=True)
        ]
        borders = [
            {
                "exit": station_name(r, b.exit_esr, lang),
                "exit_esr": b.exit_esr,
                "entry": station_name(r, b.entry_esr, lang),
                "entry_esr": b.entry_esr,
                "confidence": b.confidence,
                "estimated": b.confidence != "high",
                "ferry": b.ferry,
                "dwell": dwell.get((b.exit_esr, b.entry_esr)),
            }
            for b in route.borders
        ]
        out.append(AlternativeView(n, alt, legs, borders, route_map(r, route, net, coords, lang)))
    return out


@router.get("/quote", response_class=HTMLResponse)
def quote_page(request: Request, session: Session = Depends(read_session)) -> HTMLResponse:
    lang = request_language(request)
    form = QuoteForm.of(request.query_params)
    errors: dict[str, str] = {}
    quote: Quote | None = None
    views: list[AlternativeView] = []
    r = router_for(session)
    if form.asked:
        quote = _ask(r, session, form, errors, lang)
        if quote is not None:
            views = _views(r, quote, session, lang, service.observed_dwell(session))
    coeff = tariff_data.coefficients()
    norms = tariff_data.delivery_norms()
    status = 200 if not errors else 422
    return render(
        request,
        "tariff_quote.html",
        status_code=status,
        form=form,
        errors=errors,
        quote=quote,
        views=views,
        commodities=_commodities(session),
        containers=CONTAINERS,
        demo_tables=[t for t in (quote.tables if quote else ()) if t.demo],
        norms=norms,
        unverified_coefficients=coeff.unverified,
        colours=RAILWAY_COLOURS,
        deprecated=_t(MASS_DEPRECATED, lang) if "mass" in request.query_params else None,
    )


def _ask(
    r: Router, session: Session, form: QuoteForm, errors: dict[str, str], lang: str
) -> Quote | None:
    """Check what the form can check itself, then ask the service; errors go by field."""
    for name, value in (("from", form.from_), ("to", form.to)):
        if not value:
            errors[name] = _t("Give a station: ESR code or name.", lang)
    etsng = _etsng_of(session, form.cargo)
    if not form.cargo:
        errors["cargo"] = _t("Choose the cargo.", lang)
    elif etsng is None:
        errors["cargo"] = _t(NO_ETSNG, lang, gng=re.sub(r"\D", "", form.cargo)[:8])
    mass_text = re.sub(r"[\s\u00a0\u202f]", "", form.mass_kg)
    if not re.fullmatch(r"-?\d{1,9}", mass_text):
        errors["mass_kg"] = _t("Give the mass as a whole number of kg.", lang)
    if errors:
        return None
    try:
        return service.quote(
            r,
            station_text(form.from_),
            station_text(form.to),
            etsng=etsng or form.cargo,
            mass_kg=int(mass_text),
            wagon_owner=form.wagon_owner,
            speed=form.speed,
            container=form.container or None,
            via=form.via_list(),
            tables=service.rate_tables(session),
        )
    except TemirError as error:
        where = FORM_FIELD.get(error.field or "form", error.field or "form")
        errors[where] = error.message(lang)
        return None


def _t(msgid: str, lang: str, **params: Any) -> str:
    from temir.kit.i18n import translate

    return translate(msgid, lang, **params)


NO_ETSNG = N_(
    "No ETSNG code is known for GNG {gng}; the tariff is by ETSNG, so choose a cargo with an "
    "ETSNG code (or type the ETSNG code)."
)
LEADING_CODE = re.compile(r"^\s*(?:GNG\s*)?(\d{6}|\d{8})(?:\D|$)", re.IGNORECASE)


def _etsng_of(session: Session, text: str) -> str | None:
    """The ETSNG code of what the cargo field holds: a 6-digit ETSNG code (as typed or chosen),
    or an 8-digit GNG code paired with one in the curated commodity list; None when a GNG code
    has no known ETSNG pair. Anything else is passed on for the service to judge."""
    match = LEADING_CODE.match(text)
    if match is None:
        return text.strip()
    code = match.group(1)
    if len(code) == 6:
        return code
    curated, _gng = network.search_commodities(session, code, limit=SUGGESTIONS)
    return next((c.etsng for c in curated if c.gng == code and c.etsng), None)


@router.get("/quote/cargo", response_class=HTMLResponse)
def cargo_suggestions(request: Request, session: Session = Depends(read_session)) -> HTMLResponse:
    """``<option>`` elements for the cargo field: the whole ETSNG/GNG reference, searched by code
    or words of the name (the curated ETSNG commodities first, then the GNG nomenclature)."""
    text = request.query_params.get("cargo", "").strip()[:200]
    if len(text) < 2:
        return render(request, "tariff_station_options.html", options=[])
    curated, gng = network.search_commodities(session, text, limit=SUGGESTIONS)
    options = [
        {"value": f"{c.etsng} {c.etsng_name_ru or c.gng_name_ru}", "label": f"ETSNG · GNG {c.gng}"}
        for c in curated
        if c.etsng
    ]
    options += [{"value": f"GNG {g.gng} {g.name_ru}", "label": "GNG"} for g in gng if g.name_ru][
        : max(0, SUGGESTIONS - len(options))
    ]
    return render(request, "tariff_station_options.html", options=options)


@router.get("/quote/stations", response_class=HTMLResponse)
def station_suggestions(request: Request, session: Session = Depends(read_session)) -> HTMLResponse:
    """``<option>`` elements for a station field's datalist (htmx sends the field's value)."""
    lang = request_language(request)
    params = request.query_params
    text = next((params[k] for k in ("from", "to", "via", "q") if params.get(k)), "").strip()
    if LEADING_ESR.match(text) and " " in text.strip():
        text = ""  # a suggestion was chosen: nothing more to suggest
    found = network.search_stations(session, text, limit=SUGGESTIONS) if len(text) >= 2 else []
    options = [
        {
            "value": f"{st.codes[0].esr} {st.name_ru if lang == 'ru' else st.name_en}",
            "label": f"{st.railway} · {st.name_en if lang == 'ru' else st.name_ru}",
        }
        for st in found
        if st.codes
    ]
    return render(request, "tariff_station_options.html", options=options)


RAILWAY_COLOURS = {
    "KZH": "#1f6fb2",
    "UTI": "#1b8a5a",
    "TDZ": "#b8322a",
    "KRG": "#c27c0e",
    "TRK": "#7b3fa0",
    "RZD": "#6b7280",
}
