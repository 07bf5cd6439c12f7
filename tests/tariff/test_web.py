"""The quote & compare page without JavaScript: a plain GET form, errors beside their field."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

KOSTANAY_DUSHANBE = {"from": "684001", "to": "745309", "cargo": "011005", "mass_kg": "60000"}


def field_errors(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-testid="error-(\w+)"[^>]*>([^<]*)<', html))


def test_empty_form_is_offered_from_the_navigation(client: TestClient) -> None:
    home = client.get("/")
    assert 'href="/quote"' in home.text
    assert "Routes &amp; quotes" in home.text
    page = client.get("/quote")
    assert page.status_code == 200
    assert 'data-testid="quote-form"' in page.text
    assert 'data-testid="alternative"' not in page.text
    assert field_errors(page.text) == {}
    # the cargo select lists the curated commodities with their ETSNG codes
    assert '<option value="011005 ' in page.text  # curated ETSNG commodities offered first


def test_plain_form_compares_alternatives_with_marks_and_maps(client: TestClient) -> None:
    page = client.get("/quote", params=KOSTANAY_DUSHANBE)
    assert page.status_code == 200, field_errors(page.text)
    html = page.text
    cards = html.count('data-testid="alternative"')
    assert cards >= 2
    for mark in ("fastest", "shortest"):
        assert f'data-testid="mark-{mark}"' in html
    # KZH's and TDZ's legs are under their national tariffs (not loaded): partial totals
    # only, none of them the cheapest
    assert 'data-testid="mark-cheapest"' not in html
    assert html.count('data-testid="partial-charge"') == cards
    # the shortest alternative is TR-4 METHOD.md's worked example: 2213 + 875 + 63 km
    kms = [int(k) for k in re.findall(r'data-testid="alternative" data-km="(\d+)"', html)]
    assert kms[0] == 2213 + 875 + 63
    first = html.split('data-testid="alternative"')[1]
    assert 'data-testid="mark-shortest"' in first
    # one map per alternative, each with the route's border points
    assert html.count('data-testid="route-map"') == cards
    assert 'data-border="true"' in first
    # borders of the first route, the days flagged, the explanation expandable
    assert "Saryagash ↔ Keles" in first
    assert "unverified norms" in first
    assert "<details" in first
    assert "CHF/t" in first


def test_demo_banner_names_the_tables(client: TestClient) -> None:
    html = client.get("/quote", params=KOSTANAY_DUSHANBE).text
    banner = html.split('data-testid="demo-banner"')[1].split("</div>")[0]
    assert "Demo rates — not an official tariff" in banner
    assert "DEMO-ETT7-WAGON-2026" in banner


def test_station_names_and_chosen_suggestions_are_understood(client: TestClient) -> None:
    by_name = {**KOSTANAY_DUSHANBE, "from": "Костанай", "to": "Душанбе II"}
    assert client.get("/quote", params=by_name).status_code == 200
    suggested = {**KOSTANAY_DUSHANBE, "from": "684001 Kostanay", "to": "745309 Dushanbe II"}
    page = client.get("/quote", params=suggested)
    assert page.status_code == 200
    assert 'data-testid="alternative"' in page.text


def test_station_suggestions_are_datalist_options(client: TestClient) -> None:
    html = client.get("/quote/stations", params={"from": "Костан"}).text
    assert re.search(r'<option value="684001 [^"]+"', html)
    assert client.get("/quote/stations", params={"to": "x"}).text.strip() == ""


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"from": "999999"}, "from"),
        ({"to": "Нет такой станции"}, "to"),
        ({"from": ""}, "from"),
        ({"mass_kg": "0"}, "mass_kg"),
        ({"mass_kg": "-5"}, "mass_kg"),
        ({"mass_kg": "sixty"}, "mass_kg"),
        ({"cargo": "999999"}, "cargo"),
        ({"cargo": ""}, "cargo"),
        ({"container": "9t"}, "container"),
        ({"speed": "warp"}, "speed"),
        ({"wagon_owner": "nobody"}, "wagon_owner"),
        ({"via": "000000"}, "via"),
    ],
)
def test_errors_are_shown_beside_their_field(
    client: TestClient, change: dict[str, str], field: str
) -> None:
    page = client.get("/quote", params={**KOSTANAY_DUSHANBE, **change})
    assert page.status_code == 422
    errors = field_errors(page.text)
    assert list(errors) == [field], errors
    assert errors[field].strip()
    # the form keeps what the user typed
    for name, value in change.items():
        if value and name in ("from", "to", "mass_kg", "via"):
            assert f'value="{value}"' in page.text


def test_unknown_but_well_formed_cargo_code_is_named(client: TestClient) -> None:
    # 161016 (anthracite) is curated; change its group digits and fix the check digit
    from temir.codes.etsng import check_etsng

    code = next(f"16102{d}" for d in "0123456789" if not check_etsng(f"16102{d}"))
    errors = field_errors(client.get("/quote", params={**KOSTANAY_DUSHANBE, "cargo": code}).text)
    assert list(errors) == ["cargo"]
    assert code in errors["cargo"]


def test_page_in_russian(client: TestClient) -> None:
    client.cookies.set("lang", "ru")
    html = client.get("/quote", params=KOSTANAY_DUSHANBE).text
    assert "Маршруты и расчёт" in html
    assert "Демонстрационные ставки — не официальный тариф" in html
    assert "национальный тариф — не загружен" in html
    assert "только транзитные участки" in html
    errors = field_errors(client.get("/quote", params={**KOSTANAY_DUSHANBE, "mass_kg": "x"}).text)
    assert errors["mass_kg"] == "Укажите массу целым числом килограммов."


def test_quote_api_names_rate_tables_and_option_fields(client: TestClient) -> None:
    params = {"from": "684001", "to": "745309", "cargo": "011005", "mass_kg": "60000"}
    body = client.get("/api/v1/quotes", params=params).json()
    assert body["demo_rates"] is True
    tables = {t["id"]: t for t in body["rate_tables"]}
    assert tables["DEMO-ETT7-WAGON-2026"]["demo"] is True
    assert {m for a in body["alternatives"] for m in a["marks"]} == {"fastest", "shortest"}
    for change, field in (({"speed": "warp"}, "speed"), ({"mass_kg": "0"}, "mass_kg")):
        r = client.get("/api/v1/quotes", params={**params, **change})
        assert r.status_code == 422
        assert r.json()["error"]["field"] == field
    missing = client.get("/api/v1/quotes", params={"from": "684001", "to": "745309"})
    assert missing.status_code == 422
    assert missing.json()["error"]["field"]
