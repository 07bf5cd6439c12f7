"""Where a party's signing key comes from: a PEM file for now (the key source is a parameter).

Why a file: organisation keys are not yet kept by Temir (a key store is planned with the notes'
organisation keys); until then each railway keeps its Ed25519 key as a PKCS#8 PEM file and
hands its public key entry (JSON, as used by ``temir notes verify``) to the other party.
"""

from __future__ import annotations

import json
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from temir.kit.errors import NotFound, ValidationFailed
from temir.kit.i18n import N_
from temir.notes.signing import Ed25519Signer, KeyRing, PublicKeyEntry, public_entry


def load_signer(path: Path) -> Ed25519Signer:
    """An Ed25519 signer from an unencrypted PKCS#8 PEM file."""
    if not path.is_file():
        raise NotFound(
            N_("Key file {path} not found."), code="stats.protocol.no_key", field="key",
            path=str(path),
        )  # fmt: skip
    try:
        key = load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, Ed25519PrivateKey):
        raise ValidationFailed(
            N_("{path} is not an Ed25519 private key (PKCS#8 PEM)."),
            code="stats.protocol.bad_key",
            field="key",
            path=str(path),
        )
    return Ed25519Signer(key)


def write_keypair(directory: Path, party: str) -> tuple[Path, Path]:
    """A new key for ``party``: ``<party>.key.pem`` (private) and ``<party>.pub.json``."""
    directory.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    signer = Ed25519Signer(key)
    private = directory / f"{party}.key.pem"
    private.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    private.chmod(0o600)
    public = directory / f"{party}.pub.json"
    public.write_text(
        json.dumps(public_entry(signer, party).model_dump(), indent=2), encoding="utf-8"
    )
    return private, public


def load_key_ring(paths: list[Path]) -> KeyRing:
    """Trusted public keys from JSON files: each a key entry or a list of them."""
    entries: list[PublicKeyEntry] = []
    for path in paths:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise ValidationFailed(
                N_("{path} is not a readable JSON file of public keys."),
                code="stats.protocol.keys",
                field="keys",
                path=str(path),
            ) from None
        items = raw if isinstance(raw, list) else [raw]
        try:
            entries += [PublicKeyEntry.model_validate(item) for item in items]
        except ValueError:
            raise ValidationFailed(
                N_("{path} is not a readable JSON file of public keys."),
                code="stats.protocol.keys",
                field="keys",
                path=str(path),
            ) from None
    return KeyRing(entries)
