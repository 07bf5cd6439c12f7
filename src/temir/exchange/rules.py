"""What a node decides about envelopes, receipts and retries. Pure.

* **Signing**: an envelope's header (:meth:`Envelope.header`) is signed under its own kind
  (``temir/exchange-envelope/v1``), a receipt under ``temir/exchange-receipt/v1`` and a resend
  request under ``temir/exchange-resend/v1``: none can be replayed as another, nor as a note or
  act signature (:mod:`temir.signing.rules`).
* **Checking** an envelope from a peer (:func:`check_envelope`): addressed to this node, a kind
  the peer may send, the payload matching its digest, signed with one of the peer's keys that
  was valid *when it signed* (so a key rotated while envelopes were in flight still verifies
  them, and an expired key verifies nothing signed after its end), not signed in the future.
* **Key rotation** (:func:`learned_key`): a ``key_rotation`` envelope carries the sender's new
  public key signed by its previous key (:data:`temir.signing.rules.KEY_ROTATION_KIND`) while
  that one was valid; the receiver takes the new key only if that record verifies with a key
  it already holds *and* the envelope itself then verifies with the new key — so a rotation
  needs no operator at any peer, and nothing but the holder of the old key can announce one.
* **Order** per note and link (:func:`place`): the next sequence is applied, a later one waits
  (a gap), an earlier one is either the same envelope again or a conflict.
* **Retries** (:func:`backoff`): exponential with jitter, capped at :data:`BACKOFF_CAP` (30 s).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Final

from temir.exchange.model import PeerKey
from temir.kit.i18n import N_
from temir.kit.messages import define
from temir.signing.algorithms import Signer
from temir.signing.canonical import digest_of
from temir.signing.keyring import KeyRing
from temir.signing.model import PublicKeyEntry, Signature
from temir.signing.rules import KEY_ROTATION_KIND, check_signature, document_kind, sign_document

ENVELOPE_KIND = document_kind("exchange-envelope")
RECEIPT_KIND = document_kind("exchange-receipt")
RESEND_KIND = document_kind("exchange-resend")

FUTURE_SLACK: Final = timedelta(minutes=5)
BACKOFF_BASE: Final = 1.0
BACKOFF_CAP: Final = 30.0
"""A peer back after minutes is served within half a minute: at that cap a down link costs
one small request per envelope batch every 15–30 s, and an operator need not ``retry``."""


def _m(msgid: str) -> str:
    return define("exchange", msgid)


WRONG_RECEIVER = _m(N_("Envelope {id} is addressed to {receiver}, not to this node ({node})."))
KIND_NOT_ALLOWED = _m(N_("Peer {peer} may not send {kind} envelopes."))
PAYLOAD_CHANGED = _m(N_("The payload of envelope {id} does not match its digest."))
UNKNOWN_KEY = _m(N_("Envelope {id} is signed with key {key_id}, which {peer} does not hold."))
KEY_NOT_VALID = _m(N_("Key {key_id} of {peer} was not valid at {signed_at}."))
BAD_SIGNATURE = _m(N_("The signature of envelope {id} does not verify."))
SIGNED_IN_FUTURE = _m(N_("Envelope {id} is signed in the future ({signed_at})."))
SEQUENCE_TAKEN = _m(N_("Sequence {sequence} of note {note} from {peer} is another envelope."))
ID_REUSED = _m(N_("Envelope {id} was received before with other content."))


class Problem(StrEnum):
    WRONG_RECEIVER = "exchange.wrong_receiver"
    KIND_NOT_ALLOWED = "exchange.kind_not_allowed"
    PAYLOAD_CHANGED = "exchange.payload_changed"
    UNKNOWN_KEY = "exchange.unknown_key"
    KEY_NOT_VALID = "exchange.key_not_valid"
    BAD_SIGNATURE = "exchange.bad_signature"
    SIGNED_IN_FUTURE = "exchange.signed_in_future"


MESSAGES: Final = {
    Problem.WRONG_RECEIVER: WRONG_RECEIVER,
    Problem.KIND_NOT_ALLOWED: KIND_NOT_ALLOWED,
    Problem.PAYLOAD_CHANGED: PAYLOAD_CHANGED,
    Problem.UNKNOWN_KEY: UNKNOWN_KEY,
    Problem.KEY_NOT_VALID: KEY_NOT_VALID,
    Problem.BAD_SIGNATURE: BAD_SIGNATURE,
    Problem.SIGNED_IN_FUTURE: SIGNED_IN_FUTURE,
}


def payload_digest(payload: Any) -> str:
    """SHA-256 (hex) of the payload's RFC 8785 form."""
    return digest_of(payload)


