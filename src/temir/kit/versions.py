"""A counter of committed writes to watched tables in this process, and a key read at most
once per interval unless one happened.

Why: the quote API keys its cached answers on the data edition (load digests, rate-table
versions, the observed-dwell fingerprint). Reading that key costs several small queries, more
than serving a cached answer; reading it on every request made a cache hit cost as much as a
database round trip. So the key is remembered (:class:`Remembered`) and read again when

* this process committed a write to a watched table (``generation()`` changed) — seen at once:
  a ``temir tariff load`` in the server process, an act accepted through the API, a test that
  changes the data and quotes again;
* ``seconds`` passed — a write by another process (a CLI load, another worker) is seen within
  that interval (``TEMIR_EDITION_CHECK_SECONDS``, default 1 s; 0 reads it every time).

Writes are seen through the ORM session: objects flushed, and statements run by
``Session.execute`` (bulk INSERT/UPDATE/DELETE); the generation moves after the commit, so a
key read between the write and its commit is not remembered past it.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

T = TypeVar("T")

_lock = threading.Lock()
_watched: set[str] = set()
_generation = 0
_installed = False
_TOUCHED = "temir_versions_touched"


def watch(*tables: str) -> None:
    """Count committed writes to ``tables`` (by table name) from now on."""
    with _lock:
        _watched.update(tables)
    _install()


def generation() -> int:
    """Moves whenever this process commits a write to a watched table."""
    return _generation


def _install() -> None:
    global _installed
    with _lock:
        if _installed:
            return
        _installed = True
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "do_orm_execute", _do_orm_execute)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_soft_rollback", _after_rollback)


def _table_of(thing: Any) -> str | None:
    table = getattr(thing, "__table__", None)
    name = getattr(table, "name", None)
    return name if isinstance(name, str) else None


def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    if session.info.get(_TOUCHED):
        return
    for each in (*session.new, *session.dirty, *session.deleted):
        if _table_of(each) in _watched:
            session.info[_TOUCHED] = True
            return


def _do_orm_execute(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if name in _watched:
        state.session.info[_TOUCHED] = True


def _after_commit(session: Session) -> None:
    global _generation
    if session.info.pop(_TOUCHED, False):
        with _lock:
            _generation += 1


def _after_rollback(session: Session, _previous: Any) -> None:
    if not session.in_transaction():
        session.info.pop(_TOUCHED, None)


def check_seconds() -> float:
    try:
        return max(0.0, float(os.environ.get("TEMIR_EDITION_CHECK_SECONDS", "1")))
    except ValueError:
        return 1.0


class Remembered(Generic[T]):
    """Values read by ``read`` per ``where`` (e.g. a database URL), kept for ``seconds`` or
    until :func:`generation` moves."""

    def __init__(self, seconds: Callable[[], float] = check_seconds, size: int = 64) -> None:
        self._seconds = seconds
        self._size = size
        self._lock = threading.Lock()
        self._kept: dict[Hashable, tuple[int, float, T]] = {}

    def fresh(self, where: Hashable) -> T | None:
        """The value kept for ``where`` while it holds, else None (nothing is read)."""
        found = self._kept.get(where)
        if (
            found is not None
            and found[0] == _generation
            and time.monotonic() - found[1] < self._seconds()
        ):
            return found[2]
        return None

    def get(self, where: Hashable, read: Callable[[], T]) -> T:
        """The kept value, else ``read()`` — by one thread at a time: when the value runs out
        under load, the requests waiting for it take the one read instead of each reading."""
        found = self.fresh(where)
        if found is not None:
            return found
        with self._lock:
            found = self.fresh(where)
            if found is not None:
                return found
            now = time.monotonic()
            seen = _generation
            value = read()
            self._kept[where] = (seen, now, value)
            if len(self._kept) > self._size:  # e.g. many test databases in one process
                self._kept.pop(next(iter(self._kept)))
        return value
