"""``/api/v1/stats``: one router assembled from the sub-packages: volumes
(:mod:`temir.stats.volumes.api`), plans and the forecast (:mod:`temir.stats.plans.api`) and the
protocol (:mod:`temir.stats.protocol.api`).

Why one router: :mod:`temir.app` lists one API module per capability; the ``/stats`` prefix
and the OpenAPI tag are set here once, so the sub-packages' routes cannot drift apart.
"""

from __future__ import annotations

from fastapi import APIRouter

from temir.stats.plans import api as plans_api
from temir.stats.protocol import api as protocol_api
from temir.stats.volumes import api as volumes_api

router = APIRouter(prefix="/stats", tags=["statistics"])
for part in (volumes_api, plans_api, protocol_api):
    router.include_router(part.router)
