"""Note pages without a browser: the form mapping, inline checks per box, the public verify page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from temir.app import create_app
from temir.notes.model import Note
from temir.notes.paper.pdf import render_pdf
from temir.notes.paper.sheets import qr_payload
from temir.notes.signatures import sign_note
from temir.notes.web_form import form_to_document, note_to_form
from temir.signing.algorithms import Ed25519Signer
from tests.conftest import settings_for


@pytest.fixture
def client(engine: Engine, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(settings_for(engine, tmp_path))
    with TestClient(app, headers={"accept": "text/html"}) as c:
        yield c


def test_form_round_trip_keeps_the_consignors_boxes(note: Note) -> None:
    form = note_to_form(note)
    assert form["wagons.1.number"] == note.wagons[1].number
    assert form["seals.0.marks"] == ", ".join(note.seals[0].marks)
    back = Note.model_validate(form_to_document(form))
    for part in ("consignor", "departure", "border_stations", "wagons", "goods", "seals",
                 "carriers", "payments"):  # fmt: skip
        assert getattr(back, part) == getattr(note, part), part


def test_empty_rows_and_fields_disappear() -> None:
    document = form_to_document({"wagons.0.number": " ", "wagons.1.number": "95120341",
                                 "goods.2.mass_kg": "12", "csrf_token": "x"})  # fmt: skip
    assert document["wagons"] == [{"number": "95120341"}]
    assert document["goods"] == [{"mass_kg": 12}]
    assert "csrf_token" not in document


def test_validate_puts_the_wagon_error_next_to_box_7(client: TestClient, note: Note) -> None:
    form = note_to_form(note)
    good = client.post("/notes/validate", data=form)
    assert good.status_code == 200
    assert 'class="check-summary ok"' in good.text
    form["wagons.0.number"] = "95120342"
    bad = client.post("/notes/validate", data=form, headers={"accept-language": "ru"})
    box7 = bad.text.split('<div id="issues-7"')[1].split("</div>")[0]
    assert 'class="issue error"' in box7
    assert "95120342" in box7
    assert "Графа 7" in box7
    other = bad.text.split('<div id="issues-1"')[1].split("</div>")[0]
    assert 'class="issue ' not in other


def test_pages_behind_login_redirect(client: TestClient) -> None:
    for path in ("/notes", "/notes/new", "/notes/00000000-0000-4000-8000-000000000009"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")


def test_public_verify_page_reads_a_pdf_and_a_qr_line(client: TestClient, note: Note) -> None:
    page = client.get("/notes/verify")
    assert page.status_code == 200
    assert 'name="qr"' in page.text
    signer = Ed25519Signer.generate()  # not a key this node published
    sig = sign_note(note, signer, signed_at=datetime(2026, 3, 2, tzinfo=UTC))
    pdf = render_pdf(note, [sig], sheets=[1])
    result = client.post("/notes/verify", files={"file": ("note.pdf", pdf, "application/pdf")})
    assert result.status_code == 200
    assert 'data-valid="false"' in result.text
    assert signer.key_id in result.text
    line = qr_payload(note, [sig])
    result = client.post("/notes/verify", data={"qr": line})
    assert 'data-valid="false"' in result.text
    assert note.note_id in result.text
    broken = client.post(
        "/notes/verify", data={"qr": "TEMIR1:nope"}, headers={"accept-language": "ru"}
    )
    assert broken.status_code == 422
    assert "QR-кода" in broken.text
