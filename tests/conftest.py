"""Shared fixtures: a migrated database with the reference data, on SQLite and on PostgreSQL.

Tests that take ``engine`` (or anything built on it) run once per backend. PostgreSQL comes
from ``TEMIR_TEST_POSTGRES_URL``; when it is unreachable the PostgreSQL runs are skipped on a
developer's machine and FAIL under ``CI=true`` — CI must never pass by skipping.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError

from temir.accounts.model import Actor
from temir.kit import migrate
from temir.kit.db import UnitOfWork, make_engine
from temir.kit.settings import Settings

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
POSTGRES_URL = os.environ.get("TEMIR_TEST_POSTGRES_URL", "")


def missing(what: str) -> None:
    """Skip locally, fail in CI: a test that needs ``what`` must not pass by skipping."""
    if IN_CI:
        pytest.fail(f"{what} is required under CI=true but is not available")
    pytest.skip(f"{what} not available")


def worker_suffix() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "gw0")


def fresh_postgres_database(name: str) -> str:
    """Create an empty database ``name`` on the test server and return its URL.

    ``TEMIR_TEST_DB_PREFIX`` keeps two test runs on one server apart (e.g. a developer's run
    beside a CI run on the same machine).
    """
    name = os.environ.get("TEMIR_TEST_DB_PREFIX", "") + name
    if not POSTGRES_URL:
        missing("PostgreSQL (set TEMIR_TEST_POSTGRES_URL)")
    admin_url = make_url(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except OperationalError as exc:  # cannot connect: the server is not there
        missing(f"PostgreSQL at {admin_url.render_as_string()} ({exc.__class__.__name__})")
    return admin_url.set(database=name).render_as_string(hide_password=False)


def fresh_database_url(backend: str, name: str, tmp_dir: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_dir / (name + '.sqlite3')}"
    return fresh_postgres_database(name)


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session", autouse=True)
def engine_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """CLI commands keep built engines on disk (temir.network.engine_cache): in the tests' own
    folder, never the user's cache (subprocesses of a test inherit it)."""
    path = tmp_path_factory.mktemp("engine-cache")
    before = os.environ.get("TEMIR_CACHE_DIR")
    os.environ["TEMIR_CACHE_DIR"] = str(path)
    yield path
    if before is None:
        os.environ.pop("TEMIR_CACHE_DIR", None)
    else:
        os.environ["TEMIR_CACHE_DIR"] = before


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def engine(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A database migrated to head with the shipped reference data loaded (shared, read-mostly).

    Tests that write create their own uniquely named rows so they do not disturb each other.
    """
    from temir.network.service import load_reference

    url = fresh_database_url(
        backend, f"temir_test_{worker_suffix()}", tmp_path_factory.mktemp("db")
    )
    eng = make_engine(url)
    migrate.upgrade(eng)
    load_reference(UnitOfWork(eng), Actor.system("tests"))
    yield eng
    eng.dispose()


@pytest.fixture
def uow(engine: Engine) -> UnitOfWork:
    return UnitOfWork(engine)


def settings_for(engine: Engine, home: Path) -> Settings:
    """Settings of an app that runs on ``engine`` (a fixed secret: tests only)."""
    return Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        home=home,
        secret_key="test-secret-key-not-for-production",
        host="127.0.0.1",
        port=0,
        secure_cookies=False,
    )


@pytest.fixture
def client(engine: Engine, tmp_path: Path) -> Iterator[TestClient]:
    """The whole application (API and pages) on the shared test database."""
    from temir.app import create_app

    with TestClient(create_app(settings_for(engine, tmp_path))) as c:
        yield c


SLOW_FIXTURES = frozenset({"engine", "backend", "live_server", "browser", "page"})
"""Fixtures that mean a database, a server or a browser: a test needing none of them is pure."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs no database, server or browser ``pure`` (``make test-fast``).

    Why derived, not hand-written: a marker someone must remember goes stale; the fixture closure
    says exactly what a test touches.
    """
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if "e2e" in item.path.parts or names & SLOW_FIXTURES:
            continue
        item.add_marker(pytest.mark.pure)
