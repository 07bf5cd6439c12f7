"""Signing and checking one document of a given kind. Pure.

Why a kind: a signature covers ``DOMAIN + digest`` where the domain names the kind of document
(``temir/smgs-note/v1``, ``temir/stats-protocol/v1``, ...), so a signature made for one kind can
never be replayed as another — a protocol signature is no note signature, whatever the bytes.
Each capability declares its kind once with :func:`document_kind`; declaring a domain twice is
refused at import time.

What a digest covers is the capability's business (a note version, a protocol's figures);
these functions take the digest, or compute it from a JSON document with
:func:`temir.signing.canonical.digest_of`.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from temir.signing.algorithms import Signer
from temir.signing.canonical import digest_of
from temir.signing.keyring import KeyRing
from temir.signing.model import Signature


@dataclass(frozen=True)
class DocumentKind:
    """A kind of signed document: its name and format version make its signing domain."""

    name: str
    version: int = 1

    @property
    def domain(self) -> bytes:
        """Prefix of every signed message of this kind."""
        return f"temir/{self.name}/v{self.version}\n".encode("ascii")


KINDS: dict[bytes, DocumentKind] = {}


def document_kind(name: str, version: int = 1) -> DocumentKind:
    """Declare a kind of signed document (once per process: a second declaration is a bug)."""
    kind = DocumentKind(name, version)
    if kind.domain in KINDS:
        raise ValueError(f"signed document kind {name} v{version} declared twice")
    KINDS[kind.domain] = kind
    return kind


class SignatureProblem(StrEnum):
    """Why one signature does not hold; each capability words it for its users."""

    UNKNOWN_KEY = "unknown_key"
    """The key is not in the verifier's keyring (or its algorithm differs)."""
    WRONG_KEY = "wrong_key"
    """The key belongs to someone other than the party the signature claims to sign for."""
    INVALID = "invalid"
    """The signature does not verify with the key."""
    CHANGED = "changed"
    """The signature is good, but for another digest: the document changed after signing."""


def signed_message(kind: DocumentKind, digest: str) -> bytes:
    return kind.domain + digest.encode("ascii")


def sign_digest(
    kind: DocumentKind,
    digest: str,
    signer: Signer,
    *,
    signed_at: datetime,
    signer_name: str = "",
    role: str = "",
) -> Signature:
    """Sign a document of ``kind`` whose canonical digest is ``digest``."""
    value = signer.sign(signed_message(kind, digest))
    return Signature(
        key_id=signer.key_id,
        algorithm=signer.algorithm,
        signer=signer_name,
        role=role,
        signed_at=signed_at,
        digest=digest,
        value=base64.b64encode(value).decode("ascii"),
    )


def sign_document(
    kind: DocumentKind,
    document: Any,
    signer: Signer,
    *,
    signed_at: datetime,
    signer_name: str = "",
    role: str = "",
) -> Signature:
    """Sign the canonical form (RFC 8785) of a JSON document of ``kind``."""
    return sign_digest(
        kind, digest_of(document), signer, signed_at=signed_at, signer_name=signer_name, role=role
    )


def check_signature(
    kind: DocumentKind,
    sig: Signature,
    current_digest: str,
    keys: KeyRing,
    *,
    key_parties: Mapping[str, str] | None = None,
) -> SignatureProblem | None:
    """``None`` when ``sig`` is a good signature of the document as it is now (its digest is
    ``current_digest``), else why not.

    ``key_parties`` (key id → the party holding the key), when given, makes a key useless for
    signing in another party's name: ``sig.role`` must be the key's party.
    """
    verifier = keys.get(sig.key_id)
    if verifier is None or verifier.algorithm != sig.algorithm:
        return SignatureProblem.UNKNOWN_KEY
    if key_parties is not None and key_parties.get(sig.key_id) != sig.role:
        return SignatureProblem.WRONG_KEY
    try:
        raw = base64.b64decode(sig.value, validate=True)
    except ValueError:
        return SignatureProblem.INVALID
    if not verifier.verify(raw, signed_message(kind, sig.digest)):
        return SignatureProblem.INVALID
    if sig.digest != current_digest:
        return SignatureProblem.CHANGED
    return None


def check_document(
    kind: DocumentKind, document: Any, sig: Signature, keys: KeyRing
) -> SignatureProblem | None:
    """:func:`check_signature` against the canonical digest of a JSON document."""
    return check_signature(kind, sig, digest_of(document), keys)


KEY_ROTATION_KIND = document_kind("key-rotation")
"""A rotation record: an organisation's new public key signed by the key it replaces
(:func:`temir.signing.service.rotate_key`)."""
