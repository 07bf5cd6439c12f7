"""``temir demo``: synthetic, labelled, reproducible, idempotent, one unit of work per step."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from temir.accounts import service as accounts
from temir.accounts.model import Actor, Channel, OrganisationKind
from temir.accounts.tables import AuditRow, OrganisationRow, UserRow
from temir.cli import app
from temir.demo import accounts as demo_accounts
from temir.demo import service
from temir.kit import runtime
from temir.kit.db import UnitOfWork
from temir.kit.settings import Settings

ACTOR = Actor.system("cli:tests", Channel.CLI)
DEMO_USERNAMES = {u.username for u in demo_accounts.USERS}
DEMO_SLUGS = {o.slug for o in demo_accounts.ORGANISATIONS}


def quiet() -> Console:
    return Console(file=io.StringIO(), width=120)


def counts(uow: UnitOfWork) -> tuple[int, int, int]:
    with uow.read() as session:
        return (
            session.scalar(select(func.count()).select_from(OrganisationRow)) or 0,
            session.scalar(select(func.count()).select_from(UserRow)) or 0,
            session.scalar(select(func.count()).select_from(AuditRow)) or 0,
        )


def test_running_the_demo_twice_creates_nothing_the_second_time(uow: UnitOfWork) -> None:
    first = service.run(uow, ACTOR, console=quiet())
    assert {summary.step for summary in first} >= {"accounts", "notes", "stats"}
    before = counts(uow)
    summaries = service.run(uow, ACTOR, console=quiet())
    assert [(s.step, s.created) for s in summaries] == [(s.step, 0) for s in summaries]
    again = next(summary for summary in summaries if summary.step == "accounts")
    assert again.existing == len(DEMO_USERNAMES) + len(DEMO_SLUGS)
    assert counts(uow) == before


def test_the_demo_covers_the_roles_and_railways_and_is_labelled_synthetic(uow: UnitOfWork) -> None:
    service.run(uow, ACTOR, console=quiet())
    with uow.read() as session:
        organisations = {o.slug: o for o in accounts.list_organisations(session)}
        users = {u.username: u for u in accounts.list_users(session)}
    demo_orgs = [organisations[slug] for slug in DEMO_SLUGS]
    assert all(o.synthetic and "(demo)" in o.name for o in demo_orgs)
    railways = {o.railway_code for o in demo_orgs if o.kind is OrganisationKind.RAILWAY}
    assert railways == {"KZH", "UTI", "TDZ"}
    assert {o.kind for o in demo_orgs} >= {
        OrganisationKind.SHIPPER,
        OrganisationKind.CONSIGNEE,
        OrganisationKind.FORWARDER,
    }
    demo_users = [users[name] for name in DEMO_USERNAMES]
    assert all(u.synthetic and u.has_password for u in demo_users)
    assert {str(u.role) for u in demo_users} == {
        "admin",
        "railway_operator",
        "shipper",
        "analyst",
        "viewer",
    }


def test_every_demo_write_left_exactly_one_audit_row(uow: UnitOfWork) -> None:
    service.run(uow, ACTOR, console=quiet())
    service.run(uow, ACTOR, console=quiet())
    with uow.read() as session:
        rows = session.execute(
            select(AuditRow.action, AuditRow.target_id, AuditRow.actor, AuditRow.via).where(
                AuditRow.action.in_(["user.created", "organisation.created"])
            )
        ).all()
    created_users = [r.target_id for r in rows if r.action == "user.created"]
    created_orgs = [r.target_id for r in rows if r.action == "organisation.created"]
    assert sorted(created_users) == sorted(DEMO_USERNAMES)
    assert sorted(created_orgs) == sorted(DEMO_SLUGS)
    assert {(r.actor, r.via) for r in rows} == {("system:cli:tests", "cli")}


def test_demo_passwords_come_from_the_seed_and_log_in(uow: UnitOfWork) -> None:
    service.run(uow, ACTOR, seed=service.DEFAULT_SEED, console=quiet())
    password = demo_accounts.demo_password(service.DEFAULT_SEED, "demo-kzh")
    assert password == demo_accounts.demo_password(service.DEFAULT_SEED, "demo-kzh")
    assert password != demo_accounts.demo_password(service.DEFAULT_SEED + 1, "demo-kzh")
    assert password != demo_accounts.demo_password(service.DEFAULT_SEED, "demo-uti")
    with uow() as session:
        outcome = accounts.log_in(session, "demo-kzh", password, remote_addr=None)
    assert outcome.session is not None
    assert outcome.session.user.organisation_slug == "demo-kzh"


def test_a_failing_step_loses_only_its_own_writes(
    uow: UnitOfWork, monkeypatch: pytest.MonkeyPatch
) -> None:
    def half_done(
        session: Session, actor: Actor, context: service.DemoContext
    ) -> service.StepSummary:
        accounts.create_organisation(
            session, actor, slug="demo-half-done", name="Half (demo)", kind="shipper", country="KZ"
        )
        raise RuntimeError("interrupted")

    steps = [*service.steps(), service.Step("broken", "Broken step", half_done)]
    monkeypatch.setattr(service, "STEPS", steps)
    with pytest.raises(RuntimeError):
        service.run(uow, ACTOR, console=quiet())
    with uow.read() as session:
        assert (
            session.scalar(select(func.count()).where(OrganisationRow.slug == "demo-half-done"))
            == 0
        )
        assert session.scalar(select(func.count()).where(OrganisationRow.slug == "demo-kzh")) == 1
        assert (
            session.scalar(select(func.count()).where(AuditRow.target_id == "demo-half-done")) == 0
        )


def test_the_command_prints_the_log_ins_and_says_when_nothing_is_new(
    monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    monkeypatch.setattr(runtime, "settings", lambda: settings)
    runner = CliRunner()
    runner.invoke(app, ["demo"])
    result = runner.invoke(app, ["demo"], env={"COLUMNS": "160", "TEMIR_LANG": "en"})
    assert result.exit_code == 0, result.output
    assert "synthetic demo accounts" in result.output
    assert "Nothing new was created" in result.output
    assert demo_accounts.demo_password(service.DEFAULT_SEED, "demo-admin") in result.output
    as_json = runner.invoke(app, ["demo", "--json"])
    body = json.loads(as_json.stdout)
    assert body["created"] == 0
    assert body["synthetic"] is True


def test_an_unknown_step_is_refused(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    monkeypatch.setattr(runtime, "settings", lambda: settings)
    result = CliRunner().invoke(app, ["demo", "--only", "nope", "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["code"] == "unknown_demo_step"
