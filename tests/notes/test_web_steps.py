"""The note pages as each party sees them (TestClient keeps the cookie session): the consignor
edits its draft, outsiders cannot, the carrier accepts and hands over through the web forms,
the consignee cannot accept; every refusal is a page with its status, never a 500."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from temir.accounts import service as accounts
from temir.accounts.model import Actor, Channel, OrganisationKind, Role
from temir.app import create_app
from temir.kit.db import UnitOfWork
from temir.notes.model import Note
from temir.notes.store import service
from temir.notes.web_form import note_to_form
from tests.conftest import settings_for
from tests.notes.store_helpers import draft, unique

PASSWORD = "web-test-password-1"


@dataclass(frozen=True)
class Party:
    username: str
    actor: Actor


@dataclass(frozen=True)
class People:
    shipper: Party
    other_shipper: Party
    kzh: Party
    uti: Party
    consignee: Party


@pytest.fixture
def people(uow: UnitOfWork) -> People:
    """A consignor, another shipper, the example's carriers KZH and UTI, a consignee viewer —
    each with a password to log in on the web (organisations named uniquely per test)."""
    system = Actor.system("tests")
    orgs = {
        "shipper": (OrganisationKind.SHIPPER, None),
        "other": (OrganisationKind.SHIPPER, None),
        "kzh": (OrganisationKind.RAILWAY, "KZH"),
        "uti": (OrganisationKind.RAILWAY, "UTI"),
        "consignee": (OrganisationKind.CONSIGNEE, None),
    }
    roles = {
        "shipper": (Role.SHIPPER, "shipper"),
        "other_shipper": (Role.SHIPPER, "other"),
        "kzh": (Role.RAILWAY_OPERATOR, "kzh"),
        "uti": (Role.RAILWAY_OPERATOR, "uti"),
        "consignee": (Role.VIEWER, "consignee"),
    }
    slugs = {name: unique(name) for name in orgs}
    out: dict[str, Party] = {}
    with uow() as session:
        for name, (kind, railway) in orgs.items():
            accounts.create_organisation(
                session, system, slug=slugs[name], name=name, kind=kind, country="KZ",
                railway_code=railway,
            )  # fmt: skip
        for name, (role, org) in roles.items():
            username = unique(name.replace("_", "-"))
            user = accounts.create_user(
                session, system, username=username, role=role, organisation=slugs[org],
                password=PASSWORD,
            )  # fmt: skip
            out[name] = Party(username, user.actor(Channel.WEB))
    return People(**out)


Login = Callable[[Party], TestClient]


@pytest.fixture
def login(engine: Engine, tmp_path: Path) -> Iterator[Login]:
    """A browser-like client logged in as ``party`` (its own cookie jar)."""
    clients: list[TestClient] = []

    def make(party: Party) -> TestClient:
        client = TestClient(create_app(settings_for(engine, tmp_path)))
        client.__enter__()
        clients.append(client)
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)" data-testid="login-csrf"', page.text)
        assert token is not None
        done = client.post(
            "/login",
            data={"username": party.username, "password": PASSWORD, "csrf_token": token.group(1)},
            follow_redirects=False,
        )
        assert done.status_code == 303
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def csrf(client: TestClient, path: str = "/notes") -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert match is not None
    return match.group(1)


def new_draft(uow: UnitOfWork, shipper: Party) -> str:
    with uow() as session:
        return service.create_note(session, shipper.actor, draft()).summary.id


def submitted(uow: UnitOfWork, shipper: Party) -> str:
    note_id = new_draft(uow, shipper)
    with uow() as session:
        service.submit(session, shipper.actor, note_id)
    return note_id


def status_of(uow: UnitOfWork, actor: Actor, note_id: str) -> tuple[str, int]:
    with uow.read() as session:
        s = service.get_note(session, actor, note_id).summary
        return str(s.status), s.version


def test_the_shipper_edits_its_draft_and_a_new_version_is_shown(
    people: People, login: Login, uow: UnitOfWork
) -> None:
    note_id = new_draft(uow, people.shipper)
    client = login(people.shipper)
    detail = client.get(f"/notes/{note_id}")
    assert f'href="/notes/{note_id}/edit"' in detail.text
    form_page = client.get(f"/notes/{note_id}/edit")
    assert form_page.status_code == 200
    assert f'action="/notes/{note_id}/edit"' in form_page.text
    assert 'value="95120341"' in form_page.text  # pre-filled from the current version
    assert 'name="=wagons.0.wagon_type"' in form_page.text  # kept though the form has no field

    with uow.read() as session:
        current = Note.model_validate(
            service.get_note(session, people.shipper.actor, note_id).document
        )
    form = note_to_form(current)
    form["consignor_declarations"] = "Edited on the web."
    form["csrf_token"] = csrf(client)
    saved = client.post(f"/notes/{note_id}/edit", data=form, follow_redirects=False)
    assert saved.status_code == 303
    page = client.get(saved.headers["location"])
    assert "Edited on the web." in page.text
    assert 'data-status="draft"' in page.text
    assert "version 2" in page.text
    assert status_of(uow, people.shipper.actor, note_id) == ("draft", 2)
    with uow.read() as session:
        stored = service.get_note(session, people.shipper.actor, note_id).document
    assert stored["wagons"][0]["wagon_type"] == current.wagons[0].wagon_type  # not dropped
    assert stored["consignor_declarations"] == "Edited on the web."


def test_an_edit_with_a_broken_box_comes_back_with_the_issue_next_to_the_box(
    people: People, login: Login, uow: UnitOfWork
) -> None:
    note_id = new_draft(uow, people.shipper)
    client = login(people.shipper)
    with uow.read() as session:
        current = Note.model_validate(
            service.get_note(session, people.shipper.actor, note_id).document
        )
    form = note_to_form(current) | {"csrf_token": csrf(client), "wagons.0.axles": "many"}
    answer = client.post(f"/notes/{note_id}/edit", data=form, follow_redirects=False)
    assert answer.status_code == 422
    box7 = answer.text.split('<div id="issues-7"')[1].split("</div>")[0]
    assert 'class="issue error"' in box7
    assert status_of(uow, people.shipper.actor, note_id) == ("draft", 1)


def test_the_declared_value_is_edited_in_box_3_and_its_errors_shown_there(
    people: People, login: Login, uow: UnitOfWork
) -> None:
    note_id = new_draft(uow, people.shipper)
    client = login(people.shipper)
    with uow.read() as session:
        current = Note.model_validate(
            service.get_note(session, people.shipper.actor, note_id).document
        )
    form = note_to_form(current) | {"csrf_token": csrf(client)}
    page = client.get(f"/notes/{note_id}/edit").text
    assert 'name="declared_value.amount"' in page
    assert 'name="declared_value.currency"' in page
    bad = form | {"declared_value.amount": "-5", "declared_value.currency": "KZT"}
    answer = client.post(f"/notes/{note_id}/edit", data=bad, follow_redirects=False)
    assert answer.status_code == 422
    box3 = answer.text.split('<div id="issues-3"')[1].split("</div>")[0]
    assert 'class="issue error"' in box3
    assert status_of(uow, people.shipper.actor, note_id) == ("draft", 1)
    good = form | {"declared_value.amount": "48000000.00", "declared_value.currency": "KZT"}
    saved = client.post(f"/notes/{note_id}/edit", data=good, follow_redirects=False)
    assert saved.status_code == 303
    with uow.read() as session:
        stored = service.get_note(session, people.shipper.actor, note_id).document
    assert stored["declared_value"] == {"amount": "48000000.00", "currency": "KZT"}
    shown = client.get(saved.headers["location"]).text
    assert "Declared value of the goods: 48000000.00 KZT" in shown


def test_rows_are_added_and_removed_without_javascript(
    people: People, login: Login, uow: UnitOfWork
) -> None:
    note_id = new_draft(uow, people.shipper)
    client = login(people.shipper)
    with uow.read() as session:
        current = Note.model_validate(
            service.get_note(session, people.shipper.actor, note_id).document
        )
    form = note_to_form(current) | {"csrf_token": csrf(client)}
    more = client.post(f"/notes/{note_id}/edit", data=form | {"add_row": "7"})
    assert more.status_code == 200
    assert 'name="wagons.2.number"' in more.text
    less = client.post(f"/notes/{note_id}/edit", data=form | {"remove_row": "wagons.1"})
    assert 'name="wagons.1.number"' not in less.text
    assert 'name="=wagons.1.wagon_type"' not in less.text
    assert 'name="wagons.0.number"' in less.text
    assert status_of(uow, people.shipper.actor, note_id) == ("draft", 1)  # nothing saved
    row = client.post(
        "/notes/form/row?group=24", data=form, headers={"X-CSRF-Token": form["csrf_token"]}
    )
    assert 'name="documents.2.name"' in row.text  # the example has two documents


def test_another_organisation_cannot_see_or_edit_the_draft(
    people: People, login: Login, uow: UnitOfWork
) -> None:
    note_id = new_draft(uow, people.shipper)
    client = login(people.other_shipper)
    assert client.get(f"/notes/{note_id}/edit").status_code == 404
    token = csrf(client)
    posted = client.post(
        f"/notes/{note_id}/edit", data={"csrf_token": token, "consignor.name": "Hijack"}
    )
    assert posted.status_code == 404
    assert client.post(f"/notes/{note_id}/submit", data={"csrf_token": token}).status_code == 404
    assert status_of(uow, people.shipper.actor, note_id) == ("draft", 1)


def test_the_carrier_sees_the_draft_of_its_route_but_may_not_edit_it(
    people: People, login: Login, uow: UnitOfWork
) -> None:
    note_id = new_draft(uow, people.shipper)
    client = login(people.kzh)
    assert client.get(f"/notes/{note_id}").status_code == 200
    refused = client.get(f"/notes/{note_id}/edit")
    assert refused.status_code == 403
    assert "consignor" in refused.text


def test_the_carrier_accepts_and_hands_over_through_the_web_forms(
    people: People, login: Login, uow: UnitOfWork
) -> None:
    note_id = submitted(uow, people.shipper)
    kzh = login(people.kzh)
    page = kzh.get(f"/notes/{note_id}")
    assert 'data-testid="step-accept"' in page.text
    assert 'data-testid="step-refuse"' in page.text
    assert 'data-testid="step-handover"' not in page.text
    token = csrf(kzh)
    missing = kzh.post(f"/notes/{note_id}/accept", data={"csrf_token": token})
    assert missing.status_code == 422  # box 29 is required: said inline, nothing written
    assert 'data-testid="step-error"' in missing.text
    accepted = kzh.post(
        f"/notes/{note_id}/accept",
        data={"csrf_token": token, "consignment_number": "WEB00001", "contract_date": "2026-03-02"},
        follow_redirects=False,
    )
    assert accepted.status_code == 303
    page = kzh.get(accepted.headers["location"])
    assert 'data-status="accepted"' in page.text
    assert "WEB00001" in page.text
    assert 'data-action="accept"' in page.text  # the history shows the step
    assert 'data-testid="step-handover"' in page.text
    again = kzh.post(
        f"/notes/{note_id}/accept", data={"csrf_token": token, "consignment_number": "X"}
    )
    assert again.status_code == 409
    assert "does not allow" in again.text

    assert f'href="/tracking?q={note_id}#handover"' in page.text  # the handover is an act
    offered = kzh.post(
        f"/tracking/notes/{note_id}/offer",
        data={"csrf_token": token, "station_esr": "", "at": "2026-03-05T10:30"},
        follow_redirects=False,
    )
    assert offered.status_code == 303
    assert status_of(uow, people.kzh.actor, note_id) == ("accepted", 2)  # offered, not handed
    uti = login(people.uti)
    act_page = uti.get(f"/tracking?q={note_id}")
    act_id = re.search(r'action="/tracking/acts/([0-9a-f-]{36})/accept"', act_page.text)
    assert act_id is not None
    handed = uti.post(
        f"/tracking/acts/{act_id.group(1)}/accept",
        data={"csrf_token": csrf(uti), "note_id": note_id, "at": "2026-03-05T18:00"},
        follow_redirects=False,
    )
    assert handed.status_code == 303
    assert status_of(uow, people.kzh.actor, note_id) == ("in_transit", 3)
    page = kzh.get(f"/notes/{note_id}")
    assert 'data-action="handover"' in page.text
    assert "704101" in page.text  # box 33: the end of KZH's section, Saryagash
    assert 'data-testid="step-handover"' not in page.text  # UTI has the goods now
    signed = kzh.post(f"/notes/{note_id}/sign", data={"csrf_token": token}, follow_redirects=False)
    assert signed.status_code == 303
    page = kzh.get(f"/notes/{note_id}")
    assert 'data-testid="signatures"' in page.text
    assert 'data-action="sign"' in page.text
    assert 'data-testid="step-sign"' not in page.text  # signed once by this organisation

    page = uti.get(f"/notes/{note_id}")
    assert 'data-testid="step-handover"' in page.text
    assert "correct-note" in page.text  # the carrier in custody may correct


def test_the_consignee_cannot_accept(people: People, login: Login, uow: UnitOfWork) -> None:
    note_id = submitted(uow, people.shipper)
    kzh_sees = login(people.kzh).get(f"/notes/{note_id}")
    assert kzh_sees.status_code == 200
    client = login(people.consignee)
    token = csrf(client)
    answer = client.post(
        f"/notes/{note_id}/accept", data={"csrf_token": token, "consignment_number": "X1"}
    )
    assert answer.status_code in (403, 404)
    assert status_of(uow, people.shipper.actor, note_id) == ("submitted", 1)


def test_a_shipper_cannot_accept_its_own_note_and_sees_why(
    people: People, login: Login, uow: UnitOfWork
) -> None:
    note_id = submitted(uow, people.shipper)
    client = login(people.shipper)
    page = client.get(f"/notes/{note_id}")
    assert 'data-testid="step-accept"' not in page.text
    answer = client.post(
        f"/notes/{note_id}/accept", data={"csrf_token": csrf(client), "consignment_number": "X"}
    )
    assert answer.status_code == 403
    assert "contractual carrier" in answer.text
    assert status_of(uow, people.shipper.actor, note_id) == ("submitted", 1)


def test_refusal_needs_a_reason_and_shows_it_in_the_history(
    people: People, login: Login, uow: UnitOfWork
) -> None:
    note_id = submitted(uow, people.shipper)
    kzh = login(people.kzh)
    token = csrf(kzh)
    empty = kzh.post(f"/notes/{note_id}/refuse", data={"csrf_token": token, "reason": " "})
    assert empty.status_code == 422
    done = kzh.post(
        f"/notes/{note_id}/refuse", data={"csrf_token": token, "reason": "No wagons free"}
    )
    assert done.status_code == 200  # followed the redirect
    assert 'data-status="refused"' in done.text
    assert "No wagons free" in done.text


def test_correction_after_acceptance_is_a_new_version(
    people: People, login: Login, uow: UnitOfWork
) -> None:
    note_id = submitted(uow, people.shipper)
    with uow() as session:
        service.accept(session, people.kzh.actor, note_id, consignment_number="WEB00002")
    client = login(people.shipper)
    form_page = client.get(f"/notes/{note_id}/correct")
    assert form_page.status_code == 200
    assert 'name="reason"' in form_page.text
    with uow.read() as session:
        current = Note.model_validate(
            service.get_note(session, people.shipper.actor, note_id).document
        )
    form = note_to_form(current) | {"csrf_token": csrf(client)}
    form["info_not_for_carrier"] = "Contract 7/2026, corrected"
    no_reason = client.post(f"/notes/{note_id}/correct", data=form)
    assert no_reason.status_code == 422
    saved = client.post(
        f"/notes/{note_id}/correct",
        data=form | {"reason": "contract number"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert status_of(uow, people.shipper.actor, note_id) == ("accepted", 3)
    with uow.read() as session:
        stored = service.get_note(session, people.shipper.actor, note_id).document
    assert stored["info_not_for_carrier"] == "Contract 7/2026, corrected"
    assert stored["consignment_number"] == "WEB00002"  # the carrier's box stays


def test_unknown_step_and_unknown_note_are_404_pages(people: People, login: Login) -> None:
    client = login(people.kzh)
    token = csrf(client)
    for path in ("/notes/not-a-uuid/accept", "/notes/00000000-0000-4000-8000-000000000009/sign",
                 "/notes/00000000-0000-4000-8000-000000000009/launch"):  # fmt: skip
        answer = client.post(path, data={"csrf_token": token})
        assert answer.status_code == 404
        assert "text/html" in answer.headers["content-type"]


def test_boxes_31_and_32_are_the_carriers_steps_on_the_web(
    people: People, login: Login, uow: UnitOfWork
) -> None:
    """A shipper's form that slips in box 32 is refused naming the box; the carrier in custody
    has the report and extension steps (issue 11.7)."""
    shipper = login(people.shipper)
    values = {**note_to_form(Note.model_validate(draft())), "csrf_token": csrf(shipper)}
    values.update({"extensions.0.days": "30", "extensions.0.reason": "сам себе",
                   "extensions.0.station_esr": "684001"})  # fmt: skip
    refused = shipper.post("/notes/new", data=values)
    assert refused.status_code == 422
    assert "Box 32 is filled only by a carrier" in refused.text
    note_id = submitted(uow, people.shipper)
    with uow() as session:
        service.accept(session, people.kzh.actor, note_id, consignment_number="W-32")
    assert 'data-testid="step-extend"' not in shipper.get(f"/notes/{note_id}").text
    kzh = login(people.kzh)
    page = kzh.get(f"/notes/{note_id}")
    assert 'data-testid="step-extend"' in page.text
    assert 'data-testid="step-report"' in page.text
    token = csrf(kzh)
    done = kzh.post(
        f"/notes/{note_id}/extend",
        data={"csrf_token": token, "days": "3", "reason": "задержание", "station_esr": "684001"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    bad = kzh.post(
        f"/notes/{note_id}/report",
        data={"csrf_token": token, "number": "К-1", "station_esr": "000000"},
    )
    assert bad.status_code == 422
    assert 'data-testid="step-error"' in bad.text
    with uow.read() as session:
        document = service.get_note(session, people.kzh.actor, note_id).document
    assert document["extensions"][0]["days"] == 3
