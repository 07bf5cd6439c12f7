"""A live Temir (uvicorn in a thread) on a fresh SQLite database, and headless Debian Chromium.

The database is migrated, has the shipped reference data and the demo organisations and users
(``temir demo`` with its default seed). Chromium is Debian's ``/usr/bin/chromium`` driven by
Playwright; Playwright never downloads a browser here. Without Chromium the browser tests are
skipped on a developer's machine and FAIL under ``CI=true`` (``tests/conftest.missing``).
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from rich.console import Console

from temir.accounts.model import Actor
from temir.app import create_app
from temir.demo import accounts as demo_accounts
from temir.demo import service as demo_service
from temir.kit import migrate
from temir.kit.db import UnitOfWork, make_engine
from temir.kit.settings import Settings
from temir.network.service import load_reference
from tests.conftest import missing

CHROMIUM = os.environ.get("TEMIR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
E2E_SECRET = "e2e-secret-key-not-for-production"  # the live server's and the demo keys'
SCREENSHOTS = Path(os.environ.get("TEMIR_SCREENSHOTS", "/tmp/temir-screenshots"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """One live server per session: keep every browser test on one xdist worker."""
    for item in items:
        if "e2e" in item.path.parts:
            item.add_marker(pytest.mark.xdist_group("browser"))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    full_name: str


@dataclass(frozen=True)
class LiveServer:
    url: str
    demo: DemoLogin


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    home = tmp_path_factory.mktemp("e2e-home")
    url = f"sqlite:///{home / 'temir.sqlite3'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    uow = UnitOfWork(engine)
    actor = Actor.system("e2e-tests")
    load_reference(uow, actor)
    demo_service.run(
        uow,
        actor,
        seed=demo_service.DEFAULT_SEED,
        console=Console(file=io.StringIO()),
        secret_key=E2E_SECRET,
    )
    shipper = next(u for u in demo_accounts.USERS if u.username == "demo-shipper")
    login = DemoLogin(
        shipper.username,
        demo_accounts.demo_password(demo_service.DEFAULT_SEED, shipper.username),
        shipper.full_name,
    )
    engine.dispose()

    port = _free_port()
    settings = Settings(
        database_url=url,
        home=home,
        secret_key=E2E_SECRET,
        host="127.0.0.1",
        port=port,
        secure_cookies=False,
    )
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the live server did not start")
        time.sleep(0.05)
    yield LiveServer(f"http://127.0.0.1:{port}", login)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser(pytestconfig: pytest.Config) -> Iterator[Any]:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        missing(f"Chromium ({CHROMIUM})")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("Python Playwright")
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Exception as exc:  # a broken install must not pass by skipping in CI either
            missing(f"a working Chromium ({exc.__class__.__name__}: {exc})")
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """A fresh browser context (no cookies), English by default, pointed at the live server."""
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", viewport={"width": 1360, "height": 900}
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def screenshot(page: Any) -> Callable[[str], Path]:
    """Save a full-page screenshot for a person to look at (not compared by the tests)."""

    def take(name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
