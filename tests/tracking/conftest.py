"""Fixtures for the tracking tests: a world of organisations and an accepted note."""

from __future__ import annotations

import pytest

from temir.kit.db import UnitOfWork
from tests.tracking.helpers import Shipment, World, make_world, ship


@pytest.fixture
def world(uow: UnitOfWork) -> World:
    return make_world(uow)


@pytest.fixture
def shipment(uow: UnitOfWork, world: World) -> Shipment:
    return ship(uow, world)
