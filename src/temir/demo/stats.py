"""Demo step: synthetic 2024–2025 consignments, a 2026 KZ–TJ plan seeded from the forecast,
and the signed protocol "KZH–TDZ results of 2025 and plans for 2026".

Idempotent: facts numbered ``SYN<seed>-…`` already there are kept (the generator is
deterministic, so regenerating would write the very same rows); a 2026 plan already there —
seeded, entered or imported — is left alone; so is the protocol, and a party that has signed it
does not sign again. All are labelled synthetic. The protocol is signed by the demo KZH and TDZ
operators with their organisations' keys (as they sign notes).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from temir.accounts import repository as accounts_repository
from temir.accounts import service as accounts_service
from temir.accounts.model import Actor, Channel
from temir.demo.service import DemoContext, DemoTable, StepSummary, step
from temir.kit.i18n import N_
from temir.stats.plans import repository as plan_repository
from temir.stats.plans import service as plan_service
from temir.stats.protocol import repository as protocol_repository
from temir.stats.protocol import service as protocol_service
from temir.stats.volumes import repository as volumes_repository
from temir.stats.volumes import service as volumes_service

YEARS = (2024, 2025)
PLAN_YEAR = 2026
PAIR = ("KZ", "TJ")
PROTOCOL_YEAR = 2025
SIGNERS = ("demo-kzh", "demo-tdz")  # railway operators of the demo KZH and TDZ organisations
PROTOCOL_NOTES = (
    "Синтетические демонстрационные данные (synthetic demo data): не опубликованные цифры "
    "перевозок, а их воспроизведение генератором Temir.",
    "Стороны отмечают рост перевозок между Казахстаном и Таджикистаном в 2025 году на 15,1 % "
    "и экспорта из Казахстана на 7,6 %.",
    "План на 2026 год принят по прогнозу сезонной модели (synthetic).",
)

CREATED = N_("created")
ALREADY_THERE = N_("already there")


@step("stats", N_("Synthetic freight statistics 2024–2025 and the 2026 plan"))
def demo_stats(session: Session, actor: Actor, context: DemoContext) -> StepSummary:
    seed = context.seed
    summary = StepSummary("stats")
    table = DemoTable(N_("Demo statistics (synthetic)"), [N_("what"), N_("count"), N_("status")])
    facts = volumes_repository.count_synthetic(session, f"SYN{seed}-")
    if facts:
        summary.existing += 1
        table.rows.append(["consignments 2024–2025", str(facts), ALREADY_THERE])
    else:
        written = volumes_service.generate_synthetic(session, actor, seed, YEARS)
        summary.created += 1
        table.rows.append(["consignments 2024–2025", str(written), CREATED])
    cells = plan_repository.plan_cells(session, PLAN_YEAR, *PAIR)
    if cells:
        summary.existing += 1
        table.rows.append([f"plan {PLAN_YEAR} KZ–TJ cells", str(len(cells)), ALREADY_THERE])
    else:
        session.flush()
        written = plan_service.seed_plan_from_forecast(session, actor, PLAN_YEAR, *PAIR)
        summary.created += 1
        table.rows.append([f"plan {PLAN_YEAR} KZ–TJ cells (forecast)", str(written), CREATED])
    _protocol(session, actor, summary, table, context.secret_key)
    summary.tables.append(table)
    return summary


def _protocol(
    session: Session, actor: Actor, summary: StepSummary, table: DemoTable, secret: str
) -> None:
    """The 2025 KZ–TJ protocol, drawn up once and signed by each demo railway once."""
    pid = protocol_service.protocol_ref(PROTOCOL_YEAR, *PAIR)
    label = f"protocol {pid} (KZH–TDZ)"
    if protocol_repository.protocol_row(session, pid) is None:
        session.flush()
        protocol_service.create_protocol(
            session, actor, PROTOCOL_YEAR, *PAIR, notes=PROTOCOL_NOTES, place="Astana (demo)",
            date="2026-02-17",
        )  # fmt: skip
        summary.created += 1
        table.rows.append([label, "1", CREATED])
    else:
        summary.existing += 1
        table.rows.append([label, "1", ALREADY_THERE])
    signed = set(protocol_service.get_protocol(session, pid).signed_by)
    for username in SIGNERS:
        if accounts_repository.user_row(session, username) is None:
            continue  # the accounts step did not run: the protocol stays unsigned
        signer = accounts_service.actor_for(session, username, Channel.SYSTEM)
        party = {"demo-kzh": "KZH", "demo-tdz": "TDZ"}[username]
        if party in signed:
            summary.existing += 1
            table.rows.append([f"signature {party}", "1", ALREADY_THERE])
            continue
        protocol_service.sign_protocol(session, signer, pid, secret=secret)
        summary.created += 1
        table.rows.append([f"signature {party}", "1", CREATED])
