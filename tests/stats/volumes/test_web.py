"""The statistics dashboard (``/stats``) and its exports, on hand-made facts, on both backends.

The expected figures are worked out by hand from the facts below (kg summed, then rounded half
to even to whole tonnes); the page must also show exactly what ``temir stats volumes --json``
prints for the same filters.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from temir.app import create_app
from temir.cli import app as cli_app
from temir.kit import clock, migrate, runtime
from temir.kit.db import UnitOfWork, make_engine
from temir.kit.settings import Settings
from temir.stats.volumes import repository
from temir.stats.volumes.model import Fact
from tests.conftest import fresh_database_url, worker_suffix
from tests.web.test_web_assets import LOADED, _navigation_only

KZ_TJ = "704101/720602 726204/747501"  # Saryagash→Keles, Bekabad→Spitamen
TJ_KZ = "747501/726204 720602/704101"  # the same two crossings the other way
RU_KZ = "648207/650000"


def fact(
    no: str,
    day: date,
    o: str,
    d: str,
    railways: str,
    crossings: str,
    group: str,
    kg: int,
    wagons: int,
    synthetic: bool = False,
) -> Fact:
    countries = {"RZD": "RU", "KZH": "KZ", "UTI": "UZ", "TDZ": "TJ"}
    route = tuple(railways.split(","))
    return Fact(
        consignment_no=no,
        departure_date=day,
        arrival_date=None,
        origin_esr="000000",
        origin_railway=route[0],
        origin_country=o,
        destination_esr="111111",
        destination_railway=route[-1],
        destination_country=d,
        route_countries=tuple(countries[r] for r in route),
        route_railways=route,
        border_crossings=tuple(crossings.split()),
        commodity_group=group,
        etsng=None,
        gng=None,
        wagons=wagons,
        containers_teu=0,
        mass_kg=kg,
        tariff_km=None,
        source="synthetic" if synthetic else "import:web-test.csv",
        synthetic=synthetic,
    )


FACTS = [
    # 2025
    fact("E1", date(2025, 1, 15), "KZ", "TJ", "KZH,UTI,TDZ", KZ_TJ, "grain", 2_000_500, 30),
    fact("E2", date(2025, 3, 3), "KZ", "TJ", "KZH,UTI,TDZ", KZ_TJ, "flour", 1_000_000, 15),
    fact("I1", date(2025, 3, 20), "TJ", "KZ", "TDZ,UTI,KZH", TJ_KZ, "nonferrous_ore", 500_000, 8),
    fact(
        "T1",
        date(2025, 7, 1),
        "RU",
        "TJ",
        "RZD,KZH,UTI,TDZ",
        f"{RU_KZ} {KZ_TJ}",
        "oil_products",
        1_500_000,
        25,
    ),
    fact("X1", date(2025, 7, 2), "KZ", "UZ", "KZH,UTI", "704101/720602", "grain", 9_999_000, 150),
    # 2024
    fact("E0", date(2024, 1, 5), "KZ", "TJ", "KZH,UTI,TDZ", KZ_TJ, "grain", 1_600_000, 24),
    fact("I0", date(2024, 3, 9), "TJ", "KZ", "TDZ,UTI,KZH", TJ_KZ, "nonferrous_ore", 500_000, 8),
    # 2023: synthetic only
    fact("S1", date(2023, 5, 1), "KZ", "TJ", "KZH,UTI,TDZ", KZ_TJ, "grain", 700_000, 11, True),
]


@pytest.fixture(scope="module")
def web_engine(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A fresh database per backend holding only the facts above (no reference data)."""
    url = fresh_database_url(
        backend, f"temir_statsweb_{worker_suffix()}", tmp_path_factory.mktemp("statsweb")
    )
    engine = make_engine(url)
    migrate.upgrade(engine)
    with UnitOfWork(engine)() as session:
        repository.insert_facts(session, FACTS, clock.now())
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def settings(web_engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        database_url=web_engine.url.render_as_string(hide_password=False),
        home=tmp_path_factory.mktemp("statsweb-home"),
        secret_key="test-secret-key-not-for-production",
        host="127.0.0.1",
        port=0,
        secure_cookies=False,
    )


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), headers={"accept": "text/html"}) as c:
        yield c


def table_of(page: str, name: str) -> dict[str, dict[str, int]]:
    """``{row key: {"tonnes", "previous", "wagons"}}`` from the page's table ``name``."""
    match = re.search(rf'<table[^>]*data-testid="table-{name}".*?</table>', page, re.S)
    assert match, f"no table {name}"
    rows = {}
    for key, body in re.findall(r'<tr data-key="([^"]+)">(.*?)</tr>', match.group(0), re.S):
        values = dict(re.findall(r'data-(tonnes|previous|wagons)="(\d+)"', body))
        rows[key] = {k: int(v) for k, v in values.items()}
    return rows


