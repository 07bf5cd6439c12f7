"""The protocol "results of 2025 and plans for 2026" (SQLite and PostgreSQL): figures, both
parties' signatures, tamper detection, PDF/XLSX, and next year's actuals against its plan."""

from __future__ import annotations

import io
import json
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from temir.accounts import service as accounts_service
from temir.accounts.model import Actor, Channel
from temir.accounts.tables import AuditRow
from temir.kit import clock
from temir.kit.db import UnitOfWork
from temir.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from temir.kit.i18n import translate
from temir.signing import repository as key_repository
from temir.signing import service as key_service
from temir.signing.keyring import load_keys
from temir.stats.plans import service as plan_service
from temir.stats.protocol import pdf as protocol_pdf
from temir.stats.protocol import repository
from temir.stats.protocol import rules as protocol
from temir.stats.protocol import service as protocol_service
from temir.stats.protocol.languages import protocol_languages
from temir.stats.tables import StatsProtocolRow
from temir.stats.volumes import repository as volumes_repository
from temir.stats.volumes.model import Fact
from tests import pdf_inspect
from tests.stats.conftest import SECRET

ACTOR = Actor.system("tests")
NOTES = ["Стороны отмечают рост перевозок на 15,1 %.", "Wagon supply for grain in Sep–Dec."]


@pytest.fixture(scope="module")
def created(stats_uow: UnitOfWork, generated: int) -> protocol_service.StoredProtocol:
    """The 2025 KZ–TJ protocol over the synthetic facts, plan 2026 seeded from the forecast."""
    with stats_uow() as session:
        row = repository.protocol_row(session, "2025-KZ-TJ")
        if row is not None:
            repository.delete_protocol(session, row)
        plan_service.seed_plan_from_forecast(session, ACTOR, 2026, "KZ", "TJ", replace=True)
        return protocol_service.create_protocol(
            session, ACTOR, 2025, "KZ", "TJ", notes=NOTES, place="Astana", date="2026-02-17"
        )


