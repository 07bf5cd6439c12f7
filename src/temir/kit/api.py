"""What every JSON route shares: the error shape, the user's language, the database session.

Errors always leave as ``{"error": {"code", "message", "field"}}`` with the HTTP status of the
error class — bad input is a 4xx with the field named, never a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from temir.kit import idempotency
from temir.kit.db import UnitOfWork
from temir.kit.errors import TemirError
from temir.kit.i18n import available_languages, normalise_language, translate

log = logging.getLogger("temir.api")


def request_language(request: Request) -> str:
    """``?lang=`` first, then the ``lang`` cookie, then Accept-Language."""
    explicit = request.query_params.get("lang") or request.cookies.get("lang")
    if explicit:
        return normalise_language(explicit)
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower().split("-")[0]
        if code in available_languages():
            return code
    return "en"


def error_body(code: str, message: str, field: str | None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message, "field": field}
    body.update(extra)
    return {"error": body}


def _field_of(loc: tuple[Any, ...] | list[Any]) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or None


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(TemirError)
    async def temir_error(request: Request, exc: TemirError) -> JSONResponse:
        return JSONResponse(
            exc.to_dict(request_language(request)), status_code=exc.status, headers=exc.headers()
        )

    @app.exception_handler(idempotency.Replay)
    async def replay(request: Request, exc: idempotency.Replay) -> Response:
        """A retried write: the first answer again, nothing done."""
        return Response(
            exc.body,
            status_code=exc.status,
            media_type=exc.content_type,
            headers={"Idempotent-Replayed": "true"},
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        lang = request_language(request)
        errors = exc.errors()
        problems = [
            {
                "code": "request." + str(e.get("type", "invalid")),
                "field": _field_of(e.get("loc", ())),
                "message": str(e.get("msg", "")),
            }
            for e in errors
        ]
        first = problems[0] if problems else {"field": None, "message": ""}
        message = translate(
            "Invalid input in {field}: {detail}",
            lang,
            field=first["field"] or "request",
            detail=first["message"],
        )
        return JSONResponse(
            error_body("invalid_request", message, first["field"], problems=problems),
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {
            404: "not_found",
            405: "method_not_allowed",
            401: "unauthenticated",
            403: "permission_denied",
        }.get(exc.status_code, "http_error")
        return JSONResponse(
            error_body(code, str(exc.detail), None),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(DataError)
    async def unstorable_value(request: Request, exc: DataError) -> JSONResponse:
        """The database refused a value the checks let through (a NUL character, a text longer
        than its column, a number out of the column's range: PostgreSQL is stricter than
        SQLite). That is bad input, not a server fault; the unit of work has rolled back."""
        log.warning(
            "value refused by the database on %s %s: %s", request.method, request.url.path, exc.orig
        )
        message = translate(
            "A value in the request cannot be stored or searched: it is too long, out of range "
            "or contains a NUL character.",
            request_language(request),
        )
        return JSONResponse(error_body("invalid_value", message, None), status_code=422)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        message = translate("Internal error. It has been logged.", request_language(request))
        return JSONResponse(error_body("internal_error", message, None), status_code=500)


def uow_of(request: Request) -> UnitOfWork:
    """The request's unit of work; its first write claims the request's Idempotency-Key."""
    uow: UnitOfWork = request.app.state.uow
    return idempotency.bind(uow, request.state)


def read_session(request: Request) -> Iterator[Session]:
    """A FastAPI dependency: a read-only session for GET routes."""
    with uow_of(request).read() as session:
        yield session


def upload_name(given: str | None, default: str) -> str:
    """The name of an uploaded file as it may be shown and audited: its last path part, without
    control characters, at most 200 characters; ``default`` when nothing is left."""
    from pathlib import PurePath

    from temir.kit.text import has_control_characters

    name = PurePath((given or "").replace("\\", "/")).name
    if has_control_characters(name):
        name = "".join(ch for ch in name if not has_control_characters(ch))
    return name[-200:] or default
