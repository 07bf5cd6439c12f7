"""Delivery time as the SMGS norms count it (issue 11.5): the whole route's distance, not each
railway's leg rounded up; extra days at gauge-change border points. The norms stay flagged
unverified (data/tariff/delivery_norms.json).

By hand, at the shipped (unverified) 200 km per day and 1 dispatch day:
Костанай → Душанбе II, TR-4 METHOD.md's example, 2213 + 875 + 63 = 3151 km: 3151 / 200 = 15.76,
a started day counts → 16, + 1 = 17 days (rounding each leg up gave 12 + 5 + 1 + 1 = 19).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from temir.network.routing import Router
from temir.network.routing.loader import shipped
from temir.tariff import data as tariff_data
from temir.tariff.model import Speed
from temir.tariff.rules import delivery_time


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(shipped())


def test_the_whole_distance_counts_not_each_leg(router: Router) -> None:
    route = router.routes("684001", "745309", limit=1)[0]
    assert route.km_by_railway() == "KZH:2213;UTI:875;TDZ:63"
    timing = delivery_time(route, tariff_data.delivery_norms(), Speed.FREIGHT, "wagon")
    assert (timing.dispatch_days, timing.run_days, timing.extra_days) == (1, 16, 0)
    assert timing.total_days == 17
    assert timing.unverified
    high = delivery_time(route, tariff_data.delivery_norms(), Speed.HIGH, "wagon")
    assert high.run_days == 10  # 3151 / 320 = 9.85 → 10


def test_gauge_change_border_points_add_the_norms_extra_days(router: Router) -> None:
    norms = tariff_data.delivery_norms()
    assert norms.gauge_change_days == 2  # delivery_norms.json, unverified
    # the data marks Достык/Алашанькоу and the Iranian crossings rail_gauge_change; no route
    # reaches them yet (no China or Iran network), so the border point is made gauge-change here
    route = router.routes("684001", "745309", limit=1)[0]
    changed = replace(route, borders=(replace(route.borders[0], gauge_change=True),))
    timing = delivery_time(changed, norms, Speed.FREIGHT, "wagon")
    assert (timing.gauge_changes, timing.extra_days, timing.total_days) == (1, 2, 19)
