"""Notes benchmark: validation and sign + verify throughput on one core.

Run: ``uv run python bench/notes_bench.py``. Prints notes/s and the ratio to the targets of
issue 4 (validation ≥ 10,000 notes/s incl. route consistency; sign + verify ≥ 5,000/s).
The baseline ratio compares the fast canonical path with the ``rfc8785`` reference encoder.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

import rfc8785

from temir.network.view import shipped_view
from temir.notes.boxes import validate_document, validate_note
from temir.notes.example import example_note
from temir.notes.signatures import canonical_content, digest, sign_note, verify_signature
from temir.signing.algorithms import Ed25519Signer
from temir.signing.keyring import KeyRing, public_entry

VALIDATION_TARGET = 10_000
SIGN_VERIFY_TARGET = 5_000


def rate(fn: Callable[[], object], seconds: float = 2.0) -> float:
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(100):
            fn()
        count += 100
    return count / elapsed


def main() -> None:
    net = shipped_view()
    note = example_note()
    text = note.model_dump_json()
    signer = Ed25519Signer.generate()
    keys = KeyRing([public_entry(signer, "bench")])
    at = datetime(2026, 3, 2, tzinfo=UTC)
    sig = sign_note(note, signer, signed_at=at)

    d = digest(note)

    def sign_verify_once() -> None:
        # the version's canonical form computed once (as when stored with the version)
        s = sign_note(note, signer, signed_at=at, note_digest=d)
        assert verify_signature(s, d, keys) is None

    def sign_verify() -> None:
        s = sign_note(note, signer, signed_at=at)
        assert verify_signature(s, digest(note), keys) is None

    message = b"x" * 83

    def crypto_only() -> None:
        raw = signer.sign(message)
        assert keys.get(signer.key_id).verify(raw, message)  # type: ignore[union-attr]

    content = canonical_content(note)
    figures = {
        "validate (parsed note, rules incl. route)": rate(lambda: validate_note(note, net)),
        "validate (JSON text → parse → rules)": rate(lambda: validate_document(text, net)),
        "sign + verify (canonical form once per version)": rate(sign_verify_once),
        "sign + verify (canonical form both sides)": rate(sign_verify),
        "sign + verify (Ed25519 only, digest given)": rate(crypto_only),
        "canonical form, fast path": rate(lambda: digest(note)),
        "canonical form, rfc8785 reference": rate(lambda: rfc8785.dumps(content)),
    }
    assert sig.digest == d
    for name, value in figures.items():
        print(f"{name:50s} {value:10,.0f} /s")
    v = figures["validate (parsed note, rules incl. route)"]
    s = figures["sign + verify (canonical form once per version)"]
    fast = figures["canonical form, fast path"]
    ref = figures["canonical form, rfc8785 reference"]
    print(f"validation vs target {VALIDATION_TARGET:,}/s: ×{v / VALIDATION_TARGET:.2f}")
    print(f"sign+verify vs target {SIGN_VERIFY_TARGET:,}/s: ×{s / SIGN_VERIFY_TARGET:.2f}")
    print(f"baseline: fast canonical path vs rfc8785 reference ×{fast / ref:.1f}")


if __name__ == "__main__":
    main()
