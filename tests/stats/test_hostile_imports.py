"""Every bad file given to ``temir stats import``, ``temir stats plan import`` and
``POST /api/v1/stats/plans/import`` is answered with a structured error naming the line or
cell, and nothing is written (no fact, no plan cell, no audit row). SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from temir.accounts import service as accounts
from temir.accounts.model import Actor, Role
from temir.accounts.tables import AuditRow
from temir.cli import app
from temir.kit import runtime
from temir.kit.db import UnitOfWork
from temir.kit.settings import Settings
from temir.stats.tables import StatsPlanRow
from temir.stats.volumes import repository
from tests.hostile import hostile_files

runner = CliRunner()
FACTS = (
    "consignment_no,departure_date,origin_esr,origin_railway,origin_country,"
    "destination_esr,destination_railway,destination_country,commodity_group,wagons,mass_kg\n"
    "HOSTILE-1,2023-05-04,684001,KZH,KZ,745309,TDZ,TJ,grain,2,134000\n"
)
PLAN = (
    "year,country_a,country_b,direction,commodity_group,month,tonnes\n"
    "2037,KG,TM,export,cement,1,9\n"
)
CASES = [(kind, suffix) for kind in hostile_files(FACTS) for suffix in (".csv", ".xlsx")]


@pytest.fixture
def settings(stats_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    url = stats_engine.url.render_as_string(hide_password=False)
    s = Settings(url, tmp_path, "hostile-secret", "127.0.0.1", 8000, False)
    monkeypatch.setattr(runtime, "settings", lambda: s)
    return s


def written(uow: UnitOfWork, name: str) -> tuple[int, int, int]:
    """Facts from file ``name``, plan cells of 2037, audit rows: what a refused import leaves."""
    with uow.read() as session:
        return (
            repository.count_source(session, f"import:{name}"),
            session.scalar(
                select(func.count()).select_from(StatsPlanRow).where(StatsPlanRow.year == 2037)
            )
            or 0,
            session.scalar(select(func.count()).select_from(AuditRow)) or 0,
        )


def refused(args: list[str]) -> dict[str, object]:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    error = json.loads(result.stdout)["error"]
    assert error["code"], error
    assert error["message"], error
    assert error["field"], error
    return dict(error)


@pytest.mark.parametrize(("kind", "suffix"), CASES)
def test_cli_stats_import_refuses_a_hostile_file(
    settings: Settings, stats_uow: UnitOfWork, tmp_path: Path, kind: str, suffix: str
) -> None:
    path = tmp_path / f"hostile-{kind}{suffix}"
    path.write_bytes(hostile_files(FACTS)[kind])
    before = written(stats_uow, path.name)
    refused(["stats", "import", str(path)])
    assert written(stats_uow, path.name) == before
    assert before[0] == 0


@pytest.mark.parametrize(("kind", "suffix"), CASES)
def test_cli_plan_import_refuses_a_hostile_file(
    settings: Settings, stats_uow: UnitOfWork, tmp_path: Path, kind: str, suffix: str
) -> None:
    path = tmp_path / f"plan-{kind}{suffix}"
    path.write_bytes(hostile_files(PLAN)[kind])
    before = written(stats_uow, path.name)
    refused(["stats", "plan", "import", str(path)])
    assert written(stats_uow, path.name) == before


@pytest.fixture
def operator(settings: Settings, stats_uow: UnitOfWork) -> Iterator[TestClient]:
    from temir.app import create_app

    name = "hostile-plans"
    with stats_uow() as session:
        if accounts.repository.user_row(session, name) is None:
            accounts.create_user(
                session, Actor.system("tests"), username=name, role=Role.RAILWAY_OPERATOR,
                organisation=None,
            )  # fmt: skip
        token = accounts.issue_token(session, Actor.system("tests"), username=name).secret
    with TestClient(create_app(settings)) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


@pytest.mark.parametrize(("kind", "suffix"), CASES)
def test_api_plan_import_refuses_a_hostile_file(
    operator: TestClient, stats_uow: UnitOfWork, kind: str, suffix: str
) -> None:
    before = written(stats_uow, "x")
    response = operator.post(
        "/api/v1/stats/plans/import",
        files={"file": (f"plan{suffix}", hostile_files(PLAN)[kind])},
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"], error
    assert error["field"], error
    assert written(stats_uow, "x") == before


@pytest.mark.parametrize("filename", ["", ".", "../../etc/passwd.csv", "a\x00b.csv", "x" * 400])
def test_api_plan_import_takes_any_file_name(
    operator: TestClient, stats_uow: UnitOfWork, filename: str
) -> None:
    response = operator.post("/api/v1/stats/plans/import", files={"file": (filename, b"year\n")})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] in (
        "stats.plan.missing_column",
        "stats.import.format",
        "invalid_request",
    )


def test_the_named_line_is_the_one_that_is_not_utf8(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "late.csv"
    path.write_bytes((FACTS + "HOSTILE-2,2023-05-04,684001,KZH,KZ,745309,TDZ,TJ,grain,2,1\n"
                      ).encode() + "Ф-3,2023".encode("cp1251") + b"\n")  # fmt: skip
    error = refused(["stats", "import", str(path)])
    assert (error["code"], error["field"]) == ("file.not_utf8", "line 4")


def test_a_control_character_in_a_consignment_number_names_its_cell(
    settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "nul.csv"
    path.write_text(FACTS.replace("HOSTILE-1", "HOST\x00ILE"), encoding="utf-8")
    error = refused(["stats", "import", str(path)])
    assert (error["code"], error["field"]) == (
        "stats.import.control",
        "row 2, column consignment_no",
    )
