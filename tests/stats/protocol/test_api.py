"""The protocol over HTTP (SQLite and PostgreSQL): API shapes and errors, and the pages."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.engine import Engine

from temir.accounts import service as accounts_service
from temir.accounts.model import Actor
from temir.accounts.tables import AuditRow
from temir.kit.db import UnitOfWork
from temir.kit.i18n import translate
from temir.stats.plans import repository as plan_repository
from temir.stats.plans import service as plan_service
from temir.stats.protocol import repository
from temir.stats.protocol import service as protocol_service
from tests import pdf_inspect
from tests.stats.conftest import SECRET

ADMIN = Actor.system("tests")
PID = "2024-KZ-TJ"  # its own protocol, so it does not disturb test_protocol's 2025 one


@pytest.fixture(scope="module")
def client(stats_engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    from temir.app import create_app
    from temir.kit.settings import Settings

    url = stats_engine.url.render_as_string(hide_password=False)
    home = tmp_path_factory.mktemp("protocol-api")
    with TestClient(create_app(Settings(url, home, SECRET, "127.0.0.1", 8000, False))) as c:
        yield c


@pytest.fixture(scope="module")
def tokens(stats_uow: UnitOfWork, railways: dict[str, str], generated: int) -> dict[str, str]:
    """Bearer headers of the KZH, TDZ and UTI operators; the 2025 plan stands in for N+1."""
    with stats_uow() as session:
        row = repository.protocol_row(session, PID)
        if row is not None:
            repository.delete_protocol(session, row)
        plan_service.seed_plan_from_forecast(session, ADMIN, 2025, "KZ", "TJ", replace=True)
        return {
            name: accounts_service.issue_token(session, ADMIN, username=name).secret
            for name in ("t-kzh", "t-tdz", "t-uti")
        }


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def error_of(response: object) -> tuple[int, str]:
    status = getattr(response, "status_code")  # noqa: B009
    return status, getattr(response, "json")()["error"]["code"]  # noqa: B009


def test_create_sign_verify_check_and_files_over_the_api(
    client: TestClient, tokens: dict[str, str]
) -> None:
    body = {"year": 2024, "between": "KZ,TJ", "notes": ["Test note."], "place": "Astana"}
    anonymous = client.post("/api/v1/stats/protocols", json=body)
    assert error_of(anonymous) == (401, "unauthenticated")
    outsider = client.post("/api/v1/stats/protocols", json=body, headers=bearer(tokens["t-uti"]))
    assert error_of(outsider) == (403, "stats.protocol.not_a_party_member")
    created = client.post("/api/v1/stats/protocols", json=body, headers=bearer(tokens["t-kzh"]))
    assert created.status_code == 201, created.text
    made = created.json()
    assert made["protocol_id"] == PID
    assert made["content"]["parties"] == ["KZH", "TDZ"]
    assert made["signed_by"] == []
    listed = client.get("/api/v1/stats/protocols").json()
    assert PID in [p["protocol_id"] for p in listed]

    third = client.post(f"/api/v1/stats/protocols/{PID}/sign", headers=bearer(tokens["t-uti"]))
    assert error_of(third) == (403, "stats.protocol.not_a_party_member")
    for name, party in (("t-kzh", "KZH"), ("t-tdz", "TDZ")):
        signed = client.post(f"/api/v1/stats/protocols/{PID}/sign", headers=bearer(tokens[name]))
        assert signed.status_code == 200, signed.text
        assert (signed.json()["role"], signed.json()["signer"]) == (party, name)
    twice = client.post(f"/api/v1/stats/protocols/{PID}/sign", headers=bearer(tokens["t-tdz"]))
    assert error_of(twice) == (409, "stats.protocol.already_signed")

    verdict = client.get(f"/api/v1/stats/protocols/{PID}/verify").json()
    assert verdict["valid"] is True
    assert [(p["party"], p["valid"], p["signer"]) for p in verdict["parties"]] == [
        ("KZH", True, "t-kzh"),
        ("TDZ", True, "t-tdz"),
    ]
    assert verdict["problems"] == []
    shown = client.get(f"/api/v1/stats/protocols/{PID.lower()}").json()
    assert shown["signed_by"] == ["KZH", "TDZ"]
    assert shown["digest"] == verdict["digest"]

    check = client.get(f"/api/v1/stats/protocols/{PID}/check", params={"year": 2025}).json()
    assert check["plan_source"] == f"protocol {PID}"
    assert check["total"]["plan_tonnes"] == made["content"]["plan"]["total"]
    assert check["total"]["actual_tonnes"] == 5_900_000  # the synthetic 2025, as published
    wrong = client.get(f"/api/v1/stats/protocols/{PID}/check", params={"year": 2030})
    assert error_of(wrong) == (422, "stats.protocol.check_year")

    for lang in ("ru", "en", "auto", "ru+tg"):
        pdf = client.get(f"/api/v1/stats/protocols/{PID}/protocol.pdf", params={"lang": lang})
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF-")
    ru_tg = pdf_inspect.page_text(pdf_inspect.pages(pdf.content)[0])
    assert "Протокол" in ru_tg
    assert translate("Results of {year} and plans for {plan_year}", "tg", year=2024,
                     plan_year=2025) in ru_tg  # fmt: skip
    assert "Хаттама" not in ru_tg  # Kazakh was not asked for
    assert f"protocol-{PID}-ru-tg.pdf" in pdf.headers["content-disposition"]
    bad_lang = client.get(f"/api/v1/stats/protocols/{PID}/protocol.pdf", params={"lang": "de"})
    assert error_of(bad_lang) == (422, "stats.protocol.lang")
    xlsx = client.get(f"/api/v1/stats/protocols/{PID}/protocol.xlsx")
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames == ["results", "plan", "notes"]
    missing = client.get("/api/v1/stats/protocols/2019-KZ-TJ/verify")
    assert error_of(missing) == (404, "stats.protocol.not_found")
    too_long = client.get("/api/v1/stats/protocols/" + "x" * 60)
    assert too_long.status_code == 422
    assert "error" in too_long.json()


def test_the_page_shows_both_signatures_and_the_downloads(
    client: TestClient, tokens: dict[str, str]
) -> None:
    if client.get(f"/api/v1/stats/protocols/{PID}").status_code == 404:
        test_create_sign_verify_check_and_files_over_the_api(client, tokens)
    page = client.get(f"/stats/protocol/{PID}", params={"lang": "en"})
    assert page.status_code == 200
    html = page.text
    for party, who in (("KZH", "t-kzh"), ("TDZ", "t-tdz")):
        assert f'data-testid="signature-{party}" data-valid="true"' in html
        assert f"Signed by {who}" in html
    assert 'data-testid="protocol-verdict">Valid<' in html
    assert f'href="/api/v1/stats/protocols/{PID}/protocol.pdf?lang=ru"' in html
    assert f'href="/api/v1/stats/protocols/{PID}/protocol.xlsx?lang=en"' in html
    assert 'data-testid="sign-protocol"' not in html  # anonymous: no Sign button
    ru = client.get(f"/stats/protocol/{PID}", params={"lang": "ru"}).text
    assert "Подпись действительна" in ru
    listing = client.get("/stats/protocol").text
    assert f'href="/stats/protocol/{PID}"' in listing
    assert 'href="/stats/protocol"' in client.get("/stats").text
    assert 'href="/stats/protocol"' in client.get("/stats/plan").text
    missing = client.get("/stats/protocol/2019-KZ-TJ")
    assert missing.status_code == 404


def test_viewing_the_page_writes_nothing(
    client: TestClient, stats_uow: UnitOfWork, tokens: dict[str, str]
) -> None:
    """A page view shows the verdict; it must not write an audit row per reader."""
    if client.get(f"/api/v1/stats/protocols/{PID}").status_code == 404:
        test_create_sign_verify_check_and_files_over_the_api(client, tokens)

    def audit_rows() -> int:
        with stats_uow.read() as session:
            return len(session.scalars(select(AuditRow.id)).all())

    before = audit_rows()
    for _ in range(3):
        assert client.get(f"/stats/protocol/{PID}").status_code == 200
    assert audit_rows() == before
    verified = client.get(f"/api/v1/stats/protocols/{PID}/verify")
    assert verified.status_code == 200
    assert audit_rows() == before + 1  # an explicit verification is audited


def test_a_party_user_signs_on_the_page_with_the_csrf_token(
    client: TestClient, stats_uow: UnitOfWork, railways: dict[str, str], tmp_path: Path
) -> None:
    pid = "2024-KG-TM"
    with stats_uow() as session:
        row = repository.protocol_row(session, pid)
        if row is not None:
            repository.delete_protocol(session, row)
        plan_repository.delete_plan(session, 2025, "KG", "TM")
        plan_service.set_plan(session, ADMIN, 2025, "KG", "TM", "export", "cement", 1200)
        protocol_service.create_protocol(session, ADMIN, 2024, "KG", "TM")
        accounts_service.create_user(
            session, ADMIN, username=f"t-krg-web-{tmp_path.name[-6:]}", role="railway_operator",
            organisation="t-krg", password="a-long-test-password-1",
        )  # fmt: skip
    username = f"t-krg-web-{tmp_path.name[-6:]}"
    web = TestClient(client.app)
    login = web.get("/login")
    token = login.text.split('name="csrf_token" value="')[1].split('"')[0]
    done = web.post(
        "/login",
        data={"username": username, "password": "a-long-test-password-1", "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    page = web.get(f"/stats/protocol/{pid}", params={"lang": "en"}).text
    assert 'data-testid="sign-protocol"' in page
    assert "Sign for KRG" in page
    csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
    refused = web.post(f"/stats/protocol/{pid}/sign", data={}, follow_redirects=False)
    assert refused.status_code == 403  # no CSRF token
    signed = web.post(
        f"/stats/protocol/{pid}/sign", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert signed.status_code == 303
    after = web.get(f"/stats/protocol/{pid}", params={"lang": "en"}).text
    assert 'data-testid="signature-KRG" data-valid="true"' in after
    assert 'data-testid="signature-TRK" data-valid="false"' in after
    assert 'data-testid="sign-protocol"' not in after
