"""How TR-4 lines become places and codes (pure: files in, rows out)."""

from __future__ import annotations

import csv

import pytest

from temir.network import reference
from temir.network.places import build_stations, code_role, split_name


@pytest.mark.parametrize(
    ("name", "base", "role"),
    [
        ("Достык", "Достык", "main"),
        ("Достык (эксп.)", "Достык", "export"),
        ("Карасу-Узбекский (эксп. на Савай)", "Карасу-Узбекский", "export"),
        ("Туркменбаши I (эксп., паром на Актау-Порт)", "Туркменбаши I", "export"),
        ("Хоргос (перев.)", "Хоргос", "transshipment"),
        ("Актау-Порт (паром)", "Актау-Порт", "other"),
        ("Разъезд 47 (рзд)", "Разъезд 47 (рзд)", "main"),
        ("Путевой пост (пп)", "Путевой пост (пп)", "main"),
    ],
)
def test_split_name_and_role(name: str, base: str, role: str) -> None:
    stripped, suffixes = split_name(name)
    assert stripped == base
    assert code_role(suffixes) == role


def test_every_code_of_stations_csv_and_book2_is_a_station_code() -> None:
    _stations, codes = build_stations(reference.DATA_DIR)
    esr = {c["esr"] for c in codes}
    with (reference.DATA_DIR / "network" / "stations.csv").open(encoding="utf-8") as fh:
        node_codes = {r["esr_code"] for r in csv.DictReader(fh) if r["esr_code"]}
    with (reference.DATA_DIR / "tr4" / "station_transit_points.csv").open(encoding="utf-8") as fh:
        book2_codes = {r["esr_code"] for r in csv.DictReader(fh)}
    assert len(node_codes) == 939
    assert esr == node_codes | book2_codes
    assert len(codes) == len(esr)  # each code once


def test_export_code_joins_its_station() -> None:
    _stations, codes = build_stations(reference.DATA_DIR)
    by_esr = {c["esr"]: c for c in codes}
    assert by_esr["708507"]["station_key"] == ("KZH", "Достык")
    assert by_esr["708507"]["role"] == "export"
    assert by_esr["708403"]["station_key"] == ("KZH", "Достык")
    assert by_esr["708403"]["role"] == "main"


def test_foreign_border_stations_have_no_codes_and_keep_osm_names() -> None:
    stations, codes = build_stations(reference.DATA_DIR)
    foreign = [s for s in stations if s["railway"] in ("KZD", "RAI")]
    assert {s["country"] for s in foreign} == {"CN", "IR"}
    assert len(foreign) == 3
    assert not {c["station_key"] for c in codes} & {(s["railway"], s["name_ru"]) for s in foreign}
    assert all(not s["name_en_estimated"] for s in foreign)


def test_coordinates_not_from_osm_are_estimated() -> None:
    stations, _ = build_stations(reference.DATA_DIR)
    for s in stations:
        if s["lat"] is None:
            assert s["coord_source"] is None
        else:
            # an OSM match is estimated only when the neighbours contradict it (coord_suspect)
            from_osm = s["coord_source"].startswith("osm_") and not s["coord_suspect"]
            assert s["coord_estimated"] == (not from_osm)
    assert any(s["coord_estimated"] for s in stations)
    assert any(s["lat"] is not None and not s["coord_estimated"] for s in stations)
