"""The demo's KZH–TDZ protocol of 2025 results and 2026 plans: signed by both demo railways
with their organisation keys, labelled synthetic, made once."""

from __future__ import annotations

import io

from rich.console import Console
from sqlalchemy import func, select

from temir.accounts.model import Actor, Channel
from temir.accounts.tables import AuditRow
from temir.demo import service
from temir.kit.db import UnitOfWork
from temir.stats.protocol import service as protocol_service
from temir.stats.tables import StatsProtocolRow, StatsProtocolSignatureRow

ACTOR = Actor.system("cli:tests", Channel.CLI)


def quiet() -> Console:
    return Console(file=io.StringIO(), width=120)


def test_the_demo_draws_up_and_signs_the_2025_protocol_once(uow: UnitOfWork) -> None:
    service.run(uow, ACTOR, console=quiet(), only=["accounts", "stats"])
    with uow() as session:
        stored = protocol_service.get_protocol(session, "2025-KZ-TJ")
        verdict = protocol_service.verify_protocol(session, ACTOR, "2025-KZ-TJ")
    content = stored.content
    assert content["parties"] == ["KZH", "TDZ"]
    assert (content["year"], content["plan_year"]) == (2025, 2026)
    assert content["synthetic"] is True
    assert any("synthetic" in note for note in content["notes"])
    assert content["results"]["total"]["tonnes"] == 5_900_000
    assert verdict.valid
    assert [(p.party, p.signer) for p in verdict.parties] == [
        ("KZH", "demo-kzh"),
        ("TDZ", "demo-tdz"),
    ]

    def counts() -> tuple[int, int, int]:
        with uow.read() as session:
            return (
                session.scalar(select(func.count()).select_from(StatsProtocolRow)) or 0,
                session.scalar(select(func.count()).select_from(StatsProtocolSignatureRow)) or 0,
                session.scalar(
                    select(func.count())
                    .select_from(AuditRow)
                    .where(AuditRow.action == "stats.protocol.sign")
                )
                or 0,
            )

    before = counts()
    assert before == (1, 2, 2)
    again = service.run(uow, ACTOR, console=quiet(), only=["stats"])
    assert again[0].created == 0
    assert counts() == before
