"""SQLite writers of one process queue on a lock (kit.db.write_gate) instead of SQLite's busy
handler; PostgreSQL writers do not queue at all."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from temir.kit import db
from temir.kit.db import UnitOfWork, make_engine


def _table(engine: Engine) -> sa.Table:
    table = sa.Table("gate_test", sa.MetaData(), sa.Column("n", sa.Integer))
    table.create(engine, checkfirst=True)
    return table


def test_sqlite_writers_of_a_process_take_turns(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'gate.sqlite3'}")
    table = _table(engine)
    uow = UnitOfWork(engine)
    inside = threading.Event()
    release = threading.Event()
    order: list[str] = []

    def first() -> None:
        with uow() as session:
            session.execute(sa.insert(table).values(n=1))
            inside.set()
            release.wait(10)
            order.append("first commits")

    def second() -> None:
        inside.wait(10)
        with uow() as session:
            order.append("second begins")
            session.execute(sa.insert(table).values(n=2))

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    inside.wait(10)
    time.sleep(0.3)  # room for the second to begin, were it not made to wait
    assert order == []
    release.set()
    for t in threads:
        t.join(20)
    assert order == ["first commits", "second begins"]
    with engine.connect() as conn:
        assert sorted(conn.scalars(sa.select(table.c.n))) == [1, 2]


def test_a_unit_of_work_inside_another_in_one_thread_is_not_stuck(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'nested.sqlite3'}")
    table = _table(engine)
    uow = UnitOfWork(engine)
    with uow() as outer:
        outer.execute(sa.select(table.c.n)).all()
        with uow() as inner:  # reentrant: reads and writes of its own
            inner.execute(sa.insert(table).values(n=3))
    with engine.connect() as conn:
        assert list(conn.scalars(sa.select(table.c.n))) == [3]


def test_a_writer_held_up_too_long_goes_on_to_sqlites_own_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A thread that keeps a unit of work open while another thread needs one (a test calling
    the app inside ``with uow()``) delays it, never deadlocks it."""
    monkeypatch.setattr(db, "GATE_WAIT_SECONDS", 0.2)
    engine = make_engine(f"sqlite:///{tmp_path / 'held.sqlite3'}")
    table = _table(engine)
    uow = UnitOfWork(engine)
    done: list[int] = []

    def other() -> None:
        with uow() as session:
            done.append(len(session.execute(sa.select(table.c.n)).all()))

    with uow() as session:
        session.execute(sa.select(table.c.n)).all()  # open, not yet writing
        t = threading.Thread(target=other)
        t.start()
        t.join(20)
    assert done == [0]


def test_postgresql_writers_are_not_gated() -> None:
    engine = sa.create_engine("postgresql+psycopg://u:p@127.0.0.1:1/none")
    gate = db.write_gate(engine)
    with gate, gate:
        pass
    assert not isinstance(gate, type(db.write_gate(make_engine("sqlite://"))))


CHILD = """
import sys
import sqlalchemy as sa
from temir.kit.db import UnitOfWork, make_engine
engine = make_engine(sys.argv[1])
table = sa.Table("gate_test", sa.MetaData(), sa.Column("n", sa.Integer))
with UnitOfWork(engine)() as session:
    session.execute(sa.insert(table).values(n=1))
    print("inside", flush=True)
    sys.stdin.readline()
print("committed", flush=True)
"""


def test_sqlite_writers_of_two_processes_take_turns(tmp_path: Path) -> None:
    """Another process's writer (a second worker, a CLI command) waits on the database's file
    lock while this one writes, and goes on the moment it is released."""
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'two.sqlite3'}"
    engine = make_engine(url)
    table = _table(engine)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, url], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert child.stdin is not None
    assert child.stdout is not None
    try:
        assert child.stdout.readline().strip() == "inside"
        order: list[str] = []

        def writer() -> None:
            with UnitOfWork(engine)() as session:
                order.append("this process begins")
                session.execute(sa.insert(table).values(n=2))

        t = threading.Thread(target=writer)
        t.start()
        time.sleep(0.3)  # room for this process's writer to begin, were it not made to wait
        assert order == []
        child.stdin.write("\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "committed"
        t.join(20)
        assert order == ["this process begins"]
    finally:
        child.kill()
        child.wait(10)
    with engine.connect() as conn:
        assert sorted(conn.scalars(sa.select(table.c.n))) == [1, 2]
    lock_file = tmp_path / "two.sqlite3.write-lock"
    assert lock_file.stat().st_mode & 0o777 == 0o600
