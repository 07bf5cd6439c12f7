"""Account use cases against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from fastapi import Depends
from sqlalchemy import func, select, update

from temir.accounts import repository, service
from temir.accounts.model import (
    Actor,
    AuditEntry,
    AuditFilter,
    Channel,
    LoginFailure,
    OrganisationKind,
    Role,
)
from temir.accounts.tables import ApiTokenRow, AuditRow, OrganisationRow, UserRow, WebSessionRow
from temir.kit import clock
from temir.kit.db import UnitOfWork
from temir.kit.errors import Conflict, NotFound, PermissionDenied, Unauthenticated
from tests.accounts.accounts_helpers import PASSWORD, Account, MakeAccount, unique

SYSTEM = Actor.system("tests")


def audit_rows(uow: UnitOfWork, action: str, target_id: str) -> list[AuditEntry]:
    """The audit rows for ``action`` on ``target_id``, read straight from the table."""
    with uow.read() as session:
        query = select(AuditRow).where(AuditRow.action == action, AuditRow.target_id == target_id)
        return [repository.to_audit_entry(row) for row in session.scalars(query).all()]


def test_creating_an_organisation_and_a_user_leaves_audit_rows(uow: UnitOfWork) -> None:
    org, name = unique("org"), unique("user")
    actor = Actor.system("cli:tester", Channel.CLI)
    with uow() as session:
        service.create_organisation(
            session, actor, slug=org, name="Kostanay Elevator", kind="shipper", country="kz"
        )
        user = service.create_user(
            session, actor, username=name, role="shipper", organisation=org, password=PASSWORD
        )
    assert user.organisation_slug == org
    assert user.role is Role.SHIPPER
    assert user.has_password
    [org_row] = audit_rows(uow, "organisation.created", org)
    [user_row] = audit_rows(uow, "user.created", name)
    for row in (org_row, user_row):
        assert row.actor == "system:cli:tester"
        assert row.via == "cli"
        assert row.at is not None
    with uow.read() as session:
        stored = session.scalars(select(OrganisationRow).where(OrganisationRow.slug == org)).one()
        assert stored.country == "KZ"


def test_a_failed_write_leaves_nothing_half_written(uow: UnitOfWork) -> None:
    org, name = unique("org"), unique("user")

    def create_both() -> None:
        with uow() as session:
            service.create_organisation(
                session, SYSTEM, slug=org, name="Org", kind=OrganisationKind.SHIPPER, country="KZ"
            )
            service.create_user(
                session, SYSTEM, username=name, role="viewer", organisation="no-such-org"
            )

    with pytest.raises(NotFound):
        create_both()
    with uow.read() as session:
        assert session.scalar(select(func.count()).where(OrganisationRow.slug == org)) == 0
        assert session.scalar(select(func.count()).where(UserRow.username == name)) == 0
    assert audit_rows(uow, "organisation.created", org) == []


def test_a_duplicate_user_is_a_conflict_and_records_nothing(
    uow: UnitOfWork, make_account: MakeAccount
) -> None:
    account = make_account()
    with pytest.raises(Conflict) as caught, uow() as session:
        service.create_user(
            session, SYSTEM, username=account.username, role="viewer", organisation=None
        )
    assert caught.value.code == "user_exists"
    assert len(audit_rows(uow, "user.created", account.username)) == 1


def test_only_an_admin_creates_users(uow: UnitOfWork, make_account: MakeAccount) -> None:
    operator = make_account(Role.RAILWAY_OPERATOR)
    with uow.read() as session:
        actor = service.actor_for(session, operator.username, Channel.API)
    with pytest.raises(PermissionDenied), uow() as session:
        service.create_user(session, actor, username=unique("u"), role="viewer", organisation=None)


def test_a_token_is_shown_once_and_only_its_hash_is_stored(
    uow: UnitOfWork, make_account: MakeAccount
) -> None:
    account = make_account()
    with uow() as session:
        issued = service.issue_token(session, SYSTEM, username=account.username, name="erp")
    with uow.read() as session:
        row = session.get(ApiTokenRow, issued.token.id)
        assert row is not None
        stored = [row.name, row.prefix, row.token_hash]
        assert issued.secret not in stored
        assert row.token_hash == hashlib.sha256(issued.secret.encode()).hexdigest()
        listed = service.list_tokens(session, SYSTEM, account.username)
    assert [t.id for t in listed] == [issued.token.id]
    assert issued.secret not in repr(listed)
    assert audit_rows(uow, "token.created", str(issued.token.id))


def test_a_token_authenticates_its_owner_and_notes_its_use(
    uow: UnitOfWork, make_account: MakeAccount
) -> None:
    account = make_account(Role.ANALYST)
    with uow() as session:
        issued = service.issue_token(session, SYSTEM, username=account.username)
    assert issued.token.last_used_at is None
    with uow() as session:
        actor = service.authenticate_token(session, issued.secret, "10.0.0.7")
    assert (actor.label, actor.role, actor.via, actor.remote_addr) == (
        account.username,
        Role.ANALYST,
        Channel.API,
        "10.0.0.7",
    )
    with uow.read() as session:
        row = session.get(ApiTokenRow, issued.token.id)
        assert row is not None
        assert row.last_used_at is not None


def test_a_token_in_steady_use_is_written_once_a_minute(
    uow: UnitOfWork, make_account: MakeAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not a write per request: last used is kept to the minute."""
    account = make_account(Role.ANALYST)
    with uow() as session:
        issued = service.issue_token(session, SYSTEM, username=account.username)
    start = clock.now()

    def used_at(seconds_later: float) -> object:
        monkeypatch.setattr(clock, "now", lambda: start + timedelta(seconds=seconds_later))
        with uow() as session:
            service.authenticate_token(session, issued.secret)
        with uow.read() as session:
            row = session.get(ApiTokenRow, issued.token.id)
            assert row is not None
            return repository.aware_or_none(row.last_used_at)

    assert used_at(0) == start
    assert used_at(59) == start
    assert used_at(61) == start + timedelta(seconds=61)
    assert used_at(-3600) == start - timedelta(seconds=3600)  # clock set back: noted again


