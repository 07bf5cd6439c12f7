"""JSON routes for accounts: who am I, organisations, users, API tokens, the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from temir.accounts import rules, service
from temir.accounts.deps import current_actor, require_role
from temir.accounts.model import Actor, AuditFilter, OrganisationKind, Role
from temir.kit import clock, idempotency
from temir.kit.api import read_session, request_language, uow_of
from temir.kit.contract import declared
from temir.kit.i18n import available_languages

router = APIRouter(tags=["accounts"])


# The account rules (temir.accounts.rules) check these fields and answer with their own codes
# (``invalid_slug``, ``invalid_name``…); the schema declares the same rules for clients.
_NAME = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"


_EMAIL = r"^[^\s@\x00-\x1f\x7f]+@[^\s@\x00-\x1f\x7f]+$"


def _text(max_length: int, pattern: str = _NAME) -> dict[str, Any]:
    return {**declared(pattern=pattern), "maxLength": max_length}


class OrganisationIn(BaseModel):
    slug: str = Field(examples=["kostanay-grain"], json_schema_extra=declared(pattern=rules.SLUG))
    name: str = Field(json_schema_extra=_text(rules.NAME_MAX_LENGTH))
    kind: OrganisationKind
    country: str = Field(examples=["KZ"], json_schema_extra=declared(pattern=rules.COUNTRY))
    name_ru: str | None = Field(None, json_schema_extra=_text(rules.NAME_MAX_LENGTH))
    railway_code: str | None = Field(
        None, description="Railways only: the OSJD abbreviation, e.g. KZH.",
        json_schema_extra=declared(pattern=rules.RAILWAY_CODE),
    )  # fmt: skip
    client_code: str | None = Field(
        None, description="Carrier-assigned client code (box 4).",
        json_schema_extra=declared(pattern=r"^[0-9]{4,16}$"),
    )  # fmt: skip


class UserIn(BaseModel):
    username: str = Field(json_schema_extra=declared(pattern=rules.USERNAME))
    role: Role
    organisation: str | None = None
    full_name: str | None = Field(None, json_schema_extra=_text(rules.NAME_MAX_LENGTH))
    email: str | None = Field(
        None,
        json_schema_extra=_text(
            rules.EMAIL_MAX_LENGTH, r"^[^\s@\x00-\x1f\x7f]+@[^\s@\x00-\x1f\x7f]+$"
        ),
    )
    password: str | None = Field(
        None, description="Omit for an API-only user.",
        json_schema_extra={"minLength": rules.PASSWORD_MIN_LENGTH},
    )  # fmt: skip
    language: str = Field("en", json_schema_extra=declared(enum=available_languages()))


class TokenIn(BaseModel):
    name: str = Field("api", json_schema_extra=_text(rules.TOKEN_NAME_MAX_LENGTH))
    expires_days: int | None = Field(None, ge=1, le=3650)
    username: str | None = Field(None, description="Admins only: issue for another user.")


@router.get("/me")
def me(
    actor: Actor = Depends(current_actor), session: Session = Depends(read_session)
) -> dict[str, Any]:
    """The calling user, their organisation and how they authenticated."""
    if actor.user_id is None:
        return {"user": None, "actor": actor.label, "role": str(actor.role), "via": str(actor.via)}
    user = service.get_user(session, actor.label)
    organisation = (
        service.get_organisation(session, user.organisation_slug).to_dict()
        if user.organisation_slug
        else None
    )
    return {"user": user.to_dict(), "organisation": organisation, "via": str(actor.via)}


@router.get("/organisations")
def list_organisations(
    _actor: Actor = Depends(current_actor), session: Session = Depends(read_session)
) -> dict[str, Any]:
    return {"organisations": [o.to_dict() for o in service.list_organisations(session)]}


@router.post("/organisations", status_code=201)
def create_organisation(
    body: OrganisationIn, request: Request, actor: Actor = Depends(require_role(Role.ADMIN))
) -> dict[str, Any]:
    with uow_of(request)() as session:
        organisation = service.create_organisation(
            session,
            actor,
            slug=body.slug,
            name=body.name,
            kind=body.kind,
            country=body.country,
            name_ru=body.name_ru,
            railway_code=body.railway_code,
            client_code=body.client_code,
        )
    return organisation.to_dict()


@router.get("/users")
def list_users(
    organisation: str | None = None,
    _actor: Actor = Depends(require_role(Role.ADMIN)),
    session: Session = Depends(read_session),
) -> dict[str, Any]:
    return {"users": [u.to_dict() for u in service.list_users(session, organisation)]}


@router.post("/users", status_code=201)
def create_user(
    body: UserIn, request: Request, actor: Actor = Depends(require_role(Role.ADMIN))
) -> dict[str, Any]:
    with uow_of(request)() as session:
        user = service.create_user(
            session,
            actor,
            username=body.username,
            role=body.role,
            organisation=body.organisation,
            full_name=body.full_name,
            password=body.password,
            email=body.email,
            language=body.language,
        )
    return user.to_dict()


@router.get("/tokens")
def list_tokens(
    username: str | None = None,
    actor: Actor = Depends(current_actor),
    session: Session = Depends(read_session),
) -> dict[str, Any]:
    """Your tokens (admins: ``?username=`` for someone else's). Never the secrets."""
    now = clock.now()
    return {"tokens": [t.to_dict(now) for t in service.list_tokens(session, actor, username)]}


@router.post("/tokens", status_code=201)
def create_token(
    body: TokenIn, request: Request, actor: Actor = Depends(current_actor)
) -> dict[str, Any]:
    """Issue a token. ``token`` in the answer is shown this once; only its hash is kept.

    With an ``Idempotency-Key`` a retry is not issued a second token, but it is not shown the
    first one again either (that would mean storing it): it hears 409 and may list its tokens.
    """
    idempotency.answer_not_kept(request.state)
    with uow_of(request)() as session:
        issued = service.issue_token(
            session,
            actor,
            username=body.username or actor.label,
            name=body.name,
            expires_days=body.expires_days,
        )
    return {"token": issued.secret, **issued.token.to_dict(clock.now())}


@router.delete("/tokens/{token_id}")
def revoke_token(
    request: Request,
    token_id: int = Path(ge=1, le=2**31 - 1),
    actor: Actor = Depends(current_actor),
) -> dict[str, Any]:
    with uow_of(request)() as session:
        token = service.revoke_token(session, actor, token_id)
    return token.to_dict(clock.now())


@router.get("/audit/verify")
def verify_audit(
    request: Request, actor: Actor = Depends(require_role(Role.ADMIN))
) -> dict[str, Any]:
    """Check the audit log's hash chain (admins): ``ok``, its length, the head digest (keep it
    elsewhere to compare later) and the first broken link: changed, deleted or inserted rows."""
    with uow_of(request).read() as session:
        verdict = service.verify_audit(session, actor)
    return verdict.to_dict(request_language(request))


@router.get("/audit")
def audit_log(
    actor_name: str | None = Query(None, alias="actor"),
    action: str | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=1_000_000_000),
    actor: Actor = Depends(require_role(Role.ADMIN)),
    session: Session = Depends(read_session),
) -> dict[str, Any]:
    """The audit log, newest first (admins)."""
    where = AuditFilter(
        actor=actor_name,
        action=action,
        target_type=target_type,
        target_id=target_id,
        since=since,
        until=until,
        limit=limit,
        offset=offset,
    )
    return {"entries": [e.to_dict() for e in service.audit_log(session, actor, where)]}
