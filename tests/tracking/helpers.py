"""Helpers for the tracking tests: notes with wagons of their own, events, times."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from temir.accounts import service as accounts
from temir.accounts.model import Actor, Channel, OrganisationKind, Role
from temir.codes import wagon_check_digit
from temir.kit.db import UnitOfWork
from temir.notes.store import service as notes
from tests.notes.store_helpers import World, draft, make_world

__all__ = ["Shipment", "World", "event", "make_world", "new_wagon", "railway_actor", "ship"]

KOSTANAY, SARYAGASH_EXP, KELES_EXP = "684001", "704101", "720602"
KUDUKLI_EXP, PAKHTAABAD_EXP, DUSHANBE_II = "736206", "746000", "745309"
KYZYLORDA, ARYS, TASHKENT, KARSHI = "671707", "698004", "722400", "733104"
ALMATY_1 = "700007"  # KZH, not on the Kostanay – Saryagash section


def new_wagon() -> str:
    """A fresh 8-digit wagon number with a correct check digit (each test its own wagons)."""
    body = f"5{random.randrange(10**6):06d}"
    return body + str(wagon_check_digit(body))


@dataclass(frozen=True)
class Shipment:
    world: World
    note_id: str
    wagons: tuple[str, str]
    accepted_at: datetime


def ship(uow: UnitOfWork, world: World | None = None, *, accepted_days_ago: float = 6) -> Shipment:
    """A note Kostanay → Dushanbe II with two new wagons, submitted and accepted by KZH."""
    world = world or make_world(uow)
    wagons = (new_wagon(), new_wagon())
    doc = draft()
    old = [w["number"] for w in doc["wagons"]]
    swap = dict(zip(old, wagons, strict=True))
    for w in doc["wagons"]:
        w["number"] = swap[w["number"]]
    for g in doc["goods"]:
        g["wagon_number"] = swap[g["wagon_number"]]
    for s in doc["seals"]:
        s["wagon_number"] = swap[s["wagon_number"]]
    accepted_at = datetime.now(UTC) - timedelta(days=accepted_days_ago)
    with uow() as session:
        note_id = notes.create_note(session, world.shipper, doc).summary.id
        notes.submit(session, world.shipper, note_id)
        notes.accept(
            session, world.kzh, note_id, consignment_number=f"T{uuid.uuid4().hex[:8]}",
            contract_date=accepted_at,
        )  # fmt: skip
    return Shipment(world, note_id, wagons, accepted_at)


def railway_actor(uow: UnitOfWork, railway: str) -> Actor:
    """An operator of a new organisation of ``railway`` (e.g. KRG, not on the example note)."""
    system = Actor.system("tests")
    slug, name = f"rw-{uuid.uuid4().hex[:10]}", f"op-{uuid.uuid4().hex[:10]}"
    with uow() as session:
        accounts.create_organisation(
            session, system, slug=slug, name=slug, kind=OrganisationKind.RAILWAY, country="KG",
            railway_code=railway,
        )  # fmt: skip
        user = accounts.create_user(
            session, system, username=name, role=Role.RAILWAY_OPERATOR, organisation=slug
        )
    return user.actor(Channel.API)


def event(kind: str, unit: str, station: str, at: datetime, **more: Any) -> dict[str, Any]:
    return {
        "key": more.pop("key", f"t-{uuid.uuid4().hex}"),
        "kind": kind,
        "unit": unit,
        "station_esr": station,
        "at": at.isoformat(),
        **more,
    }
