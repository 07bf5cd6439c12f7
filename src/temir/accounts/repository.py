"""All SQL of the accounts capability, and the mapping from rows to model objects."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Select, Table, delete, func, insert, select, update
from sqlalchemy.orm import Session

from temir.accounts.chain import ChainHead, ChainRow
from temir.accounts.model import (
    ApiToken,
    AuditEntry,
    AuditFilter,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from temir.accounts.tables import (
    ApiTokenRow,
    AuditChainHeadRow,
    AuditRow,
    OrganisationRow,
    UserRow,
    WebSessionRow,
)


def aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def aware_or_none(value: datetime | None) -> datetime | None:
    return None if value is None else aware(value)


# --- organisations ---------------------------------------------------------------------------


def to_organisation(row: OrganisationRow) -> Organisation:
    return Organisation(
        id=row.id,
        slug=row.slug,
        name=row.name,
        name_ru=row.name_ru,
        kind=OrganisationKind(row.kind),
        country=row.country,
        railway_code=row.railway_code,
        synthetic=bool(row.synthetic),
        created_at=aware(row.created_at),
        client_code=row.client_code,
    )


def organisation_row(session: Session, slug: str) -> OrganisationRow | None:
    return session.scalars(select(OrganisationRow).where(OrganisationRow.slug == slug)).first()


def organisation_rows(session: Session) -> Sequence[OrganisationRow]:
    return session.scalars(select(OrganisationRow).order_by(OrganisationRow.slug)).all()


def organisation_id_by_client_code(session: Session, client_code: str | None) -> int | None:
    """The organisation with this client code (SMGS boxes 1, 4), if one has it."""
    if not client_code:
        return None
    query = select(OrganisationRow.id).where(OrganisationRow.client_code == client_code.strip())
    return session.scalar(query)


_HELD = "accounts.organisations_held"


def organisation_by_id(session: Session, organisation_id: int | None) -> OrganisationRow | None:
    """The organisation, kept referenced for the life of the session.

    Why kept: the session's identity map holds objects weakly, so a use case that asks for the
    actor's organisation in several places (who acts, whose key signs, the consignor shown)
    would otherwise select it again each time the last reference went away.
    """
    if organisation_id is None:
        return None
    row = session.get(OrganisationRow, organisation_id)
    if row is not None:
        session.info.setdefault(_HELD, {})[organisation_id] = row
    return row


def organisation_slugs(session: Session, ids: set[int]) -> dict[int, str]:
    """Slug of each organisation id (ids without an organisation are left out); those the
    session holds already (:func:`organisation_by_id`, often the actor's own) are not read."""
    held: dict[int, OrganisationRow] = session.info.get(_HELD, {})
    found = {i: held[i].slug for i in ids if i in held}
    missing = ids - found.keys()
    if missing:
        rows = session.execute(
            select(OrganisationRow.id, OrganisationRow.slug).where(OrganisationRow.id.in_(missing))
        ).all()
        found.update((row.id, row.slug) for row in rows)
    return found


# --- users ------------------------------------------------------------------------------------


def to_user(row: UserRow, organisation_slug: str | None) -> User:
    return User(
        id=row.id,
        username=row.username,
        full_name=row.full_name,
        email=row.email,
        role=Role(row.role),
        organisation_id=row.organisation_id,
        organisation_slug=organisation_slug,
        language=row.language,
        active=bool(row.active),
        synthetic=bool(row.synthetic),
        has_password=row.password_hash is not None,
        created_at=aware(row.created_at),
    )


def _organisation_slug(session: Session, organisation_id: int | None) -> str | None:
    if organisation_id is None:
        return None
    row = session.get(OrganisationRow, organisation_id)
    return None if row is None else row.slug


def user_of(session: Session, row: UserRow) -> User:
    return to_user(row, _organisation_slug(session, row.organisation_id))


def user_row(session: Session, username: str) -> UserRow | None:
    return session.scalars(select(UserRow).where(UserRow.username == username)).first()


def user_rows(session: Session, organisation_id: int | None = None) -> list[User]:
    query = (
        select(UserRow, OrganisationRow.slug)
        .outerjoin(OrganisationRow, UserRow.organisation_id == OrganisationRow.id)
        .order_by(UserRow.username)
    )
    if organisation_id is not None:
        query = query.where(UserRow.organisation_id == organisation_id)
    return [to_user(row, slug) for row, slug in session.execute(query).all()]


# --- API tokens -------------------------------------------------------------------------------


def to_token(row: ApiTokenRow, username: str) -> ApiToken:
    return ApiToken(
        id=row.id,
        user_id=row.user_id,
        username=username,
        name=row.name,
        prefix=row.prefix,
        created_at=aware(row.created_at),
        expires_at=aware_or_none(row.expires_at),
        last_used_at=aware_or_none(row.last_used_at),
        revoked_at=aware_or_none(row.revoked_at),
    )


def token_holder(
    session: Session, token_hash: str
) -> tuple[ApiTokenRow, UserRow | None, str | None] | None:
    """The token, its user and the user's organisation slug, in one query: every API request
    asks, before its route runs."""
    found = session.execute(
        select(ApiTokenRow, UserRow, OrganisationRow.slug)
        .outerjoin(UserRow, UserRow.id == ApiTokenRow.user_id)
        .outerjoin(OrganisationRow, OrganisationRow.id == UserRow.organisation_id)
        .where(ApiTokenRow.token_hash == token_hash)
        .limit(1)
    ).first()
    return None if found is None else (found[0], found[1], found[2])


def tokens(session: Session, user_id: int | None = None) -> list[ApiToken]:
    query = (
        select(ApiTokenRow, UserRow.username)
        .join(UserRow, ApiTokenRow.user_id == UserRow.id)
        .order_by(ApiTokenRow.id)
    )
    if user_id is not None:
        query = query.where(ApiTokenRow.user_id == user_id)
    return [to_token(row, username) for row, username in session.execute(query).all()]


# --- web sessions -----------------------------------------------------------------------------


def web_session_row(session: Session, id_hash: str) -> WebSessionRow | None:
    return session.get(WebSessionRow, id_hash)


def delete_web_session(session: Session, id_hash: str) -> int:
    result = session.execute(delete(WebSessionRow).where(WebSessionRow.id_hash == id_hash))
    return int(getattr(result, "rowcount", 0) or 0)


def delete_user_web_sessions(session: Session, user_id: int) -> None:
    session.execute(delete(WebSessionRow).where(WebSessionRow.user_id == user_id))


def delete_expired_web_sessions(session: Session, now: datetime) -> None:
    session.execute(delete(WebSessionRow).where(WebSessionRow.expires_at <= now))


# --- audit ------------------------------------------------------------------------------------


def _login_failures(since: datetime, remote_addr: str | None, username: str | None) -> Select[Any]:
    """``login.failed`` rows since ``since`` from ``remote_addr``; for one username, or any."""
    query = (
        select(AuditRow.at)
        .where(AuditRow.action == "login.failed")
        .where(AuditRow.target_type == "user")
        .where(AuditRow.at >= since)
    )
    if username is not None:
        query = query.where(AuditRow.target_id == username)
    if remote_addr is None:
        return query.where(AuditRow.remote_addr.is_(None))
    return query.where(AuditRow.remote_addr == remote_addr)


def count_login_failures(
    session: Session, since: datetime, remote_addr: str | None, username: str | None = None
) -> int:
    query = _login_failures(since, remote_addr, username).subquery()
    return int(session.scalar(select(func.count()).select_from(query)) or 0)


def login_failure_at(
    session: Session,
    since: datetime,
    index: int,
    remote_addr: str | None,
    username: str | None = None,
) -> datetime | None:
    """When the ``index``-th oldest (0-based) failure in the window happened."""
    query = _login_failures(since, remote_addr, username).order_by(AuditRow.at).offset(index)
    value = session.scalar(query.limit(1))
    return None if value is None else aware(value)


# --- the audit chain -------------------------------------------------------------------------

CHAIN_HEAD_ID = 1
_head = cast(Table, AuditChainHeadRow.__table__)


def reserve_chain_positions(session: Session, count: int) -> ChainHead | None:
    """Lock the chain head for the rest of the transaction and reserve ``count`` positions.

    Returns the head *before* the reservation, or None if there is no head row. An UPDATE,
    not a SELECT ... FOR UPDATE, because it locks on both backends: on PostgreSQL it takes the
    row lock (a concurrent writer waits here until this transaction ends, then reads the head
    this one left), and on SQLite it is the write that takes the database's write lock before
    the head is read (the driver runs plain SELECTs outside the transaction).
    """
    reserved = session.execute(
        update(_head)
        .where(_head.c.id == CHAIN_HEAD_ID)
        .values(length=_head.c.length + count)
        .returning(_head.c.length, _head.c.last_digest, _head.c.last_id)
    ).first()
    if reserved is None:
        return None
    return ChainHead(
        length=int(reserved.length) - count,
        last_digest=str(reserved.last_digest),
        last_id=reserved.last_id,
    )


def create_chain_head(session: Session, head: ChainHead) -> None:
    session.execute(
        insert(_head).values(
            id=CHAIN_HEAD_ID,
            length=head.length,
            last_digest=head.last_digest,
            last_id=head.last_id,
        )
    )


def set_chain_head(session: Session, head: ChainHead) -> None:
    session.execute(
        update(_head)
        .where(_head.c.id == CHAIN_HEAD_ID)
        .values(length=head.length, last_digest=head.last_digest, last_id=head.last_id)
    )


def begin_snapshot(session: Session) -> None:
    """Make every later read of this (fresh) session see one snapshot of the database.

    PostgreSQL: REPEATABLE READ. SQLite: an explicit BEGIN, because the driver otherwise runs
    each SELECT on its own and a long read would see later commits part-way through.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
    elif connection.dialect.name == "sqlite":
        driver = connection.connection.dbapi_connection
        if driver is not None and not getattr(driver, "in_transaction", True):
            connection.exec_driver_sql("BEGIN")


def chain_head(session: Session) -> ChainHead | None:
    row = session.execute(
        select(_head.c.length, _head.c.last_digest, _head.c.last_id).where(
            _head.c.id == CHAIN_HEAD_ID
        )
    ).first()
    if row is None:
        return None
    return ChainHead(length=int(row.length), last_digest=str(row.last_digest), last_id=row.last_id)


def has_audit_rows(session: Session) -> bool:
    return session.scalar(select(AuditRow.id).limit(1)) is not None


_audit = cast(Table, AuditRow.__table__)


def add_chained_rows(session: Session, rows: list[dict[str, Any]]) -> int:
    """Insert chained rows in chain order; returns the id of the last one.

    One INSERT ... RETURNING rather than ORM objects and a flush: the rows are written at
    commit, while the chain head is locked, and nothing reads them back as objects."""
    ids = session.execute(
        insert(_audit).returning(_audit.c.id, sort_by_parameter_order=True), rows
    ).scalars()
    return int(list(ids)[-1])


_CHAIN_COLUMNS = (
    AuditRow.id,
    AuditRow.seq,
    AuditRow.at,
    AuditRow.actor,
    AuditRow.actor_user_id,
    AuditRow.action,
    AuditRow.target_type,
    AuditRow.target_id,
    AuditRow.via,
    AuditRow.remote_addr,
    AuditRow.details,
    AuditRow.prev_digest,
    AuditRow.digest,
)


def chain_rows(session: Session, batch: int = 2000) -> Iterator[ChainRow]:
    """Every audit row in chain order, read in batches by position (the log may be long)."""
    after: int | None = None
    while True:
        query = select(*_CHAIN_COLUMNS).order_by(AuditRow.seq).limit(batch)
        if after is not None:
            query = query.where(AuditRow.seq > after)
        rows = session.execute(query).all()
        for row in rows:
            yield ChainRow(**{**row._asdict(), "at": aware(row.at)})
        if len(rows) < batch:
            return
        after = rows[-1].seq


def to_audit_entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        at=aware(row.at),
        actor=row.actor,
        actor_user_id=row.actor_user_id,
        action=row.action,
        target_type=row.target_type,
        target_id=row.target_id,
        via=row.via,
        remote_addr=row.remote_addr,
        details=row.details,
        seq=row.seq,
        digest=row.digest,
    )


def audit_entries(session: Session, where: AuditFilter) -> list[AuditEntry]:
    query = select(AuditRow).order_by(AuditRow.id.desc())
    if where.actor is not None:
        query = query.where(AuditRow.actor == where.actor)
    if where.action is not None:
        query = query.where(AuditRow.action == where.action)
    if where.target_type is not None:
        query = query.where(AuditRow.target_type == where.target_type)
    if where.target_id is not None:
        query = query.where(AuditRow.target_id == where.target_id)
    if where.since is not None:
        query = query.where(AuditRow.at >= aware(where.since).astimezone(UTC))
    if where.until is not None:
        query = query.where(AuditRow.at < aware(where.until).astimezone(UTC))
    query = query.limit(where.limit).offset(where.offset)
    return [to_audit_entry(row) for row in session.scalars(query).all()]
