"""Statistics on a real database (SQLite and PostgreSQL): volumes, YoY, generate, import, API."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import func, select

from temir.accounts.model import Actor
from temir.kit import clock
from temir.kit.db import UnitOfWork
from temir.kit.errors import ValidationFailed
from temir.stats.tables import ShipmentFactRow
from temir.stats.volumes import repository, service
from temir.stats.volumes.model import Breakdown, Fact

ACTOR = Actor.system("tests")
PUBLISHED = Path(service.__file__).resolve().parents[2] / "data" / "stats" / "published.csv"


def hand_fact(no: str, day: date, o: str, d: str, route: str, kg: int, wagons: int = 1) -> Fact:
    """A fact between Kyrgyzstan and Turkmenistan: no demo data uses that pair."""
    countries = tuple(route.split(","))
    return Fact(
        consignment_no=no,
        departure_date=day,
        arrival_date=None,
        origin_esr="716607",
        origin_railway="KRG",
        origin_country=o,
        destination_esr="754505",
        destination_railway="TRK",
        destination_country=d,
        route_countries=countries,
        route_railways=("KRG", "UTI", "TRK"),
        border_crossings=(),
        commodity_group="cement" if o == "KG" else "cotton",
        etsng=None,
        gng=None,
        wagons=wagons,
        containers_teu=0,
        mass_kg=kg,
        tariff_km=None,
        source="test:yoy",
        synthetic=False,
    )


@pytest.fixture(scope="module")
def hand_made(stats_uow: UnitOfWork) -> None:
    facts = [
        # 2024: export 2,000 t in 2 consignments; import 500 t
        hand_fact("A1", date(2024, 3, 1), "KG", "TM", "KG,UZ,TM", 1_200_000, 20),
        hand_fact("A2", date(2024, 11, 5), "KG", "TM", "KG,UZ,TM", 800_000, 12),
        hand_fact("A3", date(2024, 6, 1), "TM", "KG", "TM,UZ,KG", 500_000, 8),
        # 2025: export 2,500 t; import 400 t; transit KZ→TM via KG 300 t; unrelated UZ→TM 999 t
        hand_fact("B1", date(2025, 3, 2), "KG", "TM", "KG,UZ,TM", 2_500_000, 38),
        hand_fact("B2", date(2025, 4, 2), "TM", "KG", "TM,UZ,KG", 400_000, 6),
        hand_fact("B3", date(2025, 5, 2), "KZ", "TM", "KZ,KG,UZ,TM", 300_000, 5),
        hand_fact("B4", date(2025, 5, 3), "UZ", "TM", "UZ,TM", 999_000, 15),
    ]
    with stats_uow() as session:
        repository.delete_source(session, "test:yoy")
        repository.insert_facts(session, facts, clock.now())


def test_direction_and_yoy_from_inserted_facts(stats_uow: UnitOfWork, hand_made: None) -> None:
    with stats_uow.read() as session:
        report = service.volumes(session, 2025, "KG", "TM", Breakdown.DIRECTION)
    rows = {r.key: r for r in report.rows}
    assert rows["export"].tonnes == 2_500
    assert rows["export"].previous_tonnes == 2_000
    assert rows["export"].change_pct == 25.0
    assert rows["import"].tonnes == 400
    assert rows["import"].change_pct == -20.0
    assert rows["transit"].tonnes == 300
    assert rows["transit"].previous_tonnes == 0
    assert rows["transit"].change_pct is None
    assert report.total.tonnes == 3_200  # the UZ→TM consignment is not KG–TM traffic
    assert report.total.wagons == 49
    assert report.total.previous_tonnes == 2_500
    assert report.total.change_pct == 28.0
    assert rows["export"].share_pct == 78.1


def test_quarter_and_month_breakdowns(stats_uow: UnitOfWork, hand_made: None) -> None:
    with stats_uow.read() as session:
        quarters = service.volumes(session, 2024, "KG", "TM", Breakdown.QUARTER)
        months = service.volumes(session, 2024, "KG", "TM", Breakdown.MONTH)
    assert {r.key: r.tonnes for r in quarters.rows} == {"Q1": 1_200, "Q2": 500, "Q4": 800}
    assert {r.key: r.tonnes for r in months.rows} == {"03": 1_200, "06": 500, "11": 800}


def test_generated_facts_match_the_published_file(stats_uow: UnitOfWork, generated: int) -> None:
    assert generated > 10_000
    with PUBLISHED.open(encoding="utf-8", newline="") as fh:
        figures = [r for r in csv.DictReader(fh) if r["period_to"].endswith("12-31")]
    assert figures
    with stats_uow.read() as session:
        for figure in figures:
            report = service.volumes(
                session,
                int(figure["period_from"][:4]),
                figure["country_a"],
                figure["country_b"],
                Breakdown.DIRECTION,
                figure["commodity_group"] or None,
            )
            if figure["direction"] == "all":
                actual = report.total.tonnes
            else:
                actual = next(r.tonnes for r in report.rows if r.key == figure["direction"])
            assert actual == int(figure["tonnes"]), figure["id"]
        assert report.synthetic_included


def test_by_railway_counts_each_railway_on_the_route(stats_uow: UnitOfWork, generated: int) -> None:
    with stats_uow.read() as session:
        report = service.volumes(session, 2025, "KZ", "TJ", Breakdown.RAILWAY)
    rows = {r.key: r.tonnes for r in report.rows}
    # every KZ–TJ consignment runs over KZH, UTI and TDZ (all routes are via Uzbekistan)
    assert rows["KZH"] == rows["UTI"] == rows["TDZ"] == report.total.tonnes
    assert 0 < rows["RZD"] < report.total.tonnes


def test_generate_is_idempotent_and_keeps_imports(
    stats_uow: UnitOfWork, generated: int, tmp_path: Path
) -> None:
    good = tmp_path / "history.csv"
    good.write_text(
        "consignment_no,departure_date,origin_esr,origin_railway,origin_country,"
        "destination_esr,destination_railway,destination_country,commodity_group,wagons,mass_kg\n"
        "H-1,2023-05-04,684001,KZH,KZ,745309,TDZ,TJ,grain,2,134000\n",
        encoding="utf-8",
    )
    with stats_uow() as session:
        assert service.import_file(session, ACTOR, good) == 1
    with stats_uow() as session:
        again = service.generate_synthetic(session, ACTOR, 11)
    assert again == generated
    with stats_uow.read() as session:
        synthetic_rows = session.scalar(
            select(func.count()).select_from(ShipmentFactRow).where(ShipmentFactRow.synthetic)
        )
        assert synthetic_rows == generated
        assert repository.count_source(session, "import:history.csv") == 1


def _bad_csv(path: Path) -> Path:
    path.write_text(
        "consignment_no,departure_date,origin_esr,origin_railway,origin_country,"
        "destination_esr,destination_railway,destination_country,commodity_group,wagons,mass_kg\n"
        "X-1,2023-01-10,684001,KZH,KZ,745309,TDZ,TJ,grain,1,66000\n"
        "X-2,2023-01-11,684001,KZH,KZ,745309,TDZ,TJ,grain,1,66 t\n",
        encoding="utf-8",
    )
    return path


def test_import_rejects_a_bad_file_naming_row_and_column(
    stats_uow: UnitOfWork, tmp_path: Path
) -> None:
    bad = _bad_csv(tmp_path / "bad.csv")
    with pytest.raises(ValidationFailed) as caught, stats_uow() as session:
        service.import_file(session, ACTOR, bad)
    assert caught.value.field == "row 3, column mass_kg"
    assert caught.value.code == "stats.import.integer"
    with stats_uow.read() as session:
        assert repository.count_source(session, "import:bad.csv") == 0


def test_import_xlsx_and_missing_column(stats_uow: UnitOfWork, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    header = [
        "consignment_no", "departure_date", "origin_esr", "origin_railway", "origin_country",
        "destination_esr", "destination_railway", "destination_country", "commodity_group",
        "wagons", "mass_kg", "tariff_km",
    ]  # fmt: skip
    sheet.append(header)
    sheet.append(
        [
            "X-9",
            date(2023, 2, 1),
            "684001",
            "KZH",
            "KZ",
            "745309",
            "TDZ",
            "TJ",
            "flour",
            3,
            190500,
            3151,
        ]
    )
    book.save(tmp_path / "good.xlsx")
    with stats_uow() as session:
        assert service.import_file(session, ACTOR, tmp_path / "good.xlsx") == 1
    with stats_uow.read() as session:
        row = session.scalars(
            select(ShipmentFactRow).where(ShipmentFactRow.source == "import:good.xlsx")
        ).one()
        assert (row.mass_kg, row.tonne_km, row.synthetic) == (190_500, 600_266, False)
    (tmp_path / "short.csv").write_text("consignment_no,mass_kg\nA,1\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught, stats_uow() as session:
        service.import_file(session, ACTOR, tmp_path / "short.csv")
    assert caught.value.field == "row 1, column departure_date"


def test_api_volumes(stats_engine: object, generated: int, tmp_path: Path) -> None:
    from temir.app import create_app
    from temir.kit.settings import Settings

    url = stats_engine.url.render_as_string(hide_password=False)  # type: ignore[attr-defined]
    settings = Settings(url, tmp_path, "test-secret", "127.0.0.1", 8000, False)
    client = TestClient(create_app(settings))
    body = client.get("/api/v1/stats/volumes", params={"year": 2025, "by": "direction"}).json()
    assert body["total"]["tonnes"] == 5_900_000
    assert body["total"]["mt"] == 5.9
    assert body["total"]["change_pct"] == 15.1
    assert body["includes_synthetic"] is True
    bad = client.get("/api/v1/stats/volumes", params={"year": 2025, "a": "KZ", "b": "KZ"})
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "stats.same_country"
