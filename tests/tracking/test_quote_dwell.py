"""A quote's JSON (API and ``temir quote --json``) carries the observed border dwell per
crossing beside km, days and charge — flagged observed, with its sample size — and says so
where a crossing has not been observed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from temir.cli import app
from temir.kit import runtime
from temir.kit.db import UnitOfWork
from temir.tracking import acts, borders, service
from tests.tracking.helpers import KOSTANAY, SARYAGASH_EXP, Shipment, event
from tests.tracking.test_api_cli import _settings

QUOTE = {"from": KOSTANAY, "to": "745309", "cargo": "011005", "mass_kg": "68000"}


def _observe(uow: UnitOfWork, shipment: Shipment) -> None:
    """Both wagons wait 30 h at Saryagash before UTI accepts the act."""
    w = shipment.world
    arrived = datetime.now(UTC) - timedelta(hours=40)
    with uow() as session:
        service.ingest(session, w.kzh, [
            (1, event("station_arrival", u, SARYAGASH_EXP, arrived)) for u in shipment.wagons
        ])  # fmt: skip
        act = acts.offer(session, w.kzh, shipment.note_id, at=arrived)
        acts.accept(session, w.uti, act.act_id, at=arrived + timedelta(hours=30))


def _check(uow: UnitOfWork, data: dict[str, Any]) -> None:
    with uow.read() as session:
        stats = borders.observed_dwell(session)
    crossings = [c for a in data["alternatives"] for c in a["border_dwell"]["crossings"]]
    at_saryagash = [c for c in crossings if c["exit_esr"] == SARYAGASH_EXP]
    assert at_saryagash
    for c in at_saryagash:
        stat = stats[(c["exit_esr"], c["entry_esr"])]
        assert c["observed"] is True
        assert c["samples"] == stat.count >= 2
        assert c["median_hours"] == str(stat.median_hours)
    for a in data["alternatives"]:
        dwell = a["border_dwell"]
        assert dwell["kind"] == "observed"
        assert len(dwell["crossings"]) == len(a["route"]["borders"])
        assert dwell["samples"] == sum(c["samples"] for c in dwell["crossings"])
        for c in dwell["crossings"]:
            if (c["exit_esr"], c["entry_esr"]) not in stats:
                assert (c["observed"], c["samples"], c["median_hours"]) == (False, 0, None)
        assert {"km", "days", "charge"} <= set(a)


def test_the_quote_api_carries_the_observed_dwell(
    client: TestClient, uow: UnitOfWork, shipment: Shipment
) -> None:
    _observe(uow, shipment)
    got = client.get("/api/v1/quotes", params=QUOTE)
    assert got.status_code == 200, got.text
    _check(uow, got.json())


def test_temir_quote_json_carries_it_too(
    monkeypatch: pytest.MonkeyPatch, engine: Engine, tmp_path: Path, uow: UnitOfWork,
    shipment: Shipment,
) -> None:  # fmt: skip
    settings = _settings(engine, tmp_path)
    monkeypatch.setattr(runtime, "settings", lambda: settings)
    _observe(uow, shipment)
    result = CliRunner().invoke(
        app, ["quote", KOSTANAY, "745309", "--cargo", "011005", "--mass-kg", "68000", "--json"]
    )
    assert result.exit_code == 0, result.output
    _check(uow, json.loads(result.stdout))
    plain = CliRunner().invoke(
        app, ["quote", KOSTANAY, "745309", "--cargo", "011005", "--mass-kg", "68000"],
        env={"TEMIR_LANG": "ru"},
    )  # fmt: skip
    assert "медиана" in plain.stdout


def test_the_dwell_api_gives_it_per_crossing_and_month_too(
    client: TestClient, uow: UnitOfWork, shipment: Shipment
) -> None:
    from tests.tracking.test_web import bearer

    _observe(uow, shipment)
    headers = bearer(uow, shipment.world.kzh)
    overall = client.get("/api/v1/tracking/dwell", headers=headers).json()
    monthly = client.get("/api/v1/tracking/dwell", params={"by_month": "true"},
                         headers=headers).json()  # fmt: skip
    assert (overall["by_month"], monthly["by_month"]) == (False, True)
    assert all(c["month"] is None for c in overall["crossings"])
    this_month = (datetime.now(UTC) - timedelta(hours=10)).strftime("%Y-%m")  # acceptance
    at = [c for c in monthly["crossings"] if c["exit_esr"] == SARYAGASH_EXP]
    assert any(c["month"] == this_month and c["count"] >= 2 for c in at)
    for c in overall["crossings"]:  # the months add up to the whole
        parts = [m for m in monthly["crossings"]
                 if (m["exit_esr"], m["entry_esr"], m["from_railway"]) ==
                 (c["exit_esr"], c["entry_esr"], c["from_railway"])]  # fmt: skip
        assert sum(m["count"] for m in parts) == c["count"]


def test_dwell_drawn_from_demo_notes_is_labelled_synthetic(
    client: TestClient, uow: UnitOfWork, shipment: Shipment
) -> None:
    """Demo data is labelled wherever shown: the dwell of a synthetic consignor's wagons too."""
    import sqlalchemy as sa

    from temir.accounts.tables import OrganisationRow
    from temir.notes.store.tables import NoteRow

    _observe(uow, shipment)

    def saryagash() -> list[dict[str, Any]]:
        data = client.get("/api/v1/quotes", params=QUOTE).json()
        alternatives = [a["border_dwell"] for a in data["alternatives"]]
        return [
            {**c, "overall": d["synthetic"]}
            for d in alternatives
            for c in d["crossings"]
            if c["exit_esr"] == SARYAGASH_EXP
        ]

    assert {(c["synthetic"], c["overall"]) for c in saryagash()} == {(False, False)}
    with uow() as session:
        consignor = session.scalar(
            sa.select(NoteRow.consignor_org_id).where(NoteRow.id == shipment.note_id)
        )
        session.execute(
            sa.update(OrganisationRow).where(OrganisationRow.id == consignor).values(synthetic=True)
        )
    assert {(c["synthetic"], c["overall"]) for c in saryagash()} == {(True, True)}
