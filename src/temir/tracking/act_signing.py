"""Signatures of handover acts: the offer by the outgoing railway, the decision by the incoming.

Why each half apart: the outgoing railway vouches for what it hands over (units, seals, masses,
note version) and the incoming one for what it found — accepted, or disputed with what
differs. Each signs the RFC 8785 digest of its own half with its organisation's key
(:mod:`temir.signing`), under a kind of its own (``temir/handover-offer/v1``,
``temir/handover-decision/v1``), so neither signature can be passed off as the other or as a
note signature. The decision names the offer's digest, so it covers the offer too.

Verifying an act checks, with the stored public keys only, that each signature is good for
the half as stored now, and that the key belongs to the railway whose half it is: a KZH key
cannot sign UTI's acceptance. These documents and signatures are what the exchange between
nodes ships as they are.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from temir.accounts import repository as accounts_repository
from temir.accounts.model import Actor
from temir.accounts.rules import railway_of
from temir.signing import service as signing_service
from temir.signing.model import Signature
from temir.signing.rules import check_signature, document_kind, sign_digest
from temir.tracking import repository
from temir.tracking.model import ActSignature, ActVerification, HandoverAct
from temir.tracking.service import document_digest
from temir.tracking.tables import HandoverActSignatureRow

OFFER_KIND = document_kind("handover-offer")
DECISION_KIND = document_kind("handover-decision")
KINDS = {"offer": OFFER_KIND, "decision": DECISION_KIND}


def sign_stage(
    session: Session,
    actor: Actor,
    act_id: str,
    stage: str,
    digest: str,
    secret: str | None,
    now: datetime,
) -> HandoverActSignatureRow | None:
    """Sign one half of an act as the actor's organisation (nothing without a secret or an
    organisation: an administrator's maintenance script signs no railway's act)."""
    org = accounts_repository.organisation_by_id(session, actor.organisation_id)
    if secret is None or org is None:
        return None
    key = signing_service.ensure_key(session, actor, org, secret)
    signature = sign_digest(
        KINDS[stage], digest, signing_service.signer_of(key, secret), signed_at=now,
        signer_name=org.slug, role=railway_of(org) or "",
    )  # fmt: skip
    row = HandoverActSignatureRow(
        act_id=act_id, stage=stage, organisation_id=org.id, organisation=org.slug,
        railway=railway_of(org) or "", key_id=signature.key_id, algorithm=signature.algorithm,
        digest=signature.digest, value=signature.value, signer_user=actor.label, signed_at=now,
    )  # fmt: skip
    repository.add_signature(session, row)
    return row


def signature_dict(row: HandoverActSignatureRow) -> dict[str, Any]:
    """A stored act signature as JSON (what the exchange ships beside the signed half)."""
    return {
        "stage": row.stage, "organisation": row.organisation, "railway": row.railway,
        "key_id": row.key_id, "algorithm": row.algorithm, "digest": row.digest,
        "value": row.value, "signed_at": row.signed_at.isoformat(),
    }  # fmt: skip


def _signature(s: ActSignature) -> Signature:
    return Signature(
        key_id=s.key_id, algorithm=s.algorithm, signer=s.organisation, role=s.railway,
        signed_at=s.signed_at, digest=s.digest, value=s.value,
    )  # fmt: skip


def verify(session: Session, act: HandoverAct) -> ActVerification:
    """Check both halves' signatures with the stored keys (see the module doc)."""
    key_ids = {s.key_id for s in act.signatures}
    ring = signing_service.key_ring(session, key_ids)
    holders = signing_service.key_organisations(session, key_ids)
    railways = {
        key: railway_of(accounts_repository.organisation_by_id(session, org))
        for key, org in holders.items()
    }
    current = {"offer": document_digest(act.offer.document())}
    if act.decision is not None:
        current["decision"] = document_digest(act.decision.document())
    owner = {"offer": act.offer.from_railway, "decision": act.offer.to_railway}
    good: dict[str, bool] = {}
    problems: list[str] = []
    for stage, digest in current.items():
        mine = [s for s in act.signatures if s.stage == stage]
        if not mine:
            problems.append(f"{stage}.unsigned")
        for s in mine:
            found = check_signature(KINDS[stage], _signature(s), digest, ring)
            if found is None and railways.get(s.key_id) != owner[stage]:
                problems.append(f"{stage}.wrong_key")
            elif found is not None:
                problems.append(f"{stage}.{found}")
            else:
                good[stage] = True
    return ActVerification(
        offer_signed=good.get("offer", False),
        decision_signed=None if act.decision is None else good.get("decision", False),
        problems=tuple(problems),
    )
