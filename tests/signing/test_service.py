"""Stored organisation keys: made on demand once, rotated, published as the node's keyring."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from temir.accounts import repository as accounts_repository
from temir.accounts.tables import AuditRow
from temir.kit.db import UnitOfWork
from temir.signing import service
from temir.signing.rules import DocumentKind, check_document, sign_document
from tests.notes.store_helpers import SECRET, World, make_world


def test_the_first_key_is_made_once_audited_and_then_reused(uow: UnitOfWork) -> None:
    world: World = make_world(uow)
    with uow() as s:
        org = accounts_repository.organisation_row(s, world.orgs["kzh"])
        assert org is not None
        first = service.ensure_key(s, world.kzh, org, SECRET)
        again = service.ensure_key(s, world.kzh, org, SECRET)
    with uow() as s:  # audit rows join the hash chain when the unit of work commits
        made = s.scalars(
            select(AuditRow).where(
                AuditRow.action == "keys.created", AuditRow.target_id == first.key_id
            )
        ).all()
    assert again.key_id == first.key_id
    assert len(made) == 1


def test_a_document_signed_with_a_stored_key_verifies_against_the_stored_keyring_after_rotation(
    uow: UnitOfWork,
) -> None:
    world = make_world(uow)
    kind = DocumentKind("test-stored")
    document = {"what": "a handover act", "wagon": "95120341"}
    with uow() as s:
        org = accounts_repository.organisation_row(s, world.orgs["kzh"])
        assert org is not None
        key = service.ensure_key(s, world.kzh, org, SECRET)
        sig = sign_document(
            kind, document, service.signer_of(key, SECRET), signed_at=key.created_at
        )
        service.rotate_key(s, world.kzh, world.orgs["kzh"], SECRET)
    with uow.read() as s:
        ring = service.key_ring(s, {sig.key_id})
        holders = service.key_organisations(s, {sig.key_id, "ed25519:unknown"})
        published = {e.key_id: e.owner for e in service.public_entries(s)}
    assert check_document(kind, document, sig, ring) is None  # the retired key still verifies
    assert [e.owner for e in ring.entries()] == [world.orgs["kzh"]]
    assert set(holders) == {sig.key_id}
    assert published[sig.key_id] == world.orgs["kzh"]


def test_the_published_keyring_is_what_notes_verify_reads(
    uow: UnitOfWork, client: TestClient
) -> None:
    world = make_world(uow)
    with uow() as s:
        service.rotate_key(s, world.tdz, world.orgs["tdz"], SECRET)
    keyring = client.get("/api/v1/keys/keyring.json").json()
    with uow.read() as s:
        expected = [e.model_dump() for e in service.public_entries(s)]
    assert keyring == expected
    ours = [k for k in keyring if k["owner"] == world.orgs["tdz"]]
    assert len(ours) == 1
    assert set(ours[0]) == {"key_id", "algorithm", "public_key", "owner"}
