"""Offline verification of whatever a holder has: the note file, the printed PDF, or its QR line.

Why: the note is trusted end to end only if anyone — a border station, a consignee, customs —
can check it with nothing but the public keys. The holder may have the signed file (JSON), the
PDF (which embeds the signed file, :mod:`temir.notes.paper.pdf`), an XML export, or only the QR line
read off a paper sheet. This module reads any of them and answers: valid or not, which
signature fails and why, which version is current, and whether the paper in hand shows it.

A QR line alone names a version, its digest and its signers but carries no signature; it is
confirmed only against the signed note (a file, or the node's store). Without it the verdict
is "cannot be confirmed", never "valid".

Public keys: a :class:`~temir.signing.keyring.KeyRing`, read from any keyring file shape by
:func:`temir.signing.keyring.load_keys`. Pure module.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Final

from pydantic import ValidationError

from temir.kit.errors import ValidationFailed
from temir.kit.i18n import translate
from temir.notes.model import Note
from temir.notes.paper.qr import QrPayload, looks_like_qr, parse_qr
from temir.notes.signatures import (
    SignedNote,
    SignedVersion,
    VerificationReport,
    digest,
    verify_chain,
)
from temir.signing.keyring import KeyRing


class Kind:
    SIGNED = "signed"
    NOTE = "note"
    PDF = "pdf"
    XML = "xml"
    QR = "qr"


@dataclass(frozen=True)
class Evidence:
    """What was read: the signed note (if any) and the QR line (if that is what was given)."""

    kind: str
    signed: SignedNote | None = None
    qr: QrPayload | None = None


def _invalid(msgid: str, code: str, **params: Any) -> ValidationFailed:
    return ValidationFailed(msgid, code=code, field="file", **params)


def _signed_from_json(data: bytes) -> tuple[str, SignedNote]:
    try:
        value = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise _invalid("The file is not valid JSON.", "notes.json") from exc
    try:
        if isinstance(value, dict) and "versions" in value:
            return Kind.SIGNED, SignedNote.model_validate(value)
        note = Note.model_validate(value)
    except ValidationError as exc:
        first = exc.errors(include_input=False, include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ValidationFailed(
            "The file has an invalid field {where}: {detail}.",
            code="notes.file_schema",
            field=where,
            where=where,
            detail=first["msg"],
        ) from exc
    return Kind.NOTE, SignedNote(versions=[SignedVersion(note=note)])


def read_evidence(data: bytes) -> Evidence:
    """Recognise a signed note (JSON), a bare note (JSON), a Temir PDF, XML, or a QR line."""
    from temir.notes.paper.pdf import embedded_signed_note
    from temir.notes.paper.xml import note_from_xml

    head = data.lstrip()[:16]
    if head.startswith(b"%PDF"):
        _, signed = _signed_from_json(embedded_signed_note(data))
        return Evidence(Kind.PDF, signed=signed)
    if head.startswith(b"<"):
        note = note_from_xml(data)
        return Evidence(Kind.XML, signed=SignedNote(versions=[SignedVersion(note=note)]))
    if head.startswith((b"{", b"[")):
        kind, signed = _signed_from_json(data)
        return Evidence(kind, signed=signed)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = ""
    if looks_like_qr(text):
        return Evidence(Kind.QR, qr=parse_qr(text))
    raise _invalid(
        "Not a note file, a Temir PDF or a TEMIR1 QR line.", "notes.verify_unknown_input"
    )


# --- the verdict -------------------------------------------------------------------------------
MESSAGES: Final = {
    "qr.needs_note": (
        "The QR code names version {version} of note {note_id}; without the signed note "
        "(file or store) its signatures cannot be checked."
    ),
    "qr.unknown_version": "The QR code names version {version}, which the note does not have.",
    "qr.digest_mismatch": (
        "The QR code's digest does not match version {version} of the note: the paper does not "
        "show the signed content."
    ),
    "qr.not_current": ("The paper shows version {version}; the current version is {current}."),
    "qr.other_note": "The QR code names note {qr_note}, not {note_id}.",
    "qr.unknown_key": "Key {key_id} named on the paper is not a known public key.",
    "note.unsigned_file": "The file is a bare note without signatures; nothing to verify.",
}


@dataclass(frozen=True)
class Finding:
    code: str
    params: dict[str, Any] = field(default_factory=dict)
    warning: bool = False

    def message(self, lang: str = "en") -> str:
        return translate(MESSAGES[self.code], lang, **self.params)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": "warning" if self.warning else "error",
            "version": self.params.get("version"),
            "key_id": self.params.get("key_id"),
            "message": self.message(lang),
        }


@dataclass(frozen=True)
class Verdict:
    """The answer: the chain report (when the signed note was at hand) and QR findings."""

    kind: str
    valid: bool
    report: VerificationReport | None
    qr: QrPayload | None
    findings: tuple[Finding, ...]

    @property
    def note_id(self) -> str | None:
        if self.report is not None and self.report.note_id:
            return self.report.note_id
        return self.qr.note_id if self.qr else None

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        body: dict[str, Any] = {"kind": self.kind, "valid": self.valid, "note_id": self.note_id}
        if self.report is not None:
            report = self.report.to_dict(lang)
            body.update(
                current_version=report["current_version"],
                current_digest=report["current_digest"],
                signatures=report["signatures"],
                problems=report["problems"],
            )
        else:
            body.update(current_version=None, current_digest=None, signatures=[], problems=[])
        if self.qr is not None:
            body["qr"] = {
                "note_id": self.qr.note_id,
                "version": self.qr.version,
                "digest": self.qr.digest,
                "key_ids": list(self.qr.key_ids),
            }
        body["findings"] = [f.to_dict(lang) for f in self.findings]
        return body


def _qr_findings(qr: QrPayload, signed: SignedNote, keys: KeyRing) -> list[Finding]:
    found: list[Finding] = []
    note_id = signed.versions[0].note.note_id if signed.versions else ""
    if qr.note_id != note_id:
        return [Finding("qr.other_note", {"qr_note": qr.note_id, "note_id": note_id})]
    if not 1 <= qr.version <= len(signed.versions):
        return [Finding("qr.unknown_version", {"version": qr.version})]
    if digest(signed.versions[qr.version - 1].note) != qr.digest:
        found.append(Finding("qr.digest_mismatch", {"version": qr.version}))
    current = len(signed.versions)
    if qr.version != current:
        found.append(
            Finding("qr.not_current", {"version": qr.version, "current": current}, warning=True)
        )
    for key_id in qr.key_ids:
        if keys.get(key_id) is None:
            found.append(Finding("qr.unknown_key", {"key_id": key_id}))
    return found


def verify_evidence(evidence: Evidence, keys: KeyRing, signed: SignedNote | None = None) -> Verdict:
    """Check ``evidence`` with ``keys``; ``signed`` is the note a QR line is checked against."""
    qr = evidence.qr
    if evidence.kind == Kind.QR:
        assert qr is not None
        if signed is None:
            finding = Finding("qr.needs_note", {"version": qr.version, "note_id": qr.note_id})
            return Verdict(Kind.QR, False, None, qr, (finding,))
        report = verify_chain(signed, keys)
        findings = tuple(_qr_findings(qr, signed, keys))
        valid = report.valid and not any(not f.warning for f in findings)
        return Verdict(Kind.QR, valid, report, qr, findings)
    assert evidence.signed is not None
    report = verify_chain(evidence.signed, keys)
    unsigned: tuple[Finding, ...] = ()
    if evidence.kind in (Kind.NOTE, Kind.XML):
        unsigned = (Finding("note.unsigned_file"),)
    return Verdict(evidence.kind, report.valid and not unsigned, report, None, unsigned)
