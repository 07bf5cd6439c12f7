"""Faults with real processes: three nodes (KZH and UTI on SQLite, TDZ on PostgreSQL), each its
own uvicorn server and database, a note Kostanay → Dushanbe II through two handovers; kill -9
of a receiver mid-delivery and of a sender between commit and send; a peer down then back;
duplicated, replayed, reordered, tampered envelopes; an unknown sender; an expired key.

After each: every note version, signature, event and act is present exactly once at every
node that should have it, custody agrees, and nothing was accepted that should not be.
The tests run in order on one federation (module scope) to keep the run short.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from temir.accounts.model import Actor
from temir.accounts.tables import AuditRow
from temir.exchange import demo, outbox, service
from temir.exchange.demo import Node
from temir.exchange.model import PeerKey
from temir.exchange.tables import OutboxRow
from temir.kit import clock
from temir.kit.changes import Change
from temir.signing import service as signing_service
from tests.exchange import federation as fed

pytestmark = [pytest.mark.processes, pytest.mark.postgres]
ADMIN = Actor.system("tests")


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Node]]:
    yield from fed.federation(tmp_path_factory.mktemp("federation"))
    outbox.uninstall()


def _post(node: Node, envelopes: list[dict[str, Any]]) -> httpx.Response:
    return httpx.post(
        node.url + "/api/v1/exchange/envelopes", json={"envelopes": envelopes}, timeout=30
    )


def _signer(node: Node) -> Any:
    with node.uow()() as session:
        return service.node_signer(session, ADMIN, fed.SECRET)[1]


def _crafted(
    node: Node,
    receiver: str,
    note_id: str,
    seq: int,
    at: Any = None,
    signer: Any = None,
    sender: str = "KZH",
) -> dict[str, Any]:
    key = f"crafted-{uuid.uuid4().hex}"
    change = Change(
        "event",
        note_id,
        key,
        {"key": key, "unit": "52171246", "station_esr": "684001", "note_id": note_id},
    )
    env = outbox.build(sender, receiver, change, seq, at or clock.now(), signer or _signer(node))
    return env.model_dump(mode="json")


def _cli(node: Node, *args: str) -> Any:
    """A ``temir`` command run as its own process against ``node``'s database, as its
    operator."""
    import json
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "TEMIR_DATABASE_URL": node.database_url,
        "TEMIR_HOME": str(node.home),
        "TEMIR_SECRET_KEY": node.secret,
    }
    done = subprocess.run(
        [sys.executable, "-m", "temir.cli", *args, "--as", node.users["operator"], "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


def test_a_note_crosses_two_handovers_and_every_node_agrees(nodes: dict[str, Node]) -> None:
    note_id = demo.new_note(nodes["KZH"])
    first, second = demo.handovers(nodes, note_id)
    assert fed.agree(nodes, note_id)
    held = fed.holdings(nodes, note_id)["TDZ"]
    assert held["custody"] == "TDZ"
    assert [held["acts"][a]["status"] for a in (first, second)] == ["accepted", "accepted"]
    assert len(held["versions"]) == 2
    assert len(held["signatures"]) == 2
    assert all(fed.counts_once(n, note_id) for n in nodes.values())
    held = _locally(nodes, note_id, custody="TDZ", acts={first: "accepted", second: "accepted"})
    # the over-the-wire steps wrote their handover events at UTI and TDZ, shipped to all
    for act, kinds in ((first, ("offered", "accepted")), (second, ("offered", "accepted"))):
        assert {f"handover_{k}" for k in kinds} <= {
            e.split(":")[2] for e in held["events"] if e.startswith(f"act:{act}:")
        }
    # an event UTI records of the note it holds only as received reaches KZH and TDZ
    uti = nodes["UTI"]
    station = demo.call(uti, "GET", f"/api/v1/handovers/{second}")["acts"][0]["offer"]
    key = f"uti-{uuid.uuid4().hex}"
    event = {
        "key": key,
        "kind": "station_departure",
        "unit": fed.wagon_of(nodes["KZH"], note_id),
        "station_esr": station["station_esr"],
        "at": (clock.now() - timedelta(seconds=1)).isoformat(),
        "note_id": note_id,
    }
    demo.call(uti, "POST", "/api/v1/tracking/events", json=event)
    assert fed.agree_locally(nodes, note_id)
    assert all(
        any(e.startswith(key) for e in fed.local(n, note_id)["events"]) for n in nodes.values()
    )


def _locally(
    nodes: dict[str, Node],
    note_id: str,
    custody: str | None = None,
    acts: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Every node's own notes and tracking tables agree (not only the exchange tables): the
    same versions, signatures, events, acts and custody; each act's signed halves verify at
    every node with the keys it holds."""
    assert fed.agree_locally(nodes, note_id)
    held = fed.local(nodes["KZH"], note_id)
    assert held["versions"] == {
        int(k): v for k, v in demo.holding(nodes["KZH"], note_id)["versions"].items()
    }
    assert len(held["signatures"]) == len(held["versions"])
    if custody is not None:
        assert held["custody"] == custody
    for act, status in (acts or {}).items():
        assert held["acts"][act]["status"] == status
        verdict = held["acts"][act]["verification"]
        assert verdict["valid"], verdict
    return held


