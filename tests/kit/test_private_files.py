"""The SQLite database (password and token hashes) and the secret key are owner-only files."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from temir.kit.db import make_engine
from temir.kit.settings import Settings


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_sqlite_database_and_its_wal_files_are_created_0600(tmp_path: Path) -> None:
    path = tmp_path / "home" / "temir.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:  # WAL mode: the first write creates -wal and -shm
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
        connection.execute(text("INSERT INTO t VALUES (1)"))
        files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
        assert all(f.exists() for f in files)
        assert [mode(f) for f in files] == [0o600, 0o600, 0o600]
    engine.dispose()


def test_an_existing_database_readable_by_others_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "temir.sqlite3"
    path.touch()
    path.chmod(0o644)
    make_engine(f"sqlite:///{path}").dispose()
    assert mode(path) == 0o600


def test_the_secret_key_is_written_0600_and_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "var"
    monkeypatch.setenv("TEMIR_HOME", str(home))
    monkeypatch.delenv("TEMIR_SECRET_KEY", raising=False)
    monkeypatch.delenv("TEMIR_DATABASE_URL", raising=False)
    first = Settings.from_env().with_secret()  # created on first need, not by a read command
    key = home / "secret_key"
    assert mode(key) == 0o600
    assert mode(home) == 0o700
    assert len(first.secret_key) >= 48
    assert Settings.from_env().secret_key == first.secret_key
    assert list(home.iterdir()) == [key]  # no temporary file left behind
    key.chmod(0o644)
    assert Settings.from_env().secret_key == first.secret_key
    assert mode(key) == 0o600


def test_a_second_engine_on_an_open_database_keeps_the_first_ones_locks(tmp_path: Path) -> None:
    """Closing any descriptor of a file drops this process's POSIX locks on it, SQLite's too.

    A WAL database's connections hold a shared lock on the database file so that the last one
    to close knows it is the last: it checkpoints and deletes the -wal and -shm files. If a
    second engine opened and closed the file (the 0600 check did), the first connection's lock
    was gone: another process's connection closing then believed it was the last, deleted -shm
    under the open first one, whose next statement failed with "disk I/O error".
    """
    path = tmp_path / "temir.sqlite3"
    first = make_engine(f"sqlite:///{path}")
    with first.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
    held = first.connect()  # an open connection, as a server's pool keeps
    held.execute(text("SELECT count(*) FROM t")).scalar_one()
    make_engine(f"sqlite:///{path}").dispose()  # e.g. a test's app on the session database
    other = (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
        "c.execute('SELECT count(*) FROM t').fetchone(); c.close()"
    )
    subprocess.run([sys.executable, "-c", other, str(path)], check=True)  # a CLI command
    assert path.with_name(path.name + "-shm").exists()  # it was not the last to close
    held.execute(text("INSERT INTO t VALUES (1)"))
    held.commit()
    assert held.execute(text("SELECT count(*) FROM t")).scalar_one() == 1
    held.close()
    first.dispose()
