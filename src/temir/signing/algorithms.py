"""Signature algorithms behind two ports, and how a key is named. Pure.

Why ports: Ed25519 through ``cryptography`` signs today; GOST R 34.10 or a national EDS plugs in
later by providing a :class:`Signer` and registering a verifier factory in :data:`ALGORITHMS`,
with no change to what is signed or stored.

A key id is the algorithm and 16 hex digits of the SHA-256 of the raw public key, so anyone
recomputes it from the public key alone and a keyring cannot pass one key off as another.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from typing import Final, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519: Final = "ed25519"


class Signer(Protocol):
    """Whatever holds a private key: signs bytes, names its key and algorithm."""

    @property
    def key_id(self) -> str: ...

    @property
    def algorithm(self) -> str: ...

    def sign(self, message: bytes) -> bytes: ...


class PublicKey(Protocol):
    """Whatever checks a signature with a public key."""

    @property
    def algorithm(self) -> str: ...

    def verify(self, signature: bytes, message: bytes) -> bool: ...


def key_id_for(algorithm: str, public_bytes: bytes) -> str:
    """A short stable id of a public key: algorithm + 16 hex digits of its SHA-256."""
    return f"{algorithm}:{hashlib.sha256(public_bytes).hexdigest()[:16]}"


class Ed25519Signer:
    """An Ed25519 private key (``cryptography``) as a :class:`Signer`."""

    algorithm = ED25519

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._key = private_key
        self.public_bytes = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.key_id = key_id_for(ED25519, self.public_bytes)

    @classmethod
    def generate(cls) -> Ed25519Signer:
        return cls(Ed25519PrivateKey.generate())

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)


class Ed25519Verifier:
    algorithm = ED25519

    def __init__(self, public_bytes: bytes) -> None:
        self._key = Ed25519PublicKey.from_public_bytes(public_bytes)

    def verify(self, signature: bytes, message: bytes) -> bool:
        try:
            self._key.verify(signature, message)
        except InvalidSignature:
            return False
        return True


ALGORITHMS: dict[str, Callable[[bytes], PublicKey]] = {ED25519: Ed25519Verifier}
"""Algorithm name → factory of a verifier from raw public key bytes. GOST registers here."""


def public_pem(public_key_b64: str) -> str:
    """PEM (SubjectPublicKeyInfo) of a stored raw Ed25519 public key, for other tools."""
    raw = base64.b64decode(public_key_b64)
    key = Ed25519PublicKey.from_public_bytes(raw)
    return key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode("ascii")
