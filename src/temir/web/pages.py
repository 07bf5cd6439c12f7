"""The shell's own pages: home and the language switch."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from temir.kit.i18n import available_languages
from temir.web.redirects import safe_next
from temir.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    return render(request, "home.html")


@router.get("/lang/{code}")
def switch_language(request: Request, code: str, next: str = "/") -> RedirectResponse:
    """Remember the chosen language in a cookie and go back to where the user was."""
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in available_languages():
        secure = bool(request.app.state.settings.secure_cookies)
        response.set_cookie(
            "lang", code, max_age=365 * 86400, httponly=True, samesite="lax", secure=secure
        )
    return response
