"""Envelopes, receipts, peers and their keys, link status. Pure.

An envelope carries one record (a note version, a signature, an event, a half of a handover
act) from the node that wrote it to one peer. What its sender signs is the *header* — every
field but the payload itself, whose SHA-256 (of its RFC 8785 form) the header carries — so a
receiver checks the payload against the digest and the header against the signature.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from temir.signing.model import Signature


class EnvelopeKind(StrEnum):
    NOTE_VERSION = "note_version"
    NOTE_SIGNATURE = "note_signature"
    EVENT = "event"
    HANDOVER_OFFER = "handover_offer"
    HANDOVER_ACCEPT = "handover_accept"
    HANDOVER_DISPUTE = "handover_dispute"
    KEY_ROTATION = "key_rotation"
    """The sender's new public key, signed by its previous one: any peer may send it."""


ALL_KINDS = tuple(EnvelopeKind)


class ReceiptStatus(StrEnum):
    APPLIED = "applied"
    """Written with its effect."""
    QUEUED = "queued"
    """Written, waiting in the inbox for an earlier envelope of its note (a gap)."""
    DUPLICATE = "duplicate"
    """Already received: nothing written again."""
    REJECTED = "rejected"
    """Refused: nothing written (``error`` says why)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Envelope(_Strict):
    id: str = Field(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
    sender: str = Field(min_length=2, max_length=8)
    receiver: str = Field(min_length=2, max_length=8)
    kind: EnvelopeKind
    note_id: str = Field(max_length=40)
    item_key: str = Field(max_length=200)
    sequence: int = Field(ge=1)
    created_at: AwareDatetime
    payload: dict[str, Any]
    payload_digest: str = Field(pattern=r"^[0-9a-f]{64}$")
    signature: Signature

    def header(self) -> dict[str, Any]:
        """What the sender signs: everything but the payload (covered by its digest) and the
        signature itself."""
        return header_of(
            self.id,
            self.sender,
            self.receiver,
            str(self.kind),
            self.note_id,
            self.item_key,
            self.sequence,
            self.created_at,
            self.payload_digest,
        )


def header_of(
    envelope_id: str,
    sender: str,
    receiver: str,
    kind: str,
    note_id: str,
    item_key: str,
    sequence: int,
    created_at: datetime,
    payload_digest: str,
) -> dict[str, Any]:
    return {
        "id": envelope_id,
        "sender": sender,
        "receiver": receiver,
        "kind": kind,
        "note_id": note_id,
        "item_key": item_key,
        "sequence": sequence,
        "created_at": created_at.isoformat(),
        "payload_digest": payload_digest,
    }


class Receipt(_Strict):
    """The receiver's signed word that it holds an envelope (or why it refused it)."""

    envelope_id: str = Field(max_length=40)
    sender: str = Field(max_length=8)
    receiver: str = Field(max_length=8)
    status: ReceiptStatus
    payload_digest: str = Field("", max_length=64)
    received_at: AwareDatetime
    error: dict[str, Any] | None = None
    signature: Signature | None = None

    def document(self) -> dict[str, Any]:
        return {
            "envelope_id": self.envelope_id,
            "sender": self.sender,
            "receiver": self.receiver,
            "status": str(self.status),
            "payload_digest": self.payload_digest,
            "received_at": self.received_at.isoformat(),
        }


class PeerKey(_Strict):
    """A peer node's public key and when it was (or is) the key that node signs with."""

    key_id: str = Field(max_length=100)
    algorithm: str = Field("ed25519", max_length=40)
    public_key: str = Field(max_length=200)
    valid_from: AwareDatetime
    valid_until: AwareDatetime | None = None

    def valid_at(self, when: datetime) -> bool:
        return self.valid_from <= when and (self.valid_until is None or when < self.valid_until)


class Peer(_Strict):
    railway: str
    base_url: str
    kinds: tuple[EnvelopeKind, ...]
    keys: tuple[PeerKey, ...] = ()
    added_at: AwareDatetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class LinkStatus(_Strict):
    """One link from this node to a peer, as the status page shows it."""

    peer: str
    base_url: str
    queue_depth: int
    oldest_pending_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    waiting_in_inbox: int

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")
