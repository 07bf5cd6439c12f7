"""Webhooks end to end on a real receiver: queued with the event in one transaction, signed
(HMAC and Ed25519, checked here with the standard library and ``cryptography`` directly),
retried while the receiver is down, given up and redelivered with the same id, and never sent
to an organisation that may not see the note."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import timedelta

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import func, select

from temir.accounts.model import Actor
from temir.kit.db import UnitOfWork
from temir.tracking import acts
from temir.tracking import service as tracking
from temir.webhooks import delivery, service
from temir.webhooks.delivery import WorkerConfig
from temir.webhooks.tables import WebhookDeliveryRow
from tests.notes.store_helpers import SECRET
from tests.tracking.helpers import KOSTANAY, KYZYLORDA, Shipment, World, event
from tests.tracking.test_signed_handover import consignee, signed_note
from tests.webhooks.receiver import Receiver, free_port

FAST = WorkerConfig(base_delay=0.05, max_delay=0.2, timeout=2.0, max_attempts=4)


def subscribe(uow: UnitOfWork, actor: Actor, url: str, events: tuple[str, ...] = ("*",)) -> str:
    with uow() as s:
        sub, _secret = service.create(s, actor, url=url, events=events, secret="s" * 32)
    return sub.id


def deliver(uow: UnitOfWork, *subs: str, config: WorkerConfig = FAST) -> list[str]:
    outcomes = delivery.run_once(uow, SECRET, config, only=set(subs))
    return [str(o.status) for o in outcomes]


def queued(uow: UnitOfWork, sub: str) -> int:
    with uow.read() as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(WebhookDeliveryRow)
                .where(WebhookDeliveryRow.subscription_id == sub)
            )
            or 0
        )


def report(uow: UnitOfWork, world: World, *events: dict[str, object]) -> None:
    with uow() as s:
        outcome = tracking.ingest(s, world.kzh, list(enumerate(events, 1)))
    assert outcome.written, outcome.to_dict()


def test_an_event_of_its_note_reaches_the_shipper_signed_both_ways(
    uow: UnitOfWork, shipment: Shipment, receiver: Receiver
) -> None:
    w = shipment.world
    sub = subscribe(uow, w.shipper, receiver.url, ("tracking.event",))
    report(uow, w, event("departure", shipment.wagons[0], KOSTANAY, shipment.accepted_at))
    assert deliver(uow, sub) == ["delivered"]
    (got,) = receiver.received
    body = json.loads(got.body)
    assert body["type"] == "tracking.event"
    assert body["data"]["unit"] == shipment.wagons[0]
    assert body["data"]["note_id"] == shipment.note_id
    assert body["id"] == got.headers["temir-delivery-id"]
    signed = got.headers["temir-timestamp"].encode() + b"." + got.body
    mac = hmac.new(b"s" * 32, signed, hashlib.sha256).hexdigest()
    assert got.headers["temir-signature"] == f"sha256={mac}"
    with uow.read() as s:
        (key,) = [k for k in service.public_keys(s) if k["key_id"] == got.headers["temir-key-id"]]
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(str(key["public_key"])))
    message = b"temir/webhook/v1\n" + hashlib.sha256(signed).hexdigest().encode()
    public.verify(
        base64.b64decode(got.headers["temir-signature-ed25519"]), message
    )  # raises if bad
    with pytest.raises(InvalidSignature):
        public.verify(base64.b64decode(got.headers["temir-signature-ed25519"]), message + b"x")


def test_nothing_for_an_organisation_that_may_not_see_the_note(
    uow: UnitOfWork, shipment: Shipment, receiver: Receiver
) -> None:
    w = shipment.world
    mine = subscribe(uow, w.shipper, receiver.url)
    other = subscribe(uow, w.other_shipper, receiver.url)
    tdz = subscribe(uow, w.tdz, receiver.url)  # a carrier of box 22 sees it
    report(uow, w, event("departure", shipment.wagons[0], KOSTANAY, shipment.accepted_at))
    assert (queued(uow, mine), queued(uow, other), queued(uow, tdz)) == (1, 0, 1)
    # an event of no note (a wagon no live note carries) goes to no one
    report(uow, w, event("departure", "52171246", KOSTANAY, shipment.accepted_at))
    assert (queued(uow, mine), queued(uow, other)) == (1, 0)


def test_the_consignee_gets_the_events_of_notes_addressed_to_it_only(
    uow: UnitOfWork, world: World, receiver: Receiver
) -> None:
    mine, code = consignee(uow)
    other, _ = consignee(uow)
    sub = subscribe(uow, mine, receiver.url, ("note.*",))
    sub_other = subscribe(uow, other, receiver.url, ("note.*",))
    note_id = signed_note(uow, world, client_code=code)
    assert deliver(uow, sub, sub_other) == ["delivered"] * 3  # create, submit, accept
    assert [json.loads(r.body)["type"] for r in receiver.received] == [
        "note.create", "note.submit", "note.accept",
    ]  # fmt: skip
    assert {json.loads(r.body)["data"]["note_id"] for r in receiver.received} == {note_id}
    assert queued(uow, sub_other) == 0


def test_a_rolled_back_event_queues_nothing_and_a_repeated_one_once(
    uow: UnitOfWork, shipment: Shipment, receiver: Receiver
) -> None:
    w = shipment.world
    sub = subscribe(uow, w.shipper, receiver.url)
    one = event("departure", shipment.wagons[0], KOSTANAY, shipment.accepted_at)

    def fails_after_writing() -> None:
        with uow() as s:
            assert tracking.ingest(s, w.kzh, [(1, one)]).recorded == 1
            raise RuntimeError("the rest of the use case failed")

    with pytest.raises(RuntimeError):
        fails_after_writing()
    assert queued(uow, sub) == 0
    report(uow, w, one)
    report(uow, w, one)  # the same key again: a duplicate, no new event
    assert queued(uow, sub) == 1


def test_retries_while_the_receiver_is_down_then_delivers_when_it_is_back(
    uow: UnitOfWork, shipment: Shipment
) -> None:
    w = shipment.world
    down = Receiver(port=free_port())  # nothing listens there yet
    sub = subscribe(uow, w.shipper, down.url)
    report(uow, w, event("departure", shipment.wagons[0], KOSTANAY, shipment.accepted_at))
    slow = WorkerConfig(base_delay=1.0, max_delay=1.0, timeout=2.0)
    assert deliver(uow, sub, config=slow) == ["pending"]
    assert deliver(uow, sub, config=slow) == []  # not due yet: it waits its backoff
    time.sleep(1.05)
    assert deliver(uow, sub, config=slow) == ["pending"]
    down.start()
    try:
        time.sleep(1.05)
        assert deliver(uow, sub, config=slow) == ["delivered"]
    finally:
        down.stop()
    with uow.read() as s:
        (d,) = service.deliveries(s, w.shipper, sub)
    assert (d.status, d.attempts) == ("delivered", 3)
    assert [a.status_code for a in d.log] == [None, None, 200]
    assert d.log[0].error is not None
    assert "Connect" in d.log[0].error
    assert all(a.latency_ms >= 0 for a in d.log)


def test_gives_up_after_the_last_attempt_and_a_redelivery_keeps_the_id(
    uow: UnitOfWork, shipment: Shipment, receiver: Receiver
) -> None:
    w = shipment.world
    receiver.status = 500
    sub = subscribe(uow, w.shipper, receiver.url)
    report(uow, w, event("departure", shipment.wagons[0], KOSTANAY, shipment.accepted_at))
    two = WorkerConfig(base_delay=0.01, max_delay=0.01, max_attempts=2, timeout=2.0)
    assert deliver(uow, sub, config=two) == ["pending"]
    time.sleep(0.05)
    assert deliver(uow, sub, config=two) == ["failed"]
    time.sleep(0.05)
    assert deliver(uow, sub, config=two) == []  # failed stays failed
    with uow.read() as s:
        (d,) = service.deliveries(s, w.shipper, sub)
    assert (d.status, d.last_status_code, [a.status_code for a in d.log]) == (
        "failed",
        500,
        [500, 500],
    )
    receiver.status = 204
    with uow() as s:
        assert service.redeliver(s, w.shipper, d.id).status == "pending"
    assert deliver(uow, sub, config=two) == ["delivered"]
    ids = [r.headers["temir-delivery-id"] for r in receiver.received]
    assert ids == [d.id] * 3  # the receiver dedupes on it
    assert [r.headers["temir-attempt"] for r in receiver.received] == ["1", "2", "3"]
    bodies = {r.body for r in receiver.received}
    assert len(bodies) == 1  # the same bytes every time


def test_handover_acts_and_their_events_reach_the_subscriber(
    uow: UnitOfWork, world: World, receiver: Receiver
) -> None:
    sub = subscribe(uow, world.shipper, receiver.url, ("handover.*",))
    note_id = signed_note(uow, world)
    with uow() as s:
        act = acts.offer(s, world.kzh, note_id, secret=SECRET)
    with uow() as s:
        acts.accept(s, world.uti, act.act_id, secret=SECRET)
    assert deliver(uow, sub) == ["delivered", "delivered"]
    bodies = [json.loads(r.body) for r in receiver.received]
    assert [b["type"] for b in bodies] == ["handover.offered", "handover.accepted"]
    assert {b["data"]["act_id"] for b in bodies} == {act.act_id}
    assert bodies[1]["data"]["to_railway"] == "UTI"


def test_only_one_worker_takes_a_due_delivery(
    uow: UnitOfWork, shipment: Shipment, receiver: Receiver
) -> None:
    from temir.kit import clock
    from temir.webhooks import repository

    w = shipment.world
    sub = subscribe(uow, w.shipper, receiver.url)
    report(uow, w, event("station_arrival", shipment.wagons[1], KYZYLORDA,
                         shipment.accepted_at + timedelta(days=1)))  # fmt: skip
    with uow.read() as s:
        (due,) = repository.due_ids(s, clock.now(), 10, {sub})
    now = clock.now()
    lease = now + timedelta(minutes=2)
    with uow() as s:
        first = repository.claim(s, due, now, lease)
    with uow() as s:
        second = repository.claim(s, due, now, lease)
    assert (first, second) == (True, False)
    assert deliver(uow, sub) == []  # leased: not due until the lease runs out


def test_a_worker_that_died_mid_send_loses_nothing(
    uow: UnitOfWork, shipment: Shipment, receiver: Receiver
) -> None:
    """Claimed and never recorded (killed between claim and answer): once the lease runs out
    another worker sends it, with the same delivery id."""
    from temir.kit import clock
    from temir.webhooks import repository

    w = shipment.world
    sub = subscribe(uow, w.shipper, receiver.url)
    report(uow, w, event("departure", shipment.wagons[0], KOSTANAY, shipment.accepted_at))
    with uow.read() as s:
        (due,) = repository.due_ids(s, clock.now(), 10, {sub})
    now = clock.now()
    with uow() as s:
        assert repository.claim(s, due, now, now + timedelta(milliseconds=300))
    assert deliver(uow, sub) == []  # still leased to the dead worker
    time.sleep(0.4)
    assert deliver(uow, sub) == ["delivered"]
    assert [r.headers["temir-delivery-id"] for r in receiver.received] == [due]
