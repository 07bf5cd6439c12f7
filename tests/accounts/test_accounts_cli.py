"""``temir users``, ``temir orgs``, ``temir tokens`` against a real database."""

from __future__ import annotations

import getpass
import hashlib
import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from temir.accounts import service
from temir.accounts.model import Role
from temir.accounts.tables import ApiTokenRow, AuditRow
from temir.cli import app
from temir.kit import runtime
from temir.kit.db import UnitOfWork
from temir.kit.settings import Settings
from tests.accounts.accounts_helpers import MakeAccount, unique

runner = CliRunner()


@pytest.fixture(autouse=True)
def cli_database(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    monkeypatch.setattr(runtime, "settings", lambda: settings)


def org(slug: str) -> None:
    result = runner.invoke(
        app,
        [
            "orgs",
            "create",
            slug,
            "--name",
            "Shymkent Cotton",
            "--kind",
            "shipper",
            "--country",
            "KZ",
        ],
    )
    assert result.exit_code == 0, result.output


def test_users_create_reads_the_password_from_stdin_and_is_attributed_to_the_os_user(
    uow: UnitOfWork,
) -> None:
    slug, username = unique("org"), unique("user")
    org(slug)
    result = runner.invoke(
        app,
        [
            *("users", "create", username, "--org", slug, "--role", "shipper"),
            *("--password-stdin", "--full-name", "Aliya Shipper", "--json"),
        ],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    created = json.loads(result.stdout)
    assert (created["username"], created["role"], created["organisation"]) == (
        username,
        "shipper",
        slug,
    )
    assert created["has_password"] is True
    with uow() as session:
        assert service.log_in(session, username, "a long enough password", remote_addr=None).ok
    with uow.read() as session:
        row = session.scalars(
            select(AuditRow).where(
                AuditRow.action == "user.created", AuditRow.target_id == username
            )
        ).one()
        assert (row.actor, row.via) == (f"system:cli:{getpass.getuser()}", "cli")


def test_users_list_json_includes_new_users(make_account: MakeAccount) -> None:
    account = make_account()
    result = runner.invoke(app, ["users", "list", "--json"])
    assert result.exit_code == 0, result.output
    assert account.username in {u["username"] for u in json.loads(result.stdout)}


def test_bad_input_exits_non_zero_with_the_error_code() -> None:
    result = runner.invoke(
        app,
        [
            *("orgs", "create", unique("org"), "--name", "X"),
            *("--kind", "bank", "--country", "KZ", "--json"),
        ],
    )
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["code"] == "invalid_kind"


def test_acting_as_a_user_applies_their_role(make_account: MakeAccount) -> None:
    viewer = make_account(Role.VIEWER)
    result = runner.invoke(
        app,
        [
            *("users", "create", unique("u"), "--role", "admin", "--no-password"),
            *("--as", viewer.username, "--json"),
        ],
    )
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["code"] == "permission_denied"


def test_tokens_create_prints_the_token_once_with_a_warning(
    uow: UnitOfWork, make_account: MakeAccount
) -> None:
    account = make_account()
    result = runner.invoke(
        app, ["tokens", "create", account.username, "--name", "erp", "--expires-days", "7"]
    )
    assert result.exit_code == 0, result.output
    assert "will not be shown again" in result.output
    secret = next(line for line in result.stdout.splitlines() if line.startswith("tmr_"))
    with uow() as session:
        assert service.authenticate_token(session, secret).label == account.username
    with uow.read() as session:
        stored = session.scalars(
            select(ApiTokenRow.token_hash).where(
                ApiTokenRow.name == "erp", ApiTokenRow.prefix == secret[:12]
            )
        ).one()
    assert stored == hashlib.sha256(secret.encode()).hexdigest()
    listed = runner.invoke(app, ["tokens", "list", account.username, "--json"])
    assert secret not in listed.stdout
    assert [t["name"] for t in json.loads(listed.stdout)] == ["erp"]


def test_users_create_without_a_terminal_reads_the_password_from_stdin(uow: UnitOfWork) -> None:
    """A script pipes the password without --password-stdin: read, not an abort."""
    slug, username = unique("org"), unique("user")
    org(slug)
    args = ["users", "create", username, "--org", slug, "--role", "shipper", "--json"]
    result = runner.invoke(app, args, input="piped password long enough\n")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["has_password"] is True
    with uow() as session:
        assert service.log_in(session, username, "piped password long enough", remote_addr=None).ok


def test_users_create_with_nothing_on_stdin_says_how_to_give_a_password() -> None:
    slug = unique("org")
    org(slug)
    args = ["users", "create", unique("user"), "--org", slug, "--role", "shipper", "--json"]
    result = runner.invoke(app, args, input="", env={"TEMIR_LANG": "en"})
    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]
    assert (error["code"], error["field"]) == ("users.no_password", "password")
    assert "--no-password" in error["message"]
    assert "Aborted" not in result.output
