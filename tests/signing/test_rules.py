"""Signing any document of a kind: domains, replay between kinds, and why a signature fails."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from temir.notes.signatures import NOTE
from temir.signing import rules
from temir.signing.algorithms import Ed25519Signer
from temir.signing.keyring import KeyRing, public_entry
from temir.signing.model import PublicKeyEntry
from temir.signing.rules import SignatureProblem, check_document, sign_document
from temir.stats.protocol.rules import PROTOCOL

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
DOCUMENT = {"act": "handover", "wagons": ["95120341"], "station": "662209", "empty": []}


def test_the_domains_of_notes_and_protocols_are_those_signed_before_signing_had_a_package() -> None:
    """Every signature already stored covers these exact prefixes; changing one voids them."""
    assert NOTE.domain == b"temir/smgs-note/v1\n"
    assert PROTOCOL.domain == b"temir/stats-protocol/v1\n"
    assert rules.KINDS[NOTE.domain] is NOTE


def test_a_kind_is_declared_once() -> None:
    with pytest.raises(ValueError, match="declared twice"):
        rules.document_kind("smgs-note")


def test_a_signed_document_verifies_and_any_change_is_named() -> None:
    kind = rules.DocumentKind("test-act")  # not registered: tests must not grow the registry
    signer = Ed25519Signer.generate()
    keys = KeyRing([public_entry(signer, "KZH")])
    sig = sign_document(kind, DOCUMENT, signer, signed_at=AT, signer_name="kzh", role="KZH")
    assert check_document(kind, DOCUMENT, sig, keys) is None
    assert check_document(kind, dict(reversed(DOCUMENT.items())), sig, keys) is None
    changed = {**DOCUMENT, "station": "662210"}
    assert check_document(kind, changed, sig, keys) is SignatureProblem.CHANGED
    assert check_document(kind, DOCUMENT, sig, KeyRing()) is SignatureProblem.UNKNOWN_KEY
    raw = base64.b64decode(sig.value)
    forged = sig.model_copy(update={"value": base64.b64encode(bytes([raw[0] ^ 1]) + raw[1:])})
    assert check_document(kind, DOCUMENT, forged, keys) is SignatureProblem.INVALID
    garbled = sig.model_copy(update={"value": "not base64!"})
    assert check_document(kind, DOCUMENT, garbled, keys) is SignatureProblem.INVALID


def test_a_signature_of_one_kind_is_no_signature_of_another() -> None:
    signer = Ed25519Signer.generate()
    keys = KeyRing([public_entry(signer, "KZH")])
    sig = sign_document(rules.DocumentKind("test-a"), DOCUMENT, signer, signed_at=AT)
    other = rules.DocumentKind("test-b")
    assert check_document(other, DOCUMENT, sig, keys) is SignatureProblem.INVALID


def test_a_key_signs_only_for_its_own_party() -> None:
    kind = rules.DocumentKind("test-protocol")
    kzh, tdz = Ed25519Signer.generate(), Ed25519Signer.generate()
    keys = KeyRing([public_entry(kzh, "kzh"), public_entry(tdz, "tdz")])
    parties = {kzh.key_id: "KZH", tdz.key_id: "TDZ"}
    digest = "0" * 64
    own = rules.sign_digest(kind, digest, kzh, signed_at=AT, role="KZH")
    posing = rules.sign_digest(kind, digest, kzh, signed_at=AT, role="TDZ")
    assert rules.check_signature(kind, own, digest, keys, key_parties=parties) is None
    problem = rules.check_signature(kind, posing, digest, keys, key_parties=parties)
    assert problem is SignatureProblem.WRONG_KEY


def test_a_keyring_entry_whose_id_is_not_its_key_verifies_nothing() -> None:
    honest, other = Ed25519Signer.generate(), Ed25519Signer.generate()
    entry = public_entry(honest, "KZH")
    lying = PublicKeyEntry(
        key_id=other.key_id, algorithm=entry.algorithm, public_key=entry.public_key, owner="KZH"
    )
    ring = KeyRing([lying])
    assert ring.get(other.key_id) is None
    assert [e.key_id for e in ring.entries()] == [other.key_id]  # still listed, as given
