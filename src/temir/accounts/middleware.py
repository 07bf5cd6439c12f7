"""The session middleware: who is this browser, and did this write come from our own page?

For every request (but static files) it looks up the session cookie and puts the user on
``request.state`` (``user``, ``csrf_token``, ``web_session``) so pages and dependencies can
use it. Then, because a browser sends cookies with cross-site requests too, it refuses an
unsafe method (POST, PUT, PATCH, DELETE) that rides on a session cookie unless it carries the
session's CSRF token in the ``X-CSRF-Token`` header (htmx, scripts) or a ``csrf_token`` form
field (plain forms): 403 ``csrf_failed``. Requests with an ``Authorization`` header do not
use the cookie at all (no user is put on ``request.state``) and need no CSRF token.
``/login`` has no session yet and checks its own double-submit token.
"""

from __future__ import annotations

import hmac
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from temir.accounts import rules, service
from temir.accounts.deps import set_idempotency_owner
from temir.accounts.model import Channel, WebSession
from temir.kit.api import error_body, request_language
from temir.kit.db import UnitOfWork
from temir.kit.i18n import N_, translate

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_EXEMPT_PATHS = frozenset({"/login"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
MAX_FORM_BYTES = 10 * 1024 * 1024


class SessionMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        request.state.user = None
        request.state.csrf_token = ""
        request.state.web_session = None
        cookie = request.cookies.get(rules.SESSION_COOKIE)
        web: WebSession | None = None
        # A request with an Authorization header is authenticated by it alone (see deps): its
        # cookie is not looked at, so no route can act on the cookie without the CSRF check.
        if cookie and "authorization" not in request.headers:
            uow: UnitOfWork = scope["app"].state.uow
            web = await run_in_threadpool(_lookup, uow, cookie)
        if web is not None:
            request.state.user = web.user
            request.state.csrf_token = web.csrf_token
            request.state.web_session = web
            set_idempotency_owner(request.state, web.user.actor(Channel.WEB))
            if _needs_csrf(request):
                presented, receive = await _presented_csrf_token(scope, receive, request)
                if not presented or not hmac.compare_digest(presented, web.csrf_token):
                    await _csrf_failed(request)(scope, receive, send)
                    return
        await self.app(scope, receive, send)


def _lookup(uow: UnitOfWork, cookie: str) -> WebSession | None:
    with uow.read() as session:
        return service.web_session(session, cookie)


def _needs_csrf(request: Request) -> bool:
    return (
        request.method in UNSAFE_METHODS
        and "authorization" not in request.headers
        and request.url.path not in CSRF_EXEMPT_PATHS
    )


async def _presented_csrf_token(
    scope: Scope, receive: Receive, request: Request
) -> tuple[str | None, Receive]:
    """The token from the header, else from the form body — which is then replayed downstream."""
    header = request.headers.get("x-csrf-token")
    if header:
        return header, receive
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(FORM_TYPES):
        return None, receive
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        body += message.get("body", b"")
        if len(body) > MAX_FORM_BYTES or not message.get("more_body", False):
            break
    if len(body) > MAX_FORM_BYTES:
        return None, _replaying(bytes(body), receive)
    try:
        form = await Request(scope, _replaying(bytes(body), receive)).form()
    except Exception:  # a malformed form carries no token; the route reports the bad body
        return None, _replaying(bytes(body), receive)
    value = form.get("csrf_token")
    await form.close()
    return (value if isinstance(value, str) else None), _replaying(bytes(body), receive)


def _replaying(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _csrf_failed(request: Request) -> JSONResponse:
    message = translate(
        N_("This form has expired or did not come from Temir. Reload the page and try again."),
        request_language(request),
    )
    content: dict[str, Any] = error_body("csrf_failed", message, "csrf_token")
    return JSONResponse(content, status_code=403)
