"""Plans on a real database (SQLite and PostgreSQL): plan against actual, entry, import, API."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from temir.accounts import service as accounts
from temir.accounts.model import Actor, Role
from temir.accounts.tables import AuditRow
from temir.kit import clock
from temir.kit.db import UnitOfWork
from temir.kit.errors import Conflict, PermissionDenied, ValidationFailed
from temir.stats.plans import repository as plan_repository
from temir.stats.plans import service as plan_service
from temir.stats.tables import StatsPlanRow
from temir.stats.volumes import repository
from temir.stats.volumes.model import Fact

ACTOR = Actor.system("tests")
YEAR = 2030  # no other test writes facts or plans in 2030
HEADER = "year,country_a,country_b,direction,commodity_group,month,tonnes\n"


def fact(no: str, day: date, origin: str, destination: str, kg: int, group: str) -> Fact:
    return Fact(
        consignment_no=no,
        departure_date=day,
        arrival_date=None,
        origin_esr="716607",
        origin_railway="KRG" if origin == "KG" else "TRK",
        origin_country=origin,
        destination_esr="754505",
        destination_railway="TRK" if destination == "TM" else "KRG",
        destination_country=destination,
        route_countries=(origin, "UZ", destination),
        route_railways=("KRG", "UTI", "TRK"),
        border_crossings=(),
        commodity_group=group,
        etsng=None,
        gng=None,
        wagons=1,
        containers_teu=0,
        mass_kg=kg,
        tariff_km=None,
        source="test:plans",
        synthetic=False,
    )


@pytest.fixture(scope="module")
def kg_tm_2030(stats_uow: UnitOfWork) -> None:
    """Actual 2030: KG→TM cement 1,500.499 t in March, TM→KG cotton 400 t in June."""
    facts = [
        fact("P1", date(YEAR, 3, 3), "KG", "TM", 1_200_000, "cement"),
        fact("P2", date(YEAR, 3, 20), "KG", "TM", 300_499, "cement"),
        fact("P3", date(YEAR, 6, 9), "TM", "KG", 400_000, "cotton"),
    ]
    with stats_uow() as session:
        repository.delete_source(session, "test:plans")
        plan_repository.delete_plan(session, YEAR, "KG", "TM")
        repository.insert_facts(session, facts, clock.now())
        plan_service.set_plan(session, ACTOR, YEAR, "KG", "TM", "export", "cement", 1_000, 3)
        plan_service.set_plan(session, ACTOR, YEAR, "KG", "TM", "export", "cement", 500, 4)
        plan_service.set_plan(session, ACTOR, YEAR, "KG", "TM", "import", "cotton", 800, 6)


def test_plan_against_actual_on_hand_made_facts(stats_uow: UnitOfWork, kg_tm_2030: None) -> None:
    with stats_uow.read() as session:
        report = plan_service.plan_vs_actual(session, YEAR, "KG", "TM")
    direction = {line.key: line for line in report.by_direction}
    assert (direction["export"].plan_tonnes, direction["export"].actual_tonnes) == (1_500, 1_500)
    assert direction["export"].fulfilment_pct == 100.0
    assert direction["import"].fulfilment_pct == 50.0
    month = {line.key: line for line in report.by_month}
    assert month["03"].fulfilment_pct == 150.0
    assert (month["04"].actual_tonnes, month["04"].fulfilment_pct) == (0, 0.0)
    assert month["06"].difference_tonnes == -400
    commodity = {line.key: line.fulfilment_pct for line in report.by_commodity}
    assert commodity == {"cement": 100.0, "cotton": 50.0}
    assert (report.total.plan_tonnes, report.total.actual_tonnes) == (2_300, 1_900)
    assert report.total.fulfilment_pct == 82.6  # 1900 / 2300
    assert report.months_with_actuals == (3, 6)
    assert report.plan_to_date_tonnes == 2_300
    assert report.has_plan
    assert not report.synthetic_included


def test_a_year_figure_is_spread_over_twelve_months(stats_uow: UnitOfWork) -> None:
    with stats_uow() as session:
        cells = plan_service.set_plan(session, ACTOR, 2031, "KG", "TM", "transit", "grain", 1_000)
    assert [c.month for c in cells] == list(range(1, 13))
    assert sum(c.tonnes for c in cells) == 1_000
    assert {c.tonnes for c in cells} == {83, 84}
    with stats_uow() as session:  # entering again replaces, never adds
        plan_service.set_plan(session, ACTOR, 2031, "KG", "TM", "transit", "grain", 1_200)
    with stats_uow.read() as session:
        stored = plan_service.plan_cells(session, 2031, "KG", "TM")
    assert sum(c.tonnes for c in stored) == 1_200
    assert len(stored) == 12


def test_entering_a_bad_value_names_the_field(stats_uow: UnitOfWork) -> None:
    with pytest.raises(ValidationFailed) as caught, stats_uow() as session:
        plan_service.set_plan(session, ACTOR, 2031, "KG", "TM", "sideways", "grain", 10, 1)
    assert (caught.value.code, caught.value.field) == ("stats.plan.direction", "direction")
    with pytest.raises(ValidationFailed) as caught, stats_uow() as session:
        plan_service.set_plan(session, ACTOR, 2031, "KG", "TM", "export", "grain", 10, 13)
    assert caught.value.field == "month"
    viewer = Actor(label="viewer", role=Role.VIEWER, via=ACTOR.via)
    with pytest.raises(PermissionDenied), stats_uow() as session:
        plan_service.set_plan(session, viewer, 2031, "KG", "TM", "export", "grain", 10, 1)


def plan_count(uow: UnitOfWork, year: int) -> int:
    with uow.read() as session:
        return int(session.scalar(select(func.count()).where(StatsPlanRow.year == year)) or 0)


def test_plan_import_is_all_or_nothing_and_names_row_and_column(
    stats_uow: UnitOfWork, tmp_path: Path
) -> None:
    bad = tmp_path / "plan.csv"
    bad.write_text(
        HEADER
        + "2032,KG,TM,export,cement,1,100\n"  # good
        + "2032,KG,TM,export,cement,2,lots\n"  # row 3: tonnes
        + "2032,KG,TM,export,sand,3,100\n",  # row 4: commodity group
        encoding="utf-8",
    )
    with pytest.raises(ValidationFailed) as caught, stats_uow() as session:
        plan_service.import_plan_file(session, ACTOR, bad)
    assert caught.value.field == "row 3, column tonnes"
    assert [p.field for p in caught.value.problems] == [
        "row 3, column tonnes",
        "row 4, column commodity_group",
    ]
    assert plan_count(stats_uow, 2032) == 0
    duplicate = tmp_path / "twice.csv"
    duplicate.write_text(
        HEADER + "2032,KG,TM,export,cement,1,100\n2032,KG,TM,export,cement,1,200\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationFailed) as caught, stats_uow() as session:
        plan_service.import_plan_file(session, ACTOR, duplicate)
    assert caught.value.code == "stats.plan.duplicate"
    assert caught.value.field == "row 3, column month"
    assert plan_count(stats_uow, 2032) == 0


def test_plan_import_from_xlsx(stats_uow: UnitOfWork, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.strip().split(","))
    sheet.append([2033, "KG", "TM", "export", "cement", 1, 1_234])
    sheet.append([2033, "kg", "tm", "Import", "cotton", 12.0, 56])
    book.save(tmp_path / "plan.xlsx")
    with stats_uow() as session:
        assert plan_service.import_plan_file(session, ACTOR, tmp_path / "plan.xlsx") == 2
    with stats_uow.read() as session:
        cells = {(c.direction, c.month): (c.tonnes, c.basis) for c in
                 plan_service.plan_cells(session, 2033, "KG", "TM")}  # fmt: skip
    assert cells == {("export", 1): (1_234, "imported"), ("import", 12): (56, "imported")}
    (tmp_path / "short.csv").write_text("year,tonnes\n2033,1\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught, stats_uow() as session:
        plan_service.import_plan_file(session, ACTOR, tmp_path / "short.csv")
    assert caught.value.field == "row 1, column country_a"


def test_seeding_from_the_forecast_does_not_overwrite_a_plan(
    stats_uow: UnitOfWork, generated: int
) -> None:
    with stats_uow() as session:
        written = plan_service.seed_plan_from_forecast(
            session, ACTOR, 2026, "KZ", "TJ", replace=True
        )
    with stats_uow.read() as session:
        cells = plan_service.plan_cells(session, 2026, "KZ", "TJ")
        result = plan_service.forecast_year(session, 2026, "KZ", "TJ")
    assert written == len(cells) == 12 * len(result.series)
    assert {c.basis for c in cells} == {"forecast"}
    assert all(c.synthetic for c in cells)
    assert sum(c.tonnes for c in cells) == result.to_dict()["total"]["tonnes"]
    assert result.history_years == (2024, 2025)
    assert result.backtest is not None
    assert result.backtest.held_out_year == 2025
    with pytest.raises(Conflict), stats_uow() as session:
        plan_service.seed_plan_from_forecast(session, ACTOR, 2026, "KZ", "TJ")


def test_api_plan_against_actual_and_guarded_writes(
    stats_engine: Engine, stats_uow: UnitOfWork, kg_tm_2030: None, tmp_path: Path
) -> None:
    from temir.app import create_app
    from temir.kit.settings import Settings

    url = stats_engine.url.render_as_string(hide_password=False)
    client = TestClient(
        create_app(Settings(url, tmp_path, "test-secret", "127.0.0.1", 8000, False))
    )
    body = client.get(
        "/api/v1/stats/plan-vs-actual", params={"year": YEAR, "between": "KG,TM"}
    ).json()
    assert body["total"]["fulfilment_pct"] == 82.6
    assert {line["key"]: line["fulfilment_pct"] for line in body["by_direction"]} == {
        "export": 100.0,
        "import": 50.0,
    }
    bad = client.get("/api/v1/stats/plan-vs-actual", params={"year": YEAR, "between": "KG"})
    assert (bad.status_code, bad.json()["error"]["field"]) == (422, "between")

    entry = {"year": 2034, "between": "KG,TM", "direction": "export",
             "commodity_group": "cement", "tonnes": 70, "month": 5}  # fmt: skip
    assert client.put("/api/v1/stats/plans", json=entry).status_code == 401
    tokens = {}
    with stats_uow() as session:
        for role in (Role.VIEWER, Role.RAILWAY_OPERATOR):
            name = f"plans-{role.value}-{stats_engine.dialect.name}".replace("_", "-")
            if accounts.repository.user_row(session, name) is None:
                accounts.create_user(session, ACTOR, username=name, role=role, organisation=None)
            tokens[role] = accounts.issue_token(session, ACTOR, username=name).secret
    denied = client.put(
        "/api/v1/stats/plans",
        json=entry,
        headers={"Authorization": f"Bearer {tokens[Role.VIEWER]}"},
    )
    assert (denied.status_code, denied.json()["error"]["code"]) == (403, "permission_denied")
    ok = client.put(
        "/api/v1/stats/plans",
        json=entry,
        headers={"Authorization": f"Bearer {tokens[Role.RAILWAY_OPERATOR]}"},
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["written"] == 1
    with stats_uow.read() as session:
        audited = session.scalars(
            select(AuditRow.actor).where(
                AuditRow.action == "stats.plan.set",
                AuditRow.target_id == "2034:KG-TM:export:cement",
            )
        ).all()
    assert len(audited) == 1
    assert audited[0].startswith("plans-railway-operator")
    assert (
        client.get("/api/v1/stats/plans", params={"year": 2034, "between": "KG,TM"}).json()[
            "cells"
        ][0]["tonnes"]
        == 70
    )


def test_api_plan_import_names_the_bad_cell(
    stats_engine: Engine, stats_uow: UnitOfWork, tmp_path: Path
) -> None:
    from temir.app import create_app
    from temir.kit.settings import Settings

    url = stats_engine.url.render_as_string(hide_password=False)
    client = TestClient(create_app(Settings(url, tmp_path, "s", "127.0.0.1", 8000, False)))
    name = f"plans-import-{stats_engine.dialect.name}"
    with stats_uow() as session:
        if accounts.repository.user_row(session, name) is None:
            accounts.create_user(
                session, ACTOR, username=name, role=Role.RAILWAY_OPERATOR, organisation=None
            )
        token = accounts.issue_token(session, ACTOR, username=name).secret
    headers = {"Authorization": f"Bearer {token}"}
    bad = HEADER + "2035,KG,TM,export,cement,1,100\n2035,KG,TM,export,cement,0,5\n"
    response = client.post(
        "/api/v1/stats/plans/import", files={"file": ("plan.csv", bad)}, headers=headers
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "row 3, column month"
    assert plan_count(stats_uow, 2035) == 0
    good = HEADER + "2035,KG,TM,export,cement,1,100\n"
    response = client.post(
        "/api/v1/stats/plans/import", files={"file": ("plan.csv", good)}, headers=headers
    )
    assert response.json() == {"written": 1, "file": "plan.csv"}
