"""Run Alembic migrations programmatically, for the CLI and for tests; tell whether a
database is at this Temir's head without importing Alembic (see :func:`current`)."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    with engine.begin() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    with engine.begin() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def current(engine: Engine) -> str | None:
    """The revision the database is at (None before the first migration).

    Read with one SELECT: every command that opens the database checks it
    (:func:`temir.kit.runtime.check_up_to_date`), and Alembic's own reader costs ~0.3 s of
    imports per process. Anything but one row (none: not migrated; several: branches) is
    left to Alembic, which answers or raises as it always did."""
    with engine.connect() as connection:
        try:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        except DBAPIError:
            rows = []
    if len(rows) == 1:
        return str(rows[0][0])
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


_REVISION = re.compile(r"""^revision\s*(?::[^=\n]*)?=\s*["']([^"'\n]+)["']\s*$""", re.M)
_DOWN = re.compile(r"""^down_revision\s*(?::[^=\n]*)?=\s*(?:None|["']([^"'\n]+)["'])\s*$""", re.M)


@functools.cache
def head() -> str | None:
    """The newest revision shipped with this version of Temir.

    Read from the migration files' ``revision`` / ``down_revision`` lines (the chain's one
    revision that no other names as its parent), for the import time :func:`current` saves;
    a file these lines do not describe plainly, or a history with other than one head, is
    left to Alembic's ``ScriptDirectory``. ``tests/kit/test_migrate_reads.py`` compares both."""
    found = _head_from_files(MIGRATIONS / "versions")
    return found if found is not None else _alembic_head()


def _head_from_files(versions: Path) -> str | None:
    revisions: set[str] = set()
    parents: set[str] = set()
    for file in sorted(versions.glob("*.py")):
        source = file.read_text(encoding="utf-8")
        revision, down = _REVISION.findall(source), _DOWN.findall(source)
        if len(revision) != 1 or len(down) != 1:
            return None
        revisions.add(revision[0])
        if down[0]:
            parents.add(down[0])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 and parents <= revisions else None


def _alembic_head() -> str | None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def is_up_to_date(engine: Engine) -> bool:
    return current(engine) == head()
