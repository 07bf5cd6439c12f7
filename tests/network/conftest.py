"""Fixtures of the network tests: a database of their own for tests that change reference data."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from temir.kit import migrate
from temir.kit.db import make_engine


def private_engine_for(engine: Engine, tmp_path: Path, name: str) -> Engine:
    """A migrated, empty database ``name`` of its own on ``engine``'s backend."""
    if engine.dialect.name == "sqlite":
        url = f"sqlite:///{tmp_path / (name + '.sqlite3')}"
    else:
        database = f"{engine.url.database}_{name}"
        admin = create_engine(engine.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{database}"'))
        admin.dispose()
        url = engine.url.set(database=database).render_as_string(hide_password=False)
    eng = make_engine(url)
    migrate.upgrade(eng)
    return eng


@pytest.fixture
def private_engine(engine: Engine, tmp_path: Path) -> Engine:
    """A database of its own on the same backend: this test changes the reference data."""
    return private_engine_for(engine, tmp_path, "ref_private")
