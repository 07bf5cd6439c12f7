"""ETA by the norms and by observed progress, delay, where the time went; border dwell."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from temir.network.view import shipped_view as shipped_network
from temir.notes.example import example_note
from temir.tariff import data as tariff_data
from temir.tracking import rules
from temir.tracking.dwell import DwellSample, dwell_stats
from temir.tracking.eta import Estimate, Norms, estimate, norm_days_left
from temir.tracking.model import Event, EventKind, UnitKind
from temir.tracking.route import NoteRoute
from temir.tracking.timeline import note_route
from tests.tracking.helpers import KOSTANAY, KYZYLORDA, SARYAGASH_EXP

T0 = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def route() -> NoteRoute:
    found = note_route(example_note(), shipped_network())
    assert found is not None
    return found


@pytest.fixture(scope="module")
def norms() -> Norms:
    return Norms.of(tariff_data.delivery_norms())


def ev(kind: str, esr: str, hours: float, key: str) -> Event:
    return Event(key, EventKind(kind), "95120341", UnitKind.WAGON, esr, T0 + timedelta(hours=hours),
                 "KZH")  # fmt: skip


def run(
    events: list[Event], route: NoteRoute, norms: Norms, now_hours: float, ext: int = 0
) -> Estimate:
    ordered = rules.ordered(events)
    where = rules.positions(ordered, route, shipped_network())
    return estimate(
        ordered, where, route, norms, accepted_at=T0, extension_days=ext, delivered_at=None,
        now=T0 + timedelta(hours=now_hours),
    )  # fmt: skip


def test_the_norms_allow_one_day_per_started_200_km_of_the_whole_route_and_are_unverified(
    route: NoteRoute, norms: Norms
) -> None:
    assert norms.km_per_day == 200
    assert norms.unverified
    # issue 11.5: the whole 3151 km (2213 + 875 + 63), not each railway's leg rounded up
    # (12 + 5 + 1 = 18): 3151 / 200 = 15.76, started → 16
    assert norm_days_left(route, 0, norms) == 16
    assert norm_days_left(route, 1688, norms) == 8  # 1463 km left: 7.3 → 8
    found = run([ev("departure", KOSTANAY, 0, "a")], route, norms, 1)
    assert found.norm_days_total == 1 + 16  # a dispatch day, then the whole route
    assert found.deadline == T0 + timedelta(days=17)
    assert found.unverified_norms


def test_eta_by_progress_uses_the_speed_made_so_far(route: NoteRoute, norms: Norms) -> None:
    events = [ev("departure", KOSTANAY, 0, "a"), ev("station_arrival", KYZYLORDA, 56.27, "b")]
    found = run(events, route, norms, 60)
    assert found.position_km == 1688
    assert found.remaining_km == 3151 - 1688
    assert found.observed_kmh == Decimal("30.0")
    assert found.by_progress is not None
    hours = (found.by_progress - events[1].at).total_seconds() / 3600
    assert hours == pytest.approx(1463 / (1688 / 56.27), rel=1e-6)
    assert found.by_norms == events[1].at + timedelta(days=8)  # 1463 km of the whole route left
    assert found.status == "on_time"


def test_late_when_past_the_delivery_time_and_expected_late_when_progress_says_so(
    route: NoteRoute, norms: Norms
) -> None:
    slow = [ev("departure", KOSTANAY, 0, "a"), ev("station_arrival", KYZYLORDA, 24 * 12, "b")]
    expected = run(slow, route, norms, 24 * 12 + 1)
    assert expected.status == "expected_late"
    assert expected.late_by_hours is not None
    assert expected.late_by_hours > 0
    overdue = run(slow, route, norms, 24 * 18)  # the delivery time is 17 days (1 + 16)
    assert overdue.status == "late"
    assert overdue.late_by_hours == Decimal("24.0")
    extended = run(slow, route, norms, 24 * 18, ext=2)
    assert extended.status != "late"


def test_where_the_time_was_lost_names_the_stretch_and_the_border_wait(
    route: NoteRoute, norms: Norms
) -> None:
    events = [
        ev("departure", KOSTANAY, 0, "a"),
        ev("station_arrival", KYZYLORDA, 60, "b"),  # 1688 km: norm 202.6 h, so gained time
        ev("station_arrival", SARYAGASH_EXP, 150, "c"),  # 525 km in 90 h: norm 63 h
        ev("border_passed", SARYAGASH_EXP, 190, "d"),  # 40 h standing at the border
    ]
    found = run(events, route, norms, 200)
    assert [(x.from_esr, x.to_esr, str(x.excess_hours)) for x in found.losses] == [
        (SARYAGASH_EXP, SARYAGASH_EXP, "40.0"),
        (KYZYLORDA, SARYAGASH_EXP, "27.0"),
    ]
    assert [r.railway for r in found.by_railway] == ["KZH"]


def test_without_a_route_nothing_is_estimated(norms: Norms) -> None:
    found = estimate([], [], None, norms, accepted_at=T0, extension_days=0, delivered_at=None,
                     now=T0)  # fmt: skip
    assert found.status == "unknown"
    assert found.by_norms is None


def _sample(hours: float, month: int, unit: str) -> DwellSample:
    arrived = datetime(2026, month, 10, tzinfo=UTC)
    return DwellSample(SARYAGASH_EXP, "720602", "KZH", "UTI", unit, "n", "a", arrived,
                       arrived + timedelta(hours=hours))  # fmt: skip


def test_dwell_statistics_per_crossing_and_month() -> None:
    samples = [_sample(h, 3, str(i)) for i, h in enumerate((10, 20, 30, 40, 100))]
    samples.append(_sample(5, 4, "x"))
    monthly = dwell_stats(samples)
    assert [(s.month, s.count) for s in monthly] == [("2026-03", 5), ("2026-04", 1)]
    march = monthly[0]
    assert (march.mean_hours, march.median_hours, march.p90_hours, march.max_hours) == (
        Decimal("40.0"), Decimal("30.0"), Decimal("100.0"), Decimal("100.0"),
    )  # fmt: skip
    overall = dwell_stats(samples, by_month=False)
    assert [(s.month, s.count) for s in overall] == [(None, 6)]
    assert overall[0].median_hours == Decimal("25.0")
