"""The quote's mass has one name everywhere, ``mass_kg``; the old ``mass`` works, with a note."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from temir.cli import app as cli_app

ROUTE = {"from": "684001", "to": "745309", "cargo": "011005"}


def test_cli_takes_mass_kg() -> None:
    result = CliRunner().invoke(
        cli_app, ["quote", "684001", "745309", "--cargo", "011005", "--mass-kg", "60000", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["mass_kg"] == 60000
    assert "deprecated" not in result.stderr


def test_cli_old_mass_still_works_with_a_deprecation_note_on_stderr() -> None:
    result = CliRunner().invoke(
        cli_app,
        ["quote", "684001", "745309", "--cargo", "011005", "--mass", "60000", "--json"],
        env={"TEMIR_LANG": "en"},
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["mass_kg"] == 60000  # stdout stays pure JSON
    assert "--mass is deprecated: use --mass-kg" in result.stderr


def test_cli_without_mass_names_the_option() -> None:
    result = CliRunner().invoke(
        cli_app, ["quote", "684001", "745309", "--cargo", "011005", "--json"]
    )
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["field"] == "mass_kg"


def test_api_old_mass_parameter_is_accepted_and_marked_deprecated(client: TestClient) -> None:
    new = client.get("/api/v1/quotes", params={**ROUTE, "mass_kg": 60000})
    old = client.get("/api/v1/quotes", params={**ROUTE, "mass": 60000})
    assert new.status_code == old.status_code == 200
    assert "Deprecation" not in new.headers
    assert old.headers["Deprecation"] == "true"
    assert old.json()["mass_kg"] == new.json()["mass_kg"] == 60000
    missing = client.get("/api/v1/quotes", params=ROUTE)
    assert missing.status_code == 422
    assert missing.json()["error"]["field"] == "mass_kg"
    spec = client.get("/openapi.json").json()["paths"]["/api/v1/quotes"]["get"]["parameters"]
    assert {p["name"]: p.get("deprecated", False) for p in spec}["mass"] is True


def test_web_form_field_is_mass_kg_and_old_links_still_quote(client: TestClient) -> None:
    form = client.get("/quote")
    assert 'name="mass_kg"' in form.text
    assert 'name="mass"' not in form.text
    old = client.get("/quote", params={**ROUTE, "mass": "60000", "lang": "en"})
    assert old.status_code == 200
    assert 'data-testid="alternative"' in old.text
    assert 'data-testid="deprecated-note"' in old.text
    new = client.get("/quote", params={**ROUTE, "mass_kg": "60000"})
    assert 'data-testid="deprecated-note"' not in new.text
    assert 'value="60000"' in new.text


def test_cargo_suggestions_search_the_whole_gng_list(client: TestClient) -> None:
    """Not only the curated ETSNG commodities: words of any GNG name find it."""
    wheat = client.get("/quote/cargo", params={"cargo": "пшениц"}).text
    assert 'value="011005 ' in wheat
    coffee = client.get("/quote/cargo", params={"cargo": "кофе"}).text
    assert 'value="GNG 0901' in coffee  # HS 0901 coffee: in the GNG list, not among the 11


def test_quote_by_a_gng_code_uses_its_etsng_pair_or_says_there_is_none(
    client: TestClient,
) -> None:
    paired = client.get(
        "/quote", params={**ROUTE, "cargo": "GNG 10019900 Пшеница", "mass_kg": 60000}
    )
    assert paired.status_code == 200
    assert 'data-testid="alternative"' in paired.text
    barley = client.get("/quote", params={**ROUTE, "cargo": "10039000", "mass_kg": 60000})
    assert barley.status_code == 422
    assert 'data-testid="error-cargo"' in barley.text
    assert "10039000" in barley.text