def test_a_disputed_act_moves_nothing_at_any_node(nodes: dict[str, Node]) -> None:
    kzh, uti = nodes["KZH"], nodes["UTI"]
    note_id = demo.new_note(kzh)
    act = demo.call(kzh, "POST", "/api/v1/handovers", json={"note_id": note_id})["act_id"]
    assert demo.until(lambda: act in demo.holding(uti, note_id)["acts"], 40)
    wagon = fed.wagon_of(kzh, note_id)
    # the operator disputes with `temir handover dispute` at UTI, as for a local act: it goes
    # over the wire like `temir exchange accept|dispute` and the API do
    done = _cli(
        uti, "handover", "dispute", act, "--discrepancy", f"seal_broken:{wagon}::seal 123 broken"
    )
    assert done["acts"][0]["status"] == "disputed"
    assert done["acts"][0]["verification"]["valid"]
    assert fed.agree(nodes, note_id)
    held = demo.holding(nodes["TDZ"], note_id)
    assert held["acts"][act]["status"] == "disputed"
    assert held["custody"] == "KZH"
    _locally(nodes, note_id, custody="KZH", acts={act: "disputed"})
    refused = httpx.post(uti.url + f"/api/v1/exchange/acts/{act}/accept", headers=uti.headers())
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "exchange.decided"
    # KZH offers again; UTI disputes that one with `temir exchange dispute`
    again = demo.call(kzh, "POST", "/api/v1/handovers", json={"note_id": note_id})["act_id"]
    assert demo.until(lambda: again in demo.holding(uti, note_id)["acts"], 40)
    done = _cli(
        uti, "exchange", "dispute", again, "--discrepancy", f"mass_differs:{wagon}:68000:64200"
    )
    assert done["document"]["status"] == "disputed"
    _locally(nodes, note_id, custody="KZH", acts={act: "disputed", again: "disputed"})


def test_a_sender_killed_between_commit_and_send_delivers_after_restart(
    nodes: dict[str, Node],
) -> None:
    kzh = nodes["KZH"]
    fed.restart(kzh, worker=False)
    note_id = demo.new_note(kzh)
    pending = fed.outbox(kzh, note_id, "UTI")
    assert pending
    assert all(r.delivered_at is None for r in pending)
    assert fed.records(nodes["UTI"], note_id) == []
    demo.kill(kzh)  # kill -9 with the envelopes committed and not sent
    demo.start(kzh)
    assert fed.agree(nodes, note_id)
    assert all(r.delivered_at is not None for r in fed.outbox(kzh, note_id, "UTI"))
    assert all(fed.counts_once(n, note_id) for n in nodes.values())
    _locally(nodes, note_id, custody="KZH")


