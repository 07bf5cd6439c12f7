"""Error pages for people: a browser that asks for a page gets a page, not a JSON body.

Why wrap the JSON handler instead of replacing it: API clients (anything under ``/api``, or
that does not accept ``text/html``) must keep getting ``{"error": {...}}`` exactly as before.
"""

from __future__ import annotations

import inspect

from fastapi import FastAPI, Request
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from temir.kit.i18n import N_
from temir.web.templating import render

NOT_HTML = ("/api/", "/static/", "/openapi.json", "/docs", "/redoc")

MESSAGES = {
    404: (N_("Page not found"), N_("There is no page at this address.")),
    405: (N_("Not allowed"), N_("This page cannot be used this way.")),
    401: (N_("Please log in"), N_("You need to log in to see this page.")),
    403: (N_("Not permitted"), N_("Your account does not have the right to see this page.")),
}


def wants_html(request: Request) -> bool:
    if request.url.path.startswith(NOT_HTML):
        return False
    return "text/html" in request.headers.get("accept", "")


def install(app: FastAPI) -> None:
    """Serve HTML error pages to browsers; delegate everything else to the JSON handler."""
    json_handler = app.exception_handlers[StarletteHTTPException]

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if not wants_html(request):
            response = json_handler(request, exc)
            return await response if inspect.isawaitable(response) else response
        title, text = MESSAGES.get(exc.status_code, (N_("Something went wrong"), ""))
        return render(
            request,
            "error.html",
            status_code=exc.status_code,
            status=exc.status_code,
            title=title,
            text=text,
        )

    app.add_exception_handler(StarletteHTTPException, http_error)
