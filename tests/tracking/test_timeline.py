"""Tracking a wagon, container or note: timeline, custody, position, ETA — and who may look."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from temir.kit.db import UnitOfWork
from temir.kit.errors import NotFound
from temir.tracking import acts, borders, service, timeline
from tests.tracking.helpers import (
    ALMATY_1,
    KELES_EXP,
    KOSTANAY,
    KYZYLORDA,
    SARYAGASH_EXP,
    TASHKENT,
    Shipment,
    event,
    new_wagon,
    railway_actor,
    ship,
)


def report(uow: UnitOfWork, shipment: Shipment, *lines: dict[str, object]) -> None:
    with uow() as session:
        outcome = service.ingest(session, shipment.world.kzh, list(enumerate(lines, start=1)))
    assert outcome.written, outcome.to_dict()


def test_out_of_order_reports_make_one_ordered_timeline_with_position_and_eta(
    uow: UnitOfWork, shipment: Shipment
) -> None:
    wagon, t = shipment.wagons[0], shipment.accepted_at
    report(
        uow, shipment,
        event("station_arrival", wagon, KYZYLORDA, t + timedelta(days=3)),
        event("departure", wagon, KOSTANAY, t + timedelta(hours=6)),
        event("station_arrival", wagon, ALMATY_1, t + timedelta(days=2)),
    )  # fmt: skip
    with uow.read() as session:
        found = timeline.track(session, shipment.world.shipper, wagon)
    assert found.kind == "wagon"
    assert found.note is not None
    assert found.note.id == shipment.note_id
    (unit,) = found.units
    assert [e.event.station_esr for e in unit.entries] == [KOSTANAY, ALMATY_1, KYZYLORDA]
    assert [[f.code for f in e.flags] for e in unit.entries] == [[], ["off_route"], []]
    assert unit.custody == "KZH"
    assert unit.estimate.position_km == 1688
    assert unit.estimate.remaining_km == 3151 - 1688
    # 1 dispatch day + 3151 km / 200 started = 16 (the whole route, issue 11.5)
    assert unit.estimate.deadline == shipment.accepted_at + timedelta(days=17)
    assert unit.estimate.unverified_norms
    data = found.to_dict("ru")
    assert data["units"][0]["position"]["station"] == "Кызылорда"
    assert data["units"][0]["events"][1]["flags"][0]["code"] == "off_route"


def test_a_note_is_tracked_by_id_or_box_29_number_with_every_unit(
    uow: UnitOfWork, shipment: Shipment
) -> None:
    with uow.read() as session:
        by_id = timeline.track(session, shipment.world.uti, shipment.note_id)
        assert by_id.note is not None
        number = by_id.note.number
        assert number
        by_number = timeline.track(session, shipment.world.tdz, number)
    assert [u.unit for u in by_id.units] == list(shipment.wagons)
    assert by_number.note is not None
    assert by_number.note.id == shipment.note_id
    assert by_id.note.route is not None
    assert [leg.km for leg in by_id.note.route.legs] == [2213, 875, 63]


def test_outsiders_do_not_learn_that_a_shipment_exists(uow: UnitOfWork, shipment: Shipment) -> None:
    report(uow, shipment, event("departure", shipment.wagons[0], KOSTANAY, shipment.accepted_at))
    other = ship(uow)
    krg = railway_actor(uow, "KRG")
    for who in (other.world.shipper, krg, other.world.viewer):
        for query in (shipment.note_id, shipment.wagons[0]):
            with uow.read() as session, pytest.raises(NotFound) as error:
                timeline.track(session, who, query)
            assert error.value.code == "tracking.not_found"


def test_a_wagon_on_no_note_is_seen_by_its_reporter_only(
    uow: UnitOfWork, shipment: Shipment
) -> None:
    wagon = new_wagon()
    krg = railway_actor(uow, "KRG")
    at = datetime.now(UTC) - timedelta(hours=5)
    with uow() as session:
        service.ingest(session, krg, [(1, event("station_arrival", wagon, TASHKENT, at))])
    with uow.read() as session:
        found = timeline.track(session, krg, wagon)
        assert found.note is None
        assert found.units[0].custody == "KRG"
        with pytest.raises(NotFound):
            timeline.track(session, shipment.world.kzh, wagon)
        assert timeline.track(session, shipment.world.admin, wagon).units[0].unit == wagon


def test_garbage_is_not_found_not_an_error(uow: UnitOfWork, shipment: Shipment) -> None:
    with uow.read() as session, pytest.raises(NotFound):
        timeline.track(session, shipment.world.admin, "no such thing at all")


def test_a_border_point_lists_wagons_waiting_and_the_dwell_of_accepted_acts(
    uow: UnitOfWork, shipment: Shipment
) -> None:
    w = shipment.world
    first, second = shipment.wagons
    arrived = datetime.now(UTC) - timedelta(hours=50)
    report(
        uow, shipment,
        event("station_arrival", first, SARYAGASH_EXP, arrived),
        event("station_arrival", second, SARYAGASH_EXP, arrived + timedelta(hours=2)),
    )  # fmt: skip
    with uow() as session:
        act = acts.offer(session, w.kzh, shipment.note_id, units=[first], at=arrived)
        acts.accept(session, w.uti, act.act_id, at=arrived + timedelta(hours=41))
    with uow.read() as session:
        seen = borders.border_point(session, w.kzh, KELES_EXP)
        samples, _ = borders.samples(session, [SARYAGASH_EXP], None)
        outsider = borders.border_point(session, ship(uow).world.shipper, SARYAGASH_EXP)
    assert [str(s.hours) for s in samples if s.act_id == act.act_id] == ["41.0"]
    assert [x.unit for x in seen.waiting] == [second]
    assert seen.waiting[0].hours(seen.now) >= 47
    mine = [s for s in seen.overall if s.from_railway == "KZH" and s.to_railway == "UTI"]
    assert mine
    assert mine[0].count >= 1
    assert second not in [x.unit for x in outsider.waiting]  # not the outsider's shipment
    with uow.read() as session, pytest.raises(NotFound):
        borders.border_point(session, w.kzh, KOSTANAY)
