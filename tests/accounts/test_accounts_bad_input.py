"""Bad input to the accounts API is a 4xx naming the field, on SQLite and on PostgreSQL (which,
unlike SQLite, refuses NUL characters, over-long texts and out-of-range integers), and a refused
write leaves nothing behind."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from temir.accounts.model import Role
from tests.accounts.accounts_helpers import Account, MakeAccount, unique


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def admin_headers(make_account: MakeAccount, token_for: Callable[[Account], str]) -> dict[str, str]:
    return bearer(token_for(make_account(Role.ADMIN)))


def _audit(client: TestClient, headers: dict[str, str], target_id: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = client.get(
        "/api/v1/audit", params={"target_id": target_id}, headers=headers
    ).json()["entries"]
    return entries


@pytest.mark.parametrize(
    ("extra", "field", "code"),
    [
        ({"language": "x" * 50}, "language", "invalid_language"),
        ({"language": "xx"}, "language", "invalid_language"),
        ({"email": "a@" + "x" * 300}, "email", "invalid_email"),
        ({"email": "not an address"}, "email", "invalid_email"),
        ({"full_name": "a\x00b"}, "full_name", "invalid_name"),
    ],
)
def test_a_user_with_a_bad_field_is_refused_and_not_created(
    client: TestClient,
    admin_headers: dict[str, str],
    extra: dict[str, str],
    field: str,
    code: str,
) -> None:
    username = unique("user")
    response = client.post(
        "/api/v1/users",
        json={"username": username, "role": "viewer", **extra},
        headers=admin_headers,
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["field"] == field
    users = client.get("/api/v1/users", headers=admin_headers).json()["users"]
    assert username not in {u["username"] for u in users}
    assert _audit(client, admin_headers, username) == []


@pytest.mark.parametrize(("given", "stored"), [("RU", "ru"), ("kk", "kk"), ("TG", "tg")])
def test_a_user_with_a_known_language_and_email_is_created(
    client: TestClient, admin_headers: dict[str, str], given: str, stored: str
) -> None:
    username = unique("user")
    response = client.post(
        "/api/v1/users",
        json={"username": username, "role": "viewer", "language": given, "email": "a@b.kz"},
        headers=admin_headers,
    )
    assert response.status_code == 201, response.text
    assert response.json()["language"] == stored


def test_an_organisation_name_with_a_nul_is_refused(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    slug = unique("org")
    response = client.post(
        "/api/v1/organisations",
        json={"slug": slug, "name": "a\x00", "kind": "shipper", "country": "KZ"},
        headers=admin_headers,
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "name"
    assert _audit(client, admin_headers, slug) == []


@pytest.mark.parametrize("name", ["n" * 101, "a\x00", ""])
def test_a_token_with_a_bad_name_is_refused(
    client: TestClient, admin_headers: dict[str, str], name: str
) -> None:
    before = client.get("/api/v1/tokens", headers=admin_headers).json()["tokens"]
    response = client.post("/api/v1/tokens", json={"name": name}, headers=admin_headers)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "name"
    after = client.get("/api/v1/tokens", headers=admin_headers).json()["tokens"]
    assert len(after) == len(before)


def test_a_token_name_of_100_characters_is_fine(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    response = client.post("/api/v1/tokens", json={"name": "n" * 100}, headers=admin_headers)
    assert response.status_code == 201


@pytest.mark.parametrize("token_id", ["0", "-1", "9999999999", "99999999999999999999"])
def test_revoking_an_impossible_token_id_is_422(
    client: TestClient, admin_headers: dict[str, str], token_id: str
) -> None:
    response = client.delete(f"/api/v1/tokens/{token_id}", headers=admin_headers)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "token_id"


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/users", {"organisation": "a\x00"}),
        ("/api/v1/tokens", {"username": "a\x00"}),
        ("/api/v1/audit", {"actor": "a\x00"}),
        ("/api/v1/audit", {"action": "a\x00", "target_type": "b\x00", "target_id": "c\x00"}),
    ],
)
def test_a_nul_in_a_filter_is_never_a_500(
    client: TestClient, admin_headers: dict[str, str], path: str, params: dict[str, str]
) -> None:
    response = client.get(path, params=params, headers=admin_headers)
    # SQLite finds nothing (200 or 404); PostgreSQL cannot search for a NUL (422)
    assert response.status_code in (200, 404, 422), response.text
    if response.status_code == 422:
        assert response.json()["error"]["code"] == "invalid_value"
