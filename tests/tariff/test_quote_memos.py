"""What a quote keeps between requests (issue 12) changes nothing a user sees.

Kept: a route's plan (leg roles, national legs, delivery time per norms and speed), the
transit legs priced once per quote (alternatives share them), and each delivery time's and
route's JSON per language. Each is checked against the same thing
computed afresh, and for invalidation: a new route, new norms or a new language is not served
from what was kept for another, and a caller changing what ``to_dict`` returned does not
change the next answer.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from temir.network.routing import Router
from temir.network.routing.loader import shipped
from temir.tariff import data as tariff_data
from temir.tariff import service
from temir.tariff.model import Speed
from temir.tariff.rules import charge_route, delivery_time, route_plan


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(shipped())


def test_alternatives_sharing_a_leg_get_the_lines_priced_alone(router: Router) -> None:
    q = service.quote(
        router, "684001", "745309", etsng="011005", mass_kg=41_300, wagon_owner="other",
        speed="high", empty_return=True,
    )  # fmt: skip
    tables = service.rate_tables()
    coeff = tariff_data.coefficients()
    shared_legs = {(leg.railway, leg.km) for a in q.alternatives for leg in a.route.legs}
    assert len(shared_legs) < sum(len(a.route.legs) for a in q.alternatives)  # legs repeat
    for a in q.alternatives:
        alone, used, legs = charge_route(a.route, q.request, tables, coeff)  # no shared memo
        assert a.lines == tuple(alone)
        assert a.tables_used == tuple(used)
        assert a.legs == tuple(legs)
        assert a.delivery == delivery_time(
            a.route, tariff_data.delivery_norms(), Speed.HIGH, "wagon"
        )


def test_the_next_quote_of_the_lane_is_priced_for_its_own_request(router: Router) -> None:
    tables, coeff = service.rate_tables(), tariff_data.coefficients()
    light = service.quote(router, "684001", "745309", etsng="011005", mass_kg=30_000)
    heavy = service.quote(
        router, "684001", "745309", etsng="011005", mass_kg=66_000, wagon_owner="other"
    )
    assert [a.route for a in light.alternatives] == [a.route for a in heavy.alternatives]
    for q in (light, heavy):
        for a in q.alternatives:
            assert a.lines == tuple(charge_route(a.route, q.request, tables, coeff)[0])
    assert "66,000" in heavy.alternatives[0].lines[0].text("en")
    assert "actual 30 t raised" in light.alternatives[0].lines[0].text("en")
    assert [x.what for x in heavy.alternatives[0].lines] == ["base", "wagon_owner"]


def test_route_plan_follows_the_route_and_the_norms(router: Router) -> None:
    route = router.routes("684001", "745309", limit=1)[0]
    norms = tariff_data.delivery_norms()
    plan = route_plan(route)
    assert route_plan(route) is plan
    assert plan.delivery(route, norms, Speed.FREIGHT, "wagon").total_days == 17
    # another route object (same lane, a changed border) gets its own plan
    changed = replace(route, borders=(replace(route.borders[0], gauge_change=True),))
    assert route_plan(changed) is not plan
    assert route_plan(changed).delivery(changed, norms, Speed.FREIGHT, "wagon").total_days == 19
    # other norms (a new edition of the norms file) are not answered from the kept time
    slower = replace(norms, dispatch_days=norms.dispatch_days + 3)
    assert plan.delivery(route, slower, Speed.FREIGHT, "wagon").total_days == 20
    assert plan.delivery(route, norms, Speed.FREIGHT, "wagon").total_days == 17


def test_json_is_rendered_per_language_and_handed_out_fresh(router: Router) -> None:
    kwargs: dict[str, Any] = {"etsng": "011005", "mass_kg": 52_000, "wagon_owner": "other"}
    q = service.quote(router, "684001", "745309", **kwargs)
    en, ru = q.to_dict("en"), q.to_dict("ru")
    assert en["alternatives"][0]["lines"][0]["text"] == q.alternatives[0].lines[0].text("en")
    assert ru["alternatives"][0]["lines"][0]["text"] == q.alternatives[0].lines[0].text("ru")
    assert en["alternatives"][0]["lines"][0]["text"] != ru["alternatives"][0]["lines"][0]["text"]
    assert ru["alternatives"][0]["route"] == q.alternatives[0].route.to_dict("ru")
    assert ru["alternatives"][0]["delivery"]["warning"] == q.alternatives[0].delivery.warning.text(
        "ru"
    )
    # a caller changes what it got, at every depth (the API adds names to the route's legs):
    # the first answer (rendered), the second (rendered and kept) and a later one (a copy)
    pristine = q.alternatives[0].route.to_dict("en")
    for _ in range(3):
        alt = service.quote(router, "684001", "745309", **kwargs).to_dict("en")["alternatives"][0]
        assert alt["route"] == pristine
        assert "added" not in alt["lines"][0]["message"]["params"]
        assert alt["delivery"]["per_carrier"][0]["days"] > 0
        assert alt["leg_charges"][0]["text"] != "changed"
        alt["route"]["legs"][0]["entry_name"] = "changed"
        alt["route"]["notes"].append("changed")
        alt["lines"][0]["message"]["params"]["added"] = -1
        alt["delivery"]["per_carrier"][0]["days"] = -1
        alt["leg_charges"][0]["text"] = "changed"
