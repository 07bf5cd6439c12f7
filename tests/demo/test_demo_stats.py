"""The statistics demo step: facts and the 2026 plan once, then nothing new (both backends)."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from rich.console import Console
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from temir.accounts.model import Actor
from temir.demo import service as demo
from temir.kit import migrate
from temir.kit.db import UnitOfWork, make_engine
from temir.stats.plans import service as plan_service
from temir.stats.protocol import service as protocol_service
from temir.stats.tables import ShipmentFactRow, StatsPlanRow
from temir.stats.volumes import service
from tests.conftest import fresh_database_url, worker_suffix


@pytest.fixture(scope="module")
def demo_uow(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[UnitOfWork]:
    url = fresh_database_url(
        backend, f"temir_stats_demo_{worker_suffix()}", tmp_path_factory.mktemp("stats-demo")
    )
    engine: Engine = make_engine(url)
    migrate.upgrade(engine)
    yield UnitOfWork(engine)
    engine.dispose()


def counts(uow: UnitOfWork) -> tuple[int, int, int]:
    with uow.read() as session:
        return (
            int(session.scalar(select(func.count()).select_from(ShipmentFactRow)) or 0),
            int(session.scalar(select(func.count()).select_from(StatsPlanRow)) or 0),
            int(session.scalar(select(func.sum(StatsPlanRow.tonnes))) or 0),
        )


def test_the_stats_step_is_idempotent_and_seeds_the_2026_plan(demo_uow: UnitOfWork) -> None:
    actor = Actor.system("tests")
    quiet = Console(file=io.StringIO())
    [first] = demo.run(demo_uow, actor, seed=5, console=quiet, only=["stats"])
    # facts, plan, protocol (unsigned: without the accounts step there are no demo railways)
    assert (first.created, first.existing) == (3, 0)
    facts, cells, planned = counts(demo_uow)
    assert facts > 10_000
    assert cells > 0
    [again] = demo.run(demo_uow, actor, seed=5, console=quiet, only=["stats"])
    assert (again.created, again.existing) == (0, 3)
    assert counts(demo_uow) == (facts, cells, planned)
    with demo_uow.read() as session:
        volumes = service.volumes(session, 2025, "KZ", "TJ")
        plan = plan_service.plan_cells(session, 2026, "KZ", "TJ")
    assert volumes.total.tonnes == 5_900_000
    assert volumes.synthetic_included
    assert {c.basis for c in plan} == {"forecast"}
    with demo_uow.read() as session:
        assert protocol_service.get_protocol(session, "2025-KZ-TJ").signed_by == []
    assert all(c.synthetic for c in plan)
