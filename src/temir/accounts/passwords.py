"""Password hashing with Argon2id (argon2-cffi).

Why these choices: Argon2id is the OWASP recommendation; argon2-cffi's defaults follow
RFC 9106's low-memory profile. A hash made with older parameters is replaced at the next
successful log-in (:func:`verify` returns the new hash). For an unknown user we still verify
against a dummy hash, so a log-in for a name that does not exist takes as long as one that
does and timing does not reveal which usernames exist.
"""

from __future__ import annotations

import contextlib
import functools
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()


def hasher() -> PasswordHasher:
    return _hasher


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@dataclass(frozen=True)
class Verification:
    ok: bool
    new_hash: str | None = None  # set when the stored hash should be replaced


@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash("temir: no such user, this hash only burns the same time")


def verify(stored_hash: str | None, password: str) -> Verification:
    """Check ``password``; with no stored hash, spend the same time and fail."""
    if stored_hash is None:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_dummy_hash(), password)
        return Verification(ok=False)
    try:
        _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return Verification(ok=False)
    if _hasher.check_needs_rehash(stored_hash):
        return Verification(ok=True, new_hash=_hasher.hash(password))
    return Verification(ok=True)
