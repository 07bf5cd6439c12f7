"""The FastAPI application: JSON API under /api/v1, server-rendered pages, vendored assets.

Each capability contributes an ``api.router`` (JSON) and, where it has pages, a ``web.router``;
they are listed here in one place.
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRouter
from fastapi.staticfiles import StaticFiles

from temir import __version__, wiring
from temir.accounts.middleware import SessionMiddleware
from temir.kit.api import install_error_handlers
from temir.kit.db import UnitOfWork, engine_for
from temir.kit.settings import Settings
from temir.web.errors import install as install_html_error_pages
from temir.web.headers import SecurityHeadersMiddleware
from temir.web.idempotency import IdempotencyMiddleware

STATIC = Path(__file__).resolve().parent / "web" / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = (settings or Settings.from_env()).with_secret()
    threads = settings.threads

    wiring.install()  # writes reach their listeners (webhooks' outbox) in their transaction

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # request handlers run in this many threads; the database pool is sized to match
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        await anyio.to_thread.run_sync(_warm_up, app.state.uow)
        worker = _webhook_worker(app, settings)
        stop = _start_exchange_worker(settings, app.state.uow)
        try:
            yield
        finally:
            if worker is not None:
                worker.stop()
            if stop is not None:
                stop.set()

    app = FastAPI(
        lifespan=lifespan,
        title="Temir",
        version=__version__,
        description="Interstate rail freight on the 1520 mm railways of Central Asia.",
        docs_url=None,  # served below with vendored Swagger UI: no CDN
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.uow = UnitOfWork(engine_for(settings.database_url, settings.threads))
    _install_exchange_outbox(settings)
    install_error_handlers(app)
    install_html_error_pages(app)
    from temir.network.api import StationsFastPath
    from temir.tariff.api import QuotesFastPath

    app.add_middleware(StationsFastPath)  # a plain station search answered from the index
    app.add_middleware(QuotesFastPath)  # a plain quote question read before FastAPI routes it
    app.add_middleware(IdempotencyMiddleware)  # Idempotency-Key: a retried write is not redone
    app.add_middleware(SessionMiddleware)  # request.state.user; CSRF check for cookie writes
    app.add_middleware(SecurityHeadersMiddleware)  # CSP, nosniff, no framing, referrer policy
    for router in _api_routers():
        app.include_router(router, prefix="/api/v1")
    for router in _web_routers():
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _serve_api_docs(app)
    _contract(app)
    return app


def _contract(app: FastAPI) -> None:
    """The OpenAPI contract with the bodies that routes read themselves (a note; JSON lines)."""
    from temir.notes.model import Note
    from temir.web import openapi

    def note_schema(ref_template: str) -> dict[str, Any]:
        return Note.model_json_schema(ref_template=ref_template, mode="validation")

    note = (("application/json",), {"$ref": "#/components/schemas/Note"})
    lines = (("application/x-ndjson", "text/plain"), {"type": "string"})
    bodies = {
        ("post", "/api/v1/notes"): note,
        ("put", "/api/v1/notes/{note_id}"): note,
        ("post", "/api/v1/notes/validate"): note,
        ("post", "/api/v1/notes/import"): lines,
        ("post", "/api/v1/tracking/events/batch"): lines,
    }
    openapi.install(app, bodies, openapi.component_schemas("Note_", note_schema))


def _warm_up(uow: UnitOfWork) -> None:
    """Build the route engine and the station index and read the rate tables before the first
    request, not during it.

    Each worker process builds them once (half a second, several seconds on a busy machine);
    without this the first quotes of every worker waited for it, all queued behind one lock.
    A database that is not ready yet is left alone: the first request reports it as before.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from temir.network.provider import network_for
    from temir.network.station_index import index_for
    from temir.tariff.service import rate_tables

    try:
        with uow.read() as session:
            network_for(session)
            index_for(session)
            rate_tables(session)
    except SQLAlchemyError:
        return


def _webhook_worker(app: FastAPI, settings: Settings) -> Any:
    """The webhook delivery worker as a thread of this process, when the settings ask."""
    if not settings.webhook_worker:
        return None
    from temir.webhooks.delivery import Worker

    worker = Worker(app.state.uow, settings.secret_key)
    worker.start()
    return worker


def _install_exchange_outbox(settings: Settings) -> None:
    """Changes of shared notes write their envelopes to peers in the same transaction."""
    from temir.exchange import outbox

    outbox.install(lambda: settings.secret_key)


def _start_exchange_worker(settings: Settings, uow: UnitOfWork) -> threading.Event | None:
    """The delivery worker as a thread of ``temir serve``: ``TEMIR_EXCHANGE_WORKER`` ``auto``
    (default: when this node has peers), ``1`` always, ``0`` never (run ``temir exchange
    worker`` beside it instead)."""
    from temir.exchange import worker

    wanted = os.environ.get("TEMIR_EXCHANGE_WORKER", "auto").strip().lower()
    if wanted in ("0", "no", "off") or (wanted == "auto" and not worker.has_peers(uow)):
        return None
    interval = float(os.environ.get("TEMIR_EXCHANGE_INTERVAL", "0.5"))
    return worker.start_thread(uow, settings.secret_key, interval)


def _serve_api_docs(app: FastAPI) -> None:
    """/docs with the vendored Swagger UI: railway networks are often closed, so no CDN."""

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Temir API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/vendor/swagger-ui/favicon-32x32.png",
        )


# One line per capability; each module has a ``router``.
API_MODULES = (
    "temir.accounts.api",
    "temir.network.api",
    "temir.codes.api",
    "temir.stats.api",
    "temir.network.routes.api",
    "temir.tariff.api",
    "temir.notes.api",
    "temir.signing.api",
    "temir.tracking.api",
    "temir.webhooks.api",
    "temir.exchange.api",
)
WEB_MODULES = (
    "temir.web.pages",
    "temir.accounts.web",
    "temir.accounts.admin_web",
    "temir.network.web",
    "temir.tariff.web",
    "temir.stats.web",
    "temir.notes.web",
    "temir.tracking.web",
    "temir.webhooks.web",
    "temir.exchange.web",
)


def _routers(modules: tuple[str, ...]) -> list[APIRouter]:
    routers: list[APIRouter] = []
    for name in modules:
        router = importlib.import_module(name).router
        assert isinstance(router, APIRouter), name
        routers.append(router)
    return routers


def _api_routers() -> list[APIRouter]:
    """JSON routes, mounted under /api/v1."""
    return _routers(API_MODULES)


def _web_routers() -> list[APIRouter]:
    """Pages (server-rendered HTML)."""
    return _routers(WEB_MODULES)
