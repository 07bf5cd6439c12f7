"""``/notes/{id}/history`` and ``/notes/{id}/verify`` are pages of their own (they used to
redirect to /notes), and the API serves the note's PDF and XML with declared media types."""

from __future__ import annotations

from fastapi.testclient import TestClient

from temir.kit.db import UnitOfWork
from temir.notes.paper.xml import note_from_xml
from tests.notes.store_helpers import World, draft
from tests.notes.test_api import auth, client, world  # noqa: F401 - fixtures
from tests.notes.test_web_steps import Login, People, login, new_draft, people  # noqa: F401


def test_history_and_verify_are_pages_not_redirects(
    people: People,  # noqa: F811
    login: Login,  # noqa: F811
    uow: UnitOfWork,
) -> None:
    note_id = new_draft(uow, people.shipper)
    browser = login(people.shipper)
    history = browser.get(f"/notes/{note_id}/history", follow_redirects=False)
    assert history.status_code == 200
    assert 'data-testid="history-page"' in history.text
    assert 'data-action="create"' in history.text
    assert f'href="/notes/{note_id}"' in history.text
    verify = browser.get(f"/notes/{note_id}/verify", follow_redirects=False)
    assert verify.status_code == 200
    assert 'data-testid="verify-page"' in verify.text
    assert 'data-testid="chain-verdict"' in verify.text


def test_history_page_of_someone_elses_note_is_refused(
    people: People,  # noqa: F811
    login: Login,  # noqa: F811
    uow: UnitOfWork,
) -> None:
    note_id = new_draft(uow, people.shipper)
    outsider = login(people.other_shipper)
    page = outsider.get(f"/notes/{note_id}/history", follow_redirects=False)
    assert page.status_code in (403, 404)
    assert 'data-testid="history-page"' not in page.text


def test_api_serves_pdf_and_xml_with_their_media_types(
    client: TestClient,  # noqa: F811
    auth: dict[str, dict[str, str]],  # noqa: F811
    world: World,  # noqa: F811
) -> None:
    made = client.post("/api/v1/notes", content=_json(draft()), headers=auth["shipper"])
    assert made.status_code == 201, made.text
    note_id = made.json()["id"]
    pdf = client.get(f"/api/v1/notes/{note_id}/pdf", headers=auth["shipper"])
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    xml = client.get(f"/api/v1/notes/{note_id}/xml", headers=auth["shipper"])
    assert xml.status_code == 200
    assert xml.headers["content-type"].startswith("application/xml")
    assert note_from_xml(xml.content).wagons == draft_note_wagons()
    assert client.get(f"/api/v1/notes/{note_id}/pdf").status_code == 401
    assert client.get(
        f"/api/v1/notes/{note_id}/xml", headers=auth["other_shipper"]
    ).status_code in (
        403,
        404,
    )
    paths = client.get("/openapi.json").json()["paths"]
    pdf_content = paths["/api/v1/notes/{note_id}/pdf"]["get"]["responses"]["200"]["content"]
    xml_content = paths["/api/v1/notes/{note_id}/xml"]["get"]["responses"]["200"]["content"]
    assert "application/pdf" in pdf_content
    assert "application/xml" in xml_content


def _json(data: object) -> bytes:
    import json

    return json.dumps(data).encode()


def draft_note_wagons() -> object:
    from temir.notes.model import Note

    return Note.model_validate(draft()).wagons


def test_new_form_from_a_quote_fills_the_route_and_bad_stations_say_so(
    people: People,  # noqa: F811
    login: Login,  # noqa: F811
) -> None:
    browser = login(people.shipper)
    empty = browser.get("/notes/new").text
    assert ", load" not in empty  # an empty form is not checked before the user acts
    page = browser.get(
        "/notes/new",
        params={"from": "684001", "to": "745309", "cargo": "011005", "mass_kg": "60000"},
    ).text
    assert 'data-testid="from-quote"' in page
    assert 'name="border_stations.0.esr" value="' in page
    assert 'name="goods.0.etsng" value="011005"' in page
    bad = browser.get("/notes/new", params={"from": "999999", "to": "745309"})
    assert bad.status_code == 200
    assert 'data-testid="form-error"' in bad.text


def test_api_pdf_prints_in_the_chosen_language_and_refuses_others(
    client: TestClient,  # noqa: F811
    auth: dict[str, dict[str, str]],  # noqa: F811
    world: World,  # noqa: F811
) -> None:
    from tests import pdf_inspect

    made = client.post("/api/v1/notes", content=_json(draft()), headers=auth["shipper"])
    assert made.status_code == 201, made.text
    note_id = made.json()["id"]
    pdf = client.get(f"/api/v1/notes/{note_id}/pdf?sheets=1&lang=tg", headers=auth["shipper"])
    assert pdf.status_code == 200
    first = pdf_inspect.page_text(pdf_inspect.pages(pdf.content)[0])
    assert "Борхати СМГС / Накладная СМГС" in first
    bad = client.get(f"/api/v1/notes/{note_id}/pdf?lang=zh", headers=auth["shipper"])
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "notes.print_language"
    assert bad.json()["error"]["field"] == "lang"
