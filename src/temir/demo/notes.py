"""Demo step: a few synthetic SMGS notes in every state, signed with the demo organisations' keys.

Every note starts from the shipped example (synthetic parties, real station and cargo codes),
with the masses varied from the seed, and goes through the real lifecycle steps as the demo
users — the grain shipper drafts and submits, KZH accepts, each railway hands over at its
border, TDZ records arrival and delivery — so the history, versions and signatures are those
the store itself writes. The consignor's declarations say "synthetic demo note".

Idempotent: when the demo shipper's organisation already has notes, nothing is added.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from temir.accounts import repository as accounts_repository
from temir.accounts import service as accounts_service
from temir.accounts.model import Actor, Channel
from temir.demo.service import DemoContext, DemoTable, StepSummary, step
from temir.kit.i18n import N_
from temir.notes import lifecycle
from temir.notes.example import example_note
from temir.notes.store import service
from temir.notes.store.tables import NoteRow
from temir.tracking import acts

SHIPPER, KZH, UTI, TDZ = "demo-shipper", "demo-kzh", "demo-uti", "demo-tdz"
SHIPPER_ORG = "demo-kostanay-grain"

Plan = list[str]
PLANS: tuple[tuple[str, Plan], ...] = (
    ("draft", []),
    ("submitted", ["submit"]),
    ("refused", ["submit", "refuse"]),
    ("accepted", ["submit", "accept", "sign:shipper"]),
    ("corrected", ["submit", "accept", "correct"]),
    ("in transit", ["submit", "accept", "handover:kzh"]),
    ("delivered", ["submit", "accept", "handover:kzh", "handover:uti", "arrive", "deliver"]),
)
"""Each step that makes a version is signed by its maker as it is taken; "sign:shipper" is
the consignor countersigning the accepted version. A handover is an act the railway in custody
offers and the next one accepts (:mod:`temir.tracking.acts`)."""


def _document(rng: random.Random, index: int) -> dict[str, object]:
    note = lifecycle.draft_of(example_note())
    masses = [rng.randrange(60_000, 70_001, 50) for _ in note.goods]
    goods = [g.model_copy(update={"mass_kg": m}) for g, m in zip(note.goods, masses, strict=True)]
    note = note.model_copy(
        update={
            "goods": goods,
            "goods_total_mass_kg": sum(masses),
            "consignor_declarations": f"Синтетическая демо-накладная № {index} (synthetic demo).",
        }
    )
    data: dict[str, object] = note.model_dump(mode="json", exclude_none=True)
    return data


@step("notes", N_("Demo SMGS notes, signed (synthetic)"))
def demo_notes(session: Session, actor: Actor, context: DemoContext) -> StepSummary:
    seed = context.seed
    summary = StepSummary("notes")
    table = DemoTable(N_("Demo SMGS notes (synthetic)"), [N_("note"), N_("state"), N_("status")])
    org = accounts_repository.organisation_row(session, SHIPPER_ORG)
    if org is None or accounts_repository.user_row(session, SHIPPER) is None:
        return summary
    existing = session.scalar(
        select(func.count()).select_from(NoteRow).where(NoteRow.consignor_org_id == org.id)
    )
    if existing:
        summary.existing = int(existing)
        return summary
    secret = context.secret_key
    users = {
        name: accounts_service.actor_for(session, name, Channel.SYSTEM)
        for name in (SHIPPER, KZH, UTI, TDZ)
    }
    rng = random.Random(seed)  # noqa: S311 - reproducible demo masses, not a secret
    for index, (state, plan) in enumerate(PLANS, start=1):
        detail = service.create_note(session, users[SHIPPER], _document(rng, index), secret=secret)
        note_id = detail.summary.id
        for move in plan:
            _steps(session, users, secret, note_id, index)[move]()
        summary.created += 1
        table.rows.append([note_id, state, N_("created")])
    summary.tables.append(table)
    return summary


def hand_over(
    session: Session, outgoing: Actor, incoming: Actor, note_id: str, secret: str
) -> object:
    """The outgoing railway offers the handover act, the incoming one accepts it (both sign)."""
    act = acts.offer(session, outgoing, note_id, secret=secret)
    return acts.accept(session, incoming, act.act_id, secret=secret)


def _steps(
    session: Session, users: dict[str, Actor], secret: str, note_id: str, index: int
) -> dict[str, Callable[[], object]]:
    def signer(name: str) -> Callable[[], object]:
        return lambda: service.sign(session, users[name], note_id, secret=secret)

    return {
        "submit": lambda: service.submit(session, users[SHIPPER], note_id),
        "refuse": lambda: service.refuse(
            session, users[KZH], note_id, reason="Демо: нет свободных вагонов (synthetic)."
        ),
        "accept": lambda: service.accept(
            session, users[KZH], note_id, consignment_number=f"DEMO{index:05d}", secret=secret
        ),
        "correct": lambda: service.correct(
            session,
            users[KZH],
            note_id,
            changes={"carrier_remarks": ["Демо: исправлена отметка перевозчика (synthetic)."]},
            reason="demo correction",
            secret=secret,
        ),
        "handover:kzh": lambda: hand_over(session, users[KZH], users[UTI], note_id, secret),
        "handover:uti": lambda: hand_over(session, users[UTI], users[TDZ], note_id, secret),
        "arrive": lambda: service.arrive(session, users[TDZ], note_id, secret=secret),
        "deliver": lambda: service.deliver(
            session, users[TDZ], note_id, received_by="Ф. Раҳимов (synthetic)", secret=secret
        ),
        "sign:shipper": signer(SHIPPER),
        "sign:kzh": signer(KZH),
        "sign:uti": signer(UTI),
        "sign:tdz": signer(TDZ),
    }
