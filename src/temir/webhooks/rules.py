"""Which URLs and event types a subscription may have, who is told what, when to retry, and
how each POST is signed. Pure.

Signatures (what a receiver checks), over ``signed = TIMESTAMP + "." + BODY`` (bytes):

- ``Temir-Signature: sha256=HEX`` — HMAC-SHA256 of ``signed`` with the subscription's secret:
  the common webhook convention, checkable with any standard library.
- ``Temir-Signature-Ed25519: BASE64`` by the node's key ``Temir-Key-Id`` (public keys at
  ``GET /api/v1/webhooks/keys``), over ``temir/webhook/v1\\n`` + SHA-256 hex of ``signed`` — the
  :mod:`temir.signing` form, so a receiver that trusts the node needs no shared secret.

``Temir-Timestamp`` (Unix seconds) lets a receiver refuse old replays; ``Temir-Delivery-Id`` is
the same through every retry, so a receiver dedupes on it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

from temir.accounts.model import Role
from temir.kit.errors import ValidationFailed
from temir.kit.i18n import N_
from temir.notes.lifecycle import NoteAction, NoteFacts, Party, may_read
from temir.signing.algorithms import Signer
from temir.signing.rules import document_kind, signed_message

WEBHOOK_KIND: Final = document_kind("webhook")
TEST_EVENT: Final = "webhook.test"
EVENT_TYPES: Final = (
    "tracking.event",
    "handover.offered",
    "handover.accepted",
    "handover.disputed",
    *(f"note.{a}" for a in NoteAction),
    TEST_EVENT,
)
"""Every event type a subscriber can be sent (``webhook.test`` only by ``test``)."""

MAX_URL: Final = 2000
MAX_EVENTS: Final = 40
SECRET_MIN, SECRET_MAX = 16, 200
MAX_ATTEMPTS: Final = 8
BASE_DELAY: Final = 10.0
"""Seconds before the second attempt; each later one waits twice as long (with jitter)."""
MAX_DELAY: Final = 6 * 3600.0

BAD_URL = N_("A webhook URL is http:// or https:// with a host, e.g. https://example.org/hook.")
URL_CREDENTIALS = N_("A webhook URL must not carry a user name or password; use the secret.")
URL_ADDRESS = N_("Temir does not deliver to the address {host} (link-local, multicast or "
                 "unspecified).")  # fmt: skip
URL_TOO_LONG = N_("A webhook URL has at most {max} characters.")
BAD_EVENT = N_("Unknown event type {value}; choose among: {choices} (or PREFIX.* or *).")
NO_EVENTS = N_("Name at least one event type (or * for all).")
BAD_SECRET = N_("A webhook secret has {min} to {max} characters.")


@dataclass(frozen=True)
class Subscriber:
    """The organisation behind a subscription as visibility needs it."""

    organisation_id: int
    railway: str | None

    def party(self) -> Party:
        """As the note rules see it: never an administrator, whatever its users are."""
        role = Role.RAILWAY_OPERATOR if self.railway else Role.VIEWER
        return Party(role, self.organisation_id, self.railway)


def may_see(subscriber: Subscriber, facts: NoteFacts) -> bool:
    """The note rules' own answer: consignor, consignee (box 4) and the carriers of box 22."""
    return may_read(subscriber.party(), facts)


def check_url(text: str) -> str:
    """The URL as stored, or 422: http(s), a host, no credentials, not a link-local,
    multicast or unspecified address (loopback is allowed: a receiver on the same machine)."""
    url = (text or "").strip()
    if len(url) > MAX_URL:
        raise ValidationFailed(URL_TOO_LONG, code="webhooks.url", field="url", max=MAX_URL)
    try:
        parts = urlsplit(url)
        host = parts.hostname
        _ = parts.port  # a port that is not a number raises here
    except ValueError:
        raise ValidationFailed(BAD_URL, code="webhooks.url", field="url") from None
    if parts.scheme not in ("http", "https") or not host:
        raise ValidationFailed(BAD_URL, code="webhooks.url", field="url")
    if parts.username is not None or parts.password is not None:
        raise ValidationFailed(URL_CREDENTIALS, code="webhooks.url_credentials", field="url")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None and (
        address.is_link_local or address.is_multicast or address.is_unspecified
    ):
        raise ValidationFailed(URL_ADDRESS, code="webhooks.url_address", field="url", host=host)
    return url


