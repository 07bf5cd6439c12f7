"""The same Alembic migrations build the schema on SQLite and on PostgreSQL, and step back."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from temir.kit import migrate
from temir.kit.db import make_engine
from temir.tables import metadata
from tests.conftest import BACKENDS, fresh_database_url, worker_suffix


def _head_and_previous() -> tuple[str, str | None]:
    script = ScriptDirectory.from_config(migrate.alembic_config(make_engine("sqlite://")))
    head = script.get_revision("head")
    assert head is not None
    previous = head.down_revision
    assert previous is None or isinstance(previous, str)
    return head.revision, previous


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrade_from_empty_builds_every_table(backend: str, tmp_path: Path) -> None:
    engine = make_engine(fresh_database_url(backend, f"temir_up_{worker_suffix()}", tmp_path))
    migrate.upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert set(metadata.tables) <= tables
    assert migrate.current(engine) == _head_and_previous()[0]
    engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_latest_step_downgrades_and_upgrades_again(backend: str, tmp_path: Path) -> None:
    engine = make_engine(fresh_database_url(backend, f"temir_down_{worker_suffix()}", tmp_path))
    migrate.upgrade(engine)
    head, previous = _head_and_previous()
    migrate.downgrade(engine, "-1")
    assert migrate.current(engine) == previous
    migrate.upgrade(engine)
    assert migrate.current(engine) == head
    engine.dispose()


def test_schema_matches_models_no_pending_autogenerate(tmp_path: Path) -> None:
    """Every table change has its migration: autogenerate against head finds nothing to do."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(f"sqlite:///{tmp_path / 'auto.sqlite3'}")
    migrate.upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
    engine.dispose()
