"""The pure rules of webhooks: which URLs and event types, backoff, who sees which note,
and the HMAC a receiver recomputes with nothing but the standard library."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from temir.kit.errors import ValidationFailed
from temir.notes.lifecycle import NoteFacts, NoteStatus
from temir.signing.algorithms import Ed25519Signer
from temir.webhooks import rules


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/hook",
        "http://127.0.0.1:8080/h?x=1",
        "http://[::1]:9000/",
        "http://recv",
    ],
)
def test_http_and_https_urls_with_a_host_are_accepted(url: str) -> None:
    assert rules.check_url(f"  {url} ") == url


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://example.org/", "webhooks.url"),
        ("javascript:alert(1)", "webhooks.url"),
        ("example.org/hook", "webhooks.url"),
        ("http://example.org:99999/", "webhooks.url"),
        ("https://alice@example.org/", "webhooks.url_credentials"),
        ("https://alice:secret@example.org/", "webhooks.url_credentials"),
        ("http://169.254.169.254/", "webhooks.url_address"),
        ("http://0.0.0.0:80/", "webhooks.url_address"),
        ("http://[fe80::1]/", "webhooks.url_address"),
        ("https://example.org/" + "a" * 2000, "webhooks.url"),
    ],
)
def test_other_urls_are_refused_naming_the_rule(url: str, code: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        rules.check_url(url)
    assert caught.value.code == code
    assert caught.value.field == "url"


def test_event_patterns_exact_prefix_or_all() -> None:
    assert rules.check_events(["note.*, tracking.event", "note.*"]) == ("note.*", "tracking.event")
    assert rules.wants(("note.*",), "note.accept")
    assert not rules.wants(("note.*",), "tracking.event")
    assert rules.wants(("*",), "handover.disputed")
    assert rules.wants(("handover.accepted",), "webhook.test")  # a test always goes
    for bad in (["fly"], ["note.fly"], [""], ["webhook.test"]):
        with pytest.raises(ValidationFailed):
            rules.check_events(bad)


def test_backoff_doubles_up_to_the_cap_with_jitter_in_the_upper_half() -> None:
    assert [rules.backoff(n, 0.999999, base=10, cap=100) for n in (1, 2, 3, 4, 5)] == pytest.approx(
        [10, 20, 40, 80, 100], rel=1e-5
    )
    assert rules.backoff(3, 0.0, base=10, cap=100) == 20  # half of 40
    spread = {round(rules.backoff(2, s / 10, base=10, cap=100), 3) for s in range(10)}
    assert len(spread) == 10
    assert min(spread) >= 10
    assert max(spread) <= 20


def test_a_consignee_a_carrier_and_the_consignor_see_the_note_others_do_not() -> None:
    facts = NoteFacts(NoteStatus.IN_TRANSIT, 1, ("KZH", "UTI", "TDZ"), "UTI", consignee_org_id=2)
    assert rules.may_see(rules.Subscriber(1, None), facts)
    assert rules.may_see(rules.Subscriber(2, None), facts)
    assert rules.may_see(rules.Subscriber(7, "TDZ"), facts)
    assert not rules.may_see(rules.Subscriber(3, None), facts)
    assert not rules.may_see(rules.Subscriber(8, "KRG"), facts)


def test_the_headers_carry_both_signatures_over_timestamp_and_body() -> None:
    signer = Ed25519Signer.generate()
    body = rules.body("d-1", "tracking.event", "2026-01-01T00:00:00+00:00", {"unit": "Қ1"})
    assert body == rules.body("d-1", "tracking.event", "2026-01-01T00:00:00+00:00", {"unit": "Қ1"})
    h = rules.headers(delivery_id="d-1", event_type="tracking.event", attempt=2,
                      timestamp=1_700_000_000, payload=body, secret="k" * 20, signer=signer,
                      user_agent="t")  # fmt: skip
    expected = hmac.new(b"k" * 20, b"1700000000." + body, hashlib.sha256).hexdigest()
    assert h["Temir-Signature"] == "sha256=" + expected
    assert rules.verify_hmac("k" * 20, 1_700_000_000, body, h["Temir-Signature"])
    assert not rules.verify_hmac("k" * 20, 1_700_000_001, body, h["Temir-Signature"])
    assert (h["Temir-Key-Id"], h["Temir-Delivery-Id"], h["Temir-Attempt"]) == (
        signer.key_id, "d-1", "2",
    )  # fmt: skip


def test_a_given_secret_is_checked_and_a_missing_one_made() -> None:
    assert len(rules.check_secret(None)) >= 32
    assert rules.check_secret(None) != rules.check_secret(None)
    assert rules.check_secret("x" * 16) == "x" * 16
    with pytest.raises(ValidationFailed):
        rules.check_secret("short")
