"""The same Alembic migrations build the schema on SQLite and on PostgreSQL, and step back."""

from __future__ import annotations

from datetime import UTC, datetime
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


BEFORE_AUDIT_CHAIN = "0008"  # the revision before 0009 (audit chain, idempotency keys)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_audit_chain_migration_chains_the_rows_already_there_in_id_order(
    backend: str, tmp_path: Path
) -> None:
    import sqlalchemy as sa

    from temir.accounts import service
    from temir.accounts.model import Actor
    from temir.kit.db import UnitOfWork

    engine = make_engine(fresh_database_url(backend, f"temir_chain08_{worker_suffix()}", tmp_path))
    migrate.upgrade(engine, BEFORE_AUDIT_CHAIN)
    old = sa.table(
        "audit_log",
        sa.column("at", sa.DateTime(timezone=True)),
        sa.column("actor", sa.String()),
        sa.column("action", sa.String()),
        sa.column("via", sa.String()),
        sa.column("details", sa.JSON()),
    )
    written = [  # written before the chain existed; the clock is not in id order
        (datetime(2025, 5, 1, 10, 0, 0, 123456, tzinfo=UTC), "reference.load", {"rows": 12}),
        (datetime(2025, 4, 1, 9, 0, tzinfo=UTC), "user.created", {"roles": ["a", "b"]}),
        (datetime(2025, 6, 1, 8, 0, tzinfo=UTC), "token.created", None),
    ]
    with engine.begin() as connection:
        for at, action, details in written:
            connection.execute(
                old.insert().values(
                    at=at, actor="system:old", action=action, via="cli", details=details
                )
            )
    migrate.upgrade(engine)
    uow = UnitOfWork(engine)
    system = Actor.system("tests")
    with uow.read() as session:
        verdict = service.verify_audit(session, system)
        actions = (
            session.execute(sa.text("SELECT action FROM audit_log ORDER BY seq")).scalars().all()
        )
    assert verdict.ok
    assert verdict.head is not None
    assert verdict.head.length == 3
    assert actions == [action for _, action, _ in written]
    with uow() as session:  # the next write continues the chain
        service.create_organisation(
            session, system, slug="after-the-chain", name="Org", kind="shipper", country="KZ"
        )
    with uow.read() as session:
        verdict = service.verify_audit(session, system)
    assert verdict.ok
    assert verdict.head is not None
    assert verdict.head.length == 4
    migrate.downgrade(engine, BEFORE_AUDIT_CHAIN)
    migrate.upgrade(engine)
    with uow.read() as session:
        again = service.verify_audit(session, system)
    assert (again.ok, again.checked) == (True, 4)
    engine.dispose()
