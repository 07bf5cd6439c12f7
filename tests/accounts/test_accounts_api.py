"""The JSON API: who may call what, and the error shape when they may not."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from temir.accounts.model import Role
from tests.accounts.accounts_helpers import Account, MakeAccount, unique


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_me_without_credentials_is_401_with_the_error_shape(client: TestClient) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "unauthenticated"
    assert error["message"]
    assert "field" in error


def test_a_malformed_or_unknown_bearer_is_401(client: TestClient) -> None:
    for header in ("Basic abc", "Bearer ", "Bearer tmr_unknown"):
        response = client.get("/api/v1/me", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.json()["error"]["code"] == "unauthenticated"


def test_me_with_a_token_names_the_user_and_organisation(
    client: TestClient, make_account: MakeAccount, token_for: Callable[[Account], str]
) -> None:
    account = make_account(Role.SHIPPER)
    response = client.get("/api/v1/me", headers=bearer(token_for(account)))
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["username"] == account.username
    assert body["user"]["role"] == "shipper"
    assert body["organisation"]["slug"] == account.organisation
    assert body["via"] == "api"
    assert "password_hash" not in body["user"]


def test_a_write_with_the_wrong_role_is_403(
    client: TestClient, make_account: MakeAccount, token_for: Callable[[Account], str]
) -> None:
    viewer = make_account(Role.VIEWER)
    slug = unique("org")
    response = client.post(
        "/api/v1/organisations",
        json={"slug": slug, "name": "X", "kind": "shipper", "country": "KZ"},
        headers=bearer(token_for(viewer)),
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    admin = make_account(Role.ADMIN)
    audit = client.get(
        "/api/v1/audit",
        params={"target_id": slug},
        headers=bearer(token_for(admin)),
    ).json()
    assert audit["entries"] == []


def test_a_write_without_credentials_is_401(client: TestClient) -> None:
    response = client.post(
        "/api/v1/organisations",
        json={"slug": unique("org"), "name": "X", "kind": "shipper", "country": "KZ"},
    )
    assert response.status_code == 401


def test_an_admin_creates_an_organisation_and_a_user_and_both_are_audited(
    client: TestClient, make_account: MakeAccount, token_for: Callable[[Account], str]
) -> None:
    admin = make_account(Role.ADMIN)
    headers = bearer(token_for(admin))
    slug, username = unique("org"), unique("user")
    created = client.post(
        "/api/v1/organisations",
        json={"slug": slug, "name": "Termez Forwarding", "kind": "forwarder", "country": "UZ"},
        headers=headers,
    )
    assert created.status_code == 201
    assert created.json()["slug"] == slug
    user = client.post(
        "/api/v1/users",
        json={"username": username, "role": "analyst", "organisation": slug, "password": "x" * 12},
        headers=headers,
    )
    assert user.status_code == 201
    assert user.json()["organisation"] == slug
    entries = client.get("/api/v1/audit", params={"actor": admin.username}, headers=headers).json()[
        "entries"
    ]
    seen = {(e["action"], e["target_id"], e["via"], e["remote_addr"]) for e in entries}
    assert ("organisation.created", slug, "api", "testclient") in seen
    assert ("user.created", username, "api", "testclient") in seen


def test_bad_input_is_a_4xx_naming_the_field(
    client: TestClient, make_account: MakeAccount, token_for: Callable[[Account], str]
) -> None:
    headers = bearer(token_for(make_account(Role.ADMIN)))
    response = client.post(
        "/api/v1/users",
        json={"username": "No Spaces Allowed", "role": "viewer"},
        headers=headers,
    )
    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "invalid_username",
        "field": "username",
        "message": response.json()["error"]["message"],
    }
    unknown_role = client.post(
        "/api/v1/users", json={"username": unique("u"), "role": "boss"}, headers=headers
    )
    assert unknown_role.status_code == 422
    assert unknown_role.json()["error"]["field"] == "role"


def test_users_and_audit_are_for_admins_only(
    client: TestClient, make_account: MakeAccount, token_for: Callable[[Account], str]
) -> None:
    headers = bearer(token_for(make_account(Role.RAILWAY_OPERATOR)))
    for path in ("/api/v1/users", "/api/v1/audit"):
        response = client.get(path, headers=headers)
        assert response.status_code == 403, path
        assert response.json()["error"]["code"] == "permission_denied"


def test_token_lifecycle_over_the_api(
    client: TestClient, make_account: MakeAccount, token_for: Callable[[Account], str]
) -> None:
    account = make_account(Role.SHIPPER)
    first = token_for(account)
    created = client.post(
        "/api/v1/tokens", json={"name": "erp", "expires_days": 30}, headers=bearer(first)
    )
    assert created.status_code == 201
    secret = created.json()["token"]
    assert secret.startswith(created.json()["prefix"])
    listed = client.get("/api/v1/tokens", headers=bearer(secret))
    assert listed.status_code == 200
    assert secret not in listed.text
    assert {t["name"] for t in listed.json()["tokens"]} == {"t", "erp"}
    revoked = client.delete(f"/api/v1/tokens/{created.json()['id']}", headers=bearer(first))
    assert revoked.status_code == 200
    assert revoked.json()["status"] == "revoked"
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(first)).status_code == 200


def test_a_user_cannot_issue_tokens_for_someone_else(
    client: TestClient, make_account: MakeAccount, token_for: Callable[[Account], str]
) -> None:
    me, other = make_account(Role.SHIPPER), make_account(Role.SHIPPER)
    response = client.post(
        "/api/v1/tokens", json={"username": other.username}, headers=bearer(token_for(me))
    )
    assert response.status_code == 403


def test_organisations_are_listed_for_logged_in_users(
    client: TestClient, make_account: MakeAccount, token_for: Callable[[Account], str]
) -> None:
    account = make_account()
    assert client.get("/api/v1/organisations").status_code == 401
    response = client.get("/api/v1/organisations", headers=bearer(token_for(account)))
    assert account.organisation in {o["slug"] for o in response.json()["organisations"]}


def test_audit_paging_out_of_range_is_a_field_error_not_a_crash(
    client: TestClient, make_account: MakeAccount, token_for: Callable[[Account], str]
) -> None:
    admin = make_account(Role.ADMIN)
    headers = {"Authorization": f"Bearer {token_for(admin)}"}
    response = client.get("/api/v1/audit", params={"offset": 10**25}, headers=headers)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "offset"