def test_a_receiver_killed_mid_delivery_and_a_peer_down_catch_up(nodes: dict[str, Node]) -> None:
    kzh, uti, tdz = nodes["KZH"], nodes["UTI"], nodes["TDZ"]
    note_id = demo.new_note(kzh)
    demo.kill(tdz)  # down for the whole burst
    keys = fed.events(kzh, note_id, 200)
    demo.kill(uti)  # kill -9 while KZH is delivering the burst
    assert demo.until(
        lambda: any(
            s["peer"] == "TDZ" and s["last_error"]
            for s in demo.call(kzh, "GET", "/api/v1/exchange/status")["links"]
        ),
        20,
    )
    status = {s["peer"]: s for s in demo.call(kzh, "GET", "/api/v1/exchange/status")["links"]}
    assert status["TDZ"]["queue_depth"] > 0
    demo.launch(uti)
    demo.launch(tdz)
    demo.wait_up(uti)
    demo.wait_up(tdz)
    with kzh.uow()() as session:  # as `temir exchange retry`: no waiting out the backoff
        assert service.retry(session, ADMIN) > 0
    assert fed.agree(nodes, note_id, timeout=60)
    held = demo.holding(tdz, note_id)
    assert set(keys) <= set(held["events"])
    assert all(fed.counts_once(n, note_id) for n in nodes.values())
    local = _locally(nodes, note_id, custody="KZH")
    assert {e.split(":")[0] for e in local["events"]} >= set(keys)


def test_a_peer_down_for_a_minute_gets_everything_once_without_a_retry(
    nodes: dict[str, Node],
) -> None:
    """TDZ is down for over a minute while KZH accepts a note and reports its events: KZH's
    worker keeps trying with a capped backoff, and once TDZ is back everything arrives exactly
    once by itself — nobody runs `temir exchange retry`."""
    kzh, tdz = nodes["KZH"], nodes["TDZ"]
    demo.kill(tdz)
    down_since = time.monotonic()
    note_id = demo.new_note(kzh)
    keys = fed.events(kzh, note_id, 50)

    def attempts() -> int:
        return max((r.attempts for r in fed.outbox(kzh, note_id, "TDZ")), default=0)

    assert demo.until(lambda: attempts() >= 4, 120, every=1)
    time.sleep(max(0.0, 62 - (time.monotonic() - down_since)))
    pending = fed.outbox(kzh, note_id, "TDZ")
    assert pending
    assert all(r.delivered_at is None for r in pending)
    assert all((r.last_error or "") for r in pending if r.attempts)
    demo.start(tdz)
    assert fed.agree(nodes, note_id, timeout=120)
    assert all(r.delivered_at is not None for r in fed.outbox(kzh, note_id, "TDZ"))
    assert set(keys) <= set(demo.holding(tdz, note_id)["events"])
    assert all(fed.counts_once(n, note_id) for n in nodes.values())
    _locally(nodes, note_id, custody="KZH")


def test_duplicated_replayed_and_reordered_envelopes_change_nothing_twice(
    nodes: dict[str, Node],
) -> None:
    uti = nodes["UTI"]
    kzh = nodes["KZH"]
    note_id = str(uuid.uuid4())
    one, two, three = (_crafted(kzh, "UTI", note_id, s) for s in (1, 2, 3))
    answers = [r["status"] for r in _post(uti, [three]).json()["receipts"]]
    assert answers == ["queued"]
    assert fed.records(uti, note_id) == []  # waits for 1 and 2
    answers = [r["status"] for r in _post(uti, [one, one]).json()["receipts"]]
    assert answers == ["applied", "duplicate"]
    assert [r.item_key for r in fed.records(uti, note_id)] == [one["item_key"]]
    assert _post(uti, [two]).json()["receipts"][0]["status"] == "applied"
    assert [r.item_key for r in fed.records(uti, note_id)] == [
        one["item_key"],
        two["item_key"],
        three["item_key"],
    ]
    # a replay of a delivered envelope of a real note: a duplicate, nothing written (the note
    # is made here: with tests spread over workers, no other test of this module may have run)
    real = demo.new_note(kzh)
    assert fed.agree(nodes, real)  # every envelope of it has arrived: nothing more will come
    delivered = _delivered(kzh, real, "UTI")
    replay = delivered[0].envelope
    before = len(fed.records(uti, replay["note_id"]))
    assert _post(uti, [replay]).json()["receipts"][0]["status"] == "duplicate"
    assert len(fed.records(uti, replay["note_id"])) == before
    # the same id with another sequence (a forged replay) is refused
    forged = {**one, "sequence": 4}
    assert _post(uti, [forged]).json()["receipts"][0]["status"] == "rejected"


