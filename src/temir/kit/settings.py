"""Settings from the environment, with defaults that run Temir on a laptop with no set-up."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path


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

    @classmethod
    def from_env(cls) -> Settings:
        home = _home()
        url = os.environ.get("TEMIR_DATABASE_URL") or f"sqlite:///{home / 'temir.sqlite3'}"
        return cls(
            database_url=url,
            home=home,
            secret_key=os.environ.get("TEMIR_SECRET_KEY") or _persistent_secret(home),
            host=os.environ.get("TEMIR_HOST", "127.0.0.1"),
            port=int(os.environ.get("TEMIR_PORT", "8000")),
            secure_cookies=os.environ.get("TEMIR_SECURE_COOKIES", "0") == "1",
        )


def _persistent_secret(home: Path) -> str:
    """A per-installation random key kept in TEMIR_HOME, so sessions survive a restart."""
    path = home / "secret_key"
    if path.exists():
        return path.read_text().strip()
    home.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key
