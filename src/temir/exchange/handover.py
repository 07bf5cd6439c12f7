"""Handover over the wire: a railway whose node holds a peer's note offers, accepts or
disputes a handover act of it, signed with this node's key, and the other carriers receive it.

On the outgoing railway's node the offer is an ordinary act (:mod:`temir.tracking.acts`),
announced to the peers. On the incoming railway's node — which holds the note as received —
the operator accepts (:func:`accept`) or disputes (:func:`dispute`) the offer received; the
decision names the offer's digest and is signed under the same kind as a local act's
(``temir/handover-decision/v1``), so the act the two nodes end with is the same signed act.
The railway in custody of a received note hands it on (:func:`offer`): e.g. UTI, having
accepted from KZH, offers to TDZ.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from temir.accounts import audit
from temir.accounts import repository as accounts_repository
from temir.accounts.model import Actor, Role
from temir.exchange import effects, holdings, outbox, repository, service
from temir.exchange.tables import RecordRow
from temir.kit import clock
from temir.kit.changes import Change
from temir.kit.errors import Conflict, NotFound, PermissionDenied
from temir.kit.i18n import N_
from temir.kit.messages import define
from temir.notes.model import Note
from temir.signing.rules import sign_digest
from temir.tracking.act_signing import DECISION_KIND, OFFER_KIND
from temir.tracking.acts import parse_discrepancies, write_handover_events
from temir.tracking.model import ActStatus, ActUnit, EventKind, HandoverDecision, HandoverOffer
from temir.tracking.rules import railway_abbr
from temir.tracking.service import document_digest

NO_OFFER = define("exchange", N_("No handover act {id} offered to this node."))
DECIDED = define("exchange", N_("Act {id} is already {status}."))
NOT_HERE = define("exchange", N_("Note {id} is not in the custody of {railway} here."))
NOTHING_NEXT = define("exchange", N_("{railway} is the last carrier of note {id}."))
ONLY_NODE = define("exchange", N_("Only the operators of {railway} act for this node."))


def _may_act(session: Session, actor: Actor) -> tuple[str, str]:
    me = service.node(session)
    if actor.role is not Role.ADMIN and not (
        actor.role is Role.RAILWAY_OPERATOR and actor.organisation_id == me.organisation_id
    ):
        raise PermissionDenied(ONLY_NODE, code="exchange.not_node_operator", railway=me.railway)
    org = accounts_repository.organisation_by_id(session, me.organisation_id)
    return me.railway, org.slug if org else ""


def _signed(
    session: Session, kind: Any, digest: str, secret: str, now: datetime, slug: str
) -> dict[str, Any]:
    railway, signer = service.node_signer(session, Actor.system("exchange"), secret)
    sig = sign_digest(kind, digest, signer, signed_at=now, signer_name=slug, role=railway)
    stage = "offer" if kind is OFFER_KIND else "decision"
    return {
        "stage": stage,
        "organisation": slug,
        "railway": railway,
        "key_id": sig.key_id,
        "algorithm": sig.algorithm,
        "digest": sig.digest,
        "value": sig.value,
        "signed_at": now.isoformat(),
    }


def _keep(
    session: Session,
    actor: Actor,
    kind: str,
    note_id: str,
    act_id: str,
    document: dict[str, Any],
    signature: dict[str, Any],
    origin: str,
) -> dict[str, Any]:
    """Store this node's half as a record and send it to the note's other carriers."""
    payload = {"act_id": act_id, "note_id": note_id, "document": document, "signature": signature}
    key = f"{act_id}:{kind}"
    session.add(
        RecordRow(
            kind=kind,
            item_key=key,
            note_id=note_id,
            origin=origin,
            payload=payload,
            envelope_id=None,
            recorded_at=clock.now(),
        )
    )
    session.flush()
    effects.apply(session, kind, payload, origin)  # this node's act and custody, as a peer's
    outbox.on_change(session, Change(kind, note_id, key, payload))
    audit.record(
        session,
        actor,
        f"exchange.{kind}",
        "handover_act",
        act_id,
        {"note_id": note_id, "digest": document_digest(document)},
    )
    return payload


def _offer_record(session: Session, act_id: str, railway: str) -> RecordRow:
    try:
        key = str(uuid.UUID(act_id))
    except ValueError:
        raise NotFound(NO_OFFER, code="exchange.no_offer", field="act_id", id=act_id[:40]) from None
    found = repository.record(session, "handover_offer", f"{key}:handover_offer")
    if found is None or found.payload["document"]["to_railway"] != railway:
        raise NotFound(NO_OFFER, code="exchange.no_offer", field="act_id", id=key)
    return found


def _decide(
    session: Session,
    actor: Actor,
    act_id: str,
    secret: str,
    status: ActStatus,
    discrepancies: Sequence[Mapping[str, Any]] = (),
    commercial_act: str | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    railway, slug = _may_act(session, actor)
    offered = _offer_record(session, act_id, railway)
    doc = offered.payload["document"]
    act = str(doc["act_id"])
    for kind in ("handover_accept", "handover_dispute"):
        done = repository.record(session, kind, f"{act}:{kind}")
        if done is not None:
            if kind == "handover_accept" and status is ActStatus.ACCEPTED:
                return dict(done.payload)
            raise Conflict(
                DECIDED,
                code="exchange.decided",
                field="act_id",
                id=act,
                status=done.payload["document"]["status"],
            )
    now = at or clock.now()
    made = HandoverOffer.from_document(doc)
    found = parse_discrepancies(discrepancies, made.unit_numbers()) if discrepancies else ()
    decision = HandoverDecision(
        act_id=act,
        offer_digest=document_digest(doc),
        status=status,
        decided_at=now,
        discrepancies=found,
        commercial_act=None
        if status is ActStatus.ACCEPTED
        else ((commercial_act or "").strip()[:40] or f"KA-{made.station_esr}-{act[:8].upper()}"),
    )
    document = decision.document()
    signature = _signed(session, DECISION_KIND, document_digest(document), secret, now, slug)
    kind = "handover_accept" if status is ActStatus.ACCEPTED else "handover_dispute"
    kept = _keep(session, actor, kind, made.note_id, act, document, signature, railway)
    event = (
        EventKind.HANDOVER_ACCEPTED if status is ActStatus.ACCEPTED else EventKind.HANDOVER_DISPUTED
    )
    write_handover_events(session, actor, made, event, railway, now)
    return kept


def accept(session: Session, actor: Actor, act_id: str, *, secret: str) -> dict[str, Any]:
    """Accept a received offer: custody moves to this node's railway at every node."""
    return _decide(session, actor, act_id, secret, ActStatus.ACCEPTED)