def sign(
    kind_name: str, document: dict[str, Any], signer: Signer, *, node: str, at: datetime
) -> Signature:
    kind = {"envelope": ENVELOPE_KIND, "receipt": RECEIPT_KIND, "resend": RESEND_KIND}[kind_name]
    return sign_document(kind, document, signer, signed_at=at, signer_name=node, role=node)


class KeyView:
    """A peer's keys as a verifier needs them: key ring plus each key's validity."""

    def __init__(self, keys: Iterable[PeerKey]) -> None:
        self.keys = {k.key_id: k for k in keys}
        self.ring = KeyRing(
            PublicKeyEntry(
                key_id=k.key_id, algorithm=k.algorithm, public_key=k.public_key, owner=""
            )
            for k in self.keys.values()
        )


def check_signed(
    kind_name: str, document: dict[str, Any], sig: Signature, keys: KeyView, now: datetime
) -> Problem | None:
    """``None`` if ``sig`` signs ``document`` with a key of ``keys`` valid at ``sig.signed_at``."""
    kind = {
        "envelope": ENVELOPE_KIND,
        "receipt": RECEIPT_KIND,
        "resend": RESEND_KIND,
        "rotation": KEY_ROTATION_KIND,
    }[kind_name]
    key = keys.keys.get(sig.key_id)
    if key is None:
        return Problem.UNKNOWN_KEY
    if sig.signed_at > now + FUTURE_SLACK:
        return Problem.SIGNED_IN_FUTURE
    if not key.valid_at(sig.signed_at):
        return Problem.KEY_NOT_VALID
    if check_signature(kind, sig, digest_of(document), keys.ring) is not None:
        return Problem.BAD_SIGNATURE
    return None


def check_envelope(
    envelope: Any, *, node: str, allowed: Iterable[str], keys: KeyView, now: datetime
) -> Problem | None:
    """Why an envelope from a known peer is refused, or ``None`` (see the module doc)."""
    if envelope.receiver != node:
        return Problem.WRONG_RECEIVER
    if str(envelope.kind) not in {*allowed, "key_rotation"}:
        return Problem.KIND_NOT_ALLOWED
    if payload_digest(envelope.payload) != envelope.payload_digest:
        return Problem.PAYLOAD_CHANGED
    return check_signed("envelope", envelope.header(), envelope.signature, keys, now)


class Place(StrEnum):
    APPLY = "apply"
    WAIT = "wait"
    BEHIND = "behind"


def place(last_applied: int, sequence: int) -> Place:
    """Where an envelope with ``sequence`` goes, ``last_applied`` being its link's last."""
    if sequence == last_applied + 1:
        return Place.APPLY
    if sequence > last_applied + 1:
        return Place.WAIT
    return Place.BEHIND


def backoff(attempts: int, rng: random.Random | None = None) -> float:
    """Seconds before attempt ``attempts + 1``: full jitter over ``base * 2**attempts``."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** min(attempts, 20))
    return (rng or random).uniform(ceiling / 2, ceiling)


def learned_key(envelope: Any, keys: KeyView, *, node: str, now: datetime) -> PeerKey | None:
    """The new key a ``key_rotation`` envelope announces, if it holds (see the module doc)."""
    from pydantic import ValidationError

    payload = envelope.payload
    try:
        document = dict(payload["document"])
        sig = Signature.model_validate(payload["signature"])
        new = PeerKey(
            key_id=str(document["key_id"]),
            algorithm=str(document["algorithm"]),
            public_key=str(document["public_key"]),
            valid_from=datetime.fromisoformat(str(document["valid_from"])),
        )
    except (KeyError, TypeError, ValueError, ValidationError):
        return None
    if sig.key_id != document.get("previous_key_id") or new.key_id in keys.keys:
        return None
    if check_signed("rotation", document, sig, keys, now) is not None:
        return None
    widened = KeyView([*keys.keys.values(), new])
    if check_envelope(envelope, node=node, allowed=(), keys=widened, now=now) is not None:
        return None
    return new
