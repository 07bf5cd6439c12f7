from __future__ import annotations

from argon2 import PasswordHasher

from temir.accounts import passwords


def test_a_password_is_stored_as_an_argon2id_hash_that_verifies() -> None:
    stored = passwords.hash_password("steppe wind 1520")
    assert stored.startswith("$argon2id$")
    assert "steppe wind 1520" not in stored
    assert passwords.verify(stored, "steppe wind 1520").ok


def test_a_wrong_password_does_not_verify() -> None:
    stored = passwords.hash_password("steppe wind 1520")
    assert not passwords.verify(stored, "steppe wind 1521").ok
    assert not passwords.verify(stored, "").ok


def test_two_hashes_of_one_password_differ_by_salt() -> None:
    assert passwords.hash_password("same password!") != passwords.hash_password("same password!")


def test_a_hash_made_with_older_parameters_is_replaced_on_success() -> None:
    old = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("old parameters")
    check = passwords.verify(old, "old parameters")
    assert check.ok
    assert check.new_hash is not None
    assert check.new_hash != old
    assert passwords.verify(check.new_hash, "old parameters") == passwords.Verification(ok=True)


def test_a_failed_check_never_offers_a_new_hash() -> None:
    old = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("old parameters")
    assert passwords.verify(old, "wrong") == passwords.Verification(ok=False)


def test_no_stored_hash_fails_after_doing_the_same_work() -> None:
    assert passwords.verify(None, "anything") == passwords.Verification(ok=False)
    assert not passwords.verify("not-a-hash", "anything").ok
