"""Under load no request thread waits for a database connection (a wait ends in a 500)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.pool import QueuePool

from temir.kit.db import DEFAULT_THREADS, make_engine
from temir.kit.settings import Settings


def test_every_request_thread_can_hold_two_connections_at_once(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'pool.sqlite3'}")
    pool = engine.pool
    assert isinstance(pool, QueuePool)
    held = [engine.connect() for _ in range(2 * DEFAULT_THREADS)]  # 5 + 10 would wait 30 s here
    try:
        assert pool.checkedout() == 2 * DEFAULT_THREADS
    finally:
        for connection in held:
            connection.close()
        engine.dispose()


def test_the_pool_follows_the_thread_count(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'pool.sqlite3'}", threads=8)
    assert isinstance(engine.pool, QueuePool)
    assert engine.pool.size() == 8
    engine.dispose()


def test_threads_and_keep_alive_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TEMIR_HOME", str(tmp_path))
    monkeypatch.setenv("TEMIR_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("TEMIR_THREADS", "12")
    monkeypatch.delenv("TEMIR_KEEP_ALIVE", raising=False)
    settings = Settings.from_env()
    assert settings.threads == 12
    assert settings.keep_alive == 75  # longer than the clients' and proxies' idle timeouts
