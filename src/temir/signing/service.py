"""Organisation keys: the signing key each organisation holds, sealed at rest.

An organisation signs notes and protocols with its *current* key; rotating retires that key
(it still verifies what it signed) and makes a new one. The first key is made on demand, the
first time the organisation signs (:func:`ensure_key`). Sealing and unsealing is
:mod:`temir.signing.sealing`; every key made or retired is audited. Verifiers get the stored
public keys as a :class:`~temir.signing.keyring.KeyRing` (:func:`key_ring`).

A rotation is announced (:mod:`temir.kit.changes`, kind ``key_rotation``) with a *rotation
record*: the new public key, signed by the retiring key in the instant before it retires
(kind ``temir/key-rotation/v1``). Whoever holds the old key — a peer node — can so learn the
new one from the record alone, and a stolen retired key can sign no such record later (its
validity ends at its retirement). See :mod:`temir.exchange.inbox`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from temir.accounts import audit
from temir.accounts import repository as accounts_repository
from temir.accounts import service as accounts_service
from temir.accounts.model import Actor, Organisation, Role
from temir.accounts.repository import aware, aware_or_none
from temir.accounts.tables import OrganisationRow
from temir.kit import changes, clock
from temir.kit.errors import NotFound, PermissionDenied
from temir.kit.i18n import N_
from temir.signing import repository, sealing
from temir.signing.algorithms import Ed25519Signer
from temir.signing.keyring import KeyRing
from temir.signing.model import KeyInfo, PublicKeyEntry
from temir.signing.rules import KEY_ROTATION_KIND, sign_document
from temir.signing.tables import OrgKeyRow


def _key_info(row: OrgKeyRow, slug: str) -> KeyInfo:
    return KeyInfo(
        key_id=row.key_id,
        organisation=slug,
        algorithm=row.algorithm,
        public_key=row.public_key,
        created_at=aware(row.created_at),
        retired_at=aware_or_none(row.retired_at),
    )


def _new_key(
    session: Session, actor: Actor, org: OrganisationRow | Organisation, secret: str
) -> OrgKeyRow:
    sealed = sealing.new_sealed_key(secret)
    row = OrgKeyRow(
        key_id=sealed.key_id,
        organisation_id=org.id,
        algorithm=sealed.algorithm,
        public_key=sealed.public_key,
        private_key_sealed=sealed.sealed_private_key,
        salt=sealed.salt,
        created_at=clock.now(),
        created_by=actor.label,
        retired_at=None,
    )
    repository.add_key(session, row)
    audit.record(session, actor, "keys.created", "org_key", row.key_id, {"organisation": org.slug})
    return row


def ensure_key(session: Session, actor: Actor, org: OrganisationRow, secret: str) -> OrgKeyRow:
    """The organisation's current key, made (and audited) now if it has none yet."""
    return repository.current_key(session, org.id) or _new_key(session, actor, org, secret)


def signer_of(key: OrgKeyRow, secret: str) -> Ed25519Signer:
    """The stored key opened to sign; 409 ``keys.unreadable`` if the secret does not open it."""
    return sealing.unseal(key.key_id, key.private_key_sealed, key.salt, secret)


def rotate_key(session: Session, actor: Actor, organisation: str, secret: str) -> KeyInfo:
    """Retire the organisation's current key (it still verifies) and make a new one."""
    org = accounts_service.get_organisation(session, organisation)
    allowed = actor.role is Role.ADMIN or (
        actor.organisation_id == org.id and actor.role in (Role.RAILWAY_OPERATOR, Role.SHIPPER)
    )
    if not allowed:
        raise PermissionDenied(
            N_("Only an administrator or the organisation's own users rotate its key.")
        )
    current = repository.current_key(session, org.id)
    made = _new_key(session, actor, org, secret)
    if current is not None:
        record = rotation_record(current, made, org.slug, secret) if changes.active() else None
        signed_at = clock.now() if record is None else record["signed_at"]
        current.retired_at = max(clock.now(), signed_at + timedelta(microseconds=1))
        audit.record(
            session, actor, "keys.retired", "org_key", current.key_id, {"organisation": org.slug}
        )
        if record is not None:
            payload = {**record["payload"], "retired_at": current.retired_at.isoformat()}
            key = f"keys:{made.key_id}"
            changes.publish(session, [changes.Change("key_rotation", "keys", key, payload)])
    return _key_info(made, org.slug)


def rotation_document(
    organisation: str, new: OrgKeyRow | Any, previous_key_id: str
) -> dict[str, Any]:
    """What the retiring key signs: the organisation, its new public key, the key it replaces."""
    return {
        "organisation": organisation,
        "key_id": new.key_id,
        "algorithm": new.algorithm,
        "public_key": new.public_key,
        "valid_from": aware(new.created_at).isoformat(),
        "previous_key_id": previous_key_id,
    }


def rotation_record(old: OrgKeyRow, new: OrgKeyRow, slug: str, secret: str) -> dict[str, Any]:
    """The new key signed by the old one, now (before the old one retires)."""
    now = clock.now()
    document = rotation_document(slug, new, old.key_id)
    sig = sign_document(
        KEY_ROTATION_KIND, document, signer_of(old, secret), signed_at=now, signer_name=slug
    )
    payload = {"document": document, "signature": sig.model_dump(mode="json")}
    return {"signed_at": now, "payload": payload}


def list_keys(session: Session, organisation: str | None = None) -> list[KeyInfo]:
    org_id = accounts_service.get_organisation(session, organisation).id if organisation else None
    rows = repository.key_rows(session, organisation_id=org_id)
    slugs = accounts_repository.organisation_slugs(session, {r.organisation_id for r in rows})
    return [_key_info(r, slugs.get(r.organisation_id, "")) for r in rows]


def get_key(session: Session, key_id: str) -> KeyInfo:
    row = repository.key_row(session, key_id[:100])
    if row is None:
        raise NotFound(
            N_("No key {key_id}."), code="keys.not_found", field="key_id", key_id=key_id[:100]
        )
    slugs = accounts_repository.organisation_slugs(session, {row.organisation_id})
    return _key_info(row, slugs.get(row.organisation_id, ""))


def public_entries(session: Session) -> list[PublicKeyEntry]:
    """Every stored public key, retired ones included, owned by its organisation's slug: what
    this node publishes as its keyring (``GET /api/v1/keys/keyring.json``)."""
    return [k.entry() for k in list_keys(session)]


def key_ring(session: Session, key_ids: set[str]) -> KeyRing:
    """The stored public keys (current and retired) among ``key_ids``, to verify signatures."""
    rows = repository.key_rows(session, key_ids=key_ids)
    slugs = accounts_repository.organisation_slugs(session, {r.organisation_id for r in rows})
    return KeyRing(
        PublicKeyEntry(
            key_id=r.key_id,
            algorithm=r.algorithm,
            public_key=r.public_key,
            owner=slugs.get(r.organisation_id, ""),
        )
        for r in rows
    )


def key_organisations(session: Session, key_ids: set[str]) -> dict[str, int]:
    """The organisation (id) holding each stored key among ``key_ids``."""
    return {r.key_id: r.organisation_id for r in repository.key_rows(session, key_ids=key_ids)}
