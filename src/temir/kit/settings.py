"""Settings from the environment, with defaults that run Temir on a laptop with no set-up."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from temir.kit.db import DEFAULT_THREADS, OWNER_ONLY

KEEP_ALIVE_SECONDS = 75
"""How long ``temir serve`` keeps an idle HTTP connection open. Longer than the idle timeout of
the clients and proxies in front of it (httpx 5 s, nginx 60 s, cloud load balancers 60 s), so
the client is the one that closes an idle connection: when the server closes first, a request
the client sends at that instant is lost without an answer (uvicorn's default is 5 s)."""


def _home() -> Path:
    return Path(os.environ.get("TEMIR_HOME", "var")).resolve()


@dataclass(frozen=True)
class Settings:
    database_url: str
    home: Path
    secret_key: str
    host: str
    port: int
    secure_cookies: bool
    threads: int = DEFAULT_THREADS  # request handler threads; the DB pool is sized from it
    keep_alive: int = KEEP_ALIVE_SECONDS
    workers: int = 1  # processes of ``temir serve``; each has ``threads`` threads and a pool
    webhook_worker: bool = False
    """Run the webhook delivery worker in the server's process (``temir serve``: on unless
    ``TEMIR_WEBHOOK_WORKER=0``; an app built by hand, e.g. in tests, leaves it off)."""

    @classmethod
    def from_env(cls) -> Settings:
        home = _home()
        url = os.environ.get("TEMIR_DATABASE_URL")
        # No home and no database URL: a read command must not create an empty home just for the
        # secret; whatever needs it asks for ``with_secret()``, which creates it then.
        lazy = url is None and not home.exists()
        url = url or f"sqlite:///{home / 'temir.sqlite3'}"
        secret = os.environ.get("TEMIR_SECRET_KEY") or ("" if lazy else _persistent_secret(home))
        return cls(
            database_url=url,
            home=home,
            secret_key=secret,
            host=os.environ.get("TEMIR_HOST", "127.0.0.1"),
            port=int(os.environ.get("TEMIR_PORT", "8000")),
            secure_cookies=os.environ.get("TEMIR_SECURE_COOKIES", "0") == "1",
            threads=int(os.environ.get("TEMIR_THREADS", str(DEFAULT_THREADS))),
            keep_alive=int(os.environ.get("TEMIR_KEEP_ALIVE", str(KEEP_ALIVE_SECONDS))),
            workers=int(os.environ.get("TEMIR_WORKERS", "1")),
            webhook_worker=os.environ.get("TEMIR_WEBHOOK_WORKER", "1") != "0",
        )

    def with_secret(self) -> Settings:
        """These settings with the installation secret, created in the home on first need."""
        if self.secret_key:
            return self
        return dataclasses.replace(self, secret_key=_persistent_secret(self.home))


def _persistent_secret(home: Path) -> str:
    """A per-installation random key kept in TEMIR_HOME, so sessions survive a restart.

    Written owner-only (0600) from the first byte: into a private temporary file that is then
    linked into place, so no other process ever reads a half-written key, and two processes
    starting together end up with the same one.
    """
    path = home / "secret_key"
    if not path.exists():
        home.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=home, prefix=".secret_key.")  # mkstemp: mode 0600
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48))
                fh.flush()
                os.fsync(fh.fileno())
            with contextlib.suppress(FileExistsError):  # another process was first: use its key
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
    if path.stat().st_mode & 0o077:
        path.chmod(OWNER_ONLY)
    return path.read_text().strip()
