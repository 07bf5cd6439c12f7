"""The application against the shared migrated database with reference data, via TestClient."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from temir.app import create_app
from tests.conftest import settings_for


@pytest.fixture(scope="session")
def app(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    return create_app(settings_for(engine, tmp_path_factory.mktemp("home")))


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, headers={"accept": "text/html"}) as c:
        yield c
