"""Whether a database is at this Temir's head is told without importing Alembic
(:func:`temir.kit.migrate.current`, :func:`~temir.kit.migrate.head`): the answers must be
Alembic's own, and what the short reads cannot describe must be left to Alembic."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from temir.kit import migrate
from temir.kit.db import make_engine
from tests.conftest import BACKENDS, fresh_database_url, worker_suffix


def test_the_head_read_from_the_files_is_alembic_s_head() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config(make_engine("sqlite://")))
    assert migrate._head_from_files(migrate.MIGRATIONS / "versions") == script.get_current_head()
    assert migrate.head() == script.get_current_head()


def _revision_file(folder: Path, name: str, revision: str, down: str | None) -> None:
    parent = "None" if down is None else f'"{down}"'
    (folder / f"{name}.py").write_text(
        f'revision: str = "{revision}"\ndown_revision: str | None = {parent}\n', encoding="utf-8"
    )


def test_a_history_the_lines_do_not_describe_is_left_to_alembic(tmp_path: Path) -> None:
    _revision_file(tmp_path, "a", "a1", None)
    _revision_file(tmp_path, "b", "b1", "a1")
    assert migrate._head_from_files(tmp_path) == "b1"
    _revision_file(tmp_path, "c", "c1", "a1")  # two heads
    assert migrate._head_from_files(tmp_path) is None
    (tmp_path / "c.py").write_text('revision = "c1"\ndown_revision = ("a1", "b1")\n')  # a merge
    assert migrate._head_from_files(tmp_path) is None
    _revision_file(tmp_path, "c", "c1", "zz")  # a parent no file has
    assert migrate._head_from_files(tmp_path) is None


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_current_revision_is_alembic_s_answer(backend: str, tmp_path: Path) -> None:
    engine = make_engine(fresh_database_url(backend, f"temir_cur_{worker_suffix()}", tmp_path))

    def alembic_says() -> str | None:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    assert migrate.current(engine) is None  # nothing there yet
    assert alembic_says() is None
    migrate.upgrade(engine)
    assert migrate.current(engine) == alembic_says() == migrate.head()
    with engine.begin() as connection:  # a second head row: Alembic refuses, as before
        connection.execute(text("INSERT INTO alembic_version (version_num) VALUES ('other')"))
    with pytest.raises(Exception, match=r"(?i)multiple|head"):
        migrate.current(engine)
    engine.dispose()
