"""The notes list shows station and cargo names and each note's real status, and searches by
number, party, station and date range (web page and API)."""

from __future__ import annotations

from datetime import timedelta

from temir.kit import clock
from temir.kit.db import UnitOfWork
from temir.network.provider import view_for
from temir.notes.store import service
from tests.notes.store_helpers import draft
from tests.notes.test_web_steps import Login, People, login, new_draft, people  # noqa: F401


def _numbered(uow: UnitOfWork, p: People, number: str) -> str:
    note_id = new_draft(uow, p.shipper)
    with uow() as session:
        service.submit(session, p.shipper.actor, note_id)
        service.accept(session, p.kzh.actor, note_id, consignment_number=number)
    return note_id


def test_list_shows_names_and_the_status_of_each_note(
    people: People,  # noqa: F811
    login: Login,  # noqa: F811
    uow: UnitOfWork,
) -> None:
    draft_id = new_draft(uow, people.shipper)
    submitted_id = new_draft(uow, people.shipper)
    with uow() as session:
        service.submit(session, people.shipper.actor, submitted_id)
    with uow.read() as session:
        departure = draft()["departure"]["esr"]
        station = view_for(session).station(departure)
        assert station is not None
    page = login(people.shipper).get("/notes", params={"lang": "ru"}).text
    assert f'href="/notes/{draft_id}"' in page
    row = page[page.index(f'href="/notes/{submitted_id}"') :]
    route = row[row.index('data-testid="note-route"') : row.index('data-testid="note-cargo"')]
    cargo = row[row.index('data-testid="note-cargo"') : row.index("</td>", row.index("note-cargo"))]
    assert station.name_ru in route  # not just the bare code
    assert ">Пшеница<" in cargo  # the ETSNG 011005 name (wheat) from the commodity list
    assert 'data-status="submitted"' in row[: row.index("</tr>")]
    link = row[row.index(">") + 1 : row.index("</a>")]
    assert link != "черновик"  # an un-numbered submitted note is not called a draft


def test_search_by_number_party_station_and_dates(
    people: People,  # noqa: F811
    login: Login,  # noqa: F811
    uow: UnitOfWork,
) -> None:
    wanted = _numbered(uow, people, "KZ-SEARCH-4711")
    other = _numbered(uow, people, "KZ-OTHER-0815")
    browser = login(people.kzh)

    def ids(**params: str) -> set[str]:
        page = browser.get("/notes", params=params)
        assert page.status_code == 200
        return {i for i in (wanted, other) if f'href="/notes/{i}"' in page.text}

    assert ids(number="search-47") == {wanted}
    assert ids(party="KZH") == {wanted, other}
    assert ids(party="nobody-like-this") == set()
    esr = draft()["departure"]["esr"]
    assert ids(station=esr) == {wanted, other}
    today = clock.now().date()
    assert ids(date_from=str(today - timedelta(days=1)), date_to=str(today)) == {wanted, other}
    assert ids(date_from=str(today + timedelta(days=1))) == set()
    bad = browser.get("/notes", params={"date_from": "yesterday"})
    assert bad.status_code == 200
    assert "YYYY-MM-DD" in bad.text
    backwards = browser.get("/notes", params={"date_from": "2030-01-02", "date_to": "2030-01-01"})
    assert 'class="errorbox"' in backwards.text
