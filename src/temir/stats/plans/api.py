"""``/api/v1/stats/plans``, plan against actual and the forecast, as JSON.

Access decision: reads are public aggregates like the volumes. Writes change an agreed plan:
they need a railway operator (or an admin) and are audited by the service.
"""

from __future__ import annotations

import tempfile
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, UploadFile
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from temir.accounts.deps import require_role
from temir.accounts.model import Actor
from temir.kit.api import read_session, request_language, uow_of, upload_name
from temir.kit.contract import COUNTRY_PAIR, declared
from temir.kit.errors import ValidationFailed
from temir.kit.i18n import N_
from temir.stats.data import commodity_groups
from temir.stats.plans import service as plan_service
from temir.stats.plans.forecast import Z
from temir.stats.plans.imports import DIRECTIONS, MAX_TONNES

router = APIRouter()


def parse_between(between: str) -> tuple[str, str]:
    """``KZ,TJ`` (or ``KZ TJ``) as two upper-case codes; the protocol routes read it too."""
    parts = [p.strip() for p in between.replace(" ", ",").split(",") if p.strip()]
    if len(parts) != 2 or any(len(p) != 2 for p in parts):
        raise ValidationFailed(
            N_("Give two country codes, e.g. KZ,TJ."), code="stats.between", field="between"
        )
    return parts[0].upper(), parts[1].upper()


BETWEEN = Query(
    description="Two country codes, e.g. KZ,TJ", json_schema_extra=declared(pattern=COUNTRY_PAIR)
)
PlanWriter = Annotated[Actor, Depends(require_role(*plan_service.PLAN_WRITERS))]


@router.get("/plan-vs-actual")
def plan_vs_actual(
    session: Annotated[Session, Depends(read_session)],
    year: Annotated[int, Query(ge=1990, le=2100)],
    between: Annotated[str, BETWEEN] = "KZ,TJ",
) -> dict[str, Any]:
    """Plan against actual: tonnes and fulfilment % by direction, commodity group and month."""
    a, b = parse_between(between)
    return plan_service.plan_vs_actual(session, year, a, b).to_dict()


@router.get("/plans")
def plan(
    session: Annotated[Session, Depends(read_session)],
    year: Annotated[int, Query(ge=1990, le=2100)],
    between: Annotated[str, BETWEEN] = "KZ,TJ",
) -> dict[str, Any]:
    """The stored plan of a year, cell by cell (direction × commodity group × month)."""
    a, b = parse_between(between)
    cells = plan_service.plan_cells(session, year, a, b)
    return {"year": year, "between": [a, b], "cells": [c.to_dict() for c in cells]}


class PlanEntry(BaseModel):
    year: int = Field(ge=1990, le=2100)
    between: str = Field("KZ,TJ", json_schema_extra=declared(pattern=COUNTRY_PAIR))
    direction: str = Field(json_schema_extra=declared(enum=DIRECTIONS))
    commodity_group: str = Field(json_schema_extra=declared(enum=list(commodity_groups())))
    tonnes: int = Field(ge=0, json_schema_extra={"maximum": MAX_TONNES})
    month: int | None = Field(None, ge=1, le=12, description="Without it: the year, spread.")


@router.put("/plans")
def set_plan(request: Request, entry: PlanEntry, actor: PlanWriter) -> dict[str, Any]:
    """Enter a plan figure (railway operators, admins); replaces the same cells; audited."""
    a, b = parse_between(entry.between)
    with uow_of(request)() as session:
        cells = plan_service.set_plan(
            session,
            actor,
            entry.year,
            a,
            b,
            entry.direction,
            entry.commodity_group,
            entry.tonnes,
            entry.month,
        )
    return {"written": len(cells), "cells": [c.to_dict() for c in cells]}


@router.post("/plans/import")
async def import_plan(request: Request, file: UploadFile, actor: PlanWriter) -> dict[str, Any]:
    """Import a plan file (CSV/XLSX), all rows or none; railway operators, admins; audited."""
    name = upload_name(file.filename, "plan.csv")
    with tempfile.TemporaryDirectory() as tmp:
        # stored under a name of our own: the client's may be empty, too long or hold a NUL
        path = FilePath(tmp) / ("upload" + FilePath(name).suffix.lower()[:10])
        path.write_bytes(await file.read())
        with uow_of(request)() as session:
            written = plan_service.import_plan_file(session, actor, path, name)
    return {"written": written, "file": name}


@router.post("/plans/seed-from-forecast")
def seed_plan(
    request: Request,
    actor: PlanWriter,
    year: Annotated[int, Query(ge=1990, le=2100)],
    between: Annotated[str, BETWEEN] = "KZ,TJ",
    replace: bool = False,
) -> dict[str, Any]:
    """Start a year's plan from the forecast (basis "forecast"); audited."""
    a, b = parse_between(between)
    with uow_of(request)() as session:
        written = plan_service.seed_plan_from_forecast(session, actor, year, a, b, replace)
    return {"written": written, "year": year, "basis": "forecast"}


@router.get("/forecast")
def forecast(
    request: Request,
    session: Annotated[Session, Depends(read_session)],
    year: Annotated[int, Query(ge=1990, le=2100)],
    between: Annotated[str, BETWEEN] = "KZ,TJ",
    level: Annotated[float, Query(json_schema_extra={"enum": sorted(Z)})] = 0.8,
) -> dict[str, Any]:
    """Forecast per month and commodity group with an interval and the back-test error."""
    a, b = parse_between(between)
    return plan_service.forecast_year(session, year, a, b, level).to_dict(request_language(request))