def test_the_protocol_holds_the_published_figures_and_the_stored_plan(
    stats_uow: UnitOfWork, created: protocol_service.StoredProtocol
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
        plan = plan_service.plan_cells(session, 2026, "KZ", "TJ")
    assert content["plan"]["total"] == sum(c.tonnes for c in plan)
    assert len(content["plan"]["cells"]) == len(plan)
    assert content["notes"] == NOTES
    assert content["synthetic"] is True


PID = "2025-KZ-TJ"


def as_user(uow: UnitOfWork, username: str) -> Actor:
    with uow.read() as session:
        return accounts_service.actor_for(session, username, Channel.API)


def sign_both(uow: UnitOfWork) -> None:
    """KZH and TDZ sign with their organisation keys (a party that has signed is skipped)."""
    for username in ("t-kzh", "t-tdz"):
        actor = as_user(uow, username)
        with uow() as session:
            if protocol_service.signing_party(session, actor, PID) is not None:
                protocol_service.sign_protocol(session, actor, PID, secret=SECRET)


def verify(uow: UnitOfWork) -> protocol.ProtocolVerification:
    with uow() as session:
        return protocol_service.verify_protocol(session, ACTOR, PID)


def test_both_railways_sign_with_their_organisation_keys(
    stats_uow: UnitOfWork, created: protocol_service.StoredProtocol, railways: dict[str, str]
) -> None:
    kzh = as_user(stats_uow, "t-kzh")
    with stats_uow() as session:
        assert protocol_service.signing_party(session, kzh, PID) == "KZH"
        signature = protocol_service.sign_protocol(session, kzh, PID, secret=SECRET)
        key = key_repository.current_key(session, kzh.organisation_id or 0)
    assert key is not None
    assert signature.key_id == key.key_id
    assert (signature.role, signature.signer) == ("KZH", "t-kzh")
    half = verify(stats_uow)
    assert [(p.party, p.valid, p.problem) for p in half.parties] == [
        ("KZH", True, None),
        ("TDZ", False, "protocol.unsigned"),
    ]
    assert not half.valid
    sign_both(stats_uow)
    both = verify(stats_uow)
    assert both.valid
    assert [(p.party, p.signer) for p in both.parties] == [("KZH", "t-kzh"), ("TDZ", "t-tdz")]
    with pytest.raises(Conflict) as again, stats_uow() as session:
        protocol_service.sign_protocol(session, kzh, PID, secret=SECRET)
    assert again.value.code == "stats.protocol.already_signed"
    with pytest.raises(Conflict) as refused, stats_uow() as session:
        protocol_service.create_protocol(session, ACTOR, 2025, "KZ", "TJ", replace=True)
    assert refused.value.code == "stats.protocol.signed"
    with stats_uow.read() as session:
        actions = session.execute(
            select(AuditRow.action, AuditRow.actor, AuditRow.details).where(
                AuditRow.target_id == PID, AuditRow.action.like("stats.protocol.%")
            )
        ).all()
    signed = [(a, who) for a, who, _ in actions if a == "stats.protocol.sign"]
    assert ("stats.protocol.sign", "t-kzh") in signed
    assert ("stats.protocol.sign", "t-tdz") in signed
    verified = [d for a, _, d in actions if a == "stats.protocol.verify"]
    assert any(d["valid"] is True for d in verified)
    assert any(d["problems"] == ["protocol.unsigned"] for d in verified)


def test_a_third_railway_or_a_viewer_of_a_party_cannot_sign(
    stats_uow: UnitOfWork, created: protocol_service.StoredProtocol, railways: dict[str, str]
) -> None:
    for username in ("t-uti", "t-kzh-viewer"):
        actor = as_user(stats_uow, username)
        with pytest.raises(PermissionDenied) as caught, stats_uow() as session:
            protocol_service.sign_protocol(session, actor, PID, secret=SECRET)
        assert caught.value.code == "stats.protocol.not_a_party_member"
        assert caught.value.status == 403
        with stats_uow.read() as session:
            assert protocol_service.signing_party(session, actor, PID) is None
    with stats_uow.read() as session:  # nothing was written for UTI
        assert "UTI" not in protocol_service.get_protocol(session, PID).signed_by


def test_tampering_the_stored_protocol_is_named(
    stats_uow: UnitOfWork, created: protocol_service.StoredProtocol, railways: dict[str, str]
) -> None:
    sign_both(stats_uow)
    with stats_uow() as session:
        row = repository.protocol_row(session, PID)
        assert row is not None
        original = dict(row.content)
        forged = {**original, "results": {**original["results"],
                  "total": {**original["results"]["total"], "tonnes": 6_000_000}}}  # fmt: skip
        session.execute(
            update(StatsProtocolRow).where(StatsProtocolRow.id == row.id).values(content=forged)
        )
    try:
        result = verify(stats_uow)
        assert not result.valid
        assert [(p.party, p.problem) for p in result.parties] == [
            ("KZH", "protocol.changed"),
            ("TDZ", "protocol.changed"),
        ]
        assert result.problems == ("protocol.store_changed",)
        message = result.parties[0].message("en") or ""
        assert message.startswith("KZH: the protocol was changed after")
        assert "изменён" in (result.parties[1].message("ru") or "")
    finally:
        with stats_uow() as session:
            session.execute(
                update(StatsProtocolRow)
                .where(StatsProtocolRow.protocol_id == PID)
                .values(content=original)
            )
    assert verify(stats_uow).valid


def test_a_key_of_one_railway_does_not_sign_for_the_other(
    stats_uow: UnitOfWork, created: protocol_service.StoredProtocol, railways: dict[str, str]
) -> None:
    """TDZ's stored signature replaced by KZH's (a valid signature of the same digest)."""
    sign_both(stats_uow)
    with stats_uow() as session:
        rows = {
            r.party: r for r in repository.protocol_signature_rows(session, created_id(session))
        }
        saved = (rows["TDZ"].key_id, rows["TDZ"].value)
        rows["TDZ"].key_id, rows["TDZ"].value = rows["KZH"].key_id, rows["KZH"].value
    try:
        result = verify(stats_uow)
        assert [p.problem for p in result.parties] == [None, "protocol.wrong_key"]
        assert result.parties[1].message("en") == (
            f"TDZ: key {result.parties[1].key_id} is not a key of TDZ."
        )
    finally:
        with stats_uow() as session:
            rows = {
                r.party: r for r in repository.protocol_signature_rows(session, created_id(session))
            }
            rows["TDZ"].key_id, rows["TDZ"].value = saved
    assert verify(stats_uow).valid


def created_id(session: Session) -> int:
    row = repository.protocol_row(session, PID)
    assert row is not None
    return row.id


def test_key_rotation_keeps_the_earlier_signature_valid(
    stats_uow: UnitOfWork, created: protocol_service.StoredProtocol, railways: dict[str, str]
) -> None:
    sign_both(stats_uow)
    kzh = as_user(stats_uow, "t-kzh")
    with stats_uow.read() as session:
        used = next(s.key_id for s in protocol_service.get_protocol(session, PID).signatures
                    if s.role == "KZH")  # fmt: skip
    with stats_uow() as session:
        fresh = key_service.rotate_key(session, kzh, "t-kzh", SECRET)
    assert fresh.key_id != used
    with stats_uow.read() as session:
        old = key_service.get_key(session, used)
    assert old.retired_at is not None
    result = verify(stats_uow)
    assert result.valid
    assert result.parties[0].key_id == used


def test_an_exported_protocol_verifies_offline_with_the_published_keys(
    stats_uow: UnitOfWork, created: protocol_service.StoredProtocol, railways: dict[str, str]
) -> None:
    sign_both(stats_uow)
    with stats_uow.read() as session:
        document = json.loads(json.dumps(protocol_service.export_protocol(session, PID)))
        published = [
            {
                "key_id": k.key_id,
                "algorithm": k.algorithm,
                "public_key": k.public_key,
                "owner": k.organisation,
            }
            for k in key_service.list_keys(session)
        ]  # fmt: skip  (the GET /api/v1/keys/keyring.json form)
    assert protocol_service.verify_exported(document, load_keys(published)).valid
    kzh_only = [k for k in published if k["owner"] == "t-kzh"]
    partial = protocol_service.verify_exported(document, load_keys(kzh_only))
    assert [p.problem for p in partial.parties] == [None, "protocol.unknown_key"]
    document["content"]["notes"].append("added later")
    changed = protocol_service.verify_exported(document, load_keys(published))
    assert [p.problem for p in changed.parties] == ["protocol.changed", "protocol.changed"]
    with pytest.raises(ValidationFailed) as caught:
        protocol_service.verify_exported({"format": "something else"}, load_keys(published))
    assert caught.value.code == "stats.protocol.file"


def test_xlsx_carries_the_figures_plan_and_notes(
    stats_uow: UnitOfWork, created: protocol_service.StoredProtocol
) -> None:
    with stats_uow.read() as session:
        payload = protocol_service.protocol_xlsx(session, PID, "ru")
        plan = plan_service.plan_cells(session, 2026, "KZ", "TJ")
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
    stats_uow: UnitOfWork, created: protocol_service.StoredProtocol
) -> None:
    with stats_uow.read() as session:
        ru = protocol_service.protocol_pdf(session, PID, "ru")
        en = protocol_service.protocol_pdf(session, PID, "en")
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


