"""Wiring for entry points: settings → engine → unit of work, built once per process.

Why the database checks live here: a command run from the wrong folder (or before
``temir db upgrade``) must say where it looked for the database and how to create it, not
silently create an empty SQLite file and then die on "no such table". Only ``temir db upgrade``
asks for a database that may not exist yet (``engine(create=True)``).
"""

from __future__ import annotations

import functools

from sqlalchemy.engine import Engine, make_url

from temir.kit.db import UnitOfWork, engine_for
from temir.kit.errors import TemirError
from temir.kit.i18n import N_
from temir.kit.settings import Settings

DATABASE_MISSING = N_(
    "No database at {path}. Create it with `temir db upgrade`, or point TEMIR_HOME (or "
    "TEMIR_DATABASE_URL) at an existing one."
)
DATABASE_OUTDATED = N_(
    "The database {where} is at revision {current}, this Temir needs {head}. "
    "Run `temir db upgrade` first."
)


class DatabaseNotReady(TemirError):
    """The database is missing or not migrated: the user must run ``temir db upgrade``."""

    status = 503
    default_code = "database.missing"


@functools.cache
def settings() -> Settings:
    return Settings.from_env()


def secret_key() -> str:
    """The installation secret, created in TEMIR_HOME the first time a command needs it."""
    return settings().with_secret().secret_key


def sqlite_path(url: str) -> str | None:
    """The file of a SQLite URL, or None for another database (or an in-memory one)."""
    if not url.startswith("sqlite"):
        return None
    database = make_url(url).database
    return database if database and database != ":memory:" else None


def engine(*, create: bool = False) -> Engine:
    """The process's engine; unless ``create``, a missing SQLite file is an error, not created."""
    url = settings().database_url
    path = sqlite_path(url)
    if path is not None and not create:
        from pathlib import Path

        if not Path(path).exists():
            raise DatabaseNotReady(DATABASE_MISSING, path=path)
    return engine_for(url)


def check_up_to_date(eng: Engine) -> None:
    """Raise :class:`DatabaseNotReady` unless the database is migrated to this Temir's head."""
    from temir.kit import migrate  # Alembic: only once a database is there to check

    current = migrate.current(eng)
    if current != migrate.head():
        raise DatabaseNotReady(
            DATABASE_OUTDATED,
            code="database.outdated",
            where=sqlite_path(settings().database_url) or eng.url.render_as_string(),
            current=current or "—",
            head=migrate.head(),
        )


_checked: set[str] = set()


def uow() -> UnitOfWork:
    """A unit of work on a database that exists and is migrated (checked once per URL)."""
    eng = engine()
    url = settings().database_url
    if url not in _checked:
        check_up_to_date(eng)
        _checked.add(url)
    return UnitOfWork(eng)
