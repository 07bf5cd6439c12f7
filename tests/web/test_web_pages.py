"""Pages answer, search finds stations, details show every code, errors are pages for people."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from fastapi.testclient import TestClient

from temir.kit.db import UnitOfWork
from temir.network import webdata
from temir.network.web import MAP_LABELS, _drawing
from temir.web.svgmap import Edge, bridges


@pytest.mark.parametrize(
    "path",
    ["/", "/stations", "/stations?q=Костанай", "/stations/684001", "/map", "/stations?q=zzzz"],
)
def test_page_answers_with_html(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<main>" in response.text


def test_nav_links_to_stations_and_map(client: TestClient) -> None:
    page = client.get("/").text
    nav = page[page.index('class="mainnav"') : page.index("</nav>")]
    assert 'href="/stations"' in nav
    assert 'href="/map"' in nav


@pytest.mark.parametrize("query", ["Костанай", "kostanay", "КОСТАНАЙ", "6840"])
def test_search_finds_kostanay_by_either_name_or_code(client: TestClient, query: str) -> None:
    page = client.get("/stations", params={"q": query}).text
    assert 'data-testid="station-results"' in page
    assert 'href="/stations/684001"' in page


def test_search_without_match_says_so(client: TestClient) -> None:
    page = client.get("/stations", params={"q": "Qqqxyzzy"}, headers={"accept-language": "en"})
    assert 'data-testid="no-results"' in page.text
    assert "Qqqxyzzy" in page.text


def test_live_search_returns_only_the_results_fragment(client: TestClient) -> None:
    fragment = client.get("/stations", params={"q": "Достык"}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert 'href="/stations/708403"' in fragment.text
    full = client.get("/stations", params={"q": "Достык"})
    assert "<html" in full.text


def test_search_form_works_without_javascript(client: TestClient) -> None:
    page = client.get("/stations").text
    form = re.search(r'<form method="get" action="/stations"[^>]*>(.*?)</form>', page, re.S)
    assert form is not None
    assert 'name="q"' in form.group(1)
    assert 'type="submit"' in form.group(1)


def test_station_shows_all_its_codes_with_roles(client: TestClient) -> None:
    page = client.get("/stations/708403", headers={"accept-language": "en"}).text
    codes = page[page.index('data-testid="station-codes"') :]
    codes = codes[: codes.index("</table>")]
    assert "708403" in codes
    assert "708507" in codes
    assert "Достык (эксп.)" in codes
    assert "export code" in codes


def test_any_code_of_a_station_opens_the_same_station(client: TestClient) -> None:
    by_export = client.get("/stations/708507", headers={"accept-language": "ru"}).text
    assert '<h1 data-testid="station-name">Достык</h1>' in by_export


def test_border_station_lists_its_crossing(client: TestClient) -> None:
    page = client.get("/stations/704101", headers={"accept-language": "en"}).text  # Сарыагаш
    crossings = page[page.index('data-testid="station-crossings"') :]
    assert 'href="/stations/720602"' in crossings  # Келес (эксп.), UTI


def test_inferred_crossing_is_marked_estimated(client: TestClient) -> None:
    page = client.get("/stations/666501", headers={"accept-language": "en"}).text  # Илецк I
    crossings = page[page.index('data-testid="station-crossings"') :]
    crossings = crossings[: crossings.index("</table>")]
    assert 'data-estimated="true"' in crossings
    assert "medium" in crossings


def test_transliterated_name_and_approximate_position_are_marked(client: TestClient) -> None:
    page = client.get("/stations/718602", headers={"accept-language": "en"}).text  # Багиш
    heading = page[page.index('data-testid="station-name"') :]
    heading = heading[: heading.index("</h1>")]
    assert 'data-estimated="true"' in heading
    assert "Bagish" in heading
    position = page[page.index("<aside>") :]
    assert 'data-estimated="true"' in position  # approximate coordinates


def test_station_without_coordinates_says_it_is_not_on_the_map(client: TestClient) -> None:
    page = client.get("/stations/704600").text  # Шу: no coordinates in the shipped data
    assert 'data-testid="no-position"' in page


@pytest.mark.parametrize("esr", ["999999", "684002", "abc", "12"])
def test_unknown_station_is_a_friendly_html_404(client: TestClient, esr: str) -> None:
    response = client.get(f"/stations/{esr}", headers={"accept-language": "en"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert 'data-testid="not-found"' in response.text
    assert "Station not found" in response.text


def test_unknown_page_is_html_for_browsers_and_json_for_the_api(client: TestClient) -> None:
    page = client.get("/no/such/page")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert 'data-testid="error-page"' in page.text
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404
    assert api.json()["error"]["code"] == "not_found"
    plain = client.get("/no/such/page", headers={"accept": "application/json"})
    assert plain.json()["error"]["code"] == "not_found"


def test_map_is_an_svg_with_border_points_and_attribution(client: TestClient) -> None:
    page = client.get("/map").text
    svg = page[page.index("<svg viewBox") : page.index("</svg>")]
    assert svg.count('data-border="true"') >= 30  # 40 crossings in the shipped data
    assert "© OpenStreetMap contributors" in svg
    assert 'href="/stations/684001"' in svg
    assert 'class="st rw-KZH approx' in svg  # approximate positions drawn hollow
    assert 'class="bp inferred' in svg  # medium/low confidence pairings drawn dashed
    assert len(page.encode()) < 400_000


def test_map_lists_the_stations_it_cannot_draw(client: TestClient) -> None:
    page = client.get("/map").text
    unplaced = page[page.index('data-testid="unplaced"') :]
    unplaced = unplaced[: unplaced.index("</details>")]
    assert 'href="/stations/704600"' in unplaced  # Шу, no coordinates
    svg = page[page.index("<svg viewBox") : page.index("</svg>")]
    assert 'href="/stations/704600"' not in svg


def test_map_joins_sections_through_stations_without_a_position(uow: UnitOfWork) -> None:
    """Bishkek was cut off and Shu–Almaty missing: Шу and Мерке have no coordinates. The drawn
    lines (solid and dashed) now join Bishkek to Almaty and Tashkent, no position made up."""
    with uow.read() as session:
        network = webdata.whole_network(session, "ru")
    drawing = _drawing(network, width=1100, labels=MAP_LABELS, highlight=None)
    drawn = {m.point.key for m in drawing.markers}
    by_name = {p.name: str(p.id) for p in network.places}
    assert by_name["Шу"] not in drawn
    assert by_name["Мерке"] not in drawn
    links = defaultdict(set)
    edges = [(str(a), str(b)) for a, b, _ in network.edges]
    edges += [(b.a, b.b) for b in bridges(drawn, [Edge(a, b, "") for a, b in edges], {})]
    for a, b in edges:
        if a in drawn and b in drawn:
            links[a].add(b)
            links[b].add(a)
    reached, todo = {by_name["Бишкек II"]}, [by_name["Бишкек II"]]
    while todo:
        for nxt in links[todo.pop()] - reached:
            reached.add(nxt)
            todo.append(nxt)
    assert {by_name["Алматы 1"], by_name["Ташкент"]} <= reached
    vias = " | ".join(b.via for b in drawing.bridges)
    assert "Шу" in vias
    assert "Мерке" in vias


def test_map_marks_estimated_positions_and_courses(client: TestClient) -> None:
    page = client.get("/map").text
    svg = page[page.index("<svg viewBox") : page.index("</svg>")]
    assert svg.count('data-estimated="true" class="st') > 50  # amber rings, titled
    assert "— ≈ estimated position</title>" in svg
    assert re.search(r'<path class="rw-KRG" d="[^"]+" data-estimated="true"><title>Estimated '
                     r"course: the line passes through [^<]*Merke", svg)  # fmt: skip
    legend = page[page.index('data-testid="map-legend"') :]
    assert 'data-testid="legend-estimated-position"' in legend
    assert 'data-testid="legend-estimated-course"' in legend


@pytest.mark.parametrize("lang", ["kk", "tg"])
def test_kazakh_and_tajik_pages_name_stations_and_railways_in_russian(
    client: TestClient, lang: str
) -> None:
    """No public source gives kk/tg station names: the official Russian one, not the English
    transliteration (locale/REVIEW.md)."""
    client.cookies.set("lang", lang)
    station = client.get("/stations/684001").text
    assert re.search(r'data-testid="station-name">Костанай<', station)
    found = client.get("/stations", params={"q": "костан"}).text
    assert ">Костанай</a>" in found
    legend = client.get("/map").text
    legend = legend[legend.index('data-testid="map-legend"') :]
    assert "TDZ — Таджикская железная дорога" in legend
    assert "Tajik Railway" not in legend
    client.cookies.set("lang", "en")
    english = client.get("/stations/684001").text
    heading = english[english.index('data-testid="station-name"') :]
    assert heading[: heading.index("</h1>")].endswith("Kostanay</span>")
