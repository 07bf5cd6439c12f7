"""Statistics fixtures: a migrated database per backend, and one synthetic data set in it.

Own fixture (not the shared ``engine``) so that statistics tests do not need the reference data
loader; the facts carry their station codes and countries themselves.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from temir.accounts.model import Actor
from temir.kit import migrate
from temir.kit.db import UnitOfWork, make_engine
from tests.conftest import fresh_database_url, worker_suffix

SEED = 11


@pytest.fixture(scope="session")
def stats_engine(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    url = fresh_database_url(
        backend, f"temir_stats_{worker_suffix()}", tmp_path_factory.mktemp("stats")
    )
    engine = make_engine(url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def stats_uow(stats_engine: Engine) -> UnitOfWork:
    return UnitOfWork(stats_engine)


@pytest.fixture(scope="session")
def generated(stats_uow: UnitOfWork) -> int:
    """The 2024–2025 demo facts of seed ``SEED``, written once per backend."""
    from temir.stats import service

    with stats_uow() as session:
        return service.generate_synthetic(session, Actor.system("tests"), SEED)