def test_revoked_expired_and_unknown_tokens_are_rejected(
    uow: UnitOfWork, make_account: MakeAccount
) -> None:
    account = make_account()
    with uow() as session:
        revoked = service.issue_token(session, SYSTEM, username=account.username)
        expired = service.issue_token(session, SYSTEM, username=account.username, expires_days=1)
    with uow() as session:
        service.revoke_token(session, SYSTEM, revoked.token.id)
        session.execute(
            update(ApiTokenRow)
            .where(ApiTokenRow.id == expired.token.id)
            .values(expires_at=clock.now() - timedelta(seconds=1))
        )
    for secret in (revoked.secret, expired.secret, "tmr_not-a-token"):
        with pytest.raises(Unauthenticated), uow() as session:
            service.authenticate_token(session, secret)
    assert audit_rows(uow, "token.revoked", str(revoked.token.id))


def test_someone_elses_token_cannot_be_revoked(uow: UnitOfWork, make_account: MakeAccount) -> None:
    owner, other = make_account(), make_account(Role.SHIPPER)
    with uow() as session:
        issued = service.issue_token(session, SYSTEM, username=owner.username)
        intruder = service.actor_for(session, other.username, Channel.API)
    with pytest.raises(NotFound), uow() as session:  # not 403: the id must not reveal a token
        service.revoke_token(session, intruder, issued.token.id)
    assert audit_rows(uow, "token.revoked", str(issued.token.id)) == []


def log_in(uow: UnitOfWork, username: str, password: str, addr: str = "192.0.2.1") -> object:
    with uow() as session:
        return service.log_in(session, username, password, remote_addr=addr)


def test_log_in_opens_a_session_and_records_who_and_from_where(
    uow: UnitOfWork, make_account: MakeAccount
) -> None:
    account = make_account()
    with uow() as session:
        outcome = service.log_in(session, account.username, PASSWORD, remote_addr="192.0.2.10")
    assert outcome.session is not None
    assert outcome.session.user.username == account.username
    with uow.read() as session:
        stored = session.get(
            WebSessionRow, hashlib.sha256(outcome.session.cookie.encode()).hexdigest()
        )
        assert stored is not None
        assert stored.remote_addr == "192.0.2.10"
        assert session.get(WebSessionRow, outcome.session.cookie) is None
    [row] = audit_rows(uow, "login.succeeded", account.username)
    assert (row.actor, row.via, row.remote_addr) == (account.username, "web", "192.0.2.10")


