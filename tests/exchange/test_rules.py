"""The pure decisions of the exchange: what an envelope must be to be accepted, where it goes
in its note's order, how long a retry waits."""

from __future__ import annotations

import base64
import random
from datetime import UTC, datetime, timedelta

import pytest

from temir.exchange import rules
from temir.exchange.model import Envelope, PeerKey, Receipt, ReceiptStatus
from temir.exchange.outbox import build
from temir.exchange.rules import KeyView, Place, Problem
from temir.kit.changes import Change
from temir.signing.algorithms import Ed25519Signer

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
CHANGE = Change("event", "n-1", "e-1", {"key": "e-1", "unit": "52171246", "station_esr": "684001"})


def _key(signer: Ed25519Signer, since: datetime, until: datetime | None = None) -> PeerKey:
    public = base64.b64encode(signer.public_bytes).decode("ascii")
    return PeerKey(
        key_id=signer.key_id,
        algorithm="ed25519",
        public_key=public,
        valid_from=since,
        valid_until=until,
    )


@pytest.fixture
def signer() -> Ed25519Signer:
    return Ed25519Signer.generate()


def _check(env: Envelope, keys: KeyView, allowed: tuple[str, ...] = ("event",)) -> Problem | None:
    return rules.check_envelope(env, node="UTI", allowed=allowed, keys=keys, now=NOW)


def test_a_signed_envelope_from_a_valid_key_is_accepted(signer: Ed25519Signer) -> None:
    env = build("KZH", "UTI", CHANGE, 1, NOW, signer)
    keys = KeyView([_key(signer, NOW - timedelta(days=1))])
    assert _check(env, keys) is None
    # and survives the wire: parsed back from its JSON, it still checks
    again = Envelope.model_validate_json(env.model_dump_json())
    assert _check(again, keys) is None


def test_a_changed_payload_or_header_is_refused(signer: Ed25519Signer) -> None:
    env = build("KZH", "UTI", CHANGE, 1, NOW, signer)
    keys = KeyView([_key(signer, NOW - timedelta(days=1))])
    payload = {**env.payload, "unit": "52171247"}
    assert _check(env.model_copy(update={"payload": payload}), keys) is Problem.PAYLOAD_CHANGED
    assert _check(env.model_copy(update={"sequence": 2}), keys) is Problem.BAD_SIGNATURE
    same_digest = {"payload": payload, "payload_digest": rules.payload_digest(payload)}
    assert _check(env.model_copy(update=same_digest), keys) is Problem.BAD_SIGNATURE


def test_another_receiver_a_kind_not_allowed_and_an_unknown_key_are_refused(
    signer: Ed25519Signer,
) -> None:
    keys = KeyView([_key(signer, NOW - timedelta(days=1))])
    assert _check(build("KZH", "TDZ", CHANGE, 1, NOW, signer), keys) is Problem.WRONG_RECEIVER
    env = build("KZH", "UTI", CHANGE, 1, NOW, signer)
    assert _check(env, keys, allowed=("note_version",)) is Problem.KIND_NOT_ALLOWED
    stranger = build("KZH", "UTI", CHANGE, 1, NOW, Ed25519Signer.generate())
    assert _check(stranger, keys) is Problem.UNKNOWN_KEY


def test_a_key_verifies_only_what_it_signed_while_valid(signer: Ed25519Signer) -> None:
    """After a rotation the old key still verifies envelopes signed before its end (in
    flight), and nothing it signs after; a future signing time is refused."""
    retired = NOW - timedelta(hours=1)
    keys = KeyView([_key(signer, NOW - timedelta(days=30), retired)])
    in_flight = build("KZH", "UTI", CHANGE, 1, retired - timedelta(minutes=5), signer)
    assert _check(in_flight, keys) is None
    expired = build("KZH", "UTI", CHANGE, 1, retired + timedelta(minutes=5), signer)
    assert _check(expired, keys) is Problem.KEY_NOT_VALID
    before = build("KZH", "UTI", CHANGE, 1, NOW - timedelta(days=31), signer)
    assert _check(before, keys) is Problem.KEY_NOT_VALID
    live = KeyView([_key(signer, NOW - timedelta(days=1))])
    future = build("KZH", "UTI", CHANGE, 1, NOW + timedelta(hours=1), signer)
    assert _check(future, live) is Problem.SIGNED_IN_FUTURE


def test_an_envelope_signature_is_no_receipt_signature(signer: Ed25519Signer) -> None:
    """Domains differ: a receipt cannot be forged from a signature the sender made."""
    receipt = Receipt(
        envelope_id="x",
        sender="KZH",
        receiver="UTI",
        status=ReceiptStatus.APPLIED,
        payload_digest="0" * 64,
        received_at=NOW,
    )
    keys = KeyView([_key(signer, NOW - timedelta(days=1))])
    as_envelope = rules.sign("envelope", receipt.document(), signer, node="UTI", at=NOW)
    assert rules.check_signed("receipt", receipt.document(), as_envelope, keys, NOW) is (
        Problem.BAD_SIGNATURE
    )
    as_receipt = rules.sign("receipt", receipt.document(), signer, node="UTI", at=NOW)
    assert rules.check_signed("receipt", receipt.document(), as_receipt, keys, NOW) is None


@pytest.mark.parametrize(
    ("last", "sequence", "where"),
    [
        (0, 1, Place.APPLY),
        (4, 5, Place.APPLY),
        (4, 7, Place.WAIT),
        (4, 4, Place.BEHIND),
        (4, 1, Place.BEHIND),
    ],
)
def test_order_per_note(last: int, sequence: int, where: Place) -> None:
    assert rules.place(last, sequence) is where


def test_backoff_grows_with_jitter_and_is_capped() -> None:
    rng = random.Random(7)
    waits = [[rules.backoff(n, rng) for _ in range(50)] for n in (0, 3, 6, 30)]
    assert all(rules.BACKOFF_BASE / 2 <= w <= rules.BACKOFF_BASE for w in waits[0])
    assert all(4 <= w <= 8 for w in waits[1])
    assert len(set(waits[2])) > 40  # jitter: retries of many envelopes spread out
    assert max(waits[3]) <= rules.BACKOFF_CAP
    assert rules.BACKOFF_CAP <= 30  # a peer back after minutes waits half a minute at most
