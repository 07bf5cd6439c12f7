"""Organisation keys: the signing key each organisation holds, sealed at rest.

An organisation signs notes and protocols with its *current* key; rotating retires that key
(it still verifies what it signed) and makes a new one. The first key is made on demand, the
first time the organisation signs (:func:`ensure_key`). Sealing and unsealing is
:mod:`temir.notes.keys`; every key made or retired is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from temir.accounts import audit
from temir.accounts import service as accounts_service
from temir.accounts.model import Actor, Organisation, Role
from temir.accounts.tables import OrganisationRow
from temir.kit import clock
from temir.kit.errors import NotFound, PermissionDenied
from temir.kit.i18n import N_
from temir.notes import keys as org_keys
from temir.notes import repository
from temir.notes.tables import OrgKeyRow


@dataclass(frozen=True)
class KeyInfo:
    key_id: str
    organisation: str
    algorithm: str
    public_key: str
    created_at: datetime
    retired_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "key_id": self.key_id,
            "organisation": self.organisation,
            "algorithm": self.algorithm,
            "public_key": self.public_key,
            "public_key_pem": org_keys.public_pem(self.public_key),
            "created_at": repository.iso(self.created_at),
            "retired_at": repository.iso(self.retired_at),
            "current": self.retired_at is None,
        }


def _key_info(row: OrgKeyRow, slug: str) -> KeyInfo:
    return KeyInfo(
        key_id=row.key_id,
        organisation=slug,
        algorithm=row.algorithm,
        public_key=row.public_key,
        created_at=repository.aware(row.created_at),
        retired_at=repository.aware_or_none(row.retired_at),
    )


def _new_key(
    session: Session, actor: Actor, org: OrganisationRow | Organisation, secret: str
) -> OrgKeyRow:
    sealed = org_keys.new_sealed_key(secret)
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
    session.add(row)
    session.flush()
    audit.record(session, actor, "keys.created", "org_key", row.key_id, {"organisation": org.slug})
    return row


def ensure_key(session: Session, actor: Actor, org: OrganisationRow, secret: str) -> OrgKeyRow:
    return repository.current_key(session, org.id) or _new_key(session, actor, org, secret)


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
    if current is not None:
        current.retired_at = clock.now()
        audit.record(
            session, actor, "keys.retired", "org_key", current.key_id, {"organisation": org.slug}
        )
    return _key_info(_new_key(session, actor, org, secret), org.slug)


def list_keys(session: Session, organisation: str | None = None) -> list[KeyInfo]:
    org_id = accounts_service.get_organisation(session, organisation).id if organisation else None
    rows = repository.key_rows(session, organisation_id=org_id)
    slugs = repository.organisation_slugs(session, {r.organisation_id for r in rows})
    return [_key_info(r, slugs.get(r.organisation_id, "")) for r in rows]


def get_key(session: Session, key_id: str) -> KeyInfo:
    row = repository.key_row(session, key_id[:100])
    if row is None:
        raise NotFound(
            N_("No key {key_id}."), code="keys.not_found", field="key_id", key_id=key_id[:100]
        )
    slugs = repository.organisation_slugs(session, {row.organisation_id})
    return _key_info(row, slugs.get(row.organisation_id, ""))
