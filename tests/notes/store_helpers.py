"""Helpers for the note store tests: a consignor, the three carriers of the example, users."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from temir.accounts import service as accounts
from temir.accounts.model import Actor, Channel, OrganisationKind, Role
from temir.kit.db import UnitOfWork
from temir.notes.example import example_note
from temir.notes.lifecycle import draft_of

SECRET = "test-installation-secret"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@dataclass(frozen=True)
class World:
    shipper: Actor
    other_shipper: Actor
    kzh: Actor
    uti: Actor
    tdz: Actor
    viewer: Actor
    admin: Actor
    orgs: dict[str, str]


def make_world(uow: UnitOfWork) -> World:
    system = Actor.system("tests")
    orgs = {
        "shipper": (OrganisationKind.SHIPPER, None),
        "other": (OrganisationKind.SHIPPER, None),
        "kzh": (OrganisationKind.RAILWAY, "KZH"),
        "uti": (OrganisationKind.RAILWAY, "UTI"),
        "tdz": (OrganisationKind.RAILWAY, "TDZ"),
    }
    slugs = {name: unique(name) for name in orgs}
    people = {
        "shipper": (Role.SHIPPER, "shipper"),
        "other_shipper": (Role.SHIPPER, "other"),
        "kzh": (Role.RAILWAY_OPERATOR, "kzh"),
        "uti": (Role.RAILWAY_OPERATOR, "uti"),
        "tdz": (Role.RAILWAY_OPERATOR, "tdz"),
        "viewer": (Role.VIEWER, "shipper"),
        "admin": (Role.ADMIN, None),
    }
    actors: dict[str, Actor] = {}
    with uow() as session:
        for name, (kind, railway) in orgs.items():
            accounts.create_organisation(
                session, system, slug=slugs[name], name=name, kind=kind, country="KZ",
                railway_code=railway,
            )  # fmt: skip
        for name, (role, org) in people.items():
            username = unique(name.replace("_", "-"))
            user = accounts.create_user(
                session, system, username=username, role=role,
                organisation=slugs[org] if org else None,
            )  # fmt: skip
            actors[name] = user.actor(Channel.API)
    return World(orgs=slugs, **actors)


def draft() -> dict[str, Any]:
    data: dict[str, Any] = draft_of(example_note()).model_dump(mode="json", exclude_none=True)
    return data
