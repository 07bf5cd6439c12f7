"""One network per loaded edition: quotes, the batch and the note checks follow a new TR-4 edition.

The edition is changed the way an operator changes it — a copy of the data directory with one
TR-4 Book 3 cell altered, loaded with ``load_reference`` — and then asked through the public
entry points (the quote and route APIs, the note validation API), which must all see it.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from temir.accounts.model import Actor
from temir.app import create_app
from temir.kit.db import UnitOfWork
from temir.network import provider, reference
from temir.network.routing.loader import shipped_router
from temir.network.service import load_reference
from temir.notes.boxes.rules import KM_38
from temir.notes.example import example_note
from temir.notes.lifecycle import draft_of
from tests.conftest import settings_for
from tests.network.conftest import private_engine_for

KOSTANAY, DUSHANBE_II = "684001", "745309"


@pytest.fixture
def edition_engine(engine: Engine, tmp_path: Path) -> Iterator[Engine]:
    eng = private_engine_for(engine, tmp_path, "provider_private")
    yield eng
    eng.dispose()


def _uti_cell() -> tuple[str, str, int]:
    """The example note's UTI section: its Book 3 cell (Келес (эксп.) – Кудукли (эксп.))."""
    uti = example_note().charges[1]
    assert uti.from_esr
    assert uti.to_esr
    assert uti.distance_km
    return uti.from_esr, uti.to_esr, uti.distance_km


def _set_book3_km(data: Path, a: str, b: str, km: int) -> None:
    path = data / "tr4" / "transit_distances.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    cell = [r for r in rows if r["railway"] == "UTI" and {r["from_esr"], r["to_esr"]} == {a, b}]
    assert len(cell) == 1
    cell[0]["km"] = str(km)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _quoted_uti_km(client: TestClient, borders: list[str]) -> int:
    """The UTI km of the quoted alternative that leaves each railway where the example note does."""
    params = {"from": KOSTANAY, "to": DUSHANBE_II, "cargo": "011005", "mass_kg": 65000}
    response = client.get("/api/v1/quotes", params=params)
    assert response.status_code == 200, response.text
    for alt in response.json()["alternatives"]:
        route = alt["route"]
        if [b["exit_esr"] for b in route["borders"]] == borders:
            [uti] = [leg for leg in route["legs"] if leg["railway"] == "UTI"]
            return int(uti["km"])
    raise AssertionError("no quoted alternative crosses at the example note's borders")


def _box_38_issues(client: TestClient, uti_km: int) -> list[dict[str, Any]]:
    note = draft_of(example_note()).model_dump(mode="json", exclude_none=True)
    note["charges"][1]["distance_km"] = uti_km
    response = client.post("/api/v1/notes/validate", content=json.dumps(note))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["valid"] is True  # a km warning never refuses the note
    return [i for i in body["issues"] if i["rule"] == KM_38.id]


def test_quotes_batch_and_note_checks_follow_a_newly_loaded_edition(
    edition_engine: Engine, tmp_path: Path
) -> None:
    uow = UnitOfWork(edition_engine)
    with uow.read() as session:  # nothing loaded yet: the shipped network answers
        assert provider.router_for(session) is shipped_router()

    data = tmp_path / "data"
    shutil.copytree(reference.DATA_DIR, data, ignore=shutil.ignore_patterns("*.md", "*.py"))
    load_reference(uow, Actor.system("tests"), data)
    a, b, shipped_km = _uti_cell()
    borders = [s.to_station.esr for s in example_note().carriers[:-1]]

    with TestClient(create_app(settings_for(edition_engine, tmp_path))) as client:
        assert _quoted_uti_km(client, borders) == shipped_km
        assert _box_38_issues(client, shipped_km) == []

        changed_km = shipped_km + 7
        _set_book3_km(data, a, b, changed_km)
        report = load_reference(uow, Actor.system("tests"), data)
        assert report.dataset("tr4_transit_distances").status == "updated"

        assert _quoted_uti_km(client, borders) == changed_km
        batch = client.post(
            "/api/v1/routes/batch", json={"pairs": [{"from_esr": a, "to_esr": b}]}
        ).json()["results"]
        assert batch[0]["km_by_railway"] == f"UTI:{changed_km}"
        [stale] = _box_38_issues(client, shipped_km)
        assert str(changed_km) in stale["message"]
        assert stale["box"] == 38
        assert _box_38_issues(client, changed_km) == []

    with uow.read() as session:  # one engine behind both: built once for this edition
        view = provider.view_for(session)
        assert view.router is provider.router_for(session)
        assert view.router is not shipped_router()
        assert provider.view_for(session) is view
