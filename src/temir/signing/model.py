"""What a signature, a public key entry and a stored key are. Pure.

The signer and verifier ports are in :mod:`temir.signing.algorithms`, beside the algorithms
that implement them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from temir.signing.algorithms import public_pem


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Signature(_Strict):
    """One party's signature of one document's digest, as files and the store carry it."""

    key_id: str = Field(max_length=100)
    algorithm: str = Field(max_length=40)
    signer: str = Field("", max_length=300, description="Organisation that signed (e.g. KZH).")
    role: str = Field("", max_length=40, description="consignor, carrier, ...")
    signed_at: AwareDatetime
    digest: str = Field(pattern=r"^[0-9a-f]{64}$")
    value: str = Field(max_length=2000, description="Base64 signature over DOMAIN + digest.")


class PublicKeyEntry(_Strict):
    """A public key as a verifier is given it (one element of a keyring file)."""

    key_id: str = Field(max_length=100)
    algorithm: str = Field(max_length=40)
    public_key: str = Field(max_length=2000, description="Base64 of the raw public key.")
    owner: str = Field("", max_length=300)


@dataclass(frozen=True)
class SealedKey:
    """A fresh key pair as stored: public in clear, private sealed."""

    key_id: str
    algorithm: str
    public_key: str
    """Base64 of the raw 32-byte Ed25519 public key."""
    sealed_private_key: str
    """Fernet token of the raw private key."""
    salt: str
    """Base64 of the per-key HKDF salt."""


@dataclass(frozen=True)
class KeyInfo:
    """An organisation's stored key as lists and the API show it (never the private half)."""

    key_id: str
    organisation: str
    algorithm: str
    public_key: str
    created_at: datetime
    retired_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "key_id": self.key_id,
            "organisation": self.organisation,
            "algorithm": self.algorithm,
            "public_key": self.public_key,
            "public_key_pem": public_pem(self.public_key),
            "created_at": self.created_at.isoformat(),
            "retired_at": None if self.retired_at is None else self.retired_at.isoformat(),
            "current": self.retired_at is None,
        }

    def entry(self) -> PublicKeyEntry:
        """The key as a verifier's keyring holds it, owned by the organisation's slug."""
        return PublicKeyEntry(
            key_id=self.key_id,
            algorithm=self.algorithm,
            public_key=self.public_key,
            owner=self.organisation,
        )
