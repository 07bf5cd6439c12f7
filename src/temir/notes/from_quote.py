"""A new note started from a quote: the route's stations, borders (box 6), carriers with
their sections (box 22) and the cargo (ETSNG, mass) filled in as form values.

Why from the route and not the quote's numbers: the note form takes codes, not charges; the
tariff km per railway are shown beside the form (box 38 is the carriers' to fill).
"""

from __future__ import annotations

from dataclasses import dataclass

from temir.network.routes.service import find_routes
from temir.network.routing import Router
from temir.network.routing.model import Route


@dataclass(frozen=True)
class QuoteStart:
    """The form values and the route they came from (km per railway, for the banner)."""

    values: dict[str, str]
    route: Route


def _ref(r: Router, prefix: str, esr: str) -> dict[str, str]:
    return {
        f"{prefix}.esr": esr,
        f"{prefix}.name": r.names.get(esr, ""),
        f"{prefix}.railway": r.railway_of(esr, "from"),
    }


def start_from_quote(
    r: Router,
    from_esr: str,
    to_esr: str,
    *,
    etsng: str = "",
    mass_kg: str = "",
    alternative: int = 1,
    via: tuple[str, ...] = (),
) -> QuoteStart:
    """The form values of a draft for the quote's ``alternative`` (1 = shortest); unknown
    stations or no route raise the route errors (translated, naming the field)."""
    routes = find_routes(r, from_esr, to_esr, via=via, alternatives=max(1, min(alternative, 10)))
    route = routes[min(alternative, len(routes)) - 1]
    values: dict[str, str] = {}
    values.update(_ref(r, "departure", route.from_esr))
    values.update(_ref(r, "destination", route.to_esr))
    borders = [code for b in route.borders for code in (b.exit_esr, b.entry_esr)]
    for i, esr in enumerate(dict.fromkeys(borders)):
        values.update(_ref(r, f"border_stations.{i}", esr))
    for i, leg in enumerate(route.legs):
        values[f"carriers.{i}.carrier"] = leg.railway
        values.update(_ref(r, f"carriers.{i}.from_station", leg.entry_esr))
        values.update(_ref(r, f"carriers.{i}.to_station", leg.exit_esr))
    if etsng:
        values["goods.0.etsng"] = etsng
    if mass_kg:
        values["goods.0.mass_kg"] = mass_kg
        values["goods_total_mass_kg"] = mass_kg
    return QuoteStart(values, route)