def _delivered(node: Node, note_id: str, receiver: str, timeout: float = 40) -> list[OutboxRow]:
    """The note's envelopes to ``receiver`` the sender counts as delivered, once there are any."""
    deadline = time.monotonic() + timeout
    while True:
        rows = [r for r in fed.outbox(node, note_id, receiver) if r.delivered_at is not None]
        if rows or time.monotonic() > deadline:
            return rows
        time.sleep(0.2)


def _all_outbox(node: Node) -> list[OutboxRow]:
    with node.uow().read() as session:
        rows = list(session.scalars(select(OutboxRow).order_by(OutboxRow.created_at)))
        session.expunge_all()
        return rows


def test_a_gap_is_healed_by_asking_the_sender_to_resend(nodes: dict[str, Node]) -> None:
    """UTI lost envelopes KZH had delivered (say, restored from a backup): the next one waits,
    UTI asks KZH to resend the missing ones, and the note is whole again."""
    kzh, uti = nodes["KZH"], nodes["UTI"]
    note_id, rows = fed.held_note(kzh)
    to_uti = [r for r in rows if r.receiver == "UTI"]
    assert len(to_uti) >= 3
    with kzh.uow()() as session:  # the earlier ones count as delivered at KZH
        ids = [r.id for r in to_uti[:-1]]
        session.execute(
            update(OutboxRow).where(OutboxRow.id.in_(ids)).values(delivered_at=clock.now())
        )
    assert _post(uti, [to_uti[-1].envelope]).json()["receipts"][0]["status"] == "queued"
    assert demo.until(lambda: len(fed.records(uti, note_id)) == len(to_uti), 40)
    with kzh.uow()() as session:  # and the held envelopes to TDZ go too
        service.retry(session, ADMIN, "TDZ")
    assert fed.agree(nodes, note_id)
    with kzh.uow().read() as session:
        asked = session.scalars(
            select(AuditRow).where(
                AuditRow.action == "exchange.resend_asked", AuditRow.target_id == note_id
            )
        ).all()
    assert asked
    assert all(fed.counts_once(n, note_id) for n in nodes.values())
    _locally(nodes, note_id, custody="KZH")


def test_an_event_that_overtakes_its_note_takes_effect_when_the_note_arrives(
    nodes: dict[str, Node],
) -> None:
    """UTI reports an event of a note TDZ has not received yet (KZH's envelopes to TDZ are
    held): TDZ keeps it as a record only, and writes it into its tracking when the note comes."""
    kzh, uti, tdz = nodes["KZH"], nodes["UTI"], nodes["TDZ"]
    note_id, _rows = fed.held_note(kzh)
    with kzh.uow()() as session:
        service.retry(session, ADMIN, "UTI")
    assert demo.until(lambda: bool(fed.local(uti, note_id)), 40)
    key = f"uti-{uuid.uuid4().hex}"
    event = {
        "key": key,
        "kind": "station_arrival",
        "unit": fed.wagon_of(kzh, note_id),
        "station_esr": "684001",
        "at": (clock.now() - timedelta(seconds=1)).isoformat(),
        "note_id": note_id,
    }
    demo.call(uti, "POST", "/api/v1/tracking/events", json=event)
    assert demo.until(lambda: any(r.item_key == key for r in fed.records(tdz, note_id)), 40)
    assert fed.local(tdz, note_id) == {}  # no note there yet: nothing in its own tables
    with kzh.uow()() as session:
        service.retry(session, ADMIN, "TDZ")
    assert fed.agree_locally(nodes, note_id)
    assert any(e.startswith(key) for e in fed.local(tdz, note_id)["events"])
    assert all(fed.counts_once(n, note_id) for n in nodes.values())


