"""The webhooks pages: an organisation's subscriptions (add, test, remove) and each one's
delivery log (every attempt, redeliver). Forms post back and redirect (CSRF-checked by the
session middleware); the new secret is shown once, on the page that answers the form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from temir.accounts.deps import optional_actor
from temir.accounts.model import Actor
from temir.kit.api import read_session, request_language, uow_of
from temir.kit.errors import TemirError
from temir.kit.i18n import N_
from temir.notes.web_form import form_values
from temir.notes.web_steps import login_redirect
from temir.web.templating import render
from temir.webhooks import delivery, rules, service

router = APIRouter(include_in_schema=False)
WEBHOOKS = N_("Webhooks")  # linked from the tracking page, not the main bar (it is full)

STATUSES: Final = {
    "pending": N_("waiting to be sent"),
    "delivered": N_("received by the subscriber"),
    "failed": N_("sending given up"),
}


def _secret(request: Request) -> str:
    secret: str = request.app.state.settings.secret_key
    return secret


def _list_page(
    request: Request,
    session: Session,
    actor: Actor,
    *,
    error: str | None = None,
    status: int = 200,
    created: dict[str, Any] | None = None,
) -> HTMLResponse:
    found = service.list_subscriptions(session, actor)
    types = [t for t in rules.EVENT_TYPES if t != rules.TEST_EVENT]
    return render(request, "webhooks_page.html", status_code=status, subscriptions=found,
                  error=error, created=created, event_types=types, statuses=STATUSES)  # fmt: skip


@router.get("/webhooks", response_class=HTMLResponse)
def webhooks_page(
    request: Request,
    session: Session = Depends(read_session),
    actor: Actor | None = Depends(optional_actor),
) -> Response:
    if actor is None:
        return login_redirect(request)
    try:
        return _list_page(request, session, actor)
    except TemirError as exc:  # an administrator without an organisation sees every one
        return render(request, "webhooks_page.html", status_code=exc.status, subscriptions=[],
                      error=exc.message(request_language(request)), created=None,
                      event_types=[], statuses=STATUSES)  # fmt: skip


@router.post("/webhooks", response_class=HTMLResponse)
async def add_page(request: Request, actor: Actor | None = Depends(optional_actor)) -> Response:
    if actor is None:
        return login_redirect(request)
    form = await form_values(request)
    chosen = [t for t in rules.EVENT_TYPES if form.get(f"event:{t}")]
    typed = [p for p in form.get("events", "").split(",") if p.strip()]
    try:
        with uow_of(request)() as session:
            sub, secret = service.create(
                session, actor, url=form.get("url", "")[:2000], events=chosen + typed or ["*"],
                description=form.get("description", "")[:200],
            )  # fmt: skip
    except TemirError as exc:
        with uow_of(request).read() as session:
            return _list_page(request, session, actor, status=exc.status,
                              error=exc.message(request_language(request)))  # fmt: skip
    with uow_of(request).read() as session:
        return _list_page(request, session, actor, created={"id": sub.id, "secret": secret},
                          status=201)  # fmt: skip


def _step(request: Request, actor: Actor, back: str, step: Callable[[], object]) -> Response:
    try:
        step()
    except TemirError as exc:
        with uow_of(request).read() as session:
            return _list_page(request, session, actor, status=exc.status,
                              error=exc.message(request_language(request)))  # fmt: skip
    return RedirectResponse(back, status_code=303)


@router.post("/webhooks/{subscription_id}/remove", response_class=HTMLResponse)
async def remove_page(
    request: Request, subscription_id: str, actor: Actor | None = Depends(optional_actor)
) -> Response:
    if actor is None:
        return login_redirect(request)
    await form_values(request)

    def step() -> object:
        with uow_of(request)() as session:
            return service.remove(session, actor, subscription_id[:40])

    return _step(request, actor, "/webhooks", step)


@router.post("/webhooks/{subscription_id}/test", response_class=HTMLResponse)
async def send_test_page(
    request: Request, subscription_id: str, actor: Actor | None = Depends(optional_actor)
) -> Response:
    if actor is None:
        return login_redirect(request)
    await form_values(request)
    key = subscription_id[:40]

    def step() -> object:
        return delivery.send_test(uow_of(request), actor, key, _secret(request))

    return _step(request, actor, f"/webhooks/{key}", step)


@router.post("/webhooks/deliveries/{delivery_id}/redeliver", response_class=HTMLResponse)
async def redeliver_page(
    request: Request, delivery_id: str, actor: Actor | None = Depends(optional_actor)
) -> Response:
    if actor is None:
        return login_redirect(request)
    form = await form_values(request)
    back = f"/webhooks/{form.get('subscription_id', '')[:40]}"

    def step() -> object:
        with uow_of(request)() as session:
            return service.redeliver(session, actor, delivery_id[:40])

    return _step(request, actor, back, step)


@router.get("/webhooks/{subscription_id}", response_class=HTMLResponse)
def deliveries_page(
    request: Request,
    subscription_id: str,
    status: str = "",
    session: Session = Depends(read_session),
    actor: Actor | None = Depends(optional_actor),
) -> Response:
    if actor is None:
        return login_redirect(request)
    try:
        sub = service.get(session, actor, subscription_id[:40])
        found = service.deliveries(session, actor, sub.id, status=status[:20] or None)
    except TemirError as exc:
        return render(request, "webhooks_log.html", status_code=exc.status, sub=None,
                      error=exc.message(request_language(request)))  # fmt: skip
    return render(request, "webhooks_log.html", sub=sub, deliveries=found, statuses=STATUSES,
                  status=status[:20], error=None)  # fmt: skip
