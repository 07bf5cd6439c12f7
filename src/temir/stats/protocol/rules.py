"""The protocol "results of year N and plans for N+1" between two railways, and its signatures.

Pure. Why stored as data: the railways sign *figures* — N's tonnes by direction and commodity
with the change on N−1, and the N+1 plan by month — and next year's actuals are checked against
that signed plan. So the protocol's content is a JSON document frozen at creation; both parties
sign the SHA-256 digest of its canonical form (RFC 8785, the same canonicalisation, signature
ports and Ed25519 keys as consignment notes, :mod:`temir.signing`) under a domain of its
own, so a protocol signature can never be replayed as a note signature or the reverse.

Content is float-free (percentages are strings with one decimal), so its canonical bytes are
stable across Python, databases and JSON round-trips.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from temir.kit.i18n import N_, translate
from temir.signing import rules as signing
from temir.signing.algorithms import Signer
from temir.signing.canonical import digest_of
from temir.signing.keyring import KeyRing
from temir.signing.model import Signature
from temir.stats.plans.model import PlanCell, annual_by
from temir.stats.volumes.rules import change_pct

PROTOCOL: Final = signing.document_kind("stats-protocol")
DOMAIN: Final = PROTOCOL.domain
FORMAT: Final = "temir-stats-protocol/1"
DIRECTION_ORDER = ("export", "import", "transit")


def protocol_id(year: int, a: str, b: str) -> str:
    return f"{year}-{a}-{b}"


def _pct(value: float | None) -> str | None:
    return None if value is None else f"{value:.1f}"


@dataclass(frozen=True)
class ResultLine:
    direction: str
    commodity_group: str
    tonnes: int
    previous_tonnes: int
    wagons: int


def build_content(
    *,
    year: int,
    a: str,
    b: str,
    party_a: str,
    party_b: str,
    results: Sequence[ResultLine],
    direction_totals: Mapping[str, tuple[int, int]],
    total: tuple[int, int],
    plan: Sequence[PlanCell],
    notes: Sequence[str],
    place: str = "",
    date: str = "",
    synthetic: bool = False,
) -> dict[str, Any]:
    """The protocol as the JSON document both parties sign.

    ``direction_totals`` and ``total`` are (tonnes N, tonnes N−1), each rounded once from the
    sum of kg (as in volume reports), so they match the published figures exactly.
    """
    plan_annual = annual_by(plan)
    plan_by_direction: dict[str, int] = defaultdict(int)
    for (direction, _), tonnes in plan_annual.items():
        plan_by_direction[direction] += tonnes
    order = {d: i for i, d in enumerate(DIRECTION_ORDER)}
    return {
        "format": FORMAT,
        "protocol_id": protocol_id(year, a, b),
        "year": year,
        "previous_year": year - 1,
        "plan_year": year + 1,
        "countries": [a, b],
        "parties": [party_a, party_b],
        "place": place,
        "date": date,
        "synthetic": synthetic,
        "results": {
            "rows": [
                {
                    "direction": r.direction,
                    "commodity_group": r.commodity_group,
                    "tonnes": r.tonnes,
                    "previous_tonnes": r.previous_tonnes,
                    "change_pct": _pct(change_pct(r.tonnes, r.previous_tonnes)),
                    "wagons": r.wagons,
                }
                for r in sorted(
                    results, key=lambda r: (order.get(r.direction, 9), r.commodity_group)
                )
            ],
            "by_direction": [
                {
                    "direction": d,
                    "tonnes": now,
                    "previous_tonnes": before,
                    "change_pct": _pct(change_pct(now, before)),
                }
                for d, (now, before) in sorted(
                    direction_totals.items(), key=lambda kv: order.get(kv[0], 9)
                )
            ],
            "total": {
                "tonnes": total[0],
                "previous_tonnes": total[1],
                "change_pct": _pct(change_pct(total[0], total[1])),
            },
        },
        "plan": {
            "rows": [
                {"direction": d, "commodity_group": g, "tonnes": t}
                for (d, g), t in sorted(
                    plan_annual.items(), key=lambda kv: (order.get(kv[0][0], 9), kv[0][1])
                )
            ],
            "by_direction": [
                {"direction": d, "tonnes": t}
                for d, t in sorted(plan_by_direction.items(), key=lambda kv: order.get(kv[0], 9))
            ],
            "cells": [
                {"direction": c.direction, "commodity_group": c.commodity_group,
                 "month": c.month, "tonnes": c.tonnes}
                for c in sorted(plan, key=lambda c: (c.direction, c.commodity_group, c.month))
            ],
            "total": sum(plan_annual.values()),
            "basis": sorted({c.basis for c in plan}),
        },
        "notes": [n.strip() for n in notes if n.strip()],
    }  # fmt: skip


def plan_cells_of(content: Mapping[str, Any]) -> list[PlanCell]:
    """The N+1 plan stored in a protocol, as plan cells (to check next year's actuals)."""
    a, b = content["countries"]
    return [
        PlanCell(
            content["plan_year"],
            a,
            b,
            c["direction"],
            c["commodity_group"],
            int(c["month"]),
            int(c["tonnes"]),
            "protocol",
        )
        for c in content["plan"]["cells"]
    ]


def digest(content: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical (RFC 8785) form of the content."""
    return digest_of(dict(content))


def signed_message(content_digest: str) -> bytes:
    return signing.signed_message(PROTOCOL, content_digest)


def sign(
    content: Mapping[str, Any], signer: Signer, *, party: str, signer_name: str, at: datetime
) -> Signature:
    """One party's signature of the content's digest."""
    return signing.sign_digest(
        PROTOCOL, digest(content), signer, signed_at=at, signer_name=signer_name, role=party
    )


# --- verification --------------------------------------------------------------------------

MESSAGES: Final = {
    "protocol.unsigned": N_("{party} has not signed the protocol."),
    "protocol.unknown_key": N_("{party}: key {key_id} is not a trusted key."),
    "protocol.invalid": N_("{party}: the signature by {key_id} does not verify."),
    "protocol.changed": N_(
        "{party}: the protocol was changed after {key_id} signed it: its content no longer "
        "matches the signed digest."
    ),
    "protocol.not_a_party": N_("{party} signed but is not a party to the protocol."),
    "protocol.wrong_key": N_("{party}: key {key_id} is not a key of {party}."),
}

#: Problems of the protocol as a whole (not of one party's signature).
STORE_MESSAGES: Final = {
    "protocol.store_changed": N_(
        "The stored protocol no longer matches the digest recorded when it was drawn up: "
        "its content was changed."
    ),
}


@dataclass(frozen=True)
class PartyCheck:
    party: str
    signed: bool
    valid: bool
    key_id: str | None = None
    signer: str = ""
    signed_at: datetime | None = None
    problem: str | None = None  # a code of MESSAGES

    def message(self, lang: str = "en") -> str | None:
        if self.problem is None:
            return None
        return translate(MESSAGES[self.problem], lang, party=self.party, key_id=self.key_id)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "party": self.party,
            "signed": self.signed,
            "valid": self.valid,
            "key_id": self.key_id,
            "signer": self.signer,
            "signed_at": None if self.signed_at is None else self.signed_at.isoformat(),
            "problem": self.problem,
            "message": self.message(lang),
        }


@dataclass(frozen=True)
class ProtocolVerification:
    protocol_id: str
    digest: str
    parties: tuple[PartyCheck, ...]
    trusted_keys: bool  # False: checked against the keys stored with the signatures only
    problems: tuple[str, ...] = ()  # codes of STORE_MESSAGES

    @property
    def valid(self) -> bool:
        return all(p.valid for p in self.parties) and not self.problems

    def problem_messages(self, lang: str = "en") -> list[str]:
        return [translate(STORE_MESSAGES[code], lang) for code in self.problems]

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "protocol_id": self.protocol_id,
            "valid": self.valid,
            "digest": self.digest,
            "trusted_keys": self.trusted_keys,
            "parties": [p.to_dict(lang) for p in self.parties],
            "problems": [
                {"code": code, "message": message}
                for code, message in zip(self.problems, self.problem_messages(lang), strict=True)
            ],
        }


def _check(
    sig: Signature, current: str, keys: KeyRing, key_parties: Mapping[str, str] | None
) -> str | None:
    problem = signing.check_signature(PROTOCOL, sig, current, keys, key_parties=key_parties)
    return None if problem is None else f"protocol.{problem}"


def verify(
    content: Mapping[str, Any],
    signatures: Iterable[Signature],
    keys: KeyRing,
    *,
    trusted_keys: bool = True,
    key_parties: Mapping[str, str] | None = None,
    recorded_digest: str | None = None,
) -> ProtocolVerification:
    """Both parties' signatures against the content as it is now: valid, or which one fails.

    ``Signature.role`` carries the party (railway code) that signed. ``key_parties`` (key id →
    the railway whose organisation holds the key) makes a key of one railway useless for
    signing in the other's name. ``recorded_digest`` is the digest stored when the protocol was
    drawn up: a difference names a change of the stored content even before anyone signed.
    """
    current = digest(content)
    parties = list(content["parties"])
    by_party = {s.role: s for s in signatures}
    checks = []
    for party in parties:
        sig = by_party.get(party)
        if sig is None:
            checks.append(PartyCheck(party, False, False, problem="protocol.unsigned"))
            continue
        problem = _check(sig, current, keys, key_parties)
        checks.append(
            PartyCheck(party, True, problem is None, sig.key_id, sig.signer, sig.signed_at, problem)
        )
    for party, sig in by_party.items():
        if party not in parties:
            checks.append(
                PartyCheck(party, True, False, sig.key_id, sig.signer, sig.signed_at,
                           "protocol.not_a_party")
            )  # fmt: skip
    problems: tuple[str, ...] = ()
    if recorded_digest is not None and recorded_digest != current:
        problems = ("protocol.store_changed",)
    return ProtocolVerification(
        str(content["protocol_id"]), current, tuple(checks), trusted_keys, problems
    )


# --- the exported file (offline verification) ----------------------------------------------

EXPORT_FORMAT: Final = "temir-stats-protocol-signed/1"


def export_document(content: Mapping[str, Any], signatures: Iterable[Signature]) -> dict[str, Any]:
    """The protocol and its signatures as one JSON file, checked offline with public keys only
    (the keyring of ``GET /api/v1/keys/keyring.json``, as for ``temir notes verify``)."""
    return {
        "format": EXPORT_FORMAT,
        "content": dict(content),
        "signatures": [s.model_dump(mode="json") for s in signatures],
    }


def read_export(value: Any) -> tuple[dict[str, Any], list[Signature]]:
    """Content and signatures of an exported file; ``ValueError`` names what is wrong."""
    if not isinstance(value, dict) or value.get("format") != EXPORT_FORMAT:
        raise ValueError(f"not a {EXPORT_FORMAT} file")
    content = value.get("content")
    if not isinstance(content, dict) or not isinstance(content.get("parties"), list):
        raise ValueError("the file has no protocol content")
    raw = value.get("signatures")
    if not isinstance(raw, list):
        raise ValueError("the file has no list of signatures")
    return content, [Signature.model_validate(item) for item in raw]
