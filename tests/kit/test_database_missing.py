"""A command run where there is no database says where it looked and how to create one.

Run as a real process from an empty folder: the bug was an empty ``./var/temir.sqlite3`` created
by a read command, then a "no such table" traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _temir(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "300", "TEMIR_LANG": "en"}
    for name in ("TEMIR_HOME", "TEMIR_DATABASE_URL", "TEMIR_SECRET_KEY"):
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "temir.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_read_command_without_a_database_names_it_and_creates_nothing(tmp_path: Path) -> None:
    result = _temir(tmp_path, "users", "list")
    assert result.returncode == 1
    assert "database.missing" in result.stderr
    assert str(tmp_path / "var" / "temir.sqlite3") in result.stderr
    assert "temir db upgrade" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []  # no ./var, no empty database, no secret


def test_stations_search_without_a_database_fails_cleanly(tmp_path: Path) -> None:
    result = _temir(tmp_path, "stations", "search", "Almaty", "--json")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "var").exists()


def test_empty_database_file_is_reported_as_not_migrated(tmp_path: Path) -> None:
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "temir.sqlite3").touch()
    result = _temir(tmp_path, "users", "list")
    assert result.returncode == 1
    assert "database.outdated" in result.stderr
    assert "temir db upgrade" in result.stderr
    assert "no such table" not in result.stderr
