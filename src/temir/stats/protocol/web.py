"""The protocol pages: every stored protocol (``/stats/protocol``), one protocol with both
signatures verified, and signing it on the page.

Access decision: public reads like the dashboard, since the protocol records published-level
aggregates. Showing a protocol verifies both signatures against the organisations' public keys;
a page view shows that verdict without writing an audit row per reader (verification through
the API or the CLI is audited). Signing needs a logged-in railway operator or administrator of
one of the two railways, and the form's CSRF token.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from temir.accounts.deps import client_address, optional_actor
from temir.accounts.model import Actor, Channel, Role
from temir.kit.api import read_session, request_language, uow_of
from temir.kit.errors import NotFound, TemirError
from temir.kit.i18n import translate
from temir.stats.protocol import service as protocol_service
from temir.stats.volumes import dashboard
from temir.stats.volumes.dashboard import DIRECTION_LABELS
from temir.stats.volumes.model import Direction
from temir.stats.volumes.web import Numbers
from temir.web.templating import render

router = APIRouter(include_in_schema=False)


def _protocol_labels(content: dict[str, Any], lang: str) -> dict[str, Any]:
    def direction(key: str) -> str:
        msgid = DIRECTION_LABELS.get(Direction(key)) if key in set(Direction) else None
        return translate(msgid, lang) if msgid else key

    return {
        "direction": direction,
        "commodity": lambda key: dashboard.commodity_name(key, lang),
        "countries": " – ".join(dashboard.country_name(c, lang) for c in content["countries"]),
        "month": lambda m: dashboard.month_label(f"{int(m):02d}", lang),
    }


@router.get("/stats/protocol", response_class=HTMLResponse)
def protocol_list_page(request: Request, session: Session = Depends(read_session)) -> HTMLResponse:
    """Every stored protocol, who has signed it, and a link to it."""
    lang = request_language(request)
    rows = protocol_service.list_protocols(session)
    for row in rows:
        row["countries"] = " – ".join(dashboard.country_name(c, lang) for c in row["between"])
    return render(request, "stats_protocol_list.html", protocols=rows)


def _verify_actor(request: Request, actor: Actor | None) -> Actor:
    if actor is not None:
        return actor
    return Actor(label="anonymous", role=Role.VIEWER, via=Channel.WEB,
                 remote_addr=client_address(request))  # fmt: skip


def _protocol_page(
    request: Request, protocol_id: str, actor: Actor | None, error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:  # fmt: skip
    lang = request_language(request)
    try:
        with uow_of(request)() as session:  # a page view: the verdict is shown, not audited
            stored = protocol_service.get_protocol(session, protocol_id)
            verdict = protocol_service.verify_protocol(
                session, _verify_actor(request, actor), protocol_id, record=False
            )
            party = protocol_service.signing_party(session, actor, protocol_id)
            try:
                check: Any = protocol_service.check_protocol(session, protocol_id)
            except TemirError:
                check = None
    except NotFound as missing:
        return render(
            request, "stats_protocol_missing.html", status_code=404,
            error=missing.message(lang), protocol_id=protocol_id[:40],
        )  # fmt: skip
    content = stored.content
    checks = {p.party: p for p in verdict.parties}
    return render(
        request,
        "stats_protocol.html",
        status_code=status_code,
        error=error,
        stored=stored,
        c=content,
        verdict=verdict,
        parties=[(p, checks.get(p)) for p in content["parties"]],
        problems=verdict.problem_messages(lang),
        party_messages={p.party: p.message(lang) for p in verdict.parties},
        signing_party=party,
        check=check if check is not None and check.months_with_actuals else None,
        labels=_protocol_labels(content, lang),
        f=Numbers(lang),
        pct=lambda v: "—" if v is None else Numbers(lang).pct(float(v)),
        api=f"/api/v1/stats/protocols/{stored.protocol_id}",
    )


@router.get("/stats/protocol/{protocol_id}", response_class=HTMLResponse)
def protocol_page(
    request: Request, protocol_id: str, actor: Actor | None = Depends(optional_actor)
) -> HTMLResponse:
    """One protocol: figures, plan, notes, both signatures verified, the check of the plan year,
    downloads, and a Sign button for an authorised user of a party."""
    return _protocol_page(request, protocol_id, actor)


@router.post("/stats/protocol/{protocol_id}/sign", response_model=None)
def protocol_sign(
    request: Request, protocol_id: str, actor: Actor | None = Depends(optional_actor)
) -> Response:
    """Sign for the user's railway with its organisation key; back to the protocol."""
    if actor is None:
        return RedirectResponse(f"/login?next=/stats/protocol/{protocol_id[:40]}", status_code=303)
    try:
        with uow_of(request)() as session:
            protocol_service.sign_protocol(
                session, actor, protocol_id, secret=request.app.state.settings.secret_key
            )
    except TemirError as error:
        return _protocol_page(
            request, protocol_id, actor, error.message(request_language(request)), error.status
        )
    return RedirectResponse(f"/stats/protocol/{protocol_id[:40]}", status_code=303)