def check_events(patterns: Iterable[str]) -> tuple[str, ...]:
    """The event filter as stored: exact types, ``PREFIX.*`` or ``*``; each must match one."""
    out: list[str] = []
    for raw in patterns:
        for text in str(raw).split(","):
            pattern = text.strip().lower()
            if not pattern:
                continue
            if not any(matches(pattern, t) for t in EVENT_TYPES if t != TEST_EVENT):
                raise ValidationFailed(
                    BAD_EVENT, code="webhooks.event", field="events", value=pattern[:60],
                    choices=", ".join(t for t in EVENT_TYPES if t != TEST_EVENT),
                )  # fmt: skip
            if pattern not in out:
                out.append(pattern)
    if not out:
        raise ValidationFailed(NO_EVENTS, code="webhooks.no_events", field="events")
    if len(out) > MAX_EVENTS:
        raise ValidationFailed(NO_EVENTS, code="webhooks.no_events", field="events")
    return tuple(out)


def matches(pattern: str, event_type: str) -> bool:
    if pattern == "*":
        return True
    if pattern.endswith(".*"):
        return event_type.startswith(pattern[:-1])
    return pattern == event_type


def wants(patterns: Sequence[str], event_type: str) -> bool:
    """Does a subscription with these patterns get ``event_type``? (The test ping: always.)"""
    return event_type == TEST_EVENT or any(matches(p, event_type) for p in patterns)


def check_secret(text: str | None) -> str:
    """The secret given, or a new random one when none is."""
    if text is None or not text.strip():
        return secrets.token_urlsafe(32)
    secret = text.strip()
    if not SECRET_MIN <= len(secret) <= SECRET_MAX:
        raise ValidationFailed(
            BAD_SECRET, code="webhooks.secret", field="secret", min=SECRET_MIN, max=SECRET_MAX
        )
    return secret


def backoff(attempt: int, spin: float, base: float = BASE_DELAY, cap: float = MAX_DELAY) -> float:
    """Seconds to wait after failed attempt ``attempt`` (1, 2, ...): exponential, capped, with
    jitter — ``spin`` in [0, 1) picks a point in the upper half, so receivers coming back up are
    not hit by every sender at the same instant."""
    ceiling = min(cap, base * 2.0 ** max(attempt - 1, 0))
    return ceiling * (0.5 + min(max(spin, 0.0), 1.0) / 2)


def body(delivery_id: str, event_type: str, occurred_at: str, data: Mapping[str, Any]) -> bytes:
    """The JSON body (sorted, compact, UTF-8): the same bytes on every attempt."""
    document = {"id": delivery_id, "type": event_type, "occurred_at": occurred_at, "data": data}
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def signed_content(timestamp: int, payload: bytes) -> bytes:
    return str(timestamp).encode("ascii") + b"." + payload


def hmac_signature(secret: str, timestamp: int, payload: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), signed_content(timestamp, payload), hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def content_digest(timestamp: int, payload: bytes) -> str:
    return hashlib.sha256(signed_content(timestamp, payload)).hexdigest()


def ed25519_message(timestamp: int, payload: bytes) -> bytes:
    """What the node's key signs (the :mod:`temir.signing` domain form)."""
    return signed_message(WEBHOOK_KIND, content_digest(timestamp, payload))


def headers(
    *,
    delivery_id: str,
    event_type: str,
    attempt: int,
    timestamp: int,
    payload: bytes,
    secret: str,
    signer: Signer,
    user_agent: str,
) -> dict[str, str]:
    """Every header of one POST, both signatures included."""
    signature = signer.sign(ed25519_message(timestamp, payload))
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": user_agent,
        "Temir-Delivery-Id": delivery_id,
        "Temir-Event-Type": event_type,
        "Temir-Attempt": str(attempt),
        "Temir-Timestamp": str(timestamp),
        "Temir-Signature": hmac_signature(secret, timestamp, payload),
        "Temir-Key-Id": signer.key_id,
        "Temir-Signature-Ed25519": base64.b64encode(signature).decode("ascii"),
    }


def verify_hmac(secret: str, timestamp: int, payload: bytes, header: str) -> bool:
    """A receiver's check of ``Temir-Signature`` (constant time)."""
    return hmac.compare_digest(hmac_signature(secret, timestamp, payload), header.strip())
