"""What a note's signature covers, and verification of the chain of versions.

Why: the paper note is duplicated at every border because the electronic one is not trusted end
to end. Here each party signs the *canonical form* of a version — RFC 8785 JSON (JCS) of the
note's content — so any holder of the public keys can check, offline, that nobody changed a
box after a signature, and each version carries the previous version's digest, so versions
cannot be dropped, reordered or rewritten unnoticed.

How is :mod:`temir.signing` (canonical form, keys, sign/verify, one implementation for every
signed document); this module says what is signed for a note:

* Canonical content: the note as JSON with ``None`` and empty lists/objects removed (so a field
  added to the model later, defaulting to empty, does not change old digests). Decimals are
  strings, datetimes ISO 8601, so the content has no floats.
* Canonical bytes: RFC 8785 through the model-dump fast path
  (:func:`temir.signing.canonical.canonical_dump`), which the note's shape allows: ASCII field
  names (``extra="forbid"``), no float field (``test_note_model_has_no_float_field`` keeps it
  so); ``tests/notes/test_signatures.py`` checks the bytes against ``rfc8785``.
* Digest: SHA-256 of the canonical bytes (hex). A signature signs ``DOMAIN + digest`` with the
  domain of the kind :data:`NOTE` (``temir/smgs-note/v1``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field

from temir.kit.i18n import translate
from temir.notes.model import Note
from temir.signing import canonical
from temir.signing import rules as signing
from temir.signing.algorithms import Signer
from temir.signing.keyring import KeyRing
from temir.signing.model import Signature

NOTE: Final = signing.document_kind("smgs-note")
DOMAIN: Final = NOTE.domain
"""Prefix of every signed message, so a note signature can never be replayed as anything else."""
FORMAT: Final = "temir-smgs-signed/1"


# --- canonical form ----------------------------------------------------------------------------
def canonical_content(note: Note) -> Any:
    """The JSON value that is signed: the note without empty (``None``, ``[]``, ``{}``) parts."""
    return canonical.canonical_content(note.model_dump(mode="json", exclude_none=True))


def canonical_bytes(note: Note) -> bytes:
    """RFC 8785 bytes of the note's canonical content (the note's own fast path)."""
    return canonical.canonical_model(note)


def digest(note: Note) -> str:
    """SHA-256 (hex) of the note's canonical form.

    Computing it costs more than an Ed25519 signature, so callers that sign or verify one version
    several times compute it once and pass it on (``sign_note(..., note_digest=...)``,
    :func:`verify_signature`, and :func:`verify_chain`, which digests each version once).
    """
    return canonical.sha256_hex(canonical_bytes(note))


def signed_message(note_digest: str) -> bytes:
    return signing.signed_message(NOTE, note_digest)


# --- the signed file ---------------------------------------------------------------------------
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SignedVersion(_Strict):
    note: Note
    signatures: list[Signature] = Field(default_factory=list, max_length=50)


class SignedNote(_Strict):
    """A note's versions in order, each with its signatures: what ``notes verify`` reads."""

    format: str = FORMAT
    versions: list[SignedVersion] = Field(default_factory=list, max_length=1000)


def sign_note(
    note: Note,
    signer: Signer,
    *,
    signed_at: datetime,
    signer_name: str = "",
    role: str = "",
    note_digest: str | None = None,
) -> Signature:
    """Sign the canonical form of this version.

    ``note_digest``: the version's digest when the caller already has it (computed once per
    version — e.g. stored with the version); it must be ``digest(note)``, which is what a
    verifier recomputes, so a wrong one only yields a signature that fails to verify.
    """
    if note_digest is None:
        note_digest = digest(note)
    return signing.sign_digest(
        NOTE, note_digest, signer, signed_at=signed_at, signer_name=signer_name, role=role
    )


def next_version(previous: Note, changes: Mapping[str, Any]) -> Note:
    """A new version: ``changes`` applied, version + 1, chained to the previous digest."""
    data = previous.model_dump(mode="json")
    data.update(changes)
    data["version"] = previous.version + 1
    data["previous_digest"] = digest(previous)
    data["note_id"] = previous.note_id
    return Note.model_validate(data)


