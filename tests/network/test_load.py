"""Loading reference data: idempotent, and a changed dataset is applied in place and reported."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from temir.accounts.model import Actor
from temir.accounts.tables import AuditRow
from temir.codes.esr import esr_check_digit
from temir.kit.db import UnitOfWork
from temir.network import reference
from temir.network.service import get_station, load_reference
from temir.network.tables import (
    BorderCrossingRow,
    CommodityRow,
    GngRow,
    SectionRow,
    StationCodeRow,
    StationRow,
)


def _counts(uow: UnitOfWork) -> dict[str, int]:
    tables = [StationRow, StationCodeRow, SectionRow, BorderCrossingRow, CommodityRow, GngRow]
    with uow.read() as s:
        return {t.__tablename__: s.scalar(select(func.count()).select_from(t)) or 0 for t in tables}


def test_loading_again_changes_nothing(uow: UnitOfWork) -> None:
    before = _counts(uow)
    report = load_reference(uow, Actor.system("tests"))
    assert report.unchanged
    assert {d.status for d in report.datasets} == {"unchanged"}
    assert _counts(uow) == before
    assert before["ref_gng"] == 12286
    assert before["ref_border_crossings"] == 40
    assert before["ref_sections"] == 977
    assert before["ref_commodities"] == 30


def test_every_station_code_of_stations_csv_is_loaded(uow: UnitOfWork) -> None:
    with (reference.DATA_DIR / "network" / "stations.csv").open(encoding="utf-8") as fh:
        expected = {r["esr_code"] for r in csv.DictReader(fh) if r["esr_code"]}
    with uow.read() as s:
        loaded = set(s.scalars(select(StationCodeRow.esr)))
    assert expected <= loaded


def test_estimated_flags_are_loaded(uow: UnitOfWork) -> None:
    with uow.read() as s:
        assert s.scalar(select(func.count()).where(StationRow.coord_estimated)) > 0
        assert s.scalar(select(func.count()).where(BorderCrossingRow.estimated)) > 0
        low = s.scalars(select(BorderCrossingRow).where(BorderCrossingRow.confidence == "low"))
        assert all(c.estimated for c in low)
        passenger = s.scalars(select(SectionRow).where(SectionRow.tr4_section == "68-089")).all()
        assert passenger
        assert not any(p.freight for p in passenger)


def _unused_esr(existing: set[str], prefix: str) -> str:
    for n in range(100):
        body = f"{prefix}{n:02d}"[:5]
        code = body + str(esr_check_digit(body))
        if code not in existing:
            return code
    raise AssertionError("no free code")


def test_changed_data_is_applied_in_place_and_reported(
    private_engine: Engine, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(reference.DATA_DIR, data, ignore=shutil.ignore_patterns("*.md", "*.py"))
    uow = UnitOfWork(private_engine)
    first = load_reference(uow, Actor.system("tests"), data)
    assert {d.status for d in first.datasets} == {"added"}
    with uow.read() as s:
        kostanay_id = s.get(StationCodeRow, "684001").station_id  # type: ignore[union-attr]

    # 1. one section's km changes, 2. one section disappears, 3. Костанай gains an export code
    sections_csv = data / "network" / "sections.csv"
    rows = list(csv.DictReader(sections_csv.open(encoding="utf-8")))
    fields = list(rows[0])
    changed, removed = rows[0], rows[1]
    changed["km"] = str(int(changed["km"]) + 5)
    with sections_csv.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fields)
        writer.writeheader()
        writer.writerows(r for r in rows if r is not removed)

    with uow.read() as s:
        existing = set(s.scalars(select(StationCodeRow.esr)))
    new_code = _unused_esr(existing, "684")
    with (data / "tr4" / "station_transit_points.csv").open("a", encoding="utf-8") as fh:
        fh.write(f"KZH,{new_code},Костанай (эксп.),684001,0\n")

    report = load_reference(uow, Actor.system("tests"), data)
    assert not report.unchanged
    sections = report.dataset("sections")
    assert (sections.status, sections.added, sections.changed, sections.removed) == (
        "updated",
        0,
        1,
        1,
    )
    assert any(changed["from_esr"] in e for e in sections.examples)
    stations = report.dataset("stations")
    assert (stations.added, stations.changed, stations.removed) == (1, 0, 0)
    assert any(new_code in e for e in stations.examples)
    assert report.dataset("gng").status == "unchanged"

    with uow.read() as s:
        km = s.scalar(
            select(SectionRow.km).where(
                SectionRow.from_esr == changed["from_esr"],
                SectionRow.to_esr == changed["to_esr"],
            )
        )
        assert km == int(changed["km"])
        gone = s.scalar(
            select(func.count()).where(
                SectionRow.from_esr == removed["from_esr"], SectionRow.to_esr == removed["to_esr"]
            )
        )
        assert gone == 0
        station = get_station(s, new_code)
        assert station.id == kostanay_id  # the same place, updated in place
        assert {c.esr: c.role for c in station.codes}[new_code] == "export"
        audits = s.scalars(select(AuditRow).where(AuditRow.action == "reference.load")).all()
        assert len(audits) == 2
        assert "sections" in str(audits[-1].details)

    assert load_reference(uow, Actor.system("tests"), data).unchanged
    private_engine.dispose()