@pytest.mark.parametrize("case", ["wrong password", "unknown user", "no password"])
def test_failed_log_ins_are_recorded_with_the_reason(
    uow: UnitOfWork, make_account: MakeAccount, case: str
) -> None:
    account = make_account(password=None if case == "no password" else PASSWORD)
    username = unique("ghost") if case == "unknown user" else account.username
    with uow() as session:
        outcome = service.log_in(session, username, "wrong password!", remote_addr="192.0.2.20")
    expected = {
        "wrong password": LoginFailure.BAD_CREDENTIALS,
        "unknown user": LoginFailure.NO_SUCH_USER,
        "no password": LoginFailure.NO_PASSWORD,
    }[case]
    assert outcome.session is None
    assert outcome.failure is expected
    [row] = audit_rows(uow, "login.failed", username)
    assert row.remote_addr == "192.0.2.20"
    assert row.details == {"reason": expected.value}


def test_log_in_is_throttled_per_username_and_address(
    uow: UnitOfWork, make_account: MakeAccount
) -> None:
    account = make_account()
    for _ in range(5):
        with uow() as session:
            assert not service.log_in(
                session, account.username, "nope", remote_addr="198.51.100.1"
            ).ok
    with uow() as session:
        blocked = service.log_in(session, account.username, PASSWORD, remote_addr="198.51.100.1")
    assert blocked.failure is LoginFailure.RATE_LIMITED
    with uow() as session:
        elsewhere = service.log_in(session, account.username, PASSWORD, remote_addr="198.51.100.2")
    assert elsewhere.ok


def test_an_old_password_hash_is_upgraded_at_log_in(
    uow: UnitOfWork, make_account: MakeAccount
) -> None:
    account = make_account()
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with uow() as session:
        session.execute(
            update(UserRow).where(UserRow.username == account.username).values(password_hash=weak)
        )
    with uow() as session:
        assert service.log_in(session, account.username, PASSWORD, remote_addr=None).ok
    with uow.read() as session:
        stored = session.scalars(
            select(UserRow.password_hash).where(UserRow.username == account.username)
        ).one()
    assert stored is not None
    assert stored != weak
    assert not PasswordHasher().check_needs_rehash(stored)


def test_log_out_ends_the_session_and_is_audited(
    uow: UnitOfWork, make_account: MakeAccount
) -> None:
    account = make_account()
    with uow() as session:
        outcome = service.log_in(session, account.username, PASSWORD, remote_addr="192.0.2.30")
    assert outcome.session is not None
    cookie = outcome.session.cookie
    with uow() as session:
        assert service.log_out(session, cookie, "192.0.2.30")
    with uow.read() as session:
        assert service.web_session(session, cookie) is None
    [row] = audit_rows(uow, "logout", account.username)
    assert row.remote_addr == "192.0.2.30"


def test_an_expired_session_is_not_accepted(uow: UnitOfWork, make_account: MakeAccount) -> None:
    account = make_account()
    with uow() as session:
        outcome = service.log_in(session, account.username, PASSWORD, remote_addr=None)
    assert outcome.session is not None
    id_hash = hashlib.sha256(outcome.session.cookie.encode()).hexdigest()
    with uow() as session:
        session.execute(
            update(WebSessionRow)
            .where(WebSessionRow.id_hash == id_hash)
            .values(expires_at=clock.now() - timedelta(minutes=1))
        )
    with uow.read() as session:
        assert service.web_session(session, outcome.session.cookie) is None


def test_the_audit_log_filters_and_is_for_admins(
    uow: UnitOfWork, make_account: MakeAccount
) -> None:
    account: Account = make_account()
    with uow.read() as session:
        entries = service.audit_log(
            session, SYSTEM, AuditFilter(action="user.created", target_id=account.username)
        )
        assert [(e.action, e.target_id) for e in entries] == [("user.created", account.username)]
        viewer = service.actor_for(session, account.username, Channel.API)
        with pytest.raises(PermissionDenied):
            service.audit_log(session, viewer, AuditFilter())


