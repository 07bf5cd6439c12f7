"""Fixtures of the webhook tests: the outbox listener wired as the entry points wire it, a
world with an accepted note, a consignee, and a real receiver on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from temir import wiring
from temir.kit.db import UnitOfWork
from tests.tracking.helpers import Shipment, World, make_world, ship
from tests.webhooks.receiver import Receiver


@pytest.fixture(autouse=True)
def wired() -> None:
    wiring.install()


@pytest.fixture
def world(uow: UnitOfWork) -> World:
    return make_world(uow)


@pytest.fixture
def shipment(uow: UnitOfWork, world: World) -> Shipment:
    return ship(uow, world)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    yield r
    r.stop()
