"""The protocol "results of 2025 and plans for 2026" (SQLite and PostgreSQL): figures, both
parties' signatures, tamper detection, PDF/XLSX, and next year's actuals against its plan."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from temir.accounts.model import Actor
from temir.kit import clock
from temir.kit.db import UnitOfWork
from temir.kit.errors import Conflict, NotFound, ValidationFailed
from temir.notes.signing import Ed25519Signer, KeyRing, public_entry
from temir.stats import protocol_keys, protocol_pdf, repository, service
from temir.stats.model import Fact
from temir.stats.tables import StatsProtocolRow

ACTOR = Actor.system("tests")
KZH, TDZ = Ed25519Signer.generate(), Ed25519Signer.generate()
NOTES = ["Стороны отмечают рост перевозок на 15,1 %.", "Wagon supply for grain in Sep–Dec."]


@pytest.fixture(scope="module")
def created(stats_uow: UnitOfWork, generated: int) -> service.StoredProtocol:
    """The 2025 KZ–TJ protocol over the synthetic facts, plan 2026 seeded from the forecast."""
    with stats_uow() as session:
        row = repository.protocol_row(session, "2025-KZ-TJ")
        if row is not None:
            repository.delete_protocol(session, row)
        service.seed_plan_from_forecast(session, ACTOR, 2026, "KZ", "TJ", replace=True)
        return service.create_protocol(
            session, ACTOR, 2025, "KZ", "TJ", notes=NOTES, place="Astana", date="2026-02-17"
        )


def test_the_protocol_holds_the_published_figures_and_the_stored_plan(
    stats_uow: UnitOfWork, created: service.StoredProtocol
) -> None:
    content = created.content
    assert content["parties"] == ["KZH", "TDZ"]
    assert (content["year"], content["plan_year"]) == (2025, 2026)
    total = content["results"]["total"]
    assert (total["tonnes"], total["change_pct"]) == (5_900_000, "15.1")  # KTZ, 17 Feb 2026
    export = next(r for r in content["results"]["by_direction"] if r["direction"] == "export")
    assert (export["tonnes"], export["change_pct"]) == (2_600_000, "7.6")
    grain = next(
        r for r in content["results"]["rows"]
        if (r["direction"], r["commodity_group"]) == ("export", "grain")
    )  # fmt: skip
    assert grain["tonnes"] == 1_400_000
    with stats_uow.read() as session:
        plan = service.plan_cells(session, 2026, "KZ", "TJ")
    assert content["plan"]["total"] == sum(c.tonnes for c in plan)
    assert len(content["plan"]["cells"]) == len(plan)
    assert content["notes"] == NOTES
    assert content["synthetic"] is True


def sign_both(uow: UnitOfWork) -> None:
    with uow() as session:
        service.sign_protocol(session, ACTOR, 2025, "KZ", "TJ", party="KZH", signer=KZH,
                              signer_name="KZH (demo)")  # fmt: skip
        service.sign_protocol(session, ACTOR, 2025, "KZ", "TJ", party="tdz", signer=TDZ)


TRUSTED = KeyRing([public_entry(KZH, "KZH"), public_entry(TDZ, "TDZ")])


def test_both_parties_sign_and_verification_names_the_failing_one(
    stats_uow: UnitOfWork, created: service.StoredProtocol
) -> None:
    with stats_uow() as session:
        service.sign_protocol(session, ACTOR, 2025, "KZ", "TJ", party="KZH", signer=KZH)
    with stats_uow.read() as session:
        half = service.verify_protocol(session, 2025, "KZ", "TJ", TRUSTED)
    assert not half.valid
    assert [(p.party, p.valid, p.problem) for p in half.parties] == [
        ("KZH", True, None),
        ("TDZ", False, "protocol.unsigned"),
    ]
    sign_both(stats_uow)
    with stats_uow.read() as session:
        both = service.verify_protocol(session, 2025, "KZ", "TJ", TRUSTED)
        only_kzh = service.verify_protocol(
            session, 2025, "KZ", "TJ", KeyRing([public_entry(KZH, "KZH")])
        )
        stored_keys = service.verify_protocol(session, 2025, "KZ", "TJ")
    assert both.valid
    assert [p.key_id for p in both.parties] == [KZH.key_id, TDZ.key_id]
    assert [p.problem for p in only_kzh.parties] == [None, "protocol.unknown_key"]
    assert stored_keys.valid
    assert stored_keys.trusted_keys is False
    with pytest.raises(ValidationFailed) as caught, stats_uow() as session:
        service.sign_protocol(session, ACTOR, 2025, "KZ", "TJ", party="UTI", signer=KZH)
    assert caught.value.code == "stats.protocol.not_a_party"
    with pytest.raises(Conflict) as refused, stats_uow() as session:
        service.create_protocol(session, ACTOR, 2025, "KZ", "TJ", replace=True)
    assert refused.value.code == "stats.protocol.signed"


def test_a_changed_figure_or_a_forged_signature_is_detected(
    stats_uow: UnitOfWork, created: service.StoredProtocol
) -> None:
    sign_both(stats_uow)
    with stats_uow() as session:
        row = repository.protocol_row(session, "2025-KZ-TJ")
        assert row is not None
        original = dict(row.content)
        forged = {**original, "results": {**original["results"],
                  "total": {**original["results"]["total"], "tonnes": 6_000_000}}}  # fmt: skip
        session.execute(
            update(StatsProtocolRow).where(StatsProtocolRow.id == row.id).values(content=forged)
        )
    try:
        with stats_uow.read() as session:
            result = service.verify_protocol(session, 2025, "KZ", "TJ", TRUSTED)
        assert not result.valid
        assert [p.problem for p in result.parties] == ["protocol.changed", "protocol.changed"]
        assert "changed after" in (result.parties[0].message("en") or "")
    finally:
        with stats_uow() as session:
            session.execute(
                update(StatsProtocolRow)
                .where(StatsProtocolRow.protocol_id == "2025-KZ-TJ")
                .values(content=original)
            )
    impostor = Ed25519Signer.generate()
    with stats_uow() as session:  # TDZ's entry now holds a signature by someone else's key
        service.sign_protocol(session, ACTOR, 2025, "KZ", "TJ", party="TDZ", signer=impostor)
    with stats_uow.read() as session:
        result = service.verify_protocol(session, 2025, "KZ", "TJ", TRUSTED)
    assert [p.problem for p in result.parties] == [None, "protocol.unknown_key"]
    sign_both(stats_uow)


def test_xlsx_carries_the_figures_plan_and_notes(
    stats_uow: UnitOfWork, created: service.StoredProtocol
) -> None:
    with stats_uow.read() as session:
        payload = service.protocol_xlsx(session, 2025, "KZ", "TJ", "ru")
        plan = service.plan_cells(session, 2026, "KZ", "TJ")
    book = load_workbook(io.BytesIO(payload))
    assert book.sheetnames == ["results", "plan", "notes"]
    results = [row for row in book["results"].iter_rows(values_only=True) if row]
    grain = next(r for r in results if len(r) > 2 and r[2] == "grain")
    assert grain[4] == 1_400_000  # 2025 grain exports, as published
    assert grain[3] == 1_250_000  # 2024, derived from +12 %
    assert grain[1] == "Зерно"
    total = next(r for r in results if r[0] == "итого")
    assert (total[3], total[4], total[5]) == (5_125_977, 5_900_000, 15.1)
    plan_rows = list(book["plan"].iter_rows(values_only=True))
    plan_total = next(r for r in plan_rows if r and r[0] == "итого")
    assert plan_total[-1] == sum(c.tonnes for c in plan)
    january = sum(c.tonnes for c in plan if c.month == 1)
    assert plan_total[3] == january
    notes = [c for row in book["notes"].iter_rows(values_only=True) for c in row if c]
    assert NOTES[0] in notes
    assert NOTES[1] in notes


def test_pdf_is_drawn_in_russian_and_english_with_the_embedded_font(
    stats_uow: UnitOfWork, created: service.StoredProtocol
) -> None:
    with stats_uow.read() as session:
        ru = service.protocol_pdf(session, 2025, "KZ", "TJ", "ru")
        en = service.protocol_pdf(session, 2025, "KZ", "TJ", "en")
    for pdf in (ru, en):
        assert pdf.startswith(b"%PDF-")
        assert re.search(rb"/BaseFont /[A-Z]{6}\+DejaVuSansCondensed", pdf)
        assert len(re.findall(rb"/Type /Page\b", pdf)) >= 1
        assert b"/Title (" in pdf or b"/Title <" in pdf
    assert ru != en
    # the text the pages are drawn from, in each language
    ru_text = protocol_pdf.texts(created.content, "ru")
    en_text = protocol_pdf.texts(created.content, "en")
    assert ru_text["subtitle"] == "Итоги 2025 года и планы на 2026 год"
    assert en_text["subtitle"] == "Results of 2025 and plans for 2026"
    assert ru_text["between"] == "между KZH (Казахстан) и TDZ (Таджикистан)"
    assert protocol_pdf.number(5_900_000, "ru") == "5\u00a0900\u00a0000"
    assert protocol_pdf.percent("15.1", "ru") == "+15,1"


def test_next_years_actuals_are_checked_against_the_signed_plan(
    stats_uow: UnitOfWork, created: service.StoredProtocol
) -> None:
    grain_jan = next(
        c["tonnes"] for c in created.content["plan"]["cells"]
        if (c["direction"], c["commodity_group"], c["month"]) == ("export", "grain", 1)
    )  # fmt: skip
    lane = ("684001", "745309")
    shipped = Fact(
        consignment_no="CHK-1",
        departure_date=date(2026, 1, 15),
        arrival_date=None,
        origin_esr=lane[0],
        origin_railway="KZH",
        origin_country="KZ",
        destination_esr=lane[1],
        destination_railway="TDZ",
        destination_country="TJ",
        route_countries=("KZ", "UZ", "TJ"),
        route_railways=("KZH", "UTI", "TDZ"),
        border_crossings=(),
        commodity_group="grain",
        etsng=None,
        gng=None,
        wagons=10,
        containers_teu=0,
        mass_kg=grain_jan * 500,
        tariff_km=None,
        source="test:protocol",
        synthetic=False,
    )  # fmt: skip  (half the planned January grain, in whole tonnes)
    with stats_uow() as session:
        repository.delete_source(session, "test:protocol")
        repository.insert_facts(session, [shipped], clock.now())
        # the stored plan changes after signing; the check must keep to the signed one
        service.set_plan(session, ACTOR, 2026, "KZ", "TJ", "export", "grain", 1, 1)
    try:
        with stats_uow.read() as session:
            report = service.check_protocol(session, 2026, "KZ", "TJ")
        assert report.plan_source == "protocol 2025-KZ-TJ"
        cell = next(line for line in report.cells if line.key == "export/grain/01")
        assert cell.plan_tonnes == grain_jan
        assert cell.actual_tonnes == grain_jan // 2
        assert cell.fulfilment_pct == pytest.approx(50.0, abs=0.1)
        assert report.total.plan_tonnes == created.content["plan"]["total"]
        assert report.months_with_actuals == (1,)
        assert report.plan_to_date_tonnes == sum(
            c["tonnes"] for c in created.content["plan"]["cells"] if c["month"] == 1
        )
    finally:
        with stats_uow() as session:
            repository.delete_source(session, "test:protocol")
            service.seed_plan_from_forecast(session, ACTOR, 2026, "KZ", "TJ", replace=True)
    with pytest.raises(NotFound), stats_uow.read() as session:
        service.check_protocol(session, 2040, "KZ", "TJ")


def test_key_files_round_trip(tmp_path: Path) -> None:
    private, public = protocol_keys.write_keypair(tmp_path, "KZH")
    signer = protocol_keys.load_signer(private)
    ring = protocol_keys.load_key_ring([public])
    assert ring.get(signer.key_id) is not None
    (tmp_path / "junk.pem").write_text("not a key", encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught:
        protocol_keys.load_signer(tmp_path / "junk.pem")
    assert caught.value.code == "stats.protocol.bad_key"


def test_api_reads(stats_engine: Engine, created: service.StoredProtocol, tmp_path: Path) -> None:
    from temir.app import create_app
    from temir.kit.settings import Settings

    url = stats_engine.url.render_as_string(hide_password=False)
    client = TestClient(create_app(Settings(url, tmp_path, "s", "127.0.0.1", 8000, False)))
    listed = client.get("/api/v1/stats/protocols").json()
    assert [p["protocol_id"] for p in listed] == ["2025-KZ-TJ"]
    body = client.get("/api/v1/stats/protocols/2025", params={"between": "KZ,TJ"}).json()
    assert body["content"]["results"]["total"]["tonnes"] == 5_900_000
    pdf = client.get("/api/v1/stats/protocols/2025/pdf", params={"lang": "ru"})
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    xlsx = client.get("/api/v1/stats/protocols/2025/xlsx")
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames == ["results", "plan", "notes"]
    missing = client.get("/api/v1/stats/protocols/2019")
    assert (missing.status_code, missing.json()["error"]["code"]) == (
        404,
        "stats.protocol.not_found",
    )
    check = client.get("/api/v1/stats/protocol-check", params={"year": 2026}).json()
    assert check["plan_source"] == "protocol 2025-KZ-TJ"
    verified = client.get("/api/v1/stats/protocols/2025/verify").json()
    assert [p["party"] for p in verified["parties"]] == ["KZH", "TDZ"]
    assert verified["trusted_keys"] is False


def test_creating_without_a_plan_is_refused(stats_uow: UnitOfWork, generated: int) -> None:
    with pytest.raises(NotFound) as caught, stats_uow() as session:
        service.create_protocol(session, ACTOR, 2037, "KZ", "TJ")
    assert caught.value.code == "stats.protocol.no_plan"
    with stats_uow.read() as session:
        assert (
            session.scalars(select(StatsProtocolRow).where(StatsProtocolRow.year == 2037)).first()
            is None
        )
