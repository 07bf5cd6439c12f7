"""Database engine, the declarative base with its naming convention, and the unit of work.

Why a unit of work: every use case is one transaction. Services add and change objects through
the session they are given and never commit; :class:`UnitOfWork` commits once at the end or
rolls back everything, so a failed write leaves nothing half-written.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import itertools
import os
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # A writer waits this long for SQLite's one write lock. Several workers with 50 clients
    # creating notes queue many writes; at 5 s some failed with "database is locked" on a busy
    # machine. Waiting longer is the right answer for a write that will get its turn.
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


SQLITE_BUSY_TIMEOUT_MS = 30_000
OWNER_ONLY = 0o600
DEFAULT_THREADS = 40
"""Worker threads that run request handlers (AnyIO's default); see :func:`make_engine`."""


def private_file(path: Path) -> None:
    """Make sure ``path`` exists and only its owner may read or write it.

    Created 0600 from the start (no moment at which it is world-readable); an existing file
    that others may read is tightened. For the SQLite database, which holds password and token
    hashes; SQLite gives its -wal and -shm files the database file's permissions.

    Never opens an existing file: closing any descriptor of a file drops every POSIX lock this
    process holds on it, SQLite's included. A second engine on a database this process already
    has open (an app beside a CLI command, a test's app on the session's database) would
    otherwise release the first engine's locks under it — "disk I/O error", or two writers.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # new: nobody can hold a lock on it yet; created by another process just now: it is
        # tightened below like any existing file
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_RDWR, OWNER_ONLY))
    for each in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if each.exists() and each.stat().st_mode & 0o077:
            each.chmod(each.stat().st_mode & 0o700)


def make_engine(url: str, threads: int = DEFAULT_THREADS) -> Engine:
    """An engine whose pool never makes a request thread wait for a connection.

    Each of ``threads`` request threads may hold two sessions at once (a read session given to
    the route and a unit of work inside it), so the pool keeps ``threads`` connections and may
    open as many again. A smaller pool (SQLAlchemy's default is 5 + 10) makes the 16th
    concurrent request wait and, after 30 s, fail with a 500.
    """
    pool = {"pool_size": threads, "max_overflow": threads}
    if url.startswith("sqlite"):
        database = make_url(url).database
        in_memory = not database or database == ":memory:" or database.startswith("file:")
        if not in_memory:
            private_file(Path(database or ""))
        engine = create_engine(
            url, connect_args={"check_same_thread": False}, **({} if in_memory else pool)
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True, **pool)


@functools.cache
def engine_for(url: str, threads: int = DEFAULT_THREADS) -> Engine:
    """One engine (and connection pool) per database URL for the life of the process."""
    return make_engine(url, threads)


_gates: dict[str, _Gate] = {}
_gates_lock = threading.Lock()


def write_gate(engine: Engine) -> AbstractContextManager[Any]:
    """What a unit of work holds for its whole transaction: for a SQLite file, one lock per
    database in this process; nothing for PostgreSQL (row locks, many writers at once).

    Why: SQLite lets one transaction write at a time. With 40 request threads creating notes,
    each waiting writer slept in SQLite's busy handler (up to 100 ms a try) while the GIL
    stretched the holder's transaction; creates took seconds at the 99th percentile. Waiting
    on a lock here wakes the next writer the moment the last one commits. Reentrant: a unit of
    work opened inside another in the same thread (it would wait on SQLite's lock anyway) is
    not made to wait for itself here.

    Across processes (the workers of ``temir serve``, a CLI command beside them) the holder of a
    database file's lock also holds an exclusive ``flock`` on ``<database>.write-lock``; a
    writer of another process polls it every few milliseconds. SQLite's busy handler, which
    arbitrated them before, sleeps up to 100 ms a try and so left the lock free most of the
    time it was wanted.
    """
    if engine.dialect.name != "sqlite":
        return nullcontext()
    where = str(engine.url)
    with _gates_lock:
        gate = _gates.get(where)
        if gate is None:
            database = engine.url.database
            in_memory = not database or database == ":memory:" or database.startswith("file:")
            lock_file = None if in_memory or database is None else Path(database + ".write-lock")
            gate = _gates[where] = _Gate(lock_file)
        return gate


GATE_WAIT_SECONDS = 5.0
_POLL_SECONDS = (0.0005, 0.001, 0.002, 0.003)
"""How often a writer asks for another process's file lock: the first tries soon (a write
lasts milliseconds), then every 3 ms — never SQLite's 100 ms."""


class _Gate:
    """A reentrant lock waited on for at most :data:`GATE_WAIT_SECONDS`; past that the unit of
    work goes on and waits on SQLite's own lock as before — so a thread that holds a unit of
    work open while another thread needs one (a test calling the app inside ``with uow()``)
    is delayed, never stuck. The outermost holder in a process also takes the database's file
    lock (``flock``, waited on as long at most; never closed, so it never drops SQLite's
    POSIX locks, which are on other files)."""

    def __init__(self, lock_file: Path | None = None) -> None:
        self._lock = threading.RLock()
        self._held = threading.local()
        self._lock_file = lock_file
        self._fd: int | None = None
        self._fd_pid = 0

    def __enter__(self) -> None:
        got = self._lock.acquire(timeout=GATE_WAIT_SECONDS)
        stack: list[tuple[bool, bool]] = getattr(self._held, "stack", [])
        outermost = got and not any(held for held, _ in stack)
        filed = outermost and self._lock_file is not None and self._take_file_lock()
        stack.append((got, filed))
        self._held.stack = stack

    def __exit__(self, *_exc: object) -> None:
        got, filed = self._held.stack.pop()
        if filed and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        if got:
            self._lock.release()

    def _take_file_lock(self) -> bool:
        """The file lock, polled for up to :data:`GATE_WAIT_SECONDS`; False if not had (then
        SQLite arbitrates, as it did before this lock)."""
        fd = self._descriptor()
        if fd is None:
            return False
        deadline = time.monotonic() + GATE_WAIT_SECONDS
        for attempt in itertools.count():
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(_POLL_SECONDS[min(attempt, len(_POLL_SECONDS) - 1)])
            except OSError:
                return False
        return False  # pragma: no cover (the loop returns)

    def _descriptor(self) -> int | None:
        """This process's descriptor of the lock file (a forked child opens its own: a shared
        open file would share the lock)."""
        if self._fd is not None and self._fd_pid == os.getpid():
            return self._fd
        assert self._lock_file is not None
        try:
            fd = os.open(self._lock_file, os.O_RDWR | os.O_CREAT, OWNER_ONLY)
        except OSError:
            return None  # a read-only directory: SQLite's lock alone, as before
        self._fd, self._fd_pid = fd, os.getpid()
        return fd


@contextmanager
def read_apart(session: Session, *mapped: type) -> Iterator[None]:
    """Read tables of ``mapped`` classes without first flushing what the session added elsewhere.

    Why: SQLAlchemy flushes everything pending before every query, so a use case that reads
    after adding rows (a subscriber of :mod:`temir.kit.changes`, the signing key) splits one
    write into many flushes — each its own round of statements, all while SQLite's one write
    lock is held. A read of tables in which the session has nothing added, changed or deleted
    cannot see a difference, so it skips the flush; when the session has pending rows of one
    of them, the flush happens as before.
    """
    if any(isinstance(each, mapped) for each in (*session.new, *session.dirty, *session.deleted)):
        yield
        return
    with session.no_autoflush:
        yield


class UnitOfWork:
    """One transaction per use case: ``with UnitOfWork(engine) as session: ...``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._factory = sessionmaker(bind=engine, expire_on_commit=False)
        self._gate = write_gate(engine)

    @contextmanager
    def __call__(self) -> Iterator[Session]:
        with self._gate:
            session = self._factory()
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()

    def check_answered(self, session: Session) -> None:
        """Nothing here; a request's unit of work that holds an ``Idempotency-Key`` raises
        the answer a retry gets (:meth:`temir.kit.idempotency.ClaimingUnitOfWork.
        check_answered`)."""

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reads only: nothing it does is committed."""
        session = self._factory()
        try:
            yield session
        finally:
            session.rollback()
            session.close()
