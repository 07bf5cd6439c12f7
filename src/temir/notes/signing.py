"""Canonical form, digests and signatures of note versions, and verification of the chain.

Why: the paper note is duplicated at every border because the electronic one is not trusted end
to end. Here each party signs the *canonical form* of a version — RFC 8785 JSON (JCS) of the
note's content — so any holder of the public keys can check, offline, that nobody changed a
box after a signature, and each version carries the previous version's digest, so versions
cannot be dropped, reordered or rewritten unnoticed.

* Canonical content: the note as JSON with ``None`` and empty lists/objects removed (so a field
  added to the model later, defaulting to empty, does not change old digests). Decimals are
  strings, datetimes ISO 8601, so the content has no floats.
* Canonical bytes: RFC 8785. For float-free content with ASCII keys — every note, since the
  model forbids unknown keys and has no float field — RFC 8785 output equals sorted, compact
  JSON with raw UTF-8 (same escapes: ``\\b \\f \\n \\r \\t``, other controls as lowercase
  ``\\u00xx``). The note's own path sorts keys and drops empty parts in one pass over
  ``model_dump`` and reuses one C encoder (~2.8x the ``rfc8785`` package, see bench/RESULTS.md);
  anything else goes through ``rfc8785``. ``tests/notes/test_signing.py`` checks both agree.
* Digest: SHA-256 of the canonical bytes (hex). A signature signs ``DOMAIN + digest``.
* Signer and verifier are ports (:class:`Signer`, :class:`PublicKey`): Ed25519 through
  ``cryptography`` now; GOST R 34.10 or a national EDS plugs in by registering an algorithm.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Protocol

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from temir.kit.i18n import translate
from temir.notes.model import Note

DOMAIN: Final = b"temir/smgs-note/v1\n"
"""Prefix of every signed message, so a note signature can never be replayed as anything else."""
FORMAT: Final = "temir-smgs-signed/1"
ED25519: Final = "ed25519"


# --- canonical form ----------------------------------------------------------------------------
class _NeedsReference(Exception):
    """The value has a float or a non-ASCII key: only the reference encoder is exact."""


_DICT, _LIST = dict, list


def _prune(value: Any) -> Any:
    """Generic fast path: drop empty parts, refuse what only the reference encodes exactly."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not key.isascii():
                raise _NeedsReference
            if item is None or item == [] or item == {}:
                continue
            pruned = _prune(item)
            if pruned is None or pruned == [] or pruned == {}:
                continue
            out[key] = pruned
        return out
    if isinstance(value, list):
        return [_prune(item) for item in value]
    if isinstance(value, float):
        raise _NeedsReference
    return value


def _prune_note_dict(value: dict[str, Any]) -> dict[str, Any]:
    """The note's own fast path: keys sorted here, empty parts dropped, in one pass.

    Only for ``Note.model_dump(mode="json")`` output, whose shape the model guarantees: ASCII
    field names (``extra="forbid"``), no floats (Decimal and datetime serialise as strings), no
    dict/list nested directly in a list except models. Sorting ASCII keys by code point equals
    RFC 8785's UTF-16 order; ``tests/notes/test_signing.py`` checks the result against
    ``rfc8785`` and ``test_note_model_has_no_float_field`` keeps the float guarantee.
    """
    out: dict[str, Any] = {}
    for key in sorted(value):
        item = value[key]
        if item is None:
            continue
        kind = type(item)
        if kind is _DICT:
            item = _prune_note_dict(item)
            if not item:
                continue
        elif kind is _LIST:
            if not item:
                continue
            item = _prune_note_list(item)
        out[key] = item
    return out


def _prune_note_list(value: list[Any]) -> list[Any]:
    return [
        _prune_note_dict(i) if type(i) is _DICT else _prune_note_list(i) if type(i) is _LIST else i
        for i in value
    ]


