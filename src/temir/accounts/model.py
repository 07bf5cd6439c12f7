"""Who acts: roles, organisation kinds, and the actor attached to every write. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


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
