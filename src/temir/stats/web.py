"""Pages of freight statistics, one router assembled from the sub-packages: the dashboard and
its exports (:mod:`temir.stats.volumes.web`), plan against actual
(:mod:`temir.stats.plans.web`) and the protocol (:mod:`temir.stats.protocol.web`).

Why one router: :mod:`temir.app` lists one web module per capability, so a page added to a
sub-package is mounted here and ``app.py`` never changes for it.
"""

from __future__ import annotations

from fastapi import APIRouter

from temir.kit.i18n import N_
from temir.stats.plans import web as plans_web
from temir.stats.protocol import web as protocol_web
from temir.stats.volumes import web as volumes_web
from temir.web import nav

router = APIRouter(include_in_schema=False)
for part in (volumes_web, plans_web, protocol_web):
    router.include_router(part.router)

nav.add("/stats", N_("Statistics"), 40)
