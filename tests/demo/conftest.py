"""Demo tests get their own freshly migrated database per backend: the demo writes fixed
usernames, which must not meet other tests' data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from temir.kit import migrate
from temir.kit.db import UnitOfWork, make_engine
from temir.kit.settings import Settings
from tests.conftest import fresh_database_url, settings_for, worker_suffix


@pytest.fixture(scope="session")
def engine(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    url = fresh_database_url(
        backend, f"temir_demo_{worker_suffix()}", tmp_path_factory.mktemp("demo-db")
    )
    eng = make_engine(url)
    migrate.upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def uow(engine: Engine) -> UnitOfWork:
    return UnitOfWork(engine)


@pytest.fixture
def settings(engine: Engine, tmp_path: Path) -> Settings:
    return settings_for(engine, tmp_path)