def test_protocol_languages_are_russian_and_the_parties() -> None:
    assert protocol_languages(("KZH", "TDZ")) == ("ru", "kk", "tg")
    assert protocol_languages(("TDZ", "KZH")) == ("ru", "tg", "kk")
    assert protocol_languages(("KRG", "TRK")) == ("ru",)  # no Kyrgyz or Turkmen catalog
    assert protocol_languages(("KZH", "TDZ"), "RU+kk") == ("ru", "kk")
    assert protocol_languages(("KZH", "TDZ"), "en") == ("en",)
    for wrong in ("de", "ru+zh", "+"):
        with pytest.raises(ValidationFailed) as caught:
            protocol_languages(("KZH", "TDZ"), wrong)
        assert caught.value.code == "stats.protocol.lang"


def test_kz_tj_pdf_prints_russian_kazakh_and_tajik_and_everything_fits(
    stats_uow: UnitOfWork, created: protocol_service.StoredProtocol
) -> None:
    with stats_uow.read() as session:
        pdf = protocol_service.protocol_pdf(session, PID)
    pages = pdf_inspect.pages(pdf)
    text = "\n".join(pdf_inspect.page_text(p) for p in pages)
    for heading in ("Протокол / Хаттама", "Итоги 2025 года и планы на 2026 год", "Подписи",
                    "Қолтаңбалар", "Имзоҳо", "KZH (Казахстан)", "TDZ (Таджикистан)"):  # fmt: skip
        assert heading in text, heading
    for lang in ("kk", "tg"):
        for msgid, params in (
            ("Results of {year} and plans for {plan_year}", {"year": 2025, "plan_year": 2026}),
            ("3. Notes and agreements", {}),
            ("change, %", {}),
            ("commodity group", {}),
            ("signed at (UTC)", {}),
        ):
            wanted = translate(msgid, lang, **params)
            assert wanted != msgid, (lang, msgid)  # the catalog translates it
            # a heading may wrap inside its cell: compare without the spaces
            assert re.sub(r"\s", "", wanted) in re.sub(r"\s", "", text), (lang, wanted)
    for page in pages:
        assert pdf_inspect.overflowing(page) == []
        assert pdf_inspect.overlapping(page) == []
    assert pdf_inspect.missing_glyphs(pdf) == []


