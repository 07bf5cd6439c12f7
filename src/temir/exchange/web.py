"""The ``/exchange`` page: this node, each link's queue, last success and last error, and the
records held from peers. For railway operators and administrators (others are sent to log in
or get 403)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from temir.accounts.deps import optional_actor
from temir.accounts.model import Actor, Role
from temir.exchange import service
from temir.kit.api import read_session
from temir.kit.i18n import N_
from temir.notes.web_steps import login_redirect
from temir.web import nav
from temir.web.templating import render

router = APIRouter(include_in_schema=False)
nav.add("/exchange", N_("Exchange"), 50, roles=(Role.ADMIN, Role.RAILWAY_OPERATOR))


@router.get("/exchange")
def exchange_page(
    request: Request,
    session: Session = Depends(read_session),
    actor: Actor | None = Depends(optional_actor),
) -> Response:
    if actor is None:
        return login_redirect(request)
    if not actor.has_role(Role.RAILWAY_OPERATOR):
        return render(request, "exchange_forbidden.html", status_code=403)
    return render(request, "exchange_page.html", status=service.status(session))
