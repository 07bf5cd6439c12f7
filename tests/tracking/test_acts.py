"""Handover acts: offered by the railway in custody, accepted or disputed by the next one."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from temir.kit.db import UnitOfWork
from temir.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from temir.tracking import acts, timeline
from temir.tracking.model import ActStatus
from tests.tracking.helpers import SARYAGASH_EXP, Shipment, ship


def custody(uow: UnitOfWork, shipment: Shipment) -> dict[str, str | None]:
    with uow.read() as session:
        found = timeline.track(session, shipment.world.admin, shipment.note_id)
    return {u.unit: u.custody for u in found.units}


def test_an_offer_lists_units_seals_masses_and_the_note_version(
    uow: UnitOfWork, shipment: Shipment
) -> None:
    with uow() as session:
        act = acts.offer(session, shipment.world.kzh, shipment.note_id)
    offer = act.offer
    assert (offer.from_railway, offer.to_railway) == ("KZH", "UTI")
    assert (offer.station_esr, offer.entry_esr) == (SARYAGASH_EXP, "720602")
    assert offer.note_version == 2  # the accepted version
    first = offer.units[0]
    assert first.number == shipment.wagons[0]
    assert first.mass_kg == 68_000
    assert first.seals == ("КЗХ 0341-1", "КЗХ 0341-2")
    assert act.status is ActStatus.OFFERED
    assert custody(uow, shipment) == dict.fromkeys(shipment.wagons, "KZH")


def test_custody_moves_on_acceptance_only(uow: UnitOfWork, shipment: Shipment) -> None:
    w = shipment.world
    with uow() as session:
        act = acts.offer(session, w.kzh, shipment.note_id)
    with uow() as session, pytest.raises(PermissionDenied):
        acts.accept(session, w.tdz, act.act_id)  # not the incoming railway
    with uow() as session, pytest.raises(PermissionDenied):
        acts.accept(session, w.kzh, act.act_id)  # the outgoing one cannot accept its own offer
    with uow() as session:
        done = acts.accept(session, w.uti, act.act_id)
    assert done.status is ActStatus.ACCEPTED
    assert done.decision is not None
    assert done.decision.offer_digest == act.offer_digest
    assert custody(uow, shipment) == dict.fromkeys(shipment.wagons, "UTI")
    with uow() as session:
        again = acts.accept(session, w.uti, act.act_id)  # idempotent
    assert again.decision == done.decision


def test_a_dispute_records_discrepancies_draws_a_commercial_act_and_moves_nothing(
    uow: UnitOfWork, shipment: Shipment
) -> None:
    w, wagon = shipment.world, shipment.wagons[1]
    with uow() as session:
        act = acts.offer(session, w.kzh, shipment.note_id)
    found = [
        {"kind": "seal_broken", "unit": wagon, "expected": "КЗХ 1174-1", "found": "broken"},
        {"kind": "mass_differs", "unit": wagon, "expected": "67450", "found": "64200"},
    ]
    with uow() as session:
        disputed = acts.dispute(session, w.uti, act.act_id, discrepancies=found)
    assert disputed.status is ActStatus.DISPUTED
    assert disputed.decision is not None
    assert [d.kind for d in disputed.decision.discrepancies] == ["seal_broken", "mass_differs"]
    assert disputed.decision.commercial_act == f"KA-{SARYAGASH_EXP}-{act.act_id[:8].upper()}"
    assert custody(uow, shipment) == dict.fromkeys(shipment.wagons, "KZH")
    with uow() as session, pytest.raises(Conflict):
        acts.accept(session, w.uti, act.act_id)
    with uow() as session:  # the outgoing railway offers again (resealed), now accepted
        second = acts.offer(session, w.kzh, shipment.note_id, seals={wagon: ["КЗХ 9001"]})
        acts.accept(session, w.uti, second.act_id)
    assert second.offer.units[1].seals == ("КЗХ 9001",)
    assert custody(uow, shipment) == dict.fromkeys(shipment.wagons, "UTI")


@pytest.mark.parametrize(
    ("items", "code"),
    [
        ([], "handover.no_discrepancy"),
        ([{"kind": "stolen", "unit": "X"}], "handover.discrepancy"),
        ([{"kind": "damage", "unit": "12345678"}], "handover.unit"),
    ],
)
def test_a_dispute_names_real_discrepancies(
    uow: UnitOfWork, shipment: Shipment, items: list[dict[str, str]], code: str
) -> None:
    with uow() as session:
        act = acts.offer(session, shipment.world.kzh, shipment.note_id)
    with uow() as session, pytest.raises(ValidationFailed) as error:
        acts.dispute(session, shipment.world.uti, act.act_id, discrepancies=items)
    assert error.value.code == code


def test_only_the_railway_in_custody_offers_and_only_what_it_has(
    uow: UnitOfWork, shipment: Shipment
) -> None:
    w = shipment.world
    with uow() as session, pytest.raises(PermissionDenied):
        acts.offer(session, w.shipper, shipment.note_id)
    with uow() as session, pytest.raises(Conflict) as error:
        acts.offer(session, w.uti, shipment.note_id)  # UTI has nothing yet
    assert error.value.code == "handover.nothing"
    with uow() as session:
        acts.offer(session, w.kzh, shipment.note_id, units=[shipment.wagons[0]])
    with uow() as session, pytest.raises(Conflict) as error:
        acts.offer(session, w.kzh, shipment.note_id, units=[shipment.wagons[0]])
    assert error.value.code == "handover.already_offered"
    with uow() as session, pytest.raises(ValidationFailed):
        acts.offer(session, w.kzh, shipment.note_id, units=["12345678"])


def test_an_offer_sent_again_with_its_act_id_returns_the_same_act(
    uow: UnitOfWork, shipment: Shipment
) -> None:
    act_id = str(uuid.uuid4())
    at = shipment.accepted_at + timedelta(days=3)
    with uow() as session:
        first = acts.offer(session, shipment.world.kzh, shipment.note_id, act_id=act_id, at=at)
    with uow() as session:
        again = acts.offer(session, shipment.world.kzh, shipment.note_id, act_id=act_id, at=at)
    assert again.offer_digest == first.offer_digest
    with uow() as session, pytest.raises(Conflict):
        acts.offer(session, shipment.world.kzh, shipment.note_id, act_id=act_id,
                   units=[shipment.wagons[0]])  # fmt: skip


def test_a_paper_act_is_entered_later_with_its_reference_and_times(
    uow: UnitOfWork, shipment: Shipment
) -> None:
    w = shipment.world
    offered = shipment.accepted_at + timedelta(days=3)
    with uow() as session:
        act = acts.offer(session, w.kzh, shipment.note_id, at=offered, paper_reference="ПА-17/03")
    with uow() as session, pytest.raises(ValidationFailed):
        acts.accept(session, w.uti, act.act_id, at=offered - timedelta(hours=1))
    with uow() as session:
        done = acts.accept(session, w.uti, act.act_id, at=offered + timedelta(hours=20))
    assert done.offer.paper_reference == "ПА-17/03"
    assert done.accepted_at == offered + timedelta(hours=20)
    assert done.to_dict()["paper"] is True


def test_acts_of_someone_elses_note_are_not_found(uow: UnitOfWork, shipment: Shipment) -> None:
    other = ship(uow)
    with uow() as session:
        act = acts.offer(session, shipment.world.kzh, shipment.note_id)
    with uow.read() as session, pytest.raises(NotFound):
        acts.show(session, other.world.shipper, act.act_id)
    with uow.read() as session:
        assert [a.act_id for a in acts.show(session, shipment.world.shipper, act.act_id)] == [
            act.act_id
        ]
        assert [a.act_id for a in acts.show(session, shipment.world.uti, shipment.note_id)] == [
            act.act_id
        ]


def test_the_act_writes_handover_events_into_the_timeline(
    uow: UnitOfWork, shipment: Shipment
) -> None:
    with uow() as session:
        act = acts.offer(session, shipment.world.kzh, shipment.note_id)
        acts.accept(session, shipment.world.uti, act.act_id)
    with uow.read() as session:
        found = timeline.track(session, shipment.world.shipper, shipment.wagons[0])
    kinds = [(e.event.kind, e.event.reporter) for e in found.units[0].entries]
    assert kinds == [("handover_offered", "KZH"), ("handover_accepted", "UTI")]
