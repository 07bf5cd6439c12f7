"""Demo tests get their own freshly migrated database per backend: the demo writes fixed
usernames, which must not meet other tests' data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from temir.kit import migrate
from temir.kit.db import UnitOfWork, make_engine
from temir.kit.settings import Settings


def root_conftest(config: pytest.Config) -> Any:
    """tests/conftest.py as pytest loaded it (every conftest is a module named "conftest")."""
    root = Path(__file__).resolve().parents[1] / "conftest.py"
    for plugin in config.pluginmanager.get_plugins():
        if isinstance(plugin, ModuleType) and Path(plugin.__file__ or "").resolve() == root:
            return plugin
    raise RuntimeError(f"{root} is not loaded")


@pytest.fixture(scope="session")
def engine(
    backend: str, tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[Engine]:
    shared = root_conftest(pytestconfig)
    url = shared.fresh_database_url(
        backend, f"temir_demo_{shared.worker_suffix()}", tmp_path_factory.mktemp("demo-db")
    )
    eng = make_engine(url)
    migrate.upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def uow(engine: Engine) -> UnitOfWork:
    return UnitOfWork(engine)


@pytest.fixture
def settings(engine: Engine, tmp_path: Path) -> Settings:
    return Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        home=tmp_path,
        secret_key="test-secret",
        host="127.0.0.1",
        port=8000,
        secure_cookies=False,
    )
