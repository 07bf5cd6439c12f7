"""Private keys sealed at rest, unsealed only to sign. Pure (no database).

Why sealed: a copy of the database (a backup, a replica, a stolen disk) must not let anyone sign
in a railway's name. Each private key is encrypted with Fernet (AES-128-CBC + HMAC-SHA256)
under a key derived by HKDF-SHA256 from the installation secret (``Settings.secret_key``) and a
random salt of its own, so no two keys share an encryption key and the secret itself is never
stored beside them. Without the secret the sealed column is useless; with a wrong secret
unsealing fails loudly rather than signing with garbage.
"""

from __future__ import annotations

import base64
import os
from typing import Final

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from temir.kit.errors import Conflict
from temir.kit.i18n import N_
from temir.signing.algorithms import ED25519, Ed25519Signer, key_id_for
from temir.signing.model import SealedKey

HKDF_INFO: Final = b"temir/org-signing-key/v1"
SALT_BYTES: Final = 16


def _fernet(secret: str, salt: bytes) -> Fernet:
    if not secret:
        raise Conflict(
            N_("The installation secret is empty; signing keys cannot be sealed or used."),
            code="keys.no_secret",
        )
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=HKDF_INFO).derive(
        secret.encode("utf-8")
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def new_sealed_key(secret: str) -> SealedKey:
    """Generate an Ed25519 key pair and seal its private half under ``secret``."""
    private = Ed25519PrivateKey.generate()
    raw_private = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    raw_public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    salt = os.urandom(SALT_BYTES)
    token = _fernet(secret, salt).encrypt(raw_private)
    return SealedKey(
        key_id=key_id_for(ED25519, raw_public),
        algorithm=ED25519,
        public_key=base64.b64encode(raw_public).decode("ascii"),
        sealed_private_key=token.decode("ascii"),
        salt=base64.b64encode(salt).decode("ascii"),
    )


def unseal(key_id: str, sealed_private_key: str, salt: str, secret: str) -> Ed25519Signer:
    """The signer of a stored key; 409 ``keys.unreadable`` if the secret does not open it."""
    try:
        raw = _fernet(secret, base64.b64decode(salt)).decrypt(sealed_private_key.encode("ascii"))
        signer = Ed25519Signer(Ed25519PrivateKey.from_private_bytes(raw))
    except (InvalidToken, ValueError) as exc:
        raise Conflict(
            N_("Signing key {key_id} cannot be opened with this installation's secret."),
            code="keys.unreadable",
            key_id=key_id,
        ) from exc
    if signer.key_id != key_id:
        raise Conflict(
            N_("Signing key {key_id} cannot be opened with this installation's secret."),
            code="keys.unreadable",
            key_id=key_id,
        )
    return signer
