"""The worker inside the server: an app whose settings ask for it delivers without any other
process; the default of a hand-built app (tests) and TEMIR_WEBHOOK_WORKER=0 leave it off."""

from __future__ import annotations

import dataclasses
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from temir.kit.db import UnitOfWork
from temir.kit.settings import Settings
from temir.webhooks import service
from tests.tracking.helpers import KOSTANAY, Shipment, event
from tests.tracking.test_api_cli import _settings
from tests.webhooks.receiver import Receiver
from tests.webhooks.test_entry_points import ingest


def _workers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "temir-webhooks" and t.is_alive()]


def test_the_server_delivers_by_itself_when_asked(
    engine: Engine, tmp_path: Path, uow: UnitOfWork, shipment: Shipment, receiver: Receiver
) -> None:
    from temir.app import create_app

    w = shipment.world
    with uow() as s:
        service.create(s, w.shipper, url=receiver.url, events=["tracking.event"])
    settings = dataclasses.replace(_settings(engine, tmp_path), webhook_worker=True)
    before = len(_workers())
    with TestClient(create_app(settings)):
        assert len(_workers()) == before + 1
        ingest(uow, w.kzh, event("departure", shipment.wagons[0], KOSTANAY, shipment.accepted_at))
        deadline = time.monotonic() + 20
        while not receiver.received and time.monotonic() < deadline:
            time.sleep(0.1)
    assert len(receiver.received) == 1
    assert len(_workers()) == before  # stopped with the app


def test_off_unless_asked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert _settings_default().webhook_worker is False
    monkeypatch.setenv("TEMIR_HOME", str(tmp_path))
    monkeypatch.delenv("TEMIR_WEBHOOK_WORKER", raising=False)
    assert Settings.from_env().webhook_worker is True  # temir serve
    monkeypatch.setenv("TEMIR_WEBHOOK_WORKER", "0")
    assert Settings.from_env().webhook_worker is False


def _settings_default() -> Settings:
    return Settings("sqlite://", Path("."), "s", "127.0.0.1", 0, False)
