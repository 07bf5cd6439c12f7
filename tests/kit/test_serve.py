"""``temir serve`` refuses to start on a database that is not migrated to this version."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_serve_on_an_unmigrated_database_says_to_upgrade(tmp_path: Path) -> None:
    (tmp_path / "temir.sqlite3").touch()  # exists, never migrated
    env = {**os.environ, "TEMIR_HOME": str(tmp_path), "COLUMNS": "200"}
    env.pop("TEMIR_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "temir.cli", "serve", "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "database.outdated" in result.stderr
    assert "temir db upgrade" in result.stderr
