"""What the QR code on a printed note carries, and how to read it back.

Why a compact line rather than JSON: the code must stay small enough to scan from a creased
sheet in a wagon yard (a version-6 code at level M holds it), and a verifier must be able to
type it in by hand if the camera fails. Format ``TEMIR1``::

    TEMIR1:<note id>:<version>:<digest>:<key id>,<key id>,...

* ``note id`` — percent-encoded (RFC 3986 unreserved characters stay as they are), so a ``:``
  or ``,`` inside an id cannot break the fields;
* ``version`` — decimal, from 1;
* ``digest`` — the SHA-256 of the version's canonical form (:func:`temir.notes.signatures.digest`)
  in base64url without padding (43 characters instead of 64 hex);
* key ids — the signers' key ids (``ed25519:0123456789abcdef``), each percent-encoded, comma
  separated, possibly none.

The payload names *which* version and *who* signed; the signatures themselves travel in the
note file or inside the PDF (see :mod:`temir.notes.paper.pdf`). Pure module.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Final
from urllib.parse import quote, unquote

from temir.kit.errors import ValidationFailed

PREFIX: Final = "TEMIR1"
MAX_PAYLOAD: Final = 2000
_DIGEST = re.compile(r"^[A-Za-z0-9_-]{43}$")
_VERSION = re.compile(r"^[1-9][0-9]{0,4}$")


@dataclass(frozen=True)
class QrPayload:
    note_id: str
    version: int
    digest: str
    """SHA-256 hex, as everywhere else in Temir."""
    key_ids: tuple[str, ...] = ()

    def encode(self) -> str:
        raw = bytes.fromhex(self.digest)
        digest64 = base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
        keys = ",".join(quote(k, safe="") for k in self.key_ids)
        return f"{PREFIX}:{quote(self.note_id, safe='')}:{self.version}:{digest64}:{keys}"


def _bad(detail: str) -> ValidationFailed:
    return ValidationFailed(
        "The QR content is not a Temir note code: {detail}.",
        code="notes.qr",
        field="qr",
        detail=detail,
    )


def looks_like_qr(text: str) -> bool:
    return text.lstrip().startswith(PREFIX + ":")


def parse_qr(text: str) -> QrPayload:
    """Read a ``TEMIR1`` line back; a malformed line raises :class:`ValidationFailed`."""
    text = text.strip()
    if len(text) > MAX_PAYLOAD:
        raise _bad("too long")
    parts = text.split(":")
    if len(parts) != 5 or parts[0] != PREFIX:
        raise _bad("expected TEMIR1:<id>:<version>:<digest>:<keys>")
    _, note_id, version, digest64, keys = parts
    if not note_id:
        raise _bad("no note id")
    if not _VERSION.match(version):
        raise _bad("the version is not a number")
    if not _DIGEST.match(digest64):
        raise _bad("the digest is not 43 base64url characters")
    try:
        raw = base64.urlsafe_b64decode(digest64 + "=")
    except (binascii.Error, ValueError) as exc:  # pragma: no cover - the pattern already holds
        raise _bad("the digest is not base64url") from exc
    key_ids = tuple(unquote(k) for k in keys.split(",") if k)
    return QrPayload(unquote(note_id), int(version), raw.hex(), key_ids)
