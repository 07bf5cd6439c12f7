"""Reference JSON API: shapes, statuses, and no 500 for bad input."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


def test_station_search(client: TestClient) -> None:
    r = client.get("/api/v1/stations", params={"q": "kostanay"})
    assert r.status_code == 200
    first = r.json()[0]
    assert first["name_ru"] == "Костанай"
    assert first["name_en_estimated"] is True
    assert {"lat", "lon", "coord_estimated", "coord_source", "railway", "country", "kind"} <= set(
        first
    )
    assert first["codes"][0] == {
        "esr": "684001",
        "name_ru": "Костанай",
        "role": "main",
        "railway": "KZH",
        "point_type": "station",
        "operations": first["codes"][0]["operations"],
        "transit_point": first["codes"][0]["transit_point"],
        "network_node": True,
    }


def test_station_by_esr_and_errors(client: TestClient) -> None:
    r = client.get("/api/v1/stations/708507")
    assert r.status_code == 200
    assert r.json()["name_ru"] == "Достык"

    missing = client.get("/api/v1/stations/100001")  # well-formed, no such station
    assert missing.status_code == 404
    error = missing.json()["error"]
    assert error["code"] == "station.not_found"
    assert error["field"] == "esr"
    assert "100001" in error["message"]

    ru = client.get("/api/v1/stations/100001", headers={"Accept-Language": "ru"})
    assert ru.json()["error"]["message"] == "Станции с кодом ЕСР 100001 нет."

    zeros = client.get("/api/v1/stations/000000")
    assert zeros.status_code == 422
    assert zeros.json()["error"]["code"] == "esr.all_zero"

    bad = client.get("/api/v1/stations/708508")
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "esr.check_digit"
    assert bad.json()["error"]["field"] == "esr"

    for odd, rule in [("abc", "esr.not_digits"), ("12345", "esr.length")]:
        r = client.get(f"/api/v1/stations/{odd}")
        assert r.status_code == 422, odd
        assert r.json()["error"]["code"] == rule


@pytest.mark.parametrize(
    "params",
    [
        {"q": "%"},
        {"q": "_"},
        {"q": "'; select 1; --"},
        {"q": "ё" * 150},
        {"q": "x" * 1000},
        {"limit": "1000000000000"},
        {"limit": "-1"},
        {"limit": "many"},
        {"railway": "KZHKZHKZH"},
        {"kind": "border", "country": "zz"},
    ],
)
def test_odd_station_queries_never_500(client: TestClient, params: dict[str, str]) -> None:
    r = client.get("/api/v1/stations", params=params)
    assert r.status_code in (200, 422), r.text
    if r.status_code == 422:
        assert set(r.json()["error"]) >= {"code", "message", "field"}


def test_railways_and_border_crossings(client: TestClient) -> None:
    railways = {r["code"]: r for r in client.get("/api/v1/railways").json()}
    assert railways["KZH"]["numeric_code"] == 27
    assert railways["TDZ"]["numeric_code"] == 66

    tj = client.get("/api/v1/border-crossings", params={"country": "TJ"}).json()
    assert tj
    assert all("TJ" in (c["a_country"], c["b_country"]) for c in tj)
    for c in client.get("/api/v1/border-crossings").json():
        assert c["estimated"] == (c["confidence"] != "high")


def test_sections(client: TestClient) -> None:
    krg = client.get("/api/v1/network/sections", params={"railway": "KRG"}).json()
    assert krg
    assert {s["railway"] for s in krg} == {"KRG"}


def test_commodities_wheat(client: TestClient) -> None:
    body = client.get("/api/v1/commodities", params={"q": "пшеница"}).json()
    wheat = [c for c in body["curated"] if c["etsng"] == "011005"]
    assert wheat[0]["gng"] == "10019900"
    assert wheat[0]["group"] == "grain"
    assert wheat[0]["verified"]
    assert wheat[0]["source"]
    assert "10019900" in {g["gng"] for g in body["gng"]}


def test_openapi_documents_models(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert {"StationOut", "StationCodeOut", "BorderCrossingOut", "CodeCheckOut"} <= set(schemas)


def test_codes_dangerous(client: TestClient) -> None:
    # ADR 2017 Table A (seerdaryilmazz/OOB insert_adr_class_details_2017.sql, line 6558):
    # '1978','PROPANE','2','2F','' — class 2, no packing group; typed from the source
    r = client.get("/api/v1/codes/dangerous", params={"gng": "27111200"})
    assert r.status_code == 200
    body = r.json()
    assert body["dangerous"] is True
    propane = body["entries"][0]
    assert (propane["un_number"], propane["hazard_class"], propane["packing_group"]) == (
        "1978",
        "2",
        None,
    )
    assert propane["source"].startswith("ADR 2017 Table A")
    wheat = client.get("/api/v1/codes/dangerous", params={"etsng": "011005"}).json()
    assert wheat["dangerous"] is False
    assert wheat["entries"] == []
    bare = client.get("/api/v1/codes/dangerous")
    assert bare.status_code == 422
    assert bare.json()["error"]["code"] == "dangerous.no_code"
    assert bare.json()["error"]["field"] == "gng"
    long = client.get("/api/v1/codes/dangerous", params={"gng": "9" * 21})
    assert long.status_code == 422
    assert long.json()["error"]["field"] == "gng"


def test_codes_check(client: TestClient) -> None:
    r = client.post(
        "/api/v1/codes/check", json={"kind": "wagon", "codes": ["52171246", "52171247", "x"]}
    )
    assert r.status_code == 200
    body = r.json()
    assert [v["code"] for v in body] == ["52171246", "52171247", "x"]
    assert [v["valid"] for v in body] == [True, False, False]
    assert body[1]["errors"][0]["code"] == "wagon.check_digit"

    unknown = client.post("/api/v1/codes/check", json={"kind": "nope", "codes": ["1"]})
    assert unknown.status_code == 422
    assert unknown.json()["error"]["code"] == "codes.unknown_kind"
    assert unknown.json()["error"]["field"] == "kind"

    malformed = client.post("/api/v1/codes/check", json={"kind": "esr"})
    assert malformed.status_code == 422
    assert malformed.json()["error"]["field"] == "codes"
