"""Private keys sealed under the installation secret: only that secret opens them."""

from __future__ import annotations

import base64

import pytest

from temir.kit.errors import Conflict
from temir.signing.algorithms import key_id_for
from temir.signing.sealing import new_sealed_key, unseal

SECRET = "an-installation-secret"


def test_a_sealed_key_opens_with_its_secret_and_names_its_public_key() -> None:
    sealed = new_sealed_key(SECRET)
    signer = unseal(sealed.key_id, sealed.sealed_private_key, sealed.salt, SECRET)
    assert signer.key_id == sealed.key_id
    assert key_id_for(sealed.algorithm, base64.b64decode(sealed.public_key)) == sealed.key_id


def test_two_keys_never_share_a_salt() -> None:
    assert new_sealed_key(SECRET).salt != new_sealed_key(SECRET).salt


def test_a_wrong_secret_or_a_swapped_key_is_refused_not_used() -> None:
    sealed, other = new_sealed_key(SECRET), new_sealed_key(SECRET)
    with pytest.raises(Conflict) as wrong:
        unseal(sealed.key_id, sealed.sealed_private_key, sealed.salt, "another secret")
    assert wrong.value.code == "keys.unreadable"
    with pytest.raises(Conflict) as swapped:
        unseal(sealed.key_id, other.sealed_private_key, other.salt, SECRET)
    assert swapped.value.code == "keys.unreadable"


def test_an_empty_secret_seals_nothing() -> None:
    with pytest.raises(Conflict) as empty:
        new_sealed_key("")
    assert empty.value.code == "keys.no_secret"
