"""``/api/v1/stats``: volume reports as JSON.

Access decision: volumes are public reads. They are aggregates of the kind railways publish in
press releases (tonnes by direction, commodity, month); no consignment, shipper or station-level
detail leaves through this route. Writes of plans need a railway operator or an admin.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, UploadFile
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from temir.accounts.deps import require_role
from temir.accounts.model import Actor
from temir.kit.api import read_session, request_language, uow_of
from temir.kit.errors import ValidationFailed
from temir.kit.i18n import N_
from temir.stats import service
from temir.stats.model import Breakdown, Direction

router = APIRouter(prefix="/stats", tags=["statistics"])


@router.get("/volumes")
def volumes(
    session: Annotated[Session, Depends(read_session)],
    year: Annotated[int, Query(ge=1990, le=2100)],
    a: Annotated[str, Query(min_length=2, max_length=2, description="Country A (e.g. KZ)")] = "KZ",
    b: Annotated[str, Query(min_length=2, max_length=2, description="Country B (e.g. TJ)")] = "TJ",
    by: Breakdown = Breakdown.TOTAL,
    commodity: str | None = None,
    direction: Direction | None = None,
) -> dict[str, Any]:
    """Tonnes (and Mt), wagons, last year and the change in % of A–B traffic."""
    return service.volumes(session, year, a, b, by, commodity, direction=direction).to_dict()


# --- plans and forecast ---------------------------------------------------------------------
#
# Reads are public aggregates like the volumes above. Writes change an agreed plan: they need a
# railway operator (or an admin) and are audited by the service.


def _between(between: str) -> tuple[str, str]:
    parts = [p.strip() for p in between.replace(" ", ",").split(",") if p.strip()]
    if len(parts) != 2 or any(len(p) != 2 for p in parts):
        raise ValidationFailed(
            N_("Give two country codes, e.g. KZ,TJ."), code="stats.between", field="between"
        )
    return parts[0].upper(), parts[1].upper()


BETWEEN = Query(description="Two country codes, e.g. KZ,TJ")
PlanWriter = Annotated[Actor, Depends(require_role(*service.PLAN_WRITERS))]


@router.get("/plan-vs-actual")
def plan_vs_actual(
    session: Annotated[Session, Depends(read_session)],
    year: Annotated[int, Query(ge=1990, le=2100)],
    between: Annotated[str, BETWEEN] = "KZ,TJ",
) -> dict[str, Any]:
    """Plan against actual: tonnes and fulfilment % by direction, commodity group and month."""
    a, b = _between(between)
    return service.plan_vs_actual(session, year, a, b).to_dict()


@router.get("/plans")
def plan(
    session: Annotated[Session, Depends(read_session)],
    year: Annotated[int, Query(ge=1990, le=2100)],
    between: Annotated[str, BETWEEN] = "KZ,TJ",
) -> dict[str, Any]:
    """The stored plan of a year, cell by cell (direction × commodity group × month)."""
    a, b = _between(between)
    cells = service.plan_cells(session, year, a, b)
    return {"year": year, "between": [a, b], "cells": [c.to_dict() for c in cells]}


class PlanEntry(BaseModel):
    year: int = Field(ge=1990, le=2100)
    between: str = "KZ,TJ"
    direction: str
    commodity_group: str
    tonnes: int = Field(ge=0)
    month: int | None = Field(None, ge=1, le=12, description="Without it: the year, spread.")


@router.put("/plans")
def set_plan(request: Request, entry: PlanEntry, actor: PlanWriter) -> dict[str, Any]:
    """Enter a plan figure (railway operators, admins); replaces the same cells; audited."""
    a, b = _between(entry.between)
    with uow_of(request)() as session:
        cells = service.set_plan(
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
    name = Path(file.filename or "plan.csv").name
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(await file.read())
        with uow_of(request)() as session:
            written = service.import_plan_file(session, actor, path)
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
    a, b = _between(between)
    with uow_of(request)() as session:
        written = service.seed_plan_from_forecast(session, actor, year, a, b, replace)
    return {"written": written, "year": year, "basis": "forecast"}


@router.get("/forecast")
def forecast(
    request: Request,
    session: Annotated[Session, Depends(read_session)],
    year: Annotated[int, Query(ge=1990, le=2100)],
    between: Annotated[str, BETWEEN] = "KZ,TJ",
    level: float = 0.8,
) -> dict[str, Any]:
    """Forecast per month and commodity group with an interval and the back-test error."""
    a, b = _between(between)
    return service.forecast_year(session, year, a, b, level).to_dict(request_language(request))


# --- protocols (reads) ----------------------------------------------------------------------
#
# Signed protocols are agreements between railways at the level of the published aggregates;
# reads are public like the volumes. Creating and signing is done with the CLI, where each
# railway holds its own key.

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/protocols")
def protocols(
    session: Annotated[Session, Depends(read_session)],
    year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
) -> list[dict[str, Any]]:
    """Stored protocols (results of N, plans for N+1) and who has signed them."""
    return service.list_protocols(session, year)


@router.get("/protocols/{year}")
def protocol(
    session: Annotated[Session, Depends(read_session)],
    year: int,
    between: Annotated[str, BETWEEN] = "KZ,TJ",
) -> dict[str, Any]:
    """A protocol: the signed content (figures, plan, notes), its digest and signatures."""
    a, b = _between(between)
    return service.get_protocol(session, year, a, b).to_dict()


@router.get("/protocols/{year}/verify")
def protocol_verify(
    request: Request,
    session: Annotated[Session, Depends(read_session)],
    year: int,
    between: Annotated[str, BETWEEN] = "KZ,TJ",
) -> dict[str, Any]:
    """Both signatures against the stored content and the keys presented when signing
    (``trusted_keys: false``: proves the protocol is unchanged, not who signed)."""
    a, b = _between(between)
    return service.verify_protocol(session, year, a, b).to_dict(request_language(request))


@router.get("/protocols/{year}/pdf")
def protocol_pdf(
    request: Request,
    session: Annotated[Session, Depends(read_session)],
    year: int,
    between: Annotated[str, BETWEEN] = "KZ,TJ",
) -> Response:
    """The protocol as PDF (``?lang=ru`` or ``en``)."""
    a, b = _between(between)
    lang = request_language(request)
    payload = service.protocol_pdf(session, year, a, b, lang)
    name = f"protocol-{year}-{a}-{b}-{lang}.pdf"
    return Response(
        payload,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@router.get("/protocols/{year}/xlsx")
def protocol_xlsx(
    request: Request,
    session: Annotated[Session, Depends(read_session)],
    year: int,
    between: Annotated[str, BETWEEN] = "KZ,TJ",
) -> Response:
    """The protocol as XLSX (sheets results, plan, notes)."""
    a, b = _between(between)
    lang = request_language(request)
    payload = service.protocol_xlsx(session, year, a, b, lang)
    name = f"protocol-{year}-{a}-{b}-{lang}.xlsx"
    return Response(
        payload,
        media_type=XLSX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/protocol-check")
def protocol_check(
    session: Annotated[Session, Depends(read_session)],
    year: Annotated[int, Query(ge=1990, le=2100, description="Plan year (N+1) to check.")],
    between: Annotated[str, BETWEEN] = "KZ,TJ",
) -> dict[str, Any]:
    """A year's actuals against the plan signed in the protocol of the year before."""
    a, b = _between(between)
    return service.check_protocol(session, year, a, b).to_dict()
