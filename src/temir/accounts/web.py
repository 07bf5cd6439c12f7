"""Log-in and log-out pages.

The log-in form has no session to bind a CSRF token to yet, so it uses a double-submit token:
a random value set in a short-lived cookie and repeated in a hidden field; a forged cross-site
form cannot read the cookie and so cannot repeat it. After a successful log-in the browser gets
a brand-new session id (the old one, if any, is deleted), so a session id planted before
log-in is worthless.

A failed log-in answers a browser with the form again and any other client (a script trying
passwords, ``Accept`` without ``text/html``) with the house JSON error; a throttled one is a
429 with ``Retry-After`` either way.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from temir.accounts import rules, service
from temir.accounts.deps import client_address
from temir.accounts.model import AuditFilter, Channel, LoginFailure, Role, WebSession
from temir.kit.api import error_body, request_language, uow_of
from temir.kit.i18n import N_, translate
from temir.web.errors import wants_html
from temir.web.redirects import safe_next
from temir.web.templating import render

router = APIRouter(include_in_schema=False)

LOGIN_CSRF_MAX_AGE = 2 * 3600

BAD_LOGIN = N_("Wrong username or password.")
THROTTLED = N_("Too many failed attempts. Wait a few minutes and try again.")
FORM_EXPIRED = N_("The form has expired. Please try again.")


def _secure(request: Request) -> bool:
    return bool(request.app.state.settings.secure_cookies)


def _login_page(
    request: Request,
    next_path: str,
    username: str = "",
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    token = request.cookies.get(rules.LOGIN_CSRF_COOKIE) or rules.new_csrf_token()
    response = render(
        request,
        "login.html",
        status_code=status,
        login_csrf=token,
        next_path=next_path,
        username=username,
        error=error,
    )
    response.set_cookie(
        rules.LOGIN_CSRF_COOKIE,
        token,
        max_age=LOGIN_CSRF_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/login",
    )
    return response


def _refused(
    request: Request,
    target: str,
    username: str,
    message: str,
    status: int,
    code: str,
    field: str,
    retry_after: int | None = None,
) -> Response:
    """A refused log-in: the form again for a browser, the house JSON error for anything else."""
    response: Response
    if wants_html(request):
        response = _login_page(request, target, username, message, status=status)
    else:
        text = translate(message, request_language(request))
        response = JSONResponse(error_body(code, text, field), status_code=status)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return _login_page(request, safe_next(next))


@router.post("/login", response_model=None)
def login(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    csrf_token: str = Form(""),
    next: str = Form("/"),
) -> Response:
    target = safe_next(next)
    cookie_token = request.cookies.get(rules.LOGIN_CSRF_COOKIE, "")
    if not cookie_token or not csrf_token or not hmac.compare_digest(cookie_token, csrf_token):
        return _refused(request, target, username, FORM_EXPIRED, 403, "csrf_failed", "csrf_token")
    with uow_of(request)() as session:
        outcome = service.log_in(
            session,
            username,
            password,
            remote_addr=client_address(request),
            user_agent=request.headers.get("user-agent"),
            previous_cookie=request.cookies.get(rules.SESSION_COOKIE),
        )
    if outcome.session is None:
        if outcome.failure is LoginFailure.RATE_LIMITED:
            return _refused(
                request,
                target,
                username,
                THROTTLED,
                429,
                "login_throttled",
                "username",
                retry_after=outcome.retry_after,
            )
        return _refused(request, target, username, BAD_LOGIN, 401, "login_failed", "username")
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        rules.SESSION_COOKIE,
        outcome.session.cookie,
        max_age=int(rules.SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )
    response.delete_cookie(rules.LOGIN_CSRF_COOKIE, path="/login")
    return response


AUDIT_PAGE_ENTRIES = 50


@router.get("/audit", response_class=HTMLResponse, response_model=None)
def audit_page(request: Request) -> Response:
    """For admins: is the audit chain intact (and if not, where it breaks), and the latest rows."""
    web: WebSession | None = request.state.web_session
    if web is None:
        return RedirectResponse("/login?next=/audit", status_code=303)
    actor = web.user.actor(Channel.WEB, client_address(request))
    if not actor.has_role(Role.ADMIN):
        raise StarletteHTTPException(status_code=403)
    uow = uow_of(request)
    with uow.read() as session:
        verdict = service.verify_audit(session, actor)
    with uow.read() as session:
        entries = service.audit_log(session, actor, AuditFilter(limit=AUDIT_PAGE_ENTRIES))
    return render(request, "audit.html", verdict=verdict, entries=entries)


@router.post("/logout")
def logout(request: Request) -> RedirectResponse:
    """End the session (the middleware has checked its CSRF token) and forget the cookie."""
    web: WebSession | None = request.state.web_session  # None unless the CSRF check passed
    if web is not None:
        with uow_of(request)() as session:
            service.log_out(session, web.cookie, client_address(request))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(
        rules.SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=_secure(request)
    )
    return response