def cli_volumes(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, *args: str
) -> dict[str, object]:
    monkeypatch.setattr(runtime, "settings", lambda: settings)
    result = CliRunner().invoke(cli_app, ["stats", "volumes", *args, "--json"])
    assert result.exit_code == 0, result.output
    body: dict[str, object] = json.loads(result.output)
    return body


def test_dashboard_shows_the_hand_worked_figures(client: TestClient) -> None:
    response = client.get("/stats", params={"year": 2025}, headers={"accept-language": "en"})
    assert response.status_code == 200
    page = response.text
    # 2,000,500 + 1,000,000 + 500,000 + 1,500,000 kg = 5,000.5 t → 5,000 t (half to even);
    # the KZ→UZ consignment is not KZ–TJ traffic.
    assert 'data-testid="total-tonnes">5,000\u00a0t<' in page
    assert 'data-testid="total-mt">0.005\u00a0Mt<' in page
    assert 'data-testid="total-wagons">78<' in page
    # 2024: 2,100 t → +138.1 %
    assert 'data-testid="total-change">+138.1\u00a0%<' in page
    directions = table_of(page, "direction")
    assert directions["export"] == {"tonnes": 3_000, "previous": 1_600, "wagons": 45}
    assert directions["import"] == {"tonnes": 500, "previous": 500, "wagons": 8}
    assert directions["transit"] == {"tonnes": 1_500, "previous": 0, "wagons": 25}
    assert directions["total"]["tonnes"] == 5_000
    months = table_of(page, "month")
    assert {k: v["tonnes"] for k, v in months.items()} == {
        "01": 2_000,
        "03": 1_500,
        "07": 1_500,
        "total": 5_000,
    }
    assert months["01"]["previous"] == 1_600
    commodities = table_of(page, "commodity")
    assert {k: (v["tonnes"], v["previous"]) for k, v in commodities.items()} == {
        "grain": (2_000, 1_600),
        "oil_products": (1_500, 0),
        "flour": (1_000, 0),
        "nonferrous_ore": (500, 500),
        "total": (5_000, 2_100),
    }
    # Both directions through Saryagash/Keles are one crossing; transit also crossed RU→KZ.
    crossings = table_of(page, "crossing")
    assert {k: v["tonnes"] for k, v in crossings.items()} == {
        "704101/720602": 5_000,
        "726204/747501": 5_000,
        "648207/650000": 1_500,
        "total": 5_000,
    }
    railways = table_of(page, "railway")
    assert railways["RZD"]["tonnes"] == 1_500
    assert railways["KZH"]["tonnes"] == 5_000
    assert 'data-testid="synthetic-badge"' not in page
    assert "canvas" in page
    assert 'data-testid="chart-month"' in page


