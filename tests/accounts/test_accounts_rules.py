from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from temir.accounts import rules
from temir.accounts.model import Actor, Channel, OrganisationKind, Role
from temir.kit.errors import PermissionDenied, ValidationFailed


@pytest.mark.parametrize("name", ["ab", "-dash-first", "Has Space", "кириллица", "x" * 65])
def test_bad_usernames_are_refused(name: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        rules.check_username(name)
    assert caught.value.code == "invalid_username"
    assert caught.value.field == "username"


def test_usernames_are_lower_cased() -> None:
    assert rules.check_username("  Demo.Admin ") == "demo.admin"


def test_a_token_is_random_prefixed_and_stored_only_as_its_sha256() -> None:
    secret, prefix, stored = rules.new_token()
    assert secret.startswith("tmr_")
    assert len(secret) > 40
    assert secret.startswith(prefix)
    assert len(prefix) == 12
    assert stored == hashlib.sha256(secret.encode()).hexdigest()
    assert rules.new_token()[0] != secret


def test_token_expiry_is_bounded() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert rules.token_expiry(now, None) is None
    assert rules.token_expiry(now, 30) == now + timedelta(days=30)
    for days in (0, -1, 3651):
        with pytest.raises(ValidationFailed):
            rules.token_expiry(now, days)


def test_login_is_throttled_from_the_fifth_failure() -> None:
    assert not rules.login_throttled(4)
    assert rules.login_throttled(5)


def test_railway_code_only_for_railways() -> None:
    assert rules.check_railway_code(OrganisationKind.RAILWAY, "kzh") == "KZH"
    with pytest.raises(ValidationFailed):
        rules.check_railway_code(OrganisationKind.SHIPPER, "KZH")


def test_roles_and_kinds_are_parsed_with_a_clear_error() -> None:
    assert rules.parse_role("Railway_Operator") is Role.RAILWAY_OPERATOR
    with pytest.raises(ValidationFailed) as caught:
        rules.parse_role("superuser")
    assert caught.value.code == "invalid_role"
    assert "railway_operator" in caught.value.message()


def test_admin_has_every_role_others_only_their_own() -> None:
    admin = Actor("a", Role.ADMIN, Channel.API, user_id=1)
    viewer = Actor("v", Role.VIEWER, Channel.API, user_id=2)
    rules.require_role(admin, Role.SHIPPER)
    with pytest.raises(PermissionDenied):
        rules.require_role(viewer, Role.SHIPPER)
    rules.require_self_or_admin(viewer, 2)
    with pytest.raises(PermissionDenied):
        rules.require_self_or_admin(viewer, 1)


def test_the_railway_an_organisation_is() -> None:
    @dataclass
    class Org:
        kind: str
        railway_code: str | None

    assert rules.railway_of(Org(OrganisationKind.RAILWAY, "27")) == "KZH"
    assert rules.railway_of(Org("railway", "TDZ")) == "TDZ"
    assert rules.railway_of(Org(OrganisationKind.SHIPPER, "KZH")) is None
    assert rules.railway_of(Org(OrganisationKind.RAILWAY, None)) is None
    assert rules.railway_of(None) is None
