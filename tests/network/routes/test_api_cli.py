"""Routes through the API (engine built from the database) and the CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from temir.cli import app as cli_app


def test_api_route_from_database_matches_method_example(client: TestClient) -> None:
    r = client.get("/api/v1/routes", params={"from": "684001", "to": "745309"})
    assert r.status_code == 200, r.text
    first = r.json()["routes"][0]
    assert first["km_by_railway"] == "KZH:2213;UTI:875;TDZ:63"
    assert first["legs"][0]["entry_name"] == "Костанай"


@pytest.mark.parametrize(
    ("params", "field", "status"),
    [
        ({"from": "999999", "to": "745309"}, "from", 404),
        ({"from": "684001", "to": "Нетакой"}, "to", 404),
    ],
)
def test_api_route_errors_name_the_field(
    client: TestClient, params: dict, field: str, status: int
) -> None:
    r = client.get("/api/v1/routes", params=params)
    assert r.status_code == status
    assert r.json()["error"]["field"] == field


def test_api_batch(client: TestClient) -> None:
    r = client.post(
        "/api/v1/routes/batch",
        json={
            "pairs": [{"from_esr": "684001", "to_esr": "745309"}, {"from_esr": "x", "to_esr": "y"}]
        },
    )
    assert r.status_code == 200
    res = r.json()["results"]
    assert res[0]["km"] == 3151
    # KZH's export and TDZ's import legs are under national tariffs, UTI's under the transit one
    assert res[0]["tariff_by_railway"] == "KZH:national;UTI:transit;TDZ:national"
    assert res[1]["error"].startswith("route.unknown_station")


def test_api_large_batches_need_a_token(client: TestClient) -> None:
    pairs = [{"from_esr": "684001", "to_esr": "745309"}] * 1001
    r = client.post("/api/v1/routes/batch", json={"pairs": pairs})
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "route.batch_needs_token"
    assert r.json()["error"]["field"] == "pairs"
    small = client.post("/api/v1/routes/batch", json={"pairs": pairs[:1000]})
    assert small.status_code == 200
    assert len(small.json()["results"]) == 1000


def test_cli_route_json() -> None:
    result = CliRunner().invoke(cli_app, ["route", "Костанай", "745309", "--json", "-n", "3"])
    assert result.exit_code == 0, result.output
    routes = json.loads(result.output)["routes"]
    assert routes[0]["km"] == 3151
    assert len(routes) == 3


def test_cli_batch_file(tmp_path: Path) -> None:
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text("from_esr,to_esr\n684001,745309\n684001,000000\n", encoding="utf-8")
    result = CliRunner().invoke(cli_app, ["route", "--pairs", str(src), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows[0]["km"] == "3151"
    assert rows[0]["km_by_railway"] == "KZH:2213;UTI:875;TDZ:63"
    assert rows[1]["error"]


def test_cli_data_quality() -> None:
    result = CliRunner().invoke(cli_app, ["tariff", "data-quality", "--json"])
    assert result.exit_code == 0
    assert len(json.loads(result.output)) > 500
