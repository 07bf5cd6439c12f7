"""``/api/v1/stats/volumes``: volume reports as JSON.

Access decision: volumes are public reads. They are aggregates of the kind railways publish in
press releases (tonnes by direction, commodity, month); no consignment, shipper or station-level
detail leaves through this route.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from temir.kit.api import read_session
from temir.stats.volumes import service
from temir.stats.volumes.model import Breakdown, Direction

router = APIRouter()


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