def test_tampered_envelopes_and_an_unknown_sender_are_refused(nodes: dict[str, Node]) -> None:
    uti, kzh = nodes["UTI"], nodes["KZH"]
    note_id = str(uuid.uuid4())
    env = _crafted(kzh, "UTI", note_id, 1)
    changed = {**env, "payload": {**env["payload"], "unit": "52171247"}}
    resequenced = {**_crafted(kzh, "UTI", note_id, 1), "sequence": 2}
    for bad, code in (
        (changed, "exchange.payload_changed"),
        (resequenced, "exchange.bad_signature"),
    ):
        receipt = _post(uti, [bad]).json()["receipts"][0]
        assert (receipt["status"], receipt["error"]["code"]) == ("rejected", code)
    from temir.signing.algorithms import Ed25519Signer

    stranger = _crafted(kzh, "UTI", note_id, 1, signer=Ed25519Signer.generate())
    assert _post(uti, [stranger]).json()["receipts"][0]["error"]["code"] == "exchange.unknown_key"
    unknown = _crafted(kzh, "UTI", note_id, 1, sender="KRG")
    answer = _post(uti, [unknown])
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "exchange.unknown_peer"
    for_tdz = _crafted(kzh, "TDZ", note_id, 1)
    assert _post(uti, [for_tdz]).json()["receipts"][0]["error"]["code"] == (
        "exchange.wrong_receiver"
    )
    assert fed.records(uti, note_id) == []
    assert fed.inbox(uti, note_id) == []


def test_a_rotated_key_loses_nothing_in_flight_and_an_expired_key_is_refused(
    nodes: dict[str, Node],
) -> None:
    """KZH rotates its key while envelopes signed with the old one are in flight; no operator
    touches UTI or TDZ: each learns the new key from KZH's rotation record (signed by the old
    key). TDZ gets envelopes signed with the new key *before* the record (held back here):
    refused as signed with an unknown key, retried, and taken once the record arrives."""
    kzh, uti, tdz = nodes["KZH"], nodes["UTI"], nodes["TDZ"]
    old = _signer(kzh)
    in_flight, _rows = fed.held_note(kzh)  # signed with the old key, not sent yet
    with kzh.uow()() as session:
        signing_service.rotate_key(session, ADMIN, service.node_organisation(session), fed.SECRET)
        identity = [PeerKey.model_validate(k) for k in service.identity(session)["keys"]]
        session.flush()
        held = session.execute(  # the record to TDZ waits: TDZ meets the new key first
            update(OutboxRow)
            .where(OutboxRow.kind == "key_rotation", OutboxRow.receiver == "TDZ")
            .values(next_attempt_at=clock.now() + timedelta(days=1))
        )
        assert held.rowcount == 1  # type: ignore[attr-defined]
    retired, new_key = identity[-2].valid_until, identity[-1].key_id
    assert retired is not None  # the old key is retired: valid until now
    after = demo.new_note(kzh)  # signed with the new key by the KZH server
    assert demo.until(
        lambda: any(r.last_error == "exchange.unknown_key" for r in fed.outbox(kzh, after, "TDZ")),
        60,
    )
    assert fed.records(tdz, after) == []
    with kzh.uow()() as session:  # the held envelopes (old key) and the record go now
        service.retry(session, ADMIN)
    assert fed.agree(nodes, in_flight)
    assert fed.agree(nodes, after, timeout=90)
    _locally(nodes, in_flight, custody="KZH")
    _locally(nodes, after, custody="KZH")
    for peer in (uti, tdz):  # learned from the record, the old key's end as KZH retired it
        with peer.uow().read() as session:
            keys = {k.key_id: k for k in service.get_peer(session, "KZH").keys}
        assert new_key in keys
        assert keys[old.key_id].valid_until == retired
    note_id = str(uuid.uuid4())
    expired = _crafted(kzh, "UTI", note_id, 1, signer=old, at=clock.now() + timedelta(seconds=1))
    receipt = _post(uti, [expired]).json()["receipts"][0]
    assert receipt["error"]["code"] == "exchange.key_not_valid"
    assert fed.records(uti, note_id) == []
    signed_before = _crafted(kzh, "UTI", note_id, 1, signer=old, at=retired - timedelta(seconds=1))
    assert _post(uti, [signed_before]).json()["receipts"][0]["status"] == "applied"
