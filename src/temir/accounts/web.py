"""Log-in and log-out pages.

The log-in form has no session to bind a CSRF token to yet, so it uses a double-submit token:
a random value set in a short-lived cookie and repeated in a hidden field; a forged cross-site
form cannot read the cookie and so cannot repeat it. After a successful log-in the browser gets
a brand-new session id (the old one, if any, is deleted), so a session id planted before
log-in is worthless.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from temir.accounts import rules, service
from temir.accounts.deps import client_address
from temir.accounts.model import LoginFailure, WebSession
from temir.kit.api import uow_of
from temir.kit.i18n import N_
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
        return _login_page(request, target, username, FORM_EXPIRED, status=403)
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
        throttled = outcome.failure is LoginFailure.RATE_LIMITED
        return _login_page(
            request,
            target,
            username,
            THROTTLED if throttled else BAD_LOGIN,
            status=429 if throttled else 401,
        )
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
