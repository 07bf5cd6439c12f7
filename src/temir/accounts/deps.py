"""FastAPI dependencies: who is calling, and may they?

A caller is identified by ``Authorization: Bearer <token>`` (API clients) or by the web
session cookie (the browser; the session middleware has already looked it up and checked
CSRF). A bearer header always wins over a cookie, and a bad one is a 401 rather than being
quietly ignored. Reads of reference data need no actor; every write asks for one with
:func:`current_actor` or :func:`require_role`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Depends, Request

from temir.accounts import rules, service
from temir.accounts.model import Actor, Channel, Role, WebSession
from temir.kit import idempotency
from temir.kit.db import UnitOfWork
from temir.kit.errors import Unauthenticated
from temir.kit.i18n import N_


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def optional_actor(request: Request) -> Actor | None:
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, credentials = header.partition(" ")
        if scheme.lower() != "bearer" or not credentials.strip():
            raise Unauthenticated(N_("Send the header Authorization: Bearer <token>."))
        uow: UnitOfWork = request.app.state.uow  # not the request's write: claims no key
        address = client_address(request)
        # Read first: a write unit of work per request would queue every API call behind the
        # writes (SQLite: one writer; see kit.db.write_gate). ``last_used_at`` is due at most
        # once a minute per token; only then is it written, in a unit of work of its own. The
        # read itself is kept for a moment (service.check_token_kept).
        actor, due = service.check_token_kept(uow, credentials, address)
        if due:
            with uow() as session:  # commits last_used_at
                actor = service.authenticate_token(session, credentials, address)
        set_idempotency_owner(request.state, actor)
        return actor
    web: WebSession | None = getattr(request.state, "web_session", None)
    if web is not None:
        return web.user.actor(Channel.WEB, client_address(request))
    return None


def set_idempotency_owner(state: Any, actor: Actor) -> None:
    """Idempotency keys are per user: tell the request's unit of work whose keys to use."""
    if actor.user_id is not None:
        setattr(state, idempotency.OWNER_STATE, f"user:{actor.user_id}")


def current_actor(actor: Actor | None = Depends(optional_actor)) -> Actor:
    if actor is None:
        raise Unauthenticated(N_("Log in, or send an API token in the Authorization header."))
    return actor


def require_role(*roles: Role) -> Callable[..., Actor]:
    """A dependency that lets through an actor with one of ``roles`` (admins always)."""

    def dependency(actor: Actor = Depends(current_actor)) -> Actor:
        rules.require_role(actor, *roles)
        return actor

    return dependency