def test_an_api_request_notes_the_token_use_and_a_read_check_writes_nothing(
    uow: UnitOfWork, make_account: MakeAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The API checks a token in a read session (no write per request) and writes
    ``last_used_at`` in a unit of work of its own only when it is due."""
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from temir.accounts.deps import current_actor

    account = make_account(Role.ANALYST)
    with uow() as session:
        issued = service.issue_token(session, SYSTEM, username=account.username)
    with uow.read() as session:
        actor, due = service.check_token(session, issued.secret)
        assert (actor.label, due) == (account.username, True)
        assert not session.dirty
        assert not session.new
    with uow.read() as session:
        row = session.get(ApiTokenRow, issued.token.id)
        assert row is not None
        assert row.last_used_at is None  # checking wrote nothing

    app = FastAPI()
    app.state.uow = uow

    @app.get("/who")
    def who(actor: Actor = Depends(current_actor)) -> str:
        return actor.label

    start = clock.now()
    monkeypatch.setattr(clock, "now", lambda: start)
    with TestClient(app) as client:
        headers = {"Authorization": f"Bearer {issued.secret}"}
        assert client.get("/who", headers=headers).json() == account.username
        with uow.read() as session:
            row = session.get(ApiTokenRow, issued.token.id)
            assert row is not None
            assert repository.aware_or_none(row.last_used_at) == start
            assert service.check_token(session, issued.secret)[1] is False  # not due again


# --- the token check kept between requests (service.check_token_kept) -------------------------


def test_a_kept_token_check_sees_changes_made_in_this_process_at_once(
    uow: UnitOfWork, make_account: MakeAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEMIR_EDITION_CHECK_SECONDS", "3600")  # only this process's writes
    revoked, deactivated = make_account(), make_account()
    with uow() as session:
        first = service.issue_token(session, SYSTEM, username=revoked.username)
        second = service.issue_token(session, SYSTEM, username=deactivated.username)
    assert service.check_token_kept(uow, first.secret)[0].label == revoked.username
    assert service.check_token_kept(uow, second.secret)[0].label == deactivated.username
    with uow() as session:
        service.revoke_token(session, SYSTEM, first.token.id)
    with pytest.raises(Unauthenticated, match="revoked"):
        service.check_token_kept(uow, first.secret)
    with uow() as session:
        session.execute(
            update(UserRow).where(UserRow.id == second.token.user_id).values(active=False)
        )
    with pytest.raises(Unauthenticated, match="deactivated"):
        service.check_token_kept(uow, second.secret)


def test_a_kept_token_check_reads_another_processs_change_after_the_interval(
    uow: UnitOfWork, make_account: MakeAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A revocation written by another process (here: a plain connection, which this process's
    sessions do not see) is honoured once the check interval has passed."""
    account = make_account()
    with uow() as session:
        issued = service.issue_token(session, SYSTEM, username=account.username)
    monkeypatch.setenv("TEMIR_EDITION_CHECK_SECONDS", "3600")
    assert service.check_token_kept(uow, issued.secret)[0].label == account.username
    with uow.engine.begin() as connection:
        connection.execute(
            update(ApiTokenRow)
            .where(ApiTokenRow.id == issued.token.id)
            .values(revoked_at=clock.now())
        )
    # within the interval the kept read stands: what makes the check cheap
    assert service.check_token_kept(uow, issued.secret)[0].label == account.username
    monkeypatch.setenv("TEMIR_EDITION_CHECK_SECONDS", "0")
    with pytest.raises(Unauthenticated, match="revoked"):
        service.check_token_kept(uow, issued.secret)


def test_a_kept_token_expires_on_time(
    uow: UnitOfWork, make_account: MakeAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEMIR_EDITION_CHECK_SECONDS", "3600")
    account = make_account()
    with uow() as session:
        issued = service.issue_token(session, SYSTEM, username=account.username, expires_days=1)
    actor, due = service.check_token_kept(uow, issued.secret)
    assert (actor.label, due) == (account.username, True)
    later = clock.now() + timedelta(days=1, seconds=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    with pytest.raises(Unauthenticated, match="expired"):
        service.check_token_kept(uow, issued.secret)


def test_a_token_issued_by_another_process_works_at_once(
    uow: UnitOfWork, make_account: MakeAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unknown token is not remembered as unknown: the next request reads again."""
    monkeypatch.setenv("TEMIR_EDITION_CHECK_SECONDS", "3600")
    account = make_account()
    secret = "tmr_" + unique("later")
    with pytest.raises(Unauthenticated, match="Unknown"):
        service.check_token_kept(uow, secret)
    with uow() as session:
        issued = service.issue_token(session, SYSTEM, username=account.username)
    with uow.engine.begin() as connection:  # as another process would: no generation moves
        connection.execute(
            update(ApiTokenRow)
            .where(ApiTokenRow.id == issued.token.id)
            .values(token_hash=hashlib.sha256(secret.encode()).hexdigest())
        )
    assert service.check_token_kept(uow, secret)[0].label == account.username
