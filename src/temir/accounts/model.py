"""Who acts: roles, organisation kinds, and the actor attached to every write. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    ADMIN = "admin"
    RAILWAY_OPERATOR = "railway_operator"
    SHIPPER = "shipper"
    ANALYST = "analyst"
    VIEWER = "viewer"


class OrganisationKind(StrEnum):
    RAILWAY = "railway"
    SHIPPER = "shipper"
    FORWARDER = "forwarder"
    CONSIGNEE = "consignee"
    AUTHORITY = "authority"


class Channel(StrEnum):
    """How an actor reached Temir; recorded in the audit log."""

    API = "api"
    WEB = "web"
    CLI = "cli"
    SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    """The person or process behind a write. ``user_id`` is None for system actors."""

    label: str  # username, or "system:<what>"
    role: Role
    via: Channel
    user_id: int | None = None
    organisation_id: int | None = None
    remote_addr: str | None = None

    @classmethod
    def system(cls, what: str, via: Channel = Channel.SYSTEM) -> Actor:
        """A process acting on its own (migrations, reference loading, demo generation)."""
        return cls(label=f"system:{what}", role=Role.ADMIN, via=via)

    def has_role(self, *roles: Role) -> bool:
        return self.role is Role.ADMIN or self.role in roles


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


@dataclass(frozen=True)
class Organisation:
    id: int
    slug: str
    name: str
    name_ru: str | None
    kind: OrganisationKind
    country: str
    railway_code: str | None
    synthetic: bool
    created_at: datetime
    client_code: str | None = None
    """The client code carriers assigned (SMGS boxes 1, 4): a note's box 4 names it by it."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "slug": self.slug,
            "name": self.name,
            "name_ru": self.name_ru,
            "kind": str(self.kind),
            "country": self.country,
            "railway_code": self.railway_code,
            "client_code": self.client_code,
            "synthetic": self.synthetic,
            "created_at": _iso(self.created_at),
        }


@dataclass(frozen=True)
class User:
    """A person who logs in (web) or holds API tokens. Never carries the password hash."""

    id: int
    username: str
    full_name: str
    email: str | None
    role: Role
    organisation_id: int | None
    organisation_slug: str | None
    language: str
    active: bool
    synthetic: bool
    has_password: bool
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "username": self.username,
            "full_name": self.full_name,
            "email": self.email,
            "role": str(self.role),
            "organisation": self.organisation_slug,
            "language": self.language,
            "active": self.active,
            "synthetic": self.synthetic,
            "has_password": self.has_password,
            "created_at": _iso(self.created_at),
        }

    def actor(self, via: Channel, remote_addr: str | None = None) -> Actor:
        """The actor this user is when acting through ``via``."""
        return Actor(
            label=self.username,
            role=self.role,
            via=via,
            user_id=self.id,
            organisation_id=self.organisation_id,
            remote_addr=remote_addr,
        )


class TokenStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True)
class ApiToken:
    """What is known about a token after it was issued: never the token itself."""

    id: int
    user_id: int
    username: str
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    def status(self, now: datetime) -> TokenStatus:
        if self.revoked_at is not None:
            return TokenStatus.REVOKED
        if self.expires_at is not None and self.expires_at <= now:
            return TokenStatus.EXPIRED
        return TokenStatus.ACTIVE

    def to_dict(self, now: datetime) -> dict[str, Any]:
        return {
            "id": self.id,
            "username": self.username,
            "name": self.name,
            "prefix": self.prefix,
            "status": str(self.status(now)),
            "created_at": _iso(self.created_at),
            "expires_at": _iso(self.expires_at),
            "last_used_at": _iso(self.last_used_at),
            "revoked_at": _iso(self.revoked_at),
        }


@dataclass(frozen=True)
class IssuedToken:
    """A freshly issued token: ``secret`` is shown to its owner once and never stored."""

    secret: str
    token: ApiToken


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    actor_user_id: int | None
    action: str
    target_type: str | None
    target_id: str | None
    via: str
    remote_addr: str | None
    details: dict[str, Any] | None
    seq: int | None = None  # position in the audit chain
    digest: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": _iso(self.at),
            "actor": self.actor,
            "actor_user_id": self.actor_user_id,
            "action": self.action,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "via": self.via,
            "remote_addr": self.remote_addr,
            "details": self.details,
            "seq": self.seq,
            "digest": self.digest,
        }


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 100
    offset: int = 0


class LoginFailure(StrEnum):
    """Why a log-in failed: recorded in the audit log, never shown to the person logging in."""

    BAD_CREDENTIALS = "bad_credentials"
    NO_SUCH_USER = "no_such_user"
    INACTIVE = "inactive"
    NO_PASSWORD = "no_password"  # noqa: S105 - a reason code, not a password
    RATE_LIMITED = "rate_limited"


@dataclass(frozen=True)
class WebSession:
    """A browser session. ``cookie`` is the random id given to the browser (never stored)."""

    cookie: str
    csrf_token: str
    expires_at: datetime
    user: User


@dataclass(frozen=True)
class LoginOutcome:
    session: WebSession | None
    failure: LoginFailure | None = None
    retry_after: int | None = None  # seconds, when the attempt was refused by the throttle

    @property
    def ok(self) -> bool:
        return self.session is not None
