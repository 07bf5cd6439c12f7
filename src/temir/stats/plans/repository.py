"""All SQL of freight plans: read, replace and delete the cells of a year's plan."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.orm import Session

from temir.stats.plans.model import PlanCell
from temir.stats.tables import StatsPlanRow

P: Table = StatsPlanRow.__table__  # type: ignore[assignment]


def plan_cells(session: Session, year: int, a: str, b: str) -> list[PlanCell]:
    query = (
        select(P)
        .where(P.c.year == year, P.c.country_a == a, P.c.country_b == b)
        .order_by(P.c.direction, P.c.commodity_group, P.c.month)
    )
    return [
        PlanCell(
            year=r.year,
            country_a=r.country_a,
            country_b=r.country_b,
            direction=r.direction,
            commodity_group=r.commodity_group,
            month=r.month,
            tonnes=int(r.tonnes),
            basis=r.basis,
            synthetic=bool(r.synthetic),
        )
        for r in session.execute(query)
    ]


def put_plan_cells(session: Session, cells: Sequence[PlanCell], created_at: datetime) -> int:
    """Write cells, replacing any cell with the same year, pair, direction, group and month."""
    months: dict[tuple[int, str, str, str, str], list[int]] = {}
    for cell in cells:
        months.setdefault(cell.key[:5], []).append(cell.month)
    for (year, a, b, direction, group), chosen in months.items():
        session.execute(
            delete(P).where(
                P.c.year == year,
                P.c.country_a == a,
                P.c.country_b == b,
                P.c.direction == direction,
                P.c.commodity_group == group,
                P.c.month.in_(chosen),
            )
        )
    if cells:
        session.execute(
            insert(P),
            [
                {
                    "year": c.year,
                    "country_a": c.country_a,
                    "country_b": c.country_b,
                    "direction": c.direction,
                    "commodity_group": c.commodity_group,
                    "month": c.month,
                    "tonnes": c.tonnes,
                    "basis": c.basis,
                    "synthetic": c.synthetic,
                    "created_at": created_at,
                }
                for c in cells
            ],
        )
    return len(cells)


def delete_plan(session: Session, year: int, a: str, b: str) -> int:
    result = session.execute(
        delete(P).where(P.c.year == year, P.c.country_a == a, P.c.country_b == b)
    )
    return int(getattr(result, "rowcount", 0) or 0)
