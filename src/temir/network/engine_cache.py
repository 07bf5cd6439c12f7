"""A built route engine kept on disk between CLI runs, keyed by its data and its code.

Why: a command such as ``temir route --pairs`` starts a fresh process each time, and building
the engine (TR-4 tables, checks, every railway pair's itineraries and grids) took about a second
of every run — longer than routing a million pairs. The engine is a pure function of the
network data and of the engine's own code, so it is stored once per (data, code) and loaded in
milliseconds afterwards.

The key is a SHA-256 over the edition key (the shipped files' contents, or the database's load
digests), the source of every routing module, and the Python and numpy versions: a new edition,
a changed engine or an upgraded interpreter never meets an old file. Files live in the user's
own cache directory (``TEMIR_CACHE_DIR``, else ``$XDG_CACHE_HOME/temir``, else
``~/.cache/temir``), created ``0700``, written to a temporary file and renamed, so a reader
never sees half a file. Anything wrong with a file (unreadable, truncated, another version)
means the engine is built as before; a cache that cannot be written is skipped silently — the
cache only ever saves time, never changes an answer. ``TEMIR_ENGINE_CACHE=0`` turns it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import platform
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from temir.network.routing import Router
from temir.network.routing.loader import EDITION, data_dir

_SHIPPED_DIRS = ("network", "tr4")


def cache_dir() -> Path:
    explicit = os.environ.get("TEMIR_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "temir"


def enabled() -> bool:
    return os.environ.get("TEMIR_ENGINE_CACHE", "1") not in {"0", "false", "no", "off"}


def _code_digest() -> str:
    """The routing engine's own source: a changed engine must not load an old engine's file."""
    h = hashlib.sha256()
    package = Path(__file__).resolve().parent / "routing"
    for path in sorted(package.glob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    h.update(f"{platform.python_version()} numpy {np.__version__}".encode())
    return h.hexdigest()


def shipped_key() -> str:
    """The key of the data shipped in ``temir/data`` (the files the CSV loader reads)."""
    h = hashlib.sha256(EDITION.encode())
    root = data_dir()
    for sub in _SHIPPED_DIRS:
        for path in sorted((root / sub).rglob("*")):
            if path.is_file():
                h.update(str(path.relative_to(root)).encode())
                h.update(path.read_bytes())
    return "shipped:" + h.hexdigest()


def _path(edition_key: str) -> Path:
    digest = hashlib.sha256(f"{edition_key}\n{_code_digest()}".encode()).hexdigest()
    return cache_dir() / f"engine-{digest[:32]}.pickle"


def load_or_build(edition_key: str, build: Callable[[], Router]) -> Router:
    """The engine of ``edition_key`` from the cache, else ``build()`` (stored for next time)."""
    if not enabled():
        return build()
    path = _path(edition_key)
    with contextlib.suppress(  # any unreadable file: build instead (the cache only saves time)
        OSError,
        pickle.UnpicklingError,
        EOFError,
        AttributeError,
        ImportError,
        ValueError,
        TypeError,
        IndexError,
    ):
        with path.open("rb") as fh:
            # The file is this user's own, in a 0700 directory, named by the key: the same
            # trust as the installed code itself.
            found = pickle.load(fh)  # noqa: S301
        if isinstance(found, Router):
            return found
    router = build()
    router.warm()
    _store(path, router)
    return router


def _store(path: Path, router: Router) -> None:
    with contextlib.suppress(OSError, pickle.PicklingError):
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".engine-", suffix=".partial")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(router, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
