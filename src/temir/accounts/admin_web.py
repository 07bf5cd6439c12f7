"""Administration pages: users, API tokens and organisations, managed in the browser by an admin.

The same use cases as ``temir users|tokens|orgs`` and ``/api/v1`` (``accounts.service``), so the
rules, error codes and audit rows are the same whichever way an admin works. Forms are plain
POSTs carrying the session's CSRF token (checked by the session middleware); a refused write
shows the page again with the message beside the field it names and the values as typed; a
write that worked redirects back to the list (post/redirect/get), except a new token, whose
secret is shown on the answer to that POST only — it is never stored, so never shown again.
Anyone but an admin gets 403; a visitor not logged in is sent to log in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from temir.accounts import service
from temir.accounts.deps import client_address
from temir.accounts.model import Actor, Channel, OrganisationKind, Role, WebSession
from temir.kit import clock
from temir.kit.api import request_language, uow_of
from temir.kit.errors import TemirError
from temir.kit.i18n import N_, available_languages
from temir.web.templating import render

router = APIRouter(include_in_schema=False)

ROLES: Final = {
    Role.ADMIN: N_("administrator"),
    Role.RAILWAY_OPERATOR: N_("railway operator"),
    Role.SHIPPER: N_("shipper"),
    Role.ANALYST: N_("analyst"),
    Role.VIEWER: N_("viewer"),
}
KINDS: Final = {
    OrganisationKind.RAILWAY: N_("railway"),
    OrganisationKind.SHIPPER: N_("shipper"),
    OrganisationKind.FORWARDER: N_("forwarder"),
    OrganisationKind.CONSIGNEE: N_("consignee"),
    OrganisationKind.AUTHORITY: N_("authority"),
}
TOKEN_STATUSES: Final = {"active": N_("active"), "expired": N_("expired"), "revoked": N_("revoked")}
FIELD_MAX = 300  # form values are cut here before the rules see them (they allow less)


def _admin(request: Request) -> Actor | Response:
    web: WebSession | None = request.state.web_session
    if web is None:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    actor = web.user.actor(Channel.WEB, client_address(request))
    if not actor.has_role(Role.ADMIN):
        raise StarletteHTTPException(status_code=403)
    return actor


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v.strip()[:FIELD_MAX] for k, v in form.items() if isinstance(v, str)}


def _errors(exc: TemirError, lang: str, default_field: str) -> dict[str, str]:
    return {exc.field or default_field: exc.message(lang)}


def _labels() -> dict[str, Any]:
    return {
        "roles": ROLES,
        "kinds": KINDS,
        "token_statuses": TOKEN_STATUSES,
        "languages_codes": available_languages(),
    }


def _page(
    request: Request,
    template: str,
    read: Callable[[Session], dict[str, Any]],
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    with uow_of(request).read() as session:
        data = read(session)
    return render(request, template, status_code=status, **_labels(), **data, **context)


def _write(
    request: Request,
    step: Callable[[Session], object],
    done: str,
    again: Callable[[dict[str, str], int], Response],
    default_field: str,
) -> Response:
    """Run one write in one unit of work; redirect to ``done``, or show the form again."""
    try:
        with uow_of(request)() as session:
            step(session)
    except TemirError as exc:
        return again(_errors(exc, request_language(request), default_field), exc.status)
    return RedirectResponse(done, status_code=303)


# --- users ------------------------------------------------------------------------------------


def _users(
    request: Request,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    row_errors: dict[str, str] | None = None,
) -> HTMLResponse:
    def read(session: Session) -> dict[str, Any]:
        return {
            "users": service.list_users(session),
            "organisations": service.list_organisations(session),
        }

    return _page(
        request,
        "admin_users.html",
        read,
        status,
        form=form or {"role": Role.VIEWER.value, "language": "ru"},
        errors=errors or {},
        row_errors=row_errors or {},
    )


@router.get("/admin", response_model=None)
def admin_home(request: Request) -> Response:
    who = _admin(request)
    return who if isinstance(who, Response) else RedirectResponse("/admin/users", 303)


@router.get("/admin/users", response_class=HTMLResponse, response_model=None)
def users_page(request: Request) -> Response:
    who = _admin(request)
    return who if isinstance(who, Response) else _users(request)


@router.post("/admin/users", response_class=HTMLResponse, response_model=None)
async def create_user(request: Request) -> Response:
    who = _admin(request)
    if isinstance(who, Response):
        return who
    form = await _form(request)

    def step(session: Session) -> object:
        return service.create_user(
            session,
            who,
            username=form.get("username", ""),
            role=form.get("role", ""),
            organisation=form.get("organisation") or None,
            full_name=form.get("full_name") or None,
            password=form.get("password") or None,
            email=form.get("email") or None,
            language=form.get("language") or "en",
        )

    form_shown = {k: v for k, v in form.items() if k != "password"}  # never echo a password
    return _write(
        request,
        step,
        "/admin/users",
        lambda errors, status: _users(request, form_shown, errors, status),
        "username",
    )


@router.post("/admin/users/{username}/{change}", response_class=HTMLResponse, response_model=None)
async def change_user(request: Request, username: str, change: str) -> Response:
    """``role`` (the posted role) or ``active`` (``active=1`` reactivates, else deactivates)."""
    who = _admin(request)
    if isinstance(who, Response):
        return who
    form = await _form(request)
    name = username[:64]
    if change not in ("role", "active"):
        raise StarletteHTTPException(status_code=404)

    def step(session: Session) -> object:
        if change == "role":
            return service.change_role(session, who, name, form.get("role", ""))
        return service.set_user_active(session, who, name, form.get("active") == "1")

    return _write(
        request,
        step,
        f"/admin/users#user-{name}",
        lambda errors, status: _users(
            request, None, None, status, {name: next(iter(errors.values()))}
        ),
        change,
    )


# --- API tokens -------------------------------------------------------------------------------


def _tokens(
    request: Request,
    actor: Actor,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    issued: Any = None,
) -> HTMLResponse:
    def read(session: Session) -> dict[str, Any]:
        return {
            "tokens": service.list_all_tokens(session, actor),
            "users": service.list_users(session),
        }

    return _page(
        request,
        "admin_tokens.html",
        read,
        status,
        form=form or {"name": "api"},
        errors=errors or {},
        issued=issued,
        now=clock.now(),
    )


@router.get("/admin/tokens", response_class=HTMLResponse, response_model=None)
def tokens_page(request: Request) -> Response:
    who = _admin(request)
    return who if isinstance(who, Response) else _tokens(request, who)


@router.post("/admin/tokens", response_class=HTMLResponse, response_model=None)
async def create_token(request: Request) -> Response:
    """Issue a token and show its secret on this answer only (no redirect: never stored)."""
    who = _admin(request)
    if isinstance(who, Response):
        return who
    form = await _form(request)
    lang = request_language(request)
    days_text = form.get("expires_days", "")
    try:
        days = int(days_text) if days_text else None
    except ValueError:
        days = -1  # the service's rule names the allowed range
    try:
        with uow_of(request)() as session:
            issued = service.issue_token(
                session,
                who,
                username=form.get("username", ""),
                name=form.get("name") or "api",
                expires_days=days,
            )
    except TemirError as exc:
        field = {"id": "username"}.get(exc.field or "", exc.field or "username")
        return _tokens(request, who, form, {field: exc.message(lang)}, exc.status)
    return _tokens(request, who, None, None, 201, issued)


@router.post("/admin/tokens/{token_id}/revoke", response_class=HTMLResponse, response_model=None)
def revoke_token(request: Request, token_id: int) -> Response:
    who = _admin(request)
    if isinstance(who, Response):
        return who
    return _write(
        request,
        lambda session: service.revoke_token(session, who, token_id),
        f"/admin/tokens#token-{token_id}",
        lambda errors, status: _tokens(request, who, None, errors, status),
        "token",
    )


# --- organisations ----------------------------------------------------------------------------


def _organisations(
    request: Request,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    def read(session: Session) -> dict[str, Any]:
        return {"organisations": service.list_organisations(session)}

    return _page(
        request,
        "admin_organisations.html",
        read,
        status,
        form=form or {"kind": OrganisationKind.SHIPPER.value},
        errors=errors or {},
    )


@router.get("/admin/organisations", response_class=HTMLResponse, response_model=None)
def organisations_page(request: Request) -> Response:
    who = _admin(request)
    return who if isinstance(who, Response) else _organisations(request)


@router.post("/admin/organisations", response_class=HTMLResponse, response_model=None)
async def create_organisation(request: Request) -> Response:
    who = _admin(request)
    if isinstance(who, Response):
        return who
    form = await _form(request)

    def step(session: Session) -> object:
        return service.create_organisation(
            session,
            who,
            slug=form.get("slug", ""),
            name=form.get("name", ""),
            kind=form.get("kind", ""),
            country=form.get("country", ""),
            name_ru=form.get("name_ru") or None,
            railway_code=form.get("railway_code") or None,
            client_code=form.get("client_code") or None,
        )

    return _write(
        request,
        step,
        "/admin/organisations",
        lambda errors, status: _organisations(request, form, errors, status),
        "slug",
    )


def _organisation(
    request: Request,
    slug: str,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    lang = request_language(request)
    try:
        with uow_of(request).read() as session:
            org = service.get_organisation(session, slug)
            members = service.list_users(session, org.slug)
    except TemirError as exc:
        raise StarletteHTTPException(status_code=exc.status, detail=exc.message(lang)) from None
    shown = form or {
        "name": org.name,
        "name_ru": org.name_ru or "",
        "country": org.country,
        "railway_code": org.railway_code or "",
        "client_code": org.client_code or "",
    }
    return render(
        request,
        "admin_organisation.html",
        status_code=status,
        org=org,
        members=members,
        form=shown,
        errors=errors or {},
        **_labels(),
    )


@router.get("/admin/organisations/{slug}", response_class=HTMLResponse, response_model=None)
def organisation_page(request: Request, slug: str) -> Response:
    who = _admin(request)
    return who if isinstance(who, Response) else _organisation(request, slug[:64])


@router.post("/admin/organisations/{slug}", response_class=HTMLResponse, response_model=None)
async def update_organisation(request: Request, slug: str) -> Response:
    who = _admin(request)
    if isinstance(who, Response):
        return who
    form = await _form(request)
    key = slug[:64]

    def step(session: Session) -> object:
        return service.update_organisation(
            session,
            who,
            key,
            name=form.get("name", ""),
            country=form.get("country", ""),
            name_ru=form.get("name_ru") or None,
            railway_code=form.get("railway_code") or None,
            client_code=form.get("client_code") or None,
        )

    return _write(
        request,
        step,
        "/admin/organisations",
        lambda errors, status: _organisation(request, key, form, errors, status),
        "name",
    )
