"""Demo step: synthetic 2024–2025 consignments and a 2026 KZ–TJ plan seeded from the forecast.

Idempotent: facts numbered ``SYN<seed>-…`` already there are kept (the generator is
deterministic, so regenerating would write the very same rows); a 2026 plan already there —
seeded, entered or imported — is left alone. Both are labelled synthetic.
"""

from __future__ import annotations

from rich.console import Console
from sqlalchemy.orm import Session

from temir.accounts.model import Actor
from temir.demo.service import DemoTable, StepSummary, step
from temir.kit.i18n import N_
from temir.stats import repository, service

YEARS = (2024, 2025)
PLAN_YEAR = 2026
PAIR = ("KZ", "TJ")

CREATED = N_("created")
ALREADY_THERE = N_("already there")


@step("stats", N_("Synthetic freight statistics 2024–2025 and the 2026 plan"))
def demo_stats(session: Session, actor: Actor, seed: int, console: Console) -> StepSummary:
    summary = StepSummary("stats")
    table = DemoTable(N_("Demo statistics (synthetic)"), [N_("what"), N_("count"), N_("status")])
    facts = repository.count_synthetic(session, f"SYN{seed}-")
    if facts:
        summary.existing += 1
        table.rows.append(["consignments 2024–2025", str(facts), ALREADY_THERE])
    else:
        written = service.generate_synthetic(session, actor, seed, YEARS)
        summary.created += 1
        table.rows.append(["consignments 2024–2025", str(written), CREATED])
    cells = repository.plan_cells(session, PLAN_YEAR, *PAIR)
    if cells:
        summary.existing += 1
        table.rows.append([f"plan {PLAN_YEAR} KZ–TJ cells", str(len(cells)), ALREADY_THERE])
    else:
        session.flush()
        written = service.seed_plan_from_forecast(session, actor, PLAN_YEAR, *PAIR)
        summary.created += 1
        table.rows.append([f"plan {PLAN_YEAR} KZ–TJ cells (forecast)", str(written), CREATED])
    summary.tables.append(table)
    return summary
