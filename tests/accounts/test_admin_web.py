"""The administration pages through a browser's eyes (TestClient keeps cookies), on SQLite and
PostgreSQL: only admins, CSRF on every form, errors beside their field, an audit row per write."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from temir.accounts import service
from temir.accounts.model import Role
from temir.accounts.tables import AuditRow
from temir.kit.db import UnitOfWork
from tests.accounts.accounts_helpers import PASSWORD, MakeAccount, unique
from tests.accounts.test_accounts_web import log_in, session_csrf

HTML = {"accept": "text/html"}


def audit_rows(uow: UnitOfWork, action: str, target_id: str) -> list[AuditRow]:
    with uow.read() as session:
        rows = session.scalars(
            select(AuditRow).where(AuditRow.action == action, AuditRow.target_id == target_id)
        ).all()
        session.expunge_all()
        return list(rows)


def as_admin(client: TestClient, make_account: MakeAccount) -> tuple[str, str]:
    admin = make_account(Role.ADMIN)
    log_in(client, admin.username, PASSWORD)
    return admin.username, session_csrf(client)


def post(client: TestClient, path: str, csrf: str, **form: Any) -> Any:
    return client.post(
        path, data={"csrf_token": csrf, **form}, headers=HTML, follow_redirects=False
    )


def test_only_admins_see_the_pages(client: TestClient, make_account: MakeAccount) -> None:
    paths = ("/admin/users", "/admin/tokens", "/admin/organisations")
    for path in paths:
        anonymous = client.get(path, headers=HTML, follow_redirects=False)
        assert anonymous.status_code == 303
        assert anonymous.headers["location"] == f"/login?next={path}"
    operator = make_account(Role.RAILWAY_OPERATOR)
    log_in(client, operator.username, PASSWORD)
    csrf = session_csrf(client)
    for path in paths:
        assert client.get(path, headers=HTML).status_code == 403
    refused = post(client, "/admin/users", csrf, username=unique("u"), role="admin")
    assert refused.status_code == 403
    assert "admin-link" not in client.get("/").text


def test_admin_creates_a_user_and_errors_stand_by_their_field(
    client: TestClient, make_account: MakeAccount, uow: UnitOfWork
) -> None:
    admin, csrf = as_admin(client, make_account)
    assert 'data-testid="admin-link"' in client.get("/").text
    name = unique("new")
    done = post(client, "/admin/users", csrf, username=name, role="analyst", password=PASSWORD)
    assert done.status_code == 303
    assert name in client.get("/admin/users").text
    with uow.read() as session:
        assert service.get_user(session, name).role is Role.ANALYST
    (row,) = audit_rows(uow, "user.created", name)
    assert (row.actor, row.via) == (admin, "web")

    bad = post(client, "/admin/users", csrf, username="X", role="viewer", password="short")
    assert bad.status_code == 422
    assert re.search(r'data-testid="error-username"[^>]*>A username has 3 to 64', bad.text)
    assert 'value="X"' in bad.text  # the form keeps what was typed...
    assert "short" not in bad.text  # ...but never a password
    again = post(client, "/admin/users", csrf, username=name, role="viewer")
    assert again.status_code == 409
    assert f"A user {name} already exists." in again.text


def test_deactivate_reactivate_and_change_role(
    client: TestClient, make_account: MakeAccount, uow: UnitOfWork
) -> None:
    admin, csrf = as_admin(client, make_account)
    other = make_account(Role.VIEWER)
    other_client = TestClient(client.app)
    log_in(other_client, other.username, PASSWORD)
    assert 'data-testid="current-user"' in other_client.get("/").text

    off = post(client, f"/admin/users/{other.username}/active", csrf, active="0")
    assert off.status_code == 303
    with uow.read() as session:
        assert service.get_user(session, other.username).active is False
    assert 'data-testid="current-user"' not in other_client.get("/").text  # session ended
    assert len(audit_rows(uow, "user.deactivated", other.username)) == 1
    on = post(client, f"/admin/users/{other.username}/active", csrf, active="1")
    assert on.status_code == 303
    assert len(audit_rows(uow, "user.reactivated", other.username)) == 1

    role = post(client, f"/admin/users/{other.username}/role", csrf, role="shipper")
    assert role.status_code == 303
    (changed,) = audit_rows(uow, "user.role_changed", other.username)
    assert changed.details == {"from": "viewer", "to": "shipper"}
    bad = post(client, f"/admin/users/{other.username}/role", csrf, role="emperor")
    assert bad.status_code == 422
    assert f'data-testid="row-error-{other.username}"' in bad.text

    self_off = post(client, f"/admin/users/{admin}/active", csrf, active="0")
    assert self_off.status_code == 409
    assert "You cannot deactivate your own account." in self_off.text
    with uow.read() as session:
        assert service.get_user(session, admin).active is True


def test_a_token_is_shown_once_works_and_can_be_revoked(
    client: TestClient, make_account: MakeAccount, uow: UnitOfWork
) -> None:
    _, csrf = as_admin(client, make_account)
    owner = make_account(Role.ANALYST)
    created = post(client, "/admin/tokens", csrf, username=owner.username, name="etl")
    assert created.status_code == 201
    match = re.search(r'data-testid="token-secret">([^<]+)<', created.text)
    assert match is not None
    secret = match.group(1)
    api = TestClient(client.app)
    me = api.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.json()["user"]["username"] == owner.username
    listing = client.get("/admin/tokens").text
    assert secret not in listing  # never shown again
    token_id = re.findall(r'data-testid="token-(\d+)" data-status="active"', listing)[-1]
    assert len(audit_rows(uow, "token.created", token_id)) == 1

    revoked = post(client, f"/admin/tokens/{token_id}/revoke", csrf)
    assert revoked.status_code == 303
    assert (
        f'data-testid="token-{token_id}" data-status="revoked"' in client.get("/admin/tokens").text
    )
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert len(audit_rows(uow, "token.revoked", token_id)) == 1

    bad = post(client, "/admin/tokens", csrf, username=owner.username, expires_days="0")
    assert bad.status_code == 422
    assert 'data-testid="error-expires_days"' in bad.text


def test_organisations_are_created_and_edited(
    client: TestClient, make_account: MakeAccount, uow: UnitOfWork
) -> None:
    _, csrf = as_admin(client, make_account)
    slug = unique("org")
    form = {"slug": slug, "name": "Almaty Grain", "kind": "shipper", "country": "kz"}
    assert post(client, "/admin/organisations", csrf, **form).status_code == 303
    assert len(audit_rows(uow, "organisation.created", slug)) == 1
    bad = post(
        client, "/admin/organisations", csrf, **{**form, "slug": unique("o"), "country": "X"}
    )
    assert bad.status_code == 422
    assert re.search(r'data-testid="error-country"[^>]*>The country is a two-letter', bad.text)

    page = client.get(f"/admin/organisations/{slug}")
    assert 'value="Almaty Grain"' in page.text
    edit = {"name": "Almaty Grain LLP", "country": "KZ", "client_code": "123456"}
    assert post(client, f"/admin/organisations/{slug}", csrf, **edit).status_code == 303
    with uow.read() as session:
        org = service.get_organisation(session, slug)
    assert (org.name, org.client_code, org.kind.value) == ("Almaty Grain LLP", "123456", "shipper")
    (row,) = audit_rows(uow, "organisation.updated", slug)
    assert row.details is not None
    assert row.details["name"]["to"] == "Almaty Grain LLP"
    wrong = post(client, f"/admin/organisations/{slug}", csrf, **{**edit, "railway_code": "KZH"})
    assert wrong.status_code == 422
    assert 'data-testid="error-railway_code"' in wrong.text
    assert client.get("/admin/organisations/no-such-org", headers=HTML).status_code == 404


def test_forms_need_the_session_csrf_token(client: TestClient, make_account: MakeAccount) -> None:
    as_admin(client, make_account)
    forged = client.post(
        "/admin/users", data={"username": unique("u"), "role": "admin"}, follow_redirects=False
    )
    assert forged.status_code == 403
    assert forged.json()["error"]["code"] == "csrf_failed"


def test_the_pages_speak_russian(client: TestClient, make_account: MakeAccount) -> None:
    as_admin(client, make_account)
    client.cookies.set("lang", "ru")
    assert "<h1>Пользователи</h1>" in client.get("/admin/users").text
