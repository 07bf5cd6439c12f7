"""The audit log is a hash chain: rows changed, deleted or inserted with SQL are named.

Each test gets a database of its own (tampering would break the shared one), on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Engine

from temir.accounts import audit, chain, repository, service
from temir.accounts.chain import BreakKind
from temir.accounts.model import Actor
from temir.accounts.tables import AuditRow
from temir.kit import migrate
from temir.kit.db import UnitOfWork, make_engine
from temir.kit.errors import Conflict
from tests.accounts.accounts_helpers import unique
from tests.conftest import fresh_database_url, worker_suffix

SYSTEM = Actor.system("tests")


@pytest.fixture
def fresh(backend: str, tmp_path: Path) -> Iterator[Engine]:
    url = fresh_database_url(backend, f"temir_chain_{worker_suffix()}", tmp_path)
    engine = make_engine(url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


def write_rows(uow: UnitOfWork, count: int) -> None:
    """``count`` audited writes, one transaction each."""
    for _ in range(count):
        with uow() as session:
            service.create_organisation(
                session, SYSTEM, slug=unique("org"), name="Org", kind="shipper", country="KZ"
            )


def verdict(uow: UnitOfWork) -> chain.Verdict:
    with uow.read() as session:
        return service.verify_audit(session, SYSTEM)


def rows(uow: UnitOfWork) -> list[chain.ChainRow]:
    with uow.read() as session:
        return list(repository.chain_rows(session))


def sql(engine: Engine, statement: str, **params: Any) -> None:
    with engine.begin() as connection:
        connection.execute(text(statement), params)


def test_each_row_carries_the_digest_of_the_one_before(fresh: Engine) -> None:
    uow = UnitOfWork(fresh)
    write_rows(uow, 4)
    with uow() as session:  # two rows in one transaction
        audit.record(session, SYSTEM, "test.one", details={"n": (1, 2)})
        audit.record(session, SYSTEM, "test.two")
    chained = rows(uow)
    assert [r.seq for r in chained] == [1, 2, 3, 4, 5, 6]
    assert chained[0].prev_digest == chain.GENESIS
    for before, after in itertools.pairwise(chained):
        assert after.prev_digest == before.digest
        assert after.id > before.id
    assert chained[4].details == {"n": [1, 2]}
    result = verdict(uow)
    assert result.ok
    assert result.head is not None
    assert (result.checked, result.head.length) == (6, 6)
    assert result.head.last_digest == chained[-1].digest


def test_a_rolled_back_unit_of_work_chains_nothing(fresh: Engine) -> None:
    uow = UnitOfWork(fresh)
    write_rows(uow, 1)

    def failing_write() -> None:
        with uow() as session:
            audit.record(session, SYSTEM, "test.lost")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        failing_write()
    write_rows(uow, 1)
    assert [r.seq for r in rows(uow)] == [1, 2]
    assert verdict(uow).ok


def test_a_changed_row_is_named(fresh: Engine) -> None:
    uow = UnitOfWork(fresh)
    write_rows(uow, 5)
    target = rows(uow)[2]
    sql(fresh, "UPDATE audit_log SET actor = 'mallory' WHERE id = :id", id=target.id)
    result = verdict(uow)
    assert result.first_break is not None
    assert result.first_break.kind is BreakKind.CHANGED
    assert (result.first_break.row_id, result.first_break.seq) == (target.id, 3)
    assert f"Audit row {target.id} (position 3) was changed" in result.first_break.message()
    assert result.checked == 3


def test_a_row_rewritten_with_a_fresh_digest_breaks_the_next_link(fresh: Engine) -> None:
    uow = UnitOfWork(fresh)
    write_rows(uow, 4)
    target, following = rows(uow)[1], rows(uow)[2]
    forged = chain.digest_of(
        seq=target.seq,
        at=target.at,
        actor="mallory",
        actor_user_id=target.actor_user_id,
        action=target.action,
        target_type=target.target_type,
        target_id=target.target_id,
        via=target.via,
        remote_addr=target.remote_addr,
        details=target.details,
        prev_digest=target.prev_digest,
    )
    sql(
        fresh,
        "UPDATE audit_log SET actor = 'mallory', digest = :d WHERE id = :id",
        d=forged,
        id=target.id,
    )
    result = verdict(uow)
    assert result.first_break is not None
    assert result.first_break.kind is BreakKind.RELINKED
    assert result.first_break.row_id == following.id


def test_a_deleted_row_is_named(fresh: Engine) -> None:
    uow = UnitOfWork(fresh)
    write_rows(uow, 5)
    gone, after = rows(uow)[1], rows(uow)[2]
    sql(fresh, "DELETE FROM audit_log WHERE id = :id", id=gone.id)
    result = verdict(uow)
    assert result.first_break is not None
    assert result.first_break.kind is BreakKind.DELETED
    assert result.first_break.seq == 2
    assert result.first_break.row_id == after.id
    assert "positions 2 to 2 were deleted" in result.first_break.message()


def test_deleting_the_last_rows_is_seen_from_the_head(fresh: Engine) -> None:
    uow = UnitOfWork(fresh)
    write_rows(uow, 5)
    sql(fresh, "DELETE FROM audit_log WHERE seq >= 4")
    result = verdict(uow)
    assert result.first_break is not None
    assert result.first_break.kind is BreakKind.DELETED
    assert "positions 4 to 5 were deleted (at the end)" in result.first_break.message()


def _insert(engine: Engine, seq: int, prev: str, digest: str | None = None) -> int:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    content: dict[str, Any] = {
        "seq": seq,
        "at": at,
        "actor": "mallory",
        "actor_user_id": None,
        "action": "organisation.created",
        "target_type": None,
        "target_id": None,
        "via": "cli",
        "remote_addr": None,
        "details": None,
        "prev_digest": prev,
    }
    with engine.begin() as connection:
        connection.execute(
            AuditRow.__table__.insert().values(  # type: ignore[attr-defined]
                **content, digest=digest or chain.digest_of(**content)
            )
        )
        inserted = connection.execute(select(AuditRow.id).where(AuditRow.seq == seq)).scalar()
    assert inserted is not None
    return int(inserted)


def test_a_row_inserted_at_the_end_is_named_even_with_a_valid_digest(fresh: Engine) -> None:
    uow = UnitOfWork(fresh)
    write_rows(uow, 3)
    last = rows(uow)[-1]
    forged = _insert(fresh, 4, last.digest)
    result = verdict(uow)
    assert result.first_break is not None
    assert result.first_break.kind is BreakKind.INSERTED
    assert (result.first_break.row_id, result.first_break.seq) == (forged, 4)


def test_a_row_inserted_in_a_gap_is_named(fresh: Engine) -> None:
    uow = UnitOfWork(fresh)
    write_rows(uow, 4)
    gone = rows(uow)[1]
    sql(fresh, "DELETE FROM audit_log WHERE id = :id", id=gone.id)
    forged = _insert(fresh, 2, gone.prev_digest, digest="f" * 64)
    result = verdict(uow)
    assert result.first_break is not None
    assert result.first_break.kind is BreakKind.INSERTED
    assert result.first_break.row_id == forged


def test_without_its_head_the_chain_is_broken_and_writes_are_refused(fresh: Engine) -> None:
    uow = UnitOfWork(fresh)
    write_rows(uow, 2)
    sql(fresh, "DELETE FROM audit_chain_head")
    result = verdict(uow)
    assert result.first_break is not None
    assert result.first_break.kind is BreakKind.HEAD
    with pytest.raises(Conflict) as refused:
        write_rows(uow, 1)
    assert refused.value.code == "audit_chain_head_missing"
    assert len(rows(uow)) == 2


def test_concurrent_writers_never_fork_the_chain(fresh: Engine) -> None:
    """Eight threads commit audited writes at once; every row follows exactly one other."""
    uow = UnitOfWork(fresh)
    threads, per_thread = 8, 10
    start = threading.Barrier(threads)
    failures: list[BaseException] = []

    def writer() -> None:
        try:
            start.wait()
            for _ in range(per_thread):
                with uow() as session:
                    audit.record(session, SYSTEM, "test.concurrent")
                    audit.record(session, SYSTEM, "test.concurrent.second")
        except BaseException as exc:  # reported below
            failures.append(exc)

    workers = [threading.Thread(target=writer) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert failures == []
    chained = rows(uow)
    assert [r.seq for r in chained] == list(range(1, threads * per_thread * 2 + 1))
    assert len({r.prev_digest for r in chained}) == len(chained)  # no two rows share a parent
    # the two rows of one transaction are adjacent: transactions did not interleave
    for first, second in zip(chained[::2], chained[1::2], strict=True):
        assert (first.action, second.action) == ("test.concurrent", "test.concurrent.second")
    assert verdict(uow).ok
