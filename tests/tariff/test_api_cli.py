"""Quotes through the API (engine built from the database) and the CLI."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from temir.cli import app as cli_app


def test_api_quote_says_demo(client: TestClient) -> None:
    r = client.get(
        "/api/v1/quotes",
        params={"from": "684001", "to": "745309", "cargo": "011005", "mass_kg": 65000},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["demo_rates"] is True
    assert body["alternatives"][0]["charge"]["currency"] == "CHF"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"cargo": "011005", "mass_kg": 0}, "mass_kg"),
        ({"cargo": "011005", "mass_kg": 1_000_000_000}, "mass_kg"),
        ({"cargo": "011005", "mass_kg": 10**23}, "mass_kg"),
        ({"cargo": "123", "mass_kg": 5}, "cargo"),
    ],
)
def test_api_quote_errors_name_the_field(client: TestClient, extra: dict, field: str) -> None:
    r = client.get("/api/v1/quotes", params={"from": "684001", "to": "745309", **extra})
    assert r.status_code in (404, 422)
    assert r.json()["error"]["field"] == field


def test_cli_quote_bad_mass() -> None:
    result = CliRunner().invoke(
        cli_app, ["quote", "684001", "745309", "--cargo", "011005", "--mass-kg", "0", "--json"]
    )
    assert result.exit_code == 1
    assert json.loads(result.output)["error"]["field"] == "mass_kg"


def test_loaded_official_table_is_used_and_named(engine: Engine, tmp_path: Path) -> None:
    from temir.accounts.model import Actor
    from temir.kit.db import UnitOfWork
    from temir.network.routing import Router
    from temir.network.routing.loader import shipped
    from temir.tariff import service

    src = tmp_path / "kzh.csv"
    src.write_text(
        "table_id,railway,valid_from,valid_to,consignment,category,km_to,rate_chf\n"
        f"TEST-UTI-{engine.dialect.name},UTI,2030-01-01,2030-12-31,wagon,25t,5000,1.00\n",
        encoding="utf-8",
    )
    uow = UnitOfWork(engine)
    with uow() as session:
        loaded = service.load_tables(session, Actor.system("tests"), src)
    assert loaded[0]["rows"] == 1
    from datetime import date

    with uow.read() as session:
        tables = service.rate_tables(session)
    q = service.quote(
        Router(shipped()),
        "704101",  # Сарыагаш (эксп.): KZH 0 km, then UTI transit 875 km
        "746000",  # Пахтаабад (эксп.): TDZ 0 km
        etsng="011005",
        mass_kg=60_000,
        on=date(2030, 6, 1),
        tables=tables,
        alternatives=1,  # the others cross TRK, which has no table in 2030
    )
    alt = q.alternatives[0]
    assert alt.tables_used == (f"TEST-UTI-{engine.dialect.name}",)
    assert not alt.demo
    assert str(alt.charge_chf) == "60.00"


def test_a_table_loaded_again_replaces_the_cached_one(engine: Engine, tmp_path: Path) -> None:
    """Rate tables are cached per loaded version: loading a table anew is seen at once."""
    from temir.accounts.model import Actor
    from temir.kit.db import UnitOfWork
    from temir.tariff import service

    table_id = f"TEST-RELOAD-{engine.dialect.name}"
    uow = UnitOfWork(engine)

    def load_and_read(rate: str) -> tuple[Decimal, ...]:
        src = tmp_path / "reload.csv"
        src.write_text(
            "table_id,railway,valid_from,valid_to,consignment,category,km_to,rate_chf\n"
            f"{table_id},KZH,2031-01-01,2031-12-31,wagon,25t,5000,{rate}\n",
            encoding="utf-8",
        )
        with uow() as session:
            service.load_tables(session, Actor.system("tests"), src)
        with uow.read() as session:
            found = [t for t in service.rate_tables(session) if t.id == table_id]
        return tuple(v for rates in found[0].rates.values() for _, v in rates)

    assert load_and_read("1.00") == (Decimal("1.00"),)  # stored at the table's precision
    assert load_and_read("2.50") == (Decimal("2.50"),)
