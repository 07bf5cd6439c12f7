"""Account use cases. Each takes the Session of the caller's unit of work and never commits.

Every write records an audit row through :func:`temir.accounts.audit.record` in that same
unit of work, so the change and its record are committed together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from temir.accounts import audit, chain, passwords, repository, rules
from temir.accounts.model import (
    Actor,
    ApiToken,
    AuditEntry,
    AuditFilter,
    Channel,
    IssuedToken,
    LoginFailure,
    LoginOutcome,
    Organisation,
    OrganisationKind,
    Role,
    TokenStatus,
    User,
    WebSession,
)
from temir.accounts.tables import ApiTokenRow, OrganisationRow, UserRow, WebSessionRow
from temir.kit import clock, versions
from temir.kit.db import UnitOfWork
from temir.kit.errors import Conflict, NotFound, PermissionDenied, Unauthenticated
from temir.kit.i18n import N_

# --- organisations ---------------------------------------------------------------------------


def create_organisation(
    session: Session,
    actor: Actor,
    *,
    slug: str,
    name: str,
    kind: OrganisationKind | str,
    country: str,
    name_ru: str | None = None,
    railway_code: str | None = None,
    synthetic: bool = False,
    client_code: str | None = None,
) -> Organisation:
    rules.require_role(actor, Role.ADMIN)
    kind = kind if isinstance(kind, OrganisationKind) else rules.parse_kind(kind)
    slug = rules.check_slug(slug)
    row = OrganisationRow(
        slug=slug,
        name=rules.check_name(name),
        name_ru=rules.check_name(name_ru, "name_ru") if name_ru else None,
        kind=kind.value,
        country=rules.check_country(country),
        railway_code=rules.check_railway_code(kind, railway_code),
        client_code=rules.check_client_code(client_code),
        synthetic=synthetic,
        created_at=clock.now(),
    )
    if row.client_code and repository.organisation_id_by_client_code(session, row.client_code):
        raise Conflict(
            N_("Another organisation has the client code {code}."),
            code="client_code_exists",
            field="client_code",
            params={"code": row.client_code},
        )
    if repository.organisation_row(session, slug) is not None:
        raise Conflict(
            N_("An organisation {slug} already exists."),
            code="organisation_exists",
            field="slug",
            slug=slug,
        )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "organisation.created",
        "organisation",
        slug,
        {"name": row.name, "kind": row.kind, "country": row.country, "synthetic": synthetic},
    )
    return repository.to_organisation(row)


def list_organisations(session: Session) -> list[Organisation]:
    return [repository.to_organisation(row) for row in repository.organisation_rows(session)]


def get_organisation(session: Session, slug: str) -> Organisation:
    return repository.to_organisation(_organisation_row(session, slug))


def update_organisation(
    session: Session,
    actor: Actor,
    slug: str,
    *,
    name: str,
    country: str,
    name_ru: str | None = None,
    railway_code: str | None = None,
    client_code: str | None = None,
) -> Organisation:
    """Change an organisation's names, country and codes; its slug and kind stay (notes, keys and
    users refer to the slug, and the kind decides whether it may carry a railway code)."""
    rules.require_role(actor, Role.ADMIN)
    row = _organisation_row(session, slug)
    kind = OrganisationKind(row.kind)
    new = {
        "name": rules.check_name(name),
        "name_ru": rules.check_name(name_ru, "name_ru") if name_ru and name_ru.strip() else None,
        "country": rules.check_country(country),
        "railway_code": rules.check_railway_code(kind, railway_code),
        "client_code": rules.check_client_code(client_code),
    }
    other = repository.organisation_id_by_client_code(session, new["client_code"])
    if new["client_code"] and other is not None and other != row.id:
        raise Conflict(
            N_("Another organisation has the client code {code}."),
            code="client_code_exists",
            field="client_code",
            params={"code": new["client_code"]},
        )
    changes = {
        k: {"from": getattr(row, k), "to": v} for k, v in new.items() if getattr(row, k) != v
    }
    for key, value in new.items():
        setattr(row, key, value)
    if changes:
        session.flush()
        audit.record(session, actor, "organisation.updated", "organisation", row.slug, changes)
    return repository.to_organisation(row)


def _organisation_row(session: Session, slug: str) -> OrganisationRow:
    row = repository.organisation_row(session, slug.strip().lower())
    if row is None:
        raise NotFound(
            N_("No organisation {slug}."),
            code="organisation_not_found",
            field="organisation",
            slug=slug,
        )
    return row


# --- users ------------------------------------------------------------------------------------


def create_user(
    session: Session,
    actor: Actor,
    *,
    username: str,
    role: Role | str,
    organisation: str | None,
    full_name: str | None = None,
    password: str | None = None,
    email: str | None = None,
    language: str = "en",
    synthetic: bool = False,
) -> User:
    """Create a user; without a password the user can use API tokens but not log in on the web."""
    rules.require_role(actor, Role.ADMIN)
    username = rules.check_username(username)
    role = role if isinstance(role, Role) else rules.parse_role(role)
    organisation_id = get_organisation(session, organisation).id if organisation else None
    password_hash = passwords.hash_password(rules.check_password(password)) if password else None
    if repository.user_row(session, username) is not None:
        raise Conflict(
            N_("A user {username} already exists."),
            code="user_exists",
            field="username",
            username=username,
        )
    row = UserRow(
        username=username,
        full_name=rules.check_name(full_name or username, "full_name"),
        email=rules.check_email(email),
        password_hash=password_hash,
        role=role.value,
        organisation_id=organisation_id,
        language=rules.check_language(language),
        active=True,
        synthetic=synthetic,
        created_at=clock.now(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "user.created",
        "user",
        username,
        {"role": role.value, "organisation": organisation, "synthetic": synthetic},
    )
    return repository.user_of(session, row)


def list_users(session: Session, organisation: str | None = None) -> list[User]:
    organisation_id = get_organisation(session, organisation).id if organisation else None
    return repository.user_rows(session, organisation_id)


def get_user(session: Session, username: str) -> User:
    return repository.user_of(session, _user_row(session, username))


def _user_row(session: Session, username: str) -> UserRow:
    row = repository.user_row(session, rules.normalise_username(username))
    if row is None:
        raise NotFound(
            N_("No user {username}."), code="user_not_found", field="username", username=username
        )
    return row


def set_user_active(session: Session, actor: Actor, username: str, active: bool) -> User:
    """Deactivate a user (no log-in, no token works, open sessions end) or reactivate one.

    An admin may not deactivate themself: the last admin could lock everyone out."""
    rules.require_role(actor, Role.ADMIN)
    row = _user_row(session, username)
    if row.id == actor.user_id and not active:
        raise Conflict(
            N_("You cannot deactivate your own account."), code="own_account", field="username"
        )
    if row.active != active:
        row.active = active
        if not active:
            repository.delete_user_web_sessions(session, row.id)
        session.flush()
        action = "user.reactivated" if active else "user.deactivated"
        audit.record(session, actor, action, "user", row.username)
    return repository.user_of(session, row)


def change_role(session: Session, actor: Actor, username: str, role: Role | str) -> User:
    """Give a user another role; an admin may not change their own (see set_user_active)."""
    rules.require_role(actor, Role.ADMIN)
    role = role if isinstance(role, Role) else rules.parse_role(role)
    row = _user_row(session, username)
    if row.id == actor.user_id:
        raise Conflict(N_("You cannot change your own role."), code="own_account", field="role")
    if row.role != role.value:
        before = row.role
        row.role = role.value
        session.flush()
        audit.record(
            session,
            actor,
            "user.role_changed",
            "user",
            row.username,
            {"from": before, "to": role.value},
        )
    return repository.user_of(session, row)


def actor_for(
    session: Session, username: str, via: Channel, remote_addr: str | None = None
) -> Actor:
    """Act as an existing, active user (the CLI's ``--as``)."""
    row = _user_row(session, username)
    if not row.active:
        raise Unauthenticated(N_("The user {username} is deactivated."), username=row.username)
    return repository.user_of(session, row).actor(via, remote_addr)


# --- API tokens -------------------------------------------------------------------------------


def issue_token(
    session: Session,
    actor: Actor,
    *,
    username: str,
    name: str = "api",
    expires_days: int | None = None,
) -> IssuedToken:
    """Issue a token for ``username``; the returned secret is the only copy there will be."""
    _require_self_or_admin_by_name(actor, username)
    row = _user_row(session, username)
    rules.require_self_or_admin(actor, row.id)
    now = clock.now()
    secret, prefix, token_hash = rules.new_token()
    token = ApiTokenRow(
        user_id=row.id,
        name=rules.check_token_name(name),
        prefix=prefix,
        token_hash=token_hash,
        created_at=now,
        expires_at=rules.token_expiry(now, expires_days),
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        actor,
        "token.created",
        "api_token",
        token.id,
        {"user": row.username, "name": token.name, "prefix": prefix, "expires_days": expires_days},
    )
    return IssuedToken(secret=secret, token=repository.to_token(token, row.username))


def list_tokens(session: Session, actor: Actor, username: str | None = None) -> list[ApiToken]:
    """An actor's own tokens; an admin may name another user."""
    if username is None:
        if actor.user_id is None:
            rules.require_role(actor, Role.ADMIN)
            return repository.tokens(session)
        return repository.tokens(session, actor.user_id)
    _require_self_or_admin_by_name(actor, username)
    row = _user_row(session, username)
    rules.require_self_or_admin(actor, row.id)
    return repository.tokens(session, row.id)


def list_all_tokens(session: Session, actor: Actor) -> list[ApiToken]:
    """Every user's tokens (admins): the administration page lists them all."""
    rules.require_role(actor, Role.ADMIN)
    return repository.tokens(session)


def _require_self_or_admin_by_name(actor: Actor, username: str) -> None:
    """Refuse before looking the name up: a 404 for another user's name would tell a
    non-admin which usernames exist."""
    if actor.role is not Role.ADMIN and rules.normalise_username(username) != actor.label:
        raise PermissionDenied(N_("Only the owner or an administrator may do this."))


def revoke_token(session: Session, actor: Actor, token_id: int) -> ApiToken:
    row = session.get(ApiTokenRow, token_id)
    if row is None or (actor.role is not Role.ADMIN and actor.user_id != row.user_id):
        # someone else's token is "not found" too: its id tells nobody that it exists
        raise NotFound(N_("No API token {id}."), code="token_not_found", field="id", id=token_id)
    owner = session.get(UserRow, row.user_id)
    username = owner.username if owner else "?"
    if row.revoked_at is None:
        row.revoked_at = clock.now()
        audit.record(
            session,
            actor,
            "token.revoked",
            "api_token",
            row.id,
            {"user": username, "prefix": row.prefix},
        )
    return repository.to_token(row, username)


#: ``last_used_at`` is written at most this often per token (it is shown to the minute).
LAST_USED_RESOLUTION = timedelta(minutes=1)


def authenticate_token(session: Session, secret: str, remote_addr: str | None = None) -> Actor:
    """The actor behind a bearer token; notes when the token was last used, to the minute.

    Why not on every request: that made every API call a write, and on SQLite all writes
    queue for one lock — under 50 concurrent clients reads then failed with "database is
    locked". Now a token's row is written at most once a minute.
    """
    return _authenticated(session, secret, remote_addr, touch=True)[0]


def check_token(
    session: Session, secret: str, remote_addr: str | None = None
) -> tuple[Actor, bool]:
    """:func:`authenticate_token` without writing: the actor, and whether ``last_used_at`` is
    due (then authenticate again in a unit of work that commits it)."""
    return _authenticated(session, secret, remote_addr, touch=False)


@dataclass(frozen=True)
class TokenHolder:
    """What checking a bearer token reads: the token and the user it belongs to."""

    token: ApiToken
    user: User | None


#: Token checks kept per (database, token hash); see :func:`check_token_kept`.
_kept_holders: versions.Remembered[TokenHolder | None] = versions.Remembered(size=4096)
versions.watch(ApiTokenRow.__tablename__, UserRow.__tablename__, OrganisationRow.__tablename__)


def check_token_kept(
    uow: UnitOfWork, secret: str, remote_addr: str | None = None
) -> tuple[Actor, bool]:
    """:func:`check_token`, reading the token and its user at most once a second per process.

    Why: every API request checks its token before its route runs, and that read (a session
    and a three-table query) cost more than many routes' own work under load. What is kept is
    the row data only; revocation, expiry, deactivation and ``last_used_at`` are judged against
    the clock on every request. A change committed in this process (a token revoked through the
    API, a user deactivated) is seen by the next request (:func:`temir.kit.versions.generation`);
    one made by another process (``temir tokens revoke`` in a shell, another worker) within
    ``TEMIR_EDITION_CHECK_SECONDS`` (1 s by default; 0 reads every time). Unknown tokens are
    read again each time, so a token issued elsewhere works at once.
    """
    token_hash = rules.sha256(secret.strip())

    def read() -> TokenHolder | None:
        with uow.read() as session:
            return _holder(session, token_hash)

    holder = _kept_holders.get((str(uow.engine.url), token_hash), read)
    return _judged(holder, clock.now(), remote_addr)


def _holder(session: Session, token_hash: str) -> TokenHolder | None:
    return _holder_of(repository.token_holder(session, token_hash))


def _holder_of(found: tuple[ApiTokenRow, UserRow | None, str | None] | None) -> TokenHolder | None:
    if found is None:
        return None
    row, user, slug = found
    return TokenHolder(
        repository.to_token(row, ""), None if user is None else repository.to_user(user, slug)
    )


def _judged(
    holder: TokenHolder | None, now: datetime, remote_addr: str | None
) -> tuple[Actor, bool]:
    """The actor of a token that may act now, and whether its ``last_used_at`` is due."""
    if holder is None:
        raise Unauthenticated(N_("Unknown API token."))
    status = holder.token.status(now)
    if status is TokenStatus.REVOKED:
        raise Unauthenticated(N_("This API token has been revoked."))
    if status is TokenStatus.EXPIRED:
        raise Unauthenticated(N_("This API token has expired."))
    if holder.user is None or not holder.user.active:
        raise Unauthenticated(N_("The owner of this API token is deactivated."))
    last = holder.token.last_used_at
    due = last is None or not timedelta(0) <= now - last < LAST_USED_RESOLUTION
    return holder.user.actor(Channel.API, remote_addr), due


def _authenticated(
    session: Session, secret: str, remote_addr: str | None, *, touch: bool
) -> tuple[Actor, bool]:
    found = repository.token_holder(session, rules.sha256(secret.strip()))
    now = clock.now()
    actor, due = _judged(_holder_of(found), now, remote_addr)
    if due and touch and found is not None:
        found[0].last_used_at = now
    return actor, due


# --- web log-in -------------------------------------------------------------------------------


def _anonymous(remote_addr: str | None) -> Actor:
    return Actor(label="anonymous", role=Role.VIEWER, via=Channel.WEB, remote_addr=remote_addr)


def log_in(
    session: Session,
    username: str,
    password: str,
    *,
    remote_addr: str | None,
    user_agent: str | None = None,
    previous_cookie: str | None = None,
) -> LoginOutcome:
    """Check a password and open a web session.

    Returns a failure instead of raising, so the caller's unit of work commits the
    ``login.failed`` audit row that the throttle counts. The reason is for the audit log only;
    the person logging in is told the same thing whatever it was.
    """
    name = rules.login_name(username)
    now = clock.now()
    retry_after = _throttled_for(session, name, remote_addr, now)
    if retry_after is not None:
        return _failed(session, name, remote_addr, LoginFailure.RATE_LIMITED, retry_after)
    row = repository.user_row(session, name)
    check = passwords.verify(row.password_hash if row else None, password)
    if row is None:
        return _failed(session, name, remote_addr, LoginFailure.NO_SUCH_USER)
    if row.password_hash is None:
        return _failed(session, name, remote_addr, LoginFailure.NO_PASSWORD)
    if not check.ok:
        return _failed(session, name, remote_addr, LoginFailure.BAD_CREDENTIALS)
    if not row.active:
        return _failed(session, name, remote_addr, LoginFailure.INACTIVE)
    if check.new_hash is not None:
        row.password_hash = check.new_hash
    if previous_cookie:  # rotate: the id a browser had before log-in is never reused
        repository.delete_web_session(session, rules.sha256(previous_cookie))
    repository.delete_expired_web_sessions(session, now)
    cookie, id_hash = rules.new_session_id()
    csrf = rules.new_csrf_token()
    expires = now + rules.SESSION_LIFETIME
    session.add(
        WebSessionRow(
            id_hash=id_hash,
            user_id=row.id,
            csrf_token=csrf,
            created_at=now,
            expires_at=expires,
            remote_addr=remote_addr,
            user_agent=(user_agent or "")[:300] or None,
        )
    )
    user = repository.user_of(session, row)
    audit.record(
        session,
        user.actor(Channel.WEB, remote_addr),
        "login.succeeded",
        "user",
        user.username,
        {"rehashed": check.new_hash is not None},
    )
    return LoginOutcome(
        session=WebSession(cookie=cookie, csrf_token=csrf, expires_at=expires, user=user)
    )


def _throttled_for(
    session: Session, username: str, remote_addr: str | None, now: datetime
) -> int | None:
    """Seconds until a log-in as ``username`` from ``remote_addr`` may be checked again, or
    None if it may be checked now (see :mod:`temir.accounts.rules` for the two limits)."""
    since = now - rules.LOGIN_WINDOW
    limits: list[tuple[str | None, int]] = [(username, rules.LOGIN_MAX_FAILURES)]
    if remote_addr is not None:
        limits.append((None, rules.LOGIN_MAX_FAILURES_PER_ADDRESS))
    unlocks: list[datetime] = []
    for name, limit in limits:
        failures = repository.count_login_failures(session, since, remote_addr, name)
        if failures < limit:
            continue
        # this attempt is recorded as one more failure (at ``now``); the lock opens when enough
        # failures have left the window for fewer than ``limit`` to remain
        index = failures - limit + 1
        oldest = repository.login_failure_at(session, since, index, remote_addr, name)
        unlocks.append((oldest or now) + rules.LOGIN_WINDOW)
    if not unlocks:
        return None
    return rules.login_retry_after(now, max(unlocks))


def _failed(
    session: Session,
    username: str,
    remote_addr: str | None,
    why: LoginFailure,
    retry_after: int | None = None,
) -> LoginOutcome:
    audit.record(
        session, _anonymous(remote_addr), "login.failed", "user", username, {"reason": why.value}
    )
    return LoginOutcome(session=None, failure=why, retry_after=retry_after)


def web_session(session: Session, cookie: str) -> WebSession | None:
    """The live session behind a cookie, or None if it is unknown, expired or its user inactive."""
    row = repository.web_session_row(session, rules.sha256(cookie))
    if row is None or repository.aware(row.expires_at) <= clock.now():
        return None
    user = session.get(UserRow, row.user_id)
    if user is None or not user.active:
        return None
    return WebSession(
        cookie=cookie,
        csrf_token=row.csrf_token,
        expires_at=repository.aware(row.expires_at),
        user=repository.user_of(session, user),
    )


def log_out(session: Session, cookie: str, remote_addr: str | None = None) -> bool:
    """End the session behind ``cookie``; False if there was none."""
    live = web_session(session, cookie)
    repository.delete_web_session(session, rules.sha256(cookie))
    if live is None:
        return False
    audit.record(
        session, live.user.actor(Channel.WEB, remote_addr), "logout", "user", live.user.username
    )
    return True


# --- audit ------------------------------------------------------------------------------------


def audit_log(session: Session, actor: Actor, where: AuditFilter) -> list[AuditEntry]:
    rules.require_role(actor, Role.ADMIN)
    return repository.audit_entries(session, where)


def verify_audit(session: Session, actor: Actor) -> chain.Verdict:
    """Check the whole audit chain and name its first broken link (admins).

    Reads head and rows in one snapshot, so rows committed meanwhile are not taken for rows
    inserted behind Temir's back. Give it a session of its own (``uow.read()``).
    """
    rules.require_role(actor, Role.ADMIN)
    repository.begin_snapshot(session)
    return chain.verify(repository.chain_head(session), repository.chain_rows(session))