# --- verification ------------------------------------------------------------------------------
MESSAGES: Final = {
    "chain.empty": "The file holds no version of a note.",
    "chain.note_id": "Version {version} belongs to note {actual}, not {expected}.",
    "chain.number": "Version {version} is numbered {actual}; versions must count 1, 2, 3, ...",
    "chain.previous": "Version {version} does not carry the digest of version {previous}.",
    "chain.unsigned": "Version {version} has no signature.",
    "signature.unknown_key": "Version {version}: key {key_id} ({signer}) is not a known key.",
    "signature.invalid": "Version {version}: the signature by {key_id} ({signer}) does not verify.",
    "signature.changed": (
        "Version {version} was changed after {key_id} ({signer}) signed it: "
        "the note no longer matches the signed digest."
    ),
}


@dataclass(frozen=True)
class VerificationProblem:
    code: str
    version: int
    key_id: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "en") -> str:
        return translate(
            MESSAGES[self.code], lang, version=self.version, key_id=self.key_id, **self.params
        )

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "code": self.code,
            "version": self.version,
            "key_id": self.key_id,
            "message": self.message(lang),
        }


@dataclass(frozen=True)
class SignatureCheck:
    version: int
    key_id: str
    signer: str
    valid: bool


@dataclass(frozen=True)
class VerificationReport:
    """Verdict on a signed note: which version is current, which signature fails and why."""

    valid: bool
    note_id: str | None
    current_version: int | None
    current_digest: str | None
    signatures: tuple[SignatureCheck, ...]
    problems: tuple[VerificationProblem, ...]

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "valid": self.valid,
            "note_id": self.note_id,
            "current_version": self.current_version,
            "current_digest": self.current_digest,
            "signatures": [
                {"version": s.version, "key_id": s.key_id, "signer": s.signer, "valid": s.valid}
                for s in self.signatures
            ],
            "problems": [p.to_dict(lang) for p in self.problems],
        }


def verify_signature(sig: Signature, note_digest: str, keys: KeyRing) -> str | None:
    """``None`` when ``sig`` is good for a note with ``note_digest``, else the problem code."""
    problem = signing.check_signature(NOTE, sig, note_digest, keys)
    return None if problem is None else f"signature.{problem}"


def verify_chain(signed: SignedNote, keys: KeyRing) -> VerificationReport:
    """Check every signature of every version and the chain of digests between versions."""
    problems: list[VerificationProblem] = []
    checks: list[SignatureCheck] = []
    if not signed.versions:
        return VerificationReport(
            False, None, None, None, (), (VerificationProblem("chain.empty", 0),)
        )
    note_id = signed.versions[0].note.note_id
    previous: str | None = None
    current_digest: str | None = None
    for index, version in enumerate(signed.versions, start=1):
        note = version.note
        note_digest = digest(note)
        if note.note_id != note_id:
            problems.append(VerificationProblem(
                "chain.note_id", index, params={"actual": note.note_id, "expected": note_id}
            ))  # fmt: skip
        if note.version != index:
            problems.append(
                VerificationProblem("chain.number", index, params={"actual": note.version})
            )
        if note.previous_digest != previous:
            problems.append(
                VerificationProblem("chain.previous", index, params={"previous": index - 1})
            )
        if not version.signatures:
            problems.append(VerificationProblem("chain.unsigned", index))
        for sig in version.signatures:
            code = verify_signature(sig, note_digest, keys)
            checks.append(SignatureCheck(index, sig.key_id, sig.signer, code is None))
            if code is not None:
                problems.append(
                    VerificationProblem(code, index, sig.key_id, {"signer": sig.signer or "?"})
                )
        previous = current_digest = note_digest
    last = signed.versions[-1].note
    return VerificationReport(
        valid=not problems,
        note_id=note_id,
        current_version=last.version,
        current_digest=current_digest,
        signatures=tuple(checks),
        problems=tuple(problems),
    )