def test_dashboard_equals_the_cli_for_the_same_filters(
    client: TestClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = [
        ({"year": "2025"}, ["--year", "2025"]),
        ({"year": "2025", "direction": "export"}, ["--year", "2025", "--direction", "export"]),
        ({"year": "2024", "commodity": "grain"}, ["--year", "2024", "--commodity", "grain"]),
    ]
    by = {"month": "month", "commodity": "commodity", "direction": "direction"}
    by |= {"crossing": "crossing", "railway": "railway"}
    for params, args in cases:
        page = client.get("/stats", params=params).text
        for table, breakdown in by.items():
            body = cli_volumes(settings, monkeypatch, *args, "--by", breakdown)
            rows = body["rows"]
            assert isinstance(rows, list)
            expected = {r["key"]: (r["tonnes"], r["previous_year"]["tonnes"]) for r in rows}
            total = body["total"]
            assert isinstance(total, dict)
            expected["total"] = (total["tonnes"], total["previous_year"]["tonnes"])
            shown = {k: (v["tonnes"], v["previous"]) for k, v in table_of(page, table).items()}
            assert shown == expected, (params, table)


def test_filters_narrow_the_figures(client: TestClient) -> None:
    export = client.get("/stats", params={"year": 2025, "direction": "export"}).text
    assert table_of(export, "direction") == {
        "export": {"tonnes": 3_000, "previous": 1_600, "wagons": 45},
        "total": {"tonnes": 3_000, "previous": 1_600, "wagons": 45},
    }
    grain = client.get("/stats", params={"year": 2025, "commodity": "grain"}).text
    grain_total = table_of(grain, "commodity")["total"]
    assert grain_total == {"tonnes": 2_000, "previous": 1_600, "wagons": 30}
    assert '<option value="grain" selected>' in grain  # the form shows the filter in force
    other_pair = client.get("/stats", params={"year": 2025, "a": "KZ", "b": "UZ"}).text
    assert table_of(other_pair, "direction")["export"]["tonnes"] == 9_999


def test_bad_filters_are_explained_not_crashed(client: TestClient) -> None:
    same = client.get("/stats", params={"a": "KZ", "b": "KZ"})
    assert same.status_code == 422
    assert "Choose two different countries." in same.text
    year = client.get("/stats", params={"year": "twenty"}, headers={"accept-language": "ru"})
    assert year.status_code == 422
    assert "Год — число от 1990 до 2100." in year.text
    unknown = client.get("/stats", params={"commodity": "gold"})
    assert unknown.status_code == 404
    assert "Unknown commodity group gold." in unknown.text


def test_htmx_request_gets_only_the_figures(client: TestClient) -> None:
    part = client.get("/stats", params={"year": 2024}, headers={"hx-request": "true"}).text
    assert "<html" not in part
    assert 'data-testid="kpi-total"' in part
    assert 'data-testid="stats-filters"' not in part
    full = client.get("/stats").text
    assert 'hx-get="/stats"' in full
    assert 'hx-target="#dashboard"' in full
    assert 'method="get" action="/stats"' in full  # the same form works without JavaScript


def test_synthetic_badge_whenever_synthetic_facts_are_shown(client: TestClient) -> None:
    assert 'data-testid="synthetic-badge"' in client.get("/stats", params={"year": 2023}).text
    # 2024 is compared with the synthetic 2023, so the page shows synthetic figures too.
    assert 'data-testid="synthetic-badge"' in client.get("/stats", params={"year": 2024}).text
    assert 'data-testid="synthetic-badge"' not in client.get("/stats", params={"year": 2025}).text


def test_numbers_follow_the_language(client: TestClient) -> None:
    ru = client.get("/stats", params={"year": 2025}, headers={"accept-language": "ru"}).text
    assert 'data-testid="total-tonnes">5\u00a0000\u00a0т<' in ru
    assert 'data-testid="total-change">+138,1\u00a0%<' in ru
    assert "Статистика перевозок" in ru
    assert "Январь" in ru


def test_csv_export_reads_back(client: TestClient) -> None:
    response = client.get("/stats/export.csv", params={"year": 2025, "table": "direction"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_key = {r["key"]: r for r in rows}
    assert list(by_key) == ["export", "import", "transit", "total"]
    assert by_key["export"]["tonnes"] == "3000"
    assert by_key["export"]["previous_tonnes"] == "1600"
    assert by_key["export"]["change_pct"] == "87.5"
    assert by_key["export"]["share_pct"] == "60.0"
    assert by_key["transit"]["change_pct"] == ""
    assert by_key["total"]["tonnes"] == "5000"
    assert by_key["total"]["mt"] == "0.005"
    assert {r["includes_synthetic"] for r in rows} == {"no"}
    synthetic = client.get("/stats/export.csv", params={"year": 2023, "table": "month"})
    assert {r["includes_synthetic"] for r in csv.DictReader(io.StringIO(synthetic.text))} == {"yes"}


def test_xlsx_export_reads_back(client: TestClient, tmp_path: Path) -> None:
    response = client.get("/stats/export.xlsx", params={"year": 2025})
    assert response.status_code == 200
    path = tmp_path / "all.xlsx"
    path.write_bytes(response.content)
    book = load_workbook(path)
    assert book.sheetnames == ["month", "commodity", "direction", "crossing", "railway"]
    sheet = book["commodity"]
    values = [row for row in sheet.iter_rows(values_only=True) if row and row[0]]
    header = next(i for i, row in enumerate(values) if row[0] == "Commodity group")
    body = {row[0]: row[1:] for row in values[header + 1 :]}
    assert body["Grain"][0] == 2_000  # tonnes 2025
    assert body["Grain"][4] == 1_600  # tonnes 2024
    assert body["Grain"][6] == 25.0  # change %
    assert body["Total"][0] == 5_000
    one = client.get("/stats/export.xlsx", params={"year": 2023, "table": "month"})
    (tmp_path / "one.xlsx").write_bytes(one.content)
    sheet = load_workbook(tmp_path / "one.xlsx")["month"]
    assert "Synthetic" in str(sheet["A2"].value)


def test_export_of_an_unknown_table_is_a_user_error(client: TestClient) -> None:
    response = client.get(
        "/stats/export.csv", params={"table": "secret"}, headers={"accept": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "stats.web.table"


def test_dashboard_loads_nothing_from_outside(client: TestClient) -> None:
    for lang in ("en", "ru"):
        page = client.get("/stats", headers={"accept-language": lang}).text
        assert LOADED.findall(page) == []
        assert _navigation_only(page) == []
        for asset in re.findall(r'<(?:script|link)\b[^>]*(?:src|href)="([^"]+)"', page):
            assert asset.startswith("/static/")
            assert client.get(asset).status_code == 200
