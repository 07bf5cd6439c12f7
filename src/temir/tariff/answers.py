"""Rendered quote answers kept per (request, data edition, language): the quote API's cache.

Why: a quote answer (about 30 KB of JSON, every line rendered in the caller's language, the
route details and the observed border dwell of each alternative) costs milliseconds to build
and is the same for every caller who asks the same question on the same data — a freight
quote service answers the popular lanes over and over. So the JSON bytes are kept in a
bounded LRU per process and served as they are.

What the key holds, so that a kept answer is never stale:

* the request as the service reads it (codes stripped, every option, ``via`` in order) and
  the language of the answer;
* the data edition (:func:`editions`): the load digests of the network's datasets (the route
  engine), the (id, loaded at) of every loaded rate table, the observed-dwell key the
  provider gives (acts, arrival reports, synthetic organisations) and today's date (rate
  tables are chosen by validity date) — read in the request's session at most once a second
  per database (:mod:`temir.kit.versions`), and at once after this process committed a write
  to one of the tables they come from; a ``temir ref load`` or ``temir tariff load`` in
  another process is seen within that second.

The bound is in bytes (``TEMIR_QUOTE_CACHE_MB``, default 32 MB per worker process; 0 turns the
cache off). Counts of hits and misses are kept for the benchmark to report.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from temir.kit import providers, versions
from temir.network import repository as network_repository
from temir.tariff import repository as tariff_repository

DEFAULT_MB = 32


WATCHED = ("ref_editions", "tariff_rate_tables")
"""Tables whose writes change :func:`editions` (the dwell provider watches its own)."""
versions.watch(*WATCHED)
_editions: versions.Remembered[tuple[str, ...]] = versions.Remembered()


def editions(session: Session) -> tuple[str, ...]:
    """Everything a quote answer depends on besides the request: see the module docstring.

    Read at most once per :func:`temir.kit.versions.check_seconds` per database, and again
    as soon as this process commits a write to a watched table (:mod:`temir.kit.versions`).
    """
    return _editions.get(str(session.get_bind().engine.url), lambda: _read_editions(session))


def fresh_editions(engine: Engine) -> tuple[str, ...] | None:
    """:func:`editions` of ``engine``'s database when it need not be read again, else None:
    a cached answer is then served without a session or a thread."""
    return _editions.fresh(str(engine.url))


def _read_editions(session: Session) -> tuple[str, ...]:
    dwell_key = providers.provided("border_dwell_key")
    return (
        network_repository.network_digest(session),
        repr(tariff_repository.rate_table_versions(session)),
        dwell_key(session) if dwell_key is not None else "",
        date.today().isoformat(),
    )


@dataclass
class Counts:
    hits: int = 0
    misses: int = 0


class Answers:
    """A thread-safe LRU of answer bytes, bounded by their total size."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.counts = Counts()
        self._lock = threading.Lock()
        self._kept: OrderedDict[Hashable, bytes] = OrderedDict()
        self._size = 0

    def get(self, key: Hashable) -> bytes | None:
        """The kept answer of ``key`` (counted as a hit), else None (not counted)."""
        if self.max_bytes <= 0:
            return None
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
                self.counts.hits += 1
            return found

    def get_or_make(self, key: Hashable, make: Callable[[], bytes]) -> bytes:
        """The kept answer of ``key``, else ``make()`` kept (an error raised by it is not)."""
        if self.max_bytes <= 0:
            return make()
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
                self.counts.hits += 1
                return found
            self.counts.misses += 1
        made = make()  # outside the lock: two threads may build the same answer, both right
        if len(made) > self.max_bytes:
            return made
        with self._lock:
            old = self._kept.pop(key, None)
            if old is not None:
                self._size -= len(old)
            self._kept[key] = made
            self._size += len(made)
            while self._size > self.max_bytes:
                _key, dropped = self._kept.popitem(last=False)
                self._size -= len(dropped)
        return made

    def __len__(self) -> int:
        return len(self._kept)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self._size = 0
            self.counts = Counts()


def _max_bytes() -> int:
    try:
        megabytes = float(os.environ.get("TEMIR_QUOTE_CACHE_MB", str(DEFAULT_MB)))
    except ValueError:
        megabytes = DEFAULT_MB
    return int(megabytes * 1024 * 1024)


quote_answers = Answers(_max_bytes())
"""The quote API's answers in this process."""
