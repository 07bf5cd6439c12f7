"""Accounts tests get their own freshly migrated database per backend (no reference data needed).

Each test creates uniquely named users and organisations, so tests share the database without
disturbing each other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from temir.accounts import service
from temir.accounts.model import Actor, OrganisationKind, Role
from temir.app import create_app
from temir.kit import migrate
from temir.kit.db import UnitOfWork, make_engine
from temir.kit.settings import Settings
from tests.accounts.accounts_helpers import PASSWORD, Account, MakeAccount, unique
from tests.conftest import fresh_database_url, settings_for, worker_suffix


@pytest.fixture(scope="session")
def engine(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A fresh database migrated to head (the shared ``engine`` also loads reference data,
    which accounts do not need)."""
    url = fresh_database_url(
        backend, f"temir_accounts_{worker_suffix()}", tmp_path_factory.mktemp("accounts-db")
    )
    eng = make_engine(url)
    migrate.upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def uow(engine: Engine) -> UnitOfWork:
    return UnitOfWork(engine)


@pytest.fixture
def make_account(uow: UnitOfWork) -> MakeAccount:
    """Create an organisation and a user in it with a known password."""

    def make(role: Role = Role.VIEWER, password: str | None = PASSWORD) -> Account:
        org, username = unique("org"), unique("user")
        with uow() as session:
            actor = Actor.system("tests")
            service.create_organisation(
                session,
                actor,
                slug=org,
                name="Test org",
                kind=OrganisationKind.SHIPPER,
                country="KZ",
            )
            service.create_user(
                session,
                actor,
                username=username,
                role=role,
                organisation=org,
                full_name=f"Full {username}",
                password=password,
            )
        return Account(username, password or "", org, role)

    return make


@pytest.fixture
def settings(engine: Engine, tmp_path: Path) -> Settings:
    return settings_for(engine, tmp_path)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def token_for(uow: UnitOfWork) -> Callable[[Account], str]:
    def issue(account: Account) -> str:
        with uow() as session:
            return service.issue_token(
                session, Actor.system("tests"), username=account.username, name="t"
            ).secret

    return issue