def _prune_reference(value: Any) -> Any:
    if isinstance(value, dict):
        pruned = {k: _prune_reference(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v is not None and v != [] and v != {}}
    if isinstance(value, list):
        return [_prune_reference(item) for item in value]
    return value


_ENCODER = json.JSONEncoder(
    separators=(",", ":"), ensure_ascii=False, allow_nan=False, check_circular=False
)
_SORTED_ENCODER = json.JSONEncoder(
    separators=(",", ":"), ensure_ascii=False, allow_nan=False, check_circular=False,
    sort_keys=True,
)  # fmt: skip


def canonical_content(note: Note) -> Any:
    """The JSON value that is signed: the note without empty (``None``, ``[]``, ``{}``) parts."""
    return _prune_reference(note.model_dump(mode="json", exclude_none=True))


def canonical_json(value: Any) -> bytes:
    """RFC 8785 bytes of a JSON value (fast exact path for float-free values, see module doc)."""
    try:
        pruned = _prune(value)
    except _NeedsReference:
        return bytes(rfc8785.dumps(_prune_reference(value)))
    return _SORTED_ENCODER.encode(pruned).encode("utf-8")


def canonical_bytes(note: Note) -> bytes:
    """RFC 8785 bytes of the note's canonical content (the note's own fast path)."""
    content = _prune_note_dict(note.model_dump(mode="json", exclude_none=True))
    return _ENCODER.encode(content).encode("utf-8")


def digest(note: Note) -> str:
    """SHA-256 (hex) of the note's canonical form.

    Computing it costs more than an Ed25519 signature, so callers that sign or verify one version
    several times compute it once and pass it on (``sign_note(..., note_digest=...)``,
    :func:`verify_signature`, and :func:`verify_chain`, which digests each version once).
    """
    return hashlib.sha256(canonical_bytes(note)).hexdigest()


def signed_message(note_digest: str) -> bytes:
    return DOMAIN + note_digest.encode("ascii")


# --- ports -------------------------------------------------------------------------------------
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


# --- the signed file ---------------------------------------------------------------------------
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Signature(_Strict):
    key_id: str = Field(max_length=100)
    algorithm: str = Field(max_length=40)
    signer: str = Field("", max_length=300, description="Organisation that signed (e.g. KZH).")
    role: str = Field("", max_length=40, description="consignor, carrier, ...")
    signed_at: AwareDatetime
    digest: str = Field(pattern=r"^[0-9a-f]{64}$")
    value: str = Field(max_length=2000, description="Base64 signature over DOMAIN + digest.")


class SignedVersion(_Strict):
    note: Note
    signatures: list[Signature] = Field(default_factory=list, max_length=50)


class SignedNote(_Strict):
    """A note's versions in order, each with its signatures: what ``notes verify`` reads."""

    format: str = FORMAT
    versions: list[SignedVersion] = Field(default_factory=list, max_length=1000)


class PublicKeyEntry(_Strict):
    key_id: str = Field(max_length=100)
    algorithm: str = Field(max_length=40)
    public_key: str = Field(max_length=2000, description="Base64 of the raw public key.")
    owner: str = Field("", max_length=300)


def public_entry(signer: Ed25519Signer, owner: str) -> PublicKeyEntry:
    return PublicKeyEntry(
        key_id=signer.key_id,
        algorithm=signer.algorithm,
        public_key=base64.b64encode(signer.public_bytes).decode("ascii"),
        owner=owner,
    )


class KeyRing:
    """The public keys a verifier trusts, by key id (built once; verifiers cached)."""

    def __init__(self, entries: Iterable[PublicKeyEntry] = ()) -> None:
        self._keys: dict[str, tuple[PublicKeyEntry, PublicKey | None]] = {}
        for entry in entries:
            self.add(entry)

    def add(self, entry: PublicKeyEntry) -> None:
        factory = ALGORITHMS.get(entry.algorithm)
        verifier: PublicKey | None = None
        if factory is not None:
            try:
                raw = base64.b64decode(entry.public_key, validate=True)
                if key_id_for(entry.algorithm, raw) == entry.key_id:
                    verifier = factory(raw)
            except ValueError:
                verifier = None
        self._keys[entry.key_id] = (entry, verifier)

    def get(self, key_id: str) -> PublicKey | None:
        found = self._keys.get(key_id)
        return found[1] if found else None

    def entries(self) -> list[PublicKeyEntry]:
        return [entry for entry, _ in self._keys.values()]


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
    value = signer.sign(signed_message(note_digest))
    return Signature(
        key_id=signer.key_id,
        algorithm=signer.algorithm,
        signer=signer_name,
        role=role,
        signed_at=signed_at,
        digest=note_digest,
        value=base64.b64encode(value).decode("ascii"),
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
    verifier = keys.get(sig.key_id)
    if verifier is None or verifier.algorithm != sig.algorithm:
        return "signature.unknown_key"
    try:
        raw = base64.b64decode(sig.value, validate=True)
    except ValueError:
        return "signature.invalid"
    if not verifier.verify(raw, signed_message(sig.digest)):
        return "signature.invalid"
    if sig.digest != note_digest:
        return "signature.changed"
    return None


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
