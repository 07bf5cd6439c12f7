"""``Idempotency-Key``: a retried write answers as the first did and writes nothing new.

On SQLite and PostgreSQL, through the whole application: a note create and an accounts write.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from temir.accounts import service as accounts
from temir.accounts.model import Actor, Role
from temir.accounts.tables import ApiTokenRow, OrganisationRow
from temir.app import create_app
from temir.kit import idempotency
from temir.kit.db import UnitOfWork
from temir.kit.tables import IdempotencyRow
from temir.notes.store.tables import NoteRow
from tests.conftest import settings_for
from tests.notes.store_helpers import World, draft, make_world

SYSTEM = Actor.system("tests")


@pytest.fixture
def client(engine: Engine, tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for(engine, tmp_path))) as test_client:
        yield test_client


@pytest.fixture
def world(uow: UnitOfWork) -> World:
    return make_world(uow)


def bearer(uow: UnitOfWork, username: str) -> dict[str, str]:
    with uow() as session:
        token = accounts.issue_token(session, SYSTEM, username=username).secret
    return {"Authorization": f"Bearer {token}"}


def admin(uow: UnitOfWork) -> str:
    with uow() as session:
        return accounts.create_user(
            session, SYSTEM, username=f"admin-{uuid.uuid4().hex[:8]}", role=Role.ADMIN,
            organisation=None,
        ).username  # fmt: skip


def key() -> str:
    return str(uuid.uuid4())


def count(uow: UnitOfWork, what: object) -> int:
    with uow.read() as session:
        return int(session.scalar(select(func.count()).select_from(what)) or 0)  # type: ignore[arg-type]


def notes_of(uow: UnitOfWork, username: str) -> int:
    with uow.read() as session:
        return int(
            session.scalar(
                select(func.count()).select_from(NoteRow).where(NoteRow.created_by == username)
            )
            or 0
        )


def test_a_retried_note_create_answers_as_the_first_and_writes_nothing(
    client: TestClient, uow: UnitOfWork, world: World
) -> None:
    headers = {**bearer(uow, world.shipper.label), "Idempotency-Key": key()}
    body = json.dumps(draft())
    first = client.post("/api/v1/notes", content=body, headers=headers)
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    again = client.post("/api/v1/notes", content=body, headers=headers)
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.content == first.content
    assert again.headers["content-type"] == first.headers["content-type"]
    assert notes_of(uow, world.shipper.label) == 1
    with uow.read() as session:
        [claim] = session.scalars(
            select(IdempotencyRow).where(IdempotencyRow.key == headers["Idempotency-Key"])
        ).all()
        assert claim.owner == f"user:{world.shipper.user_id}"
        assert claim.status == 201


def test_the_same_key_with_another_body_is_refused(
    client: TestClient, uow: UnitOfWork, world: World
) -> None:
    headers = {**bearer(uow, world.shipper.label), "Idempotency-Key": key()}
    note = draft()
    assert client.post("/api/v1/notes", json=note, headers=headers).status_code == 201
    note["remarks"] = "changed"
    refused = client.post("/api/v1/notes", json=note, headers=headers)
    assert refused.status_code == 422
    assert refused.json()["error"] == {
        "code": "idempotency_key_reused",
        "field": "Idempotency-Key",
        "message": refused.json()["error"]["message"],
    }
    assert "different request" in refused.json()["error"]["message"]
    assert notes_of(uow, world.shipper.label) == 1


def test_keys_belong_to_their_caller(client: TestClient, uow: UnitOfWork, world: World) -> None:
    shared = key()
    body = json.dumps(draft())
    mine = client.post(
        "/api/v1/notes",
        content=body,
        headers={**bearer(uow, world.shipper.label), "Idempotency-Key": shared},
    )
    theirs = client.post(
        "/api/v1/notes",
        content=body,
        headers={**bearer(uow, world.other_shipper.label), "Idempotency-Key": shared},
    )
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert "idempotent-replayed" not in theirs.headers
    assert mine.json()["id"] != theirs.json()["id"]


def test_an_organisation_create_is_replayed(client: TestClient, uow: UnitOfWork) -> None:
    headers = {**bearer(uow, admin(uow)), "Idempotency-Key": key()}
    slug = f"org-{uuid.uuid4().hex[:8]}"
    body = {"slug": slug, "name": "Aral Salt", "kind": "shipper", "country": "KZ"}
    before = count(uow, OrganisationRow)
    first = client.post("/api/v1/organisations", json=body, headers=headers)
    again = client.post("/api/v1/organisations", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert count(uow, OrganisationRow) == before + 1
    other = client.post("/api/v1/organisations", json={**body, "name": "Other"}, headers=headers)
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"


def test_a_failed_write_claims_nothing_and_may_be_retried(
    client: TestClient, uow: UnitOfWork
) -> None:
    headers = {**bearer(uow, admin(uow)), "Idempotency-Key": key()}
    body = {"slug": f"org-{uuid.uuid4().hex[:8]}", "name": "Org", "kind": "shipper"}
    bad = client.post(
        "/api/v1/organisations", json={**body, "country": "Kazakhstan"}, headers=headers
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "invalid_country"
    with uow.read() as session:
        assert (
            session.scalars(
                select(IdempotencyRow).where(IdempotencyRow.key == headers["Idempotency-Key"])
            ).all()
            == []
        )
    good = client.post("/api/v1/organisations", json={**body, "country": "KZ"}, headers=headers)
    assert good.status_code == 201


def test_a_new_api_token_is_issued_once_and_never_kept(
    client: TestClient, uow: UnitOfWork, world: World
) -> None:
    headers = {**bearer(uow, world.shipper.label), "Idempotency-Key": key()}
    with uow.read() as session:
        before = len(session.scalars(select(ApiTokenRow.id)).all())
    first = client.post("/api/v1/tokens", json={"name": "ci"}, headers=headers)
    assert first.status_code == 201
    again = client.post("/api/v1/tokens", json={"name": "ci"}, headers=headers)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "idempotency_answer_not_kept"
    with uow.read() as session:
        assert len(session.scalars(select(ApiTokenRow.id)).all()) == before + 1
        [claim] = session.scalars(
            select(IdempotencyRow).where(IdempotencyRow.key == headers["Idempotency-Key"])
        ).all()
        assert claim.body is None  # the secret is not in the database
        assert claim.status == 201


@pytest.mark.parametrize("bad", ["", "has space", "ключ".encode(), "x" * 256])
def test_a_malformed_key_is_refused(
    client: TestClient, uow: UnitOfWork, world: World, bad: str | bytes
) -> None:
    headers: dict[str, str | bytes] = {**bearer(uow, world.shipper.label), "Idempotency-Key": bad}
    response = client.post("/api/v1/notes", content=json.dumps(draft()), headers=headers)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_idempotency_key"
    assert response.json()["error"]["field"] == "Idempotency-Key"
    assert notes_of(uow, world.shipper.label) == 0


def test_a_claim_without_an_answer_is_in_progress(
    client: TestClient, uow: UnitOfWork, world: World
) -> None:
    headers = {**bearer(uow, world.shipper.label), "Idempotency-Key": key()}
    body = json.dumps(draft())
    claim = idempotency.Claim(key=headers["Idempotency-Key"], method="POST", target="/api/v1/notes")
    claim.body.update(body.encode())
    with uow() as session:  # as if the process died between the commit and the answer
        idempotency.claim(session, claim, f"user:{world.shipper.user_id}")
    response = client.post("/api/v1/notes", content=body, headers=headers)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_in_progress"
    assert response.headers["retry-after"] == "1"
    assert notes_of(uow, world.shipper.label) == 0


def test_without_a_caller_the_header_changes_nothing(client: TestClient, uow: UnitOfWork) -> None:
    before = count(uow, IdempotencyRow)
    headers = {"Idempotency-Key": key()}
    for _ in range(2):
        answer = client.post("/api/v1/notes/validate", content=json.dumps(draft()), headers=headers)
        assert answer.status_code == 200
        assert "idempotent-replayed" not in answer.headers
    assert count(uow, IdempotencyRow) == before


def test_two_claims_of_one_key_at_once_let_one_through(uow: UnitOfWork, world: World) -> None:
    """The second waits for the first (PostgreSQL's unique index, SQLite's write lock) and is
    told the request is in progress; only one claim row exists."""
    owner, value = f"user:{world.shipper.user_id}", key()
    claimed = threading.Event()
    outcomes: list[str] = []

    def first() -> None:
        with uow() as session:
            idempotency.claim(session, idempotency.Claim(value, "POST", "/x"), owner)
            claimed.set()
            time.sleep(0.3)  # hold the transaction open while the second tries
        outcomes.append("claimed")

    def second() -> None:
        claimed.wait()
        try:
            with uow() as session:
                idempotency.claim(session, idempotency.Claim(value, "POST", "/x"), owner)
            outcomes.append("claimed")
        except idempotency.InProgress:
            outcomes.append("in progress")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["claimed", "in progress"]
    with uow.read() as session:
        assert (
            len(session.scalars(select(IdempotencyRow).where(IdempotencyRow.key == value)).all())
            == 1
        )
