"""The FastAPI application: JSON API under /api/v1, server-rendered pages, vendored assets.

Each capability contributes an ``api.router`` (JSON) and, where it has pages, a ``web.router``;
they are listed here in one place.
"""

from __future__ import annotations

from fastapi import FastAPI

from temir import __version__
from temir.kit.api import install_error_handlers
from temir.kit.db import UnitOfWork, engine_for
from temir.kit.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    app = FastAPI(
        title="Temir",
        version=__version__,
        description="Interstate rail freight on the 1520 mm railways of Central Asia.",
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.uow = UnitOfWork(engine_for(settings.database_url))
    install_error_handlers(app)
    for router in _api_routers():
        app.include_router(router, prefix="/api/v1")
    return app


def _api_routers() -> list:  # type: ignore[type-arg]
    from temir.codes import api as codes_api
    from temir.network import api as network_api

    routers: list = []  # type: ignore[type-arg]
    routers.append(network_api.router)
    routers.append(codes_api.router)
    from temir.tariff import api as tariff_api

    routers.append(tariff_api.router)
    return routers
