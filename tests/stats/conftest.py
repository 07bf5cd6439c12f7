"""Statistics fixtures: a migrated database per backend, and one synthetic data set in it.

Own fixture (not the shared ``engine``) so that statistics tests do not need the reference data
loader; the facts carry their station codes and countries themselves.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from temir.accounts.model import Actor
from temir.kit import migrate
from temir.kit.db import UnitOfWork, make_engine
from tests.conftest import fresh_database_url, worker_suffix

SEED = 11
#: The installation secret of every statistics test: organisation keys are sealed under it.
SECRET = "stats-test-installation-secret"


@pytest.fixture(scope="session")
def stats_engine(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    url = fresh_database_url(
        backend, f"temir_stats_{worker_suffix()}", tmp_path_factory.mktemp("stats")
    )
    engine = make_engine(url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def stats_uow(stats_engine: Engine) -> UnitOfWork:
    return UnitOfWork(stats_engine)


@pytest.fixture(scope="session")
def generated(stats_uow: UnitOfWork) -> int:
    """The 2024–2025 demo facts of seed ``SEED``, written once per backend."""
    from temir.stats.volumes import service

    with stats_uow() as session:
        return service.generate_synthetic(session, Actor.system("tests"), SEED)


#: Test railways (organisation slug → railway code) and their operators (same username).
RAILWAYS = {"t-kzh": "KZH", "t-tdz": "TDZ", "t-uti": "UTI", "t-krg": "KRG", "t-trk": "TRK"}
COUNTRY = {"KZH": "KZ", "TDZ": "TJ", "UTI": "UZ", "KRG": "KG", "TRK": "TM"}


@pytest.fixture(scope="session")
def railways(stats_uow: UnitOfWork) -> dict[str, str]:
    """An organisation per railway with a railway operator each (``t-kzh`` …), a KZH viewer
    (``t-kzh-viewer``); made once per backend."""
    from temir.accounts import repository as accounts_repository
    from temir.accounts import service as accounts_service
    from temir.accounts.model import OrganisationKind, Role

    admin = Actor.system("tests")
    with stats_uow() as session:
        for slug, code in RAILWAYS.items():
            if accounts_repository.organisation_row(session, slug) is None:
                accounts_service.create_organisation(
                    session, admin, slug=slug, name=f"{code} (test)", kind=OrganisationKind.RAILWAY,
                    country=COUNTRY[code], railway_code=code,
                )  # fmt: skip
                accounts_service.create_user(
                    session, admin, username=slug, role=Role.RAILWAY_OPERATOR, organisation=slug
                )
        if accounts_repository.user_row(session, "t-kzh-viewer") is None:
            accounts_service.create_user(
                session, admin, username="t-kzh-viewer", role=Role.VIEWER, organisation="t-kzh"
            )
    return dict(RAILWAYS)
