"""Suspect coordinates: a position no tariff neighbour confirms is flagged, never drawn as fact."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from temir.network import quality, reference
from temir.network.places import build_stations
from temir.network.quality import Link, suspect_coordinates

# A tiny line A - B - C - D on railway X, 10 tariff km apart, ~0.09° of latitude = ~10 km.
POS = {"A": (43.00, 52.00), "B": (43.09, 52.00), "C": (43.18, 52.00), "D": (43.27, 52.00)}
RAILWAY = dict.fromkeys(POS, "X")
LINE = [Link("A", "B", 10, "X"), Link("B", "C", 10, "X"), Link("C", "D", 10, "X")]


def test_great_circle_one_degree_of_latitude_is_about_111_km() -> None:
    assert quality.great_circle_km((43.0, 52.0), (44.0, 52.0)) == pytest.approx(111.2, abs=0.2)


def test_consistent_line_has_no_suspect() -> None:
    assert suspect_coordinates(POS, RAILWAY, LINE) == {}


def test_a_namesake_far_away_is_flagged_and_its_confirmed_neighbours_are_not() -> None:
    moved = {**POS, "B": (52.2, 76.7)}  # matched to a namesake 2000 km away
    found = suspect_coordinates(moved, RAILWAY, LINE)
    # C keeps D as a confirming neighbour; A's only neighbour is B, so A is doubted too
    assert set(found) == {"A", "B"}
    assert found["B"].neighbours == 2
    assert found["B"].tariff_km == 10
    assert found["B"].distance_km > 1900
    assert "10 tariff km" in found["B"].reason


def test_an_end_station_with_its_only_neighbour_too_far_is_flagged() -> None:
    moved = {**POS, "D": (44.0, 52.0)}  # 81 km from C, allowed 10 × 1.25 + 10 = 22.5
    assert set(suspect_coordinates(moved, RAILWAY, LINE)) == {"D"}


def test_within_the_allowance_is_not_flagged() -> None:
    # C is ~22 km from B and ~15 km from D: within 22.5 of at least one neighbour.
    moved = {**POS, "C": (43.29, 52.0)}
    assert suspect_coordinates(moved, RAILWAY, LINE) == {}


def test_one_confirming_neighbour_is_enough() -> None:
    moved = {**POS, "A": (50.0, 60.0)}  # A is wrong: B keeps C as a confirming neighbour
    assert set(suspect_coordinates(moved, RAILWAY, LINE)) == {"A"}


def test_other_railways_and_unpositioned_neighbours_do_not_count() -> None:
    positions = {"A": (43.0, 52.0), "Y1": (60.0, 30.0)}
    links = [Link("A", "Y1", 5, "X"), Link("A", "B", 5, "X")]
    railway = {"A": "X", "Y1": "Y", "B": "X"}  # B has no position, Y1 is another railway's
    assert suspect_coordinates(positions, railway, links) == {}


def test_worst_orders_by_excess_over_the_allowance() -> None:
    # the same line twice, on railways X and Z: B of X far off, D of Z 81 km from its neighbour
    z_pos = {f"Z{k}": v for k, v in POS.items()}
    z_line = [Link(f"Z{x.a_esr}", f"Z{x.b_esr}", x.km, "Z") for x in LINE]
    positions = {**POS, "B": (52.2, 76.7), **z_pos, "ZD": (44.0, 52.0)}
    railway = {**RAILWAY, **dict.fromkeys(z_pos, "Z")}
    found = suspect_coordinates(positions, railway, LINE + z_line)
    ranked = [s.esr for s in quality.worst(found)]
    assert set(ranked[:2]) == {"A", "B"}  # ~2000 km off
    assert ranked[2:] == ["ZD"]  # 81 km off


# ------------------------------------------------------------------ on the shipped data


@pytest.fixture(scope="module")
def places() -> dict[str, dict[str, object]]:
    stations, codes = build_stations(reference.DATA_DIR)
    by_key = {(s["railway"], s["name_ru"]): s for s in stations}
    return {c["esr"]: by_key[c["station_key"]] for c in codes}


def test_bastau_663912_is_flagged_and_kostanay_is_not(
    places: dict[str, dict[str, object]],
) -> None:
    bastau = places["663912"]
    assert bastau["coord_estimated"] is True
    assert "code 663912" in str(bastau["coord_suspect"])
    kostanay = places["684001"]
    assert kostanay["coord_suspect"] is None
    assert kostanay["lat"] is not None


def test_altay_on_the_zavodinka_turgusun_section_is_flagged(
    places: dict[str, dict[str, object]],
) -> None:
    assert places["714601"]["coord_suspect"]  # Алтай
    assert places["714508"]["coord_suspect"]  # Тургусун, interpolated towards it


def test_api_and_station_page_show_the_suspect_position(client: TestClient) -> None:
    data = client.get("/api/v1/stations/663912").json()
    assert data["coord_estimated"] is True
    assert "663912" in data["coord_suspect"]
    assert client.get("/api/v1/stations/684001").json()["coord_suspect"] is None
    page = client.get("/stations/663912", params={"lang": "ru"}).text
    assert 'data-testid="coord-suspect"' in page
    assert "Сомнительное положение" in page


def test_map_lists_suspect_places_instead_of_drawing_them(client: TestClient) -> None:
    page = client.get("/map").text
    listed = page.split('data-testid="suspect"', 1)
    assert len(listed) == 2
    assert "/stations/663912" in listed[1] or "Bastau" in listed[1]
    drawn = listed[0]
    assert 'href="/stations/684001"' in drawn