def dispute(
    session: Session,
    actor: Actor,
    act_id: str,
    *,
    secret: str,
    discrepancies: Sequence[Mapping[str, Any]],
    commercial_act: str | None = None,
) -> dict[str, Any]:
    """Dispute a received offer with what differs: custody stays where it was."""
    if not discrepancies:
        parse_discrepancies(discrepancies, ())  # raises "a dispute names a discrepancy"
    return _decide(
        session, actor, act_id, secret, ActStatus.DISPUTED, discrepancies, commercial_act
    )


def decide_received(
    session: Session,
    actor: Actor,
    act_id: str,
    *,
    accepted: bool,
    secret: str,
    discrepancies: Sequence[Mapping[str, Any]] = (),
    commercial_act: str | None = None,
    at: datetime | None = None,
) -> None:
    """`temir handover accept|dispute` (and ``/api/v1/handovers/…``) of an act a peer offered:
    decided over the wire as :func:`accept` / :func:`dispute` do, so the act the nodes end
    with is the same whichever way the operator decided (the provider named in
    :mod:`temir.wiring` that :mod:`temir.tracking.acts` asks for)."""
    status = ActStatus.ACCEPTED if accepted else ActStatus.DISPUTED
    if not accepted and not discrepancies:
        parse_discrepancies(discrepancies, ())  # raises "a dispute names a discrepancy"
    _decide(session, actor, act_id, secret, status, discrepancies, commercial_act, at)


def offer(session: Session, actor: Actor, note_id: str, *, secret: str) -> dict[str, Any]:
    """Hand a received note on to the next carrier: what this railway took over, at the end
    of its section of box 22."""
    railway, slug = _may_act(session, actor)
    held = holdings.holding(session, note_id)
    if held["custody"] != railway or not held["versions"]:
        raise Conflict(
            NOT_HERE,
            code="exchange.not_in_custody",
            field="note_id",
            id=note_id[:40],
            railway=railway,
        )
    carriers: list[str] = held["carriers"]
    index = carriers.index(railway)
    if index + 1 >= len(carriers):
        raise Conflict(
            NOTHING_NEXT, code="exchange.last_carrier", field="note_id", railway=railway, id=note_id
        )
    records = repository.records_of_note(session, note_id)
    newest = max(
        (r for r in records if r.kind == "note_version"), key=lambda r: int(r.payload["version"])
    )
    note = Note.model_validate(newest.payload["document"])
    taken = [
        HandoverOffer.from_document(r.payload["document"])
        for r in records
        if r.kind == "handover_offer"
        and r.payload["document"]["to_railway"] == railway
        and held["acts"].get(r.payload["act_id"], {}).get("status") == "accepted"
    ]
    units: dict[str, ActUnit] = {u.number: u for t in taken for u in t.units}
    section = next(s for s in note.carriers if (railway_abbr(s.carrier) or s.carrier) == railway)
    after = note.carriers[index + 1] if index + 1 < len(note.carriers) else None
    now = clock.now()
    made = HandoverOffer(
        act_id=str(uuid.uuid4()),
        note_id=note_id,
        note_version=int(newest.payload["version"]),
        from_railway=railway,
        to_railway=carriers[index + 1],
        station_esr=section.to_station.esr or "",
        entry_esr=(after.from_station.esr or None) if after else None,
        offered_at=now,
        units=tuple(units[k] for k in sorted(units)),
    )
    document = made.document()
    signature = _signed(session, OFFER_KIND, document_digest(document), secret, now, slug)
    kept = _keep(
        session, actor, "handover_offer", note_id, made.act_id, document, signature, railway
    )
    write_handover_events(session, actor, made, EventKind.HANDOVER_OFFERED, railway, now)
    return kept