def test_kz_tj_xlsx_heads_each_column_in_three_languages_and_is_wide_enough(
    stats_uow: UnitOfWork, created: protocol_service.StoredProtocol
) -> None:
    with stats_uow.read() as session:
        payload = protocol_service.protocol_xlsx(session, PID, "auto")
    book = load_workbook(io.BytesIO(payload))
    results = list(book["results"].iter_rows(values_only=True))
    header = next(r for r in results if r[2] == "commodity_group")
    header_row = results.index(header) + 1
    assert header[5] == "\n".join(translate("change, %", x) for x in ("ru", "kk", "tg"))
    assert header[5].splitlines()[0] == "изменение, %"
    grain = next(r for r in results if r[2] == "grain")
    assert grain[4] == 1_400_000
    assert grain[1] == "Зерно"  # commodity groups have no Kazakh or Tajik names: Russian
    # no text is cut: it fits its column, wraps, or spills into an empty cell on its right
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if not isinstance(cell.value, str):
                    continue
                width = sheet.column_dimensions[cell.column_letter].width
                longest = max(len(line) for line in cell.value.splitlines())
                right = sheet.cell(row=cell.row, column=cell.column + 1).value
                fits = longest <= width or cell.alignment.wrap_text or right is None
                assert fits, (sheet.title, cell.coordinate, cell.value)
                if cell.row == header_row and sheet.title == "results":
                    assert longest <= width, cell.value  # column headings are never wrapped


def test_next_years_actuals_are_checked_against_the_signed_plan(
    stats_uow: UnitOfWork, created: protocol_service.StoredProtocol
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
        volumes_repository.delete_source(session, "test:protocol")
        volumes_repository.insert_facts(session, [shipped], clock.now())
        # the stored plan changes after signing; the check must keep to the signed one
        plan_service.set_plan(session, ACTOR, 2026, "KZ", "TJ", "export", "grain", 1, 1)
    try:
        with stats_uow.read() as session:
            report = protocol_service.check_protocol(session, PID, 2026)
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
            volumes_repository.delete_source(session, "test:protocol")
            plan_service.seed_plan_from_forecast(session, ACTOR, 2026, "KZ", "TJ", replace=True)
    with pytest.raises(NotFound), stats_uow.read() as session:
        protocol_service.check_protocol(session, "2039-KZ-TJ")
    with pytest.raises(ValidationFailed) as wrong_year, stats_uow.read() as session:
        protocol_service.check_protocol(session, PID, 2027)
    assert wrong_year.value.code == "stats.protocol.check_year"


def test_creating_without_a_plan_is_refused(stats_uow: UnitOfWork, generated: int) -> None:
    with pytest.raises(NotFound) as caught, stats_uow() as session:
        protocol_service.create_protocol(session, ACTOR, 2037, "KZ", "TJ")
    assert caught.value.code == "stats.protocol.no_plan"
    with stats_uow.read() as session:
        assert (
            session.scalars(select(StatsProtocolRow).where(StatsProtocolRow.year == 2037)).first()
            is None
        )
