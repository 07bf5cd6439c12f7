"""Signed handover acts and a signed lifecycle: a delivered note verifies, online and offline;
custody moves with the act; the consignee sees its note; nobody else does."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from temir.accounts import service as accounts
from temir.accounts.model import Actor, Channel, OrganisationKind, Role
from temir.cli import app
from temir.kit import runtime
from temir.kit.db import UnitOfWork
from temir.kit.errors import NotFound
from temir.notes.store import service as notes
from temir.tracking import act_signing, acts, timeline
from temir.tracking.service import document_digest
from temir.tracking.tables import HandoverActRow
from tests.notes.store_helpers import SECRET, World, draft, make_world
from tests.tracking.helpers import new_wagon
from tests.tracking.test_api_cli import _settings

runner = CliRunner()


def consignee(uow: UnitOfWork) -> tuple[Actor, str]:
    """A consignee organisation with a client code of its own, and one of its users."""
    code = str(uuid.uuid4().int)[:12]
    slug = f"consignee-{uuid.uuid4().hex[:10]}"
    system = Actor.system("tests")
    with uow() as session:
        accounts.create_organisation(
            session, system, slug=slug, name=slug, kind=OrganisationKind.CONSIGNEE,
            country="TJ", client_code=code,
        )  # fmt: skip
        user = accounts.create_user(session, system, username=f"u-{slug}", role=Role.VIEWER,
                                    organisation=slug)  # fmt: skip
    return user.actor(Channel.API), code


def signed_note(uow: UnitOfWork, world: World, client_code: str | None = None) -> str:
    """A note made, submitted and accepted with every version signed by its maker."""
    doc: dict[str, Any] = draft()
    doc["wagons"][0]["number"], doc["wagons"][1]["number"] = new_wagon(), new_wagon()
    for g, w in zip(doc["goods"], doc["wagons"], strict=True):
        g["wagon_number"] = w["number"]
    for s, w in zip(doc["seals"], doc["wagons"], strict=True):
        s["wagon_number"] = w["number"]
    if client_code:
        doc["consignee"]["client_code"] = client_code
    with uow() as s:
        note_id = notes.create_note(s, world.shipper, doc, secret=SECRET).summary.id
        notes.submit(s, world.shipper, note_id)
        notes.accept(s, world.kzh, note_id, consignment_number="S-1", secret=SECRET)
    return note_id


def hand_over(uow: UnitOfWork, outgoing: Actor, incoming: Actor, note_id: str,
              units: list[str] | None = None) -> str:  # fmt: skip
    with uow() as s:
        act = acts.offer(s, outgoing, note_id, units=units, secret=SECRET)
    with uow() as s:
        acts.accept(s, incoming, act.act_id, secret=SECRET)
    return act.act_id


def test_a_delivered_note_with_signed_steps_and_acts_verifies_valid(
    uow: UnitOfWork, world: World
) -> None:
    note_id = signed_note(uow, world)
    first = hand_over(uow, world.kzh, world.uti, note_id)
    hand_over(uow, world.uti, world.tdz, note_id)
    with uow() as s:
        notes.arrive(s, world.tdz, note_id, secret=SECRET)
        delivered = notes.deliver(s, world.tdz, note_id, received_by="F. R.", secret=SECRET)
    assert delivered.summary.status == "delivered"
    assert delivered.summary.version == 6
    with uow.read() as s:
        verdict = notes.verify(s, world.shipper, note_id)
        history = notes.history(s, world.shipper, note_id)
        (act,) = [a for a in acts.show(s, world.shipper, note_id) if a.act_id == first]
    assert (verdict["valid"], verdict["intact"], verdict["unsigned_versions"]) == (True, True, [])
    makers = [[sig["organisation"] for sig in v["signatures"]] for v in history["versions"]]
    o = world.orgs
    assert makers == [[o["shipper"]], [o["kzh"]], [o["uti"]], [o["tdz"]], [o["tdz"]], [o["tdz"]]]
    box_33 = [e["details"] for e in history["events"] if e["action"] == "handover"]
    assert next(d["act_id"] for d in box_33) == first
    assert act.verification is not None
    assert act.verification.valid
    assert {s.stage: s.railway for s in act.signatures} == {"offer": "KZH", "decision": "UTI"}


def test_custody_of_the_note_moves_only_when_every_wagon_is_taken_over(
    uow: UnitOfWork, world: World
) -> None:
    note_id = signed_note(uow, world)
    with uow.read() as s:
        wagons = [u.unit for u in timeline.track(s, world.kzh, note_id).units]
    hand_over(uow, world.kzh, world.uti, note_id, units=[wagons[0]])
    with uow.read() as s:
        half = notes.get_note(s, world.kzh, note_id).summary
        units = {u.unit: u.custody for u in timeline.track(s, world.kzh, note_id).units}
    assert (half.custody, half.version) == ("KZH", 2)  # the note waits for the second wagon
    assert units == {wagons[0]: "UTI", wagons[1]: "KZH"}
    hand_over(uow, world.kzh, world.uti, note_id, units=[wagons[1]])
    with uow.read() as s:
        whole = notes.get_note(s, world.kzh, note_id)
    assert (whole.summary.custody, whole.summary.version) == ("UTI", 3)
    assert whole.document["handovers"][0]["to_carrier"] == "UTI"


def test_a_changed_act_or_a_key_of_the_wrong_railway_does_not_verify(
    uow: UnitOfWork, world: World
) -> None:
    note_id = signed_note(uow, world)
    act_id = hand_over(uow, world.kzh, world.uti, note_id)
    with uow() as s:  # KZH signs UTI's half too: its key is not UTI's
        act = acts.show(s, world.kzh, act_id)[0]
        assert act.decision is not None
        digest = document_digest(act.decision.document())
        act_signing.sign_stage(s, world.kzh, act_id, "decision", digest, SECRET, act.accepted_at
                               or act.decision.decided_at)  # fmt: skip
    with uow.read() as s:
        found = acts.show(s, world.kzh, act_id)[0].verification
    assert found is not None
    assert "decision.wrong_key" in found.problems
    assert not found.valid
    with uow() as s:  # someone edits the stored offer: its signature no longer holds
        row = s.get(HandoverActRow, act_id)
        assert row is not None
        changed = json.loads(json.dumps(row.offer_document))
        changed["units"][0]["mass_kg"] = 1
        s.execute(update(HandoverActRow).where(HandoverActRow.id == act_id)
                  .values(offer_document=changed))  # fmt: skip
    with uow.read() as s:
        tampered = acts.show(s, world.kzh, act_id)[0].verification
    assert tampered is not None
    assert "offer.changed" in tampered.problems


def test_the_consignee_sees_its_notes_and_their_tracking_and_no_one_elses(
    uow: UnitOfWork, world: World
) -> None:
    mine, code = consignee(uow)
    other, _ = consignee(uow)
    note_id = signed_note(uow, world, client_code=code)
    with uow.read() as s:
        assert notes.get_note(s, mine, note_id).summary.id == note_id
        _total, listed = notes.list_notes(s, mine)
        assert note_id in {n.id for n in listed}
        assert timeline.track(s, mine, note_id).note is not None
        for stranger in (other, make_world(uow).shipper):
            with pytest.raises(NotFound):
                notes.get_note(s, stranger, note_id)
            with pytest.raises(NotFound):
                timeline.track(s, stranger, note_id)
            assert note_id not in {n.id for n in notes.list_notes(s, stranger)[1]}


@pytest.fixture
def cli_database(monkeypatch: pytest.MonkeyPatch, engine: Engine, tmp_path: Path) -> None:
    settings = _settings(engine, tmp_path)
    monkeypatch.setattr(runtime, "settings", lambda: settings)


def run(*args: str) -> tuple[int, Any]:
    result = runner.invoke(app, [*args])
    try:
        return result.exit_code, json.loads(result.stdout)
    except ValueError:
        return result.exit_code, result.output


@pytest.mark.usefixtures("cli_database")
def test_notes_verify_and_notes_check_agree_on_a_delivered_note(
    uow: UnitOfWork, world: World, tmp_path: Path
) -> None:
    """``temir notes verify`` (offline, exported note and public keys) says valid, as
    ``temir notes check`` (the store) does."""
    note_id = signed_note(uow, world)
    for outgoing, incoming in ((world.kzh, world.uti), (world.uti, world.tdz)):
        code, offered = run("handover", "offer", note_id, "--as", outgoing.label, "--json")
        assert code == 0, offered
        act_id = offered["acts"][0]["act_id"]
        assert run("handover", "accept", act_id, "--as", incoming.label, "--json")[0] == 0
    assert run("notes", "arrive", note_id, "--as", world.tdz.label, "--json")[0] == 0
    assert run("notes", "deliver", note_id, "--received-by", "F. R.", "--as", world.tdz.label,
               "--json")[0] == 0  # fmt: skip
    exported, keyring = tmp_path / "note.json", tmp_path / "keys.json"
    assert run("notes", "export", note_id, "-o", str(exported), "--as", world.shipper.label)[0] == 0
    code, keys = run("keys", "list", "--json")
    keyring.write_text(json.dumps(keys), encoding="utf-8")
    code, offline = run("notes", "verify", str(exported), "--keys", str(keyring), "--json")
    assert (code, offline["valid"]) == (0, True), offline
    code, stored = run("notes", "check", note_id, "--as", world.shipper.label, "--json")
    assert (code, stored["intact"], stored["valid"]) == (0, True, True)
