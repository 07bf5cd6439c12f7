"""The application against the shared migrated database with reference data, via TestClient."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from temir.app import create_app
from temir.kit.settings import Settings


def settings_for(engine: Engine, home: Path) -> Settings:
    return Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        home=home,
        secret_key="test-secret-key-not-for-production",
        host="127.0.0.1",
        port=0,
        secure_cookies=False,
    )


@pytest.fixture(scope="session")
def app(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    return create_app(settings_for(engine, tmp_path_factory.mktemp("home")))


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, headers={"accept": "text/html"}) as c:
        yield c
