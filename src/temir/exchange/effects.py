"""The local effect of a record from a peer: written into this node's own notes, tracking and
key stores, in the transaction of the inbox row that brought it.

Why into the ordinary stores and not only ``exchange_records``: the note page, the tracking
views (custody, timelines, border dwell), an act's verification and ``temir notes verify`` read
the notes and tracking tables. A received record that stayed in the exchange tables left the
offering node's own act "offered" after the peer accepted it and custody unmoved. Written here,
"both end with the same signed act and the same custody" holds of the tables every view reads,
at every node.

What each kind does (each idempotent by its natural key, so a record applied twice — received
from two peers, or caught up later — changes nothing the second time):

* ``note_version``: the version row; the note row itself if this node had none (a *replica*:
  made by ``exchange:SENDER``, status ``accepted`` — a note is shared from its acceptance —,
  custody with box 22's first carrier); the newest version indexes the row (stations, cargo,
  carriers, wagons) as a local one would.
* ``note_signature``: the signature row. Its public key is put into ``org_keys`` (public half
  only: no sealed private key, so this node never signs with it) owned by the railway
  organisation of the peer that vouched for it — the sender ships the public key beside the
  signature (:mod:`temir.exchange.outbox`). A peer node's own keys go there too when it is
  added (:func:`peer_keys`), so acts and envelopes verify with the same keys.
* ``event``: the tracking event row (digest as the reporter stored it).
* ``handover_offer``: the act with its units and the offer's signature.
* ``handover_accept`` / ``handover_dispute``: the decision filled into the act with its
  signature; on acceptance custody moves to the incoming railway and the note is in transit.

A record that needs what has not arrived yet — an event or an act of a note whose first
version comes through another peer, an event of an act not offered here yet — stays in
``exchange_records`` only and takes effect when its note or act arrives (:func:`catch_up`).
Nothing here publishes a change (:mod:`temir.kit.changes`): a received record is not shipped
back to where it came from.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from temir.accounts import repository as accounts_repository
from temir.accounts import service as accounts_service
from temir.accounts.model import Actor, OrganisationKind
from temir.accounts.rules import railway_of
from temir.accounts.tables import OrganisationRow
from temir.codes.railways import find_railway
from temir.exchange import repository
from temir.exchange.tables import PeerKeyRow
from temir.kit import clock
from temir.notes.lifecycle import NoteStatus
from temir.notes.model import Note
from temir.notes.store import records as note_records
from temir.notes.store import repository as notes_repository
from temir.notes.store.tables import NoteRow, NoteSignatureRow, NoteVersionRow
from temir.signing import repository as signing_repository
from temir.signing.tables import OrgKeyRow
from temir.tracking import repository as tracking_repository
from temir.tracking.model import ActStatus, HandoverDecision, HandoverOffer, utc
from temir.tracking.tables import HandoverActRow, HandoverActSignatureRow

log = logging.getLogger("temir.exchange")
SYSTEM: Final = Actor.system("exchange")
NOTE_KINDS: Final = ("note_version", "note_signature")
ACT_KINDS: Final = ("handover_offer", "handover_accept", "handover_dispute")


def _when(text: Any) -> datetime:
    return utc(datetime.fromisoformat(str(text)))


# --- organisations and keys --------------------------------------------------------------------
def railway_organisation(session: Session, code: str) -> OrganisationRow:
    """This node's organisation for railway ``code`` (made if missing: a peer's railway)."""
    for org in accounts_repository.organisation_rows(session):
        if railway_of(org) == code:
            return org
    info = find_railway(code)
    slug = f"node-{code.lower()}"
    if accounts_repository.organisation_row(session, slug) is not None:
        slug = f"peer-{code.lower()}"
    accounts_service.create_organisation(
        session,
        SYSTEM,
        slug=slug,
        name=info.name_en if info else code,
        name_ru=info.name_ru if info else None,
        kind=OrganisationKind.RAILWAY,
        country=info.country if info else "KZ",
        railway_code=code,
    )
    found = accounts_repository.organisation_row(session, slug)
    assert found is not None
    return found


def put_key(
    session: Session,
    *,
    key_id: str,
    algorithm: str,
    public_key: str,
    owner: int,
    valid_from: datetime,
    valid_until: datetime | None,
    by: str,
) -> None:
    """A peer's public key where verification looks (``org_keys``), its private half empty;
    a known key only gets its retirement."""
    found = signing_repository.key_row(session, key_id)
    if found is None:
        session.add(
            OrgKeyRow(
                key_id=key_id,
                organisation_id=owner,
                algorithm=algorithm,
                public_key=public_key,
                private_key_sealed="",
                salt="",
                created_at=valid_from,
                created_by=by[:120],
                retired_at=valid_until,
            )
        )
        session.flush()
    elif not found.private_key_sealed and valid_until is not None:
        found.retired_at = valid_until


def peer_keys(session: Session, railway: str) -> None:
    """Every stored key of peer ``railway`` also in ``org_keys``, owned by its railway."""
    rows = repository.peer_keys(session, railway)
    if not rows:
        return
    owner = railway_organisation(session, railway).id
    for k in rows:
        put_key(
            session,
            key_id=k.key_id,
            algorithm=k.algorithm,
            public_key=k.public_key,
            owner=owner,
            valid_from=k.valid_from,
            valid_until=k.valid_until,
            by=f"exchange:{railway}",
        )


def _key_known(session: Session, key_id: str, origin: str, public_key: str | None) -> bool:
    """Whether ``key_id`` is (now) in ``org_keys``: a peer's own key, or one a peer vouched
    for by shipping its public half."""
    if signing_repository.key_row(session, key_id) is not None:
        return True
    peer = session.scalar(select(PeerKeyRow).where(PeerKeyRow.key_id == key_id).limit(1))
    if peer is not None:
        peer_keys(session, peer.railway)
        return True
    if not public_key:
        return False
    put_key(
        session,
        key_id=key_id,
        algorithm=key_id.split(":", 1)[0] or "ed25519",
        public_key=public_key,
        owner=railway_organisation(session, origin).id,
        valid_from=clock.now(),
        valid_until=None,
        by=f"exchange:{origin}",
    )
    return True


# --- applying records --------------------------------------------------------------------------
def apply_all(session: Session, records: Sequence[Mapping[str, Any]]) -> None:
    """The effects of records just stored (dicts with ``kind``, ``note_id``, ``origin``,
    ``payload``), in order; events in one insert per note."""
    events: list[Mapping[str, Any]] = []
    caught: set[str] = set()
    for rec in records:
        kind = str(rec["kind"])
        if kind == "event":
            events.append(rec["payload"])
            continue
        if events:
            _events(session, events, str(rec["origin"]))
            events = []
        if kind not in (*NOTE_KINDS, *ACT_KINDS):
            continue  # a key rotation: its effect is the peer's key (temir.exchange.inbox)
        if _guarded(session, kind, rec["payload"], str(rec["origin"])):
            caught.add(str(rec["note_id"]))
    if events:
        _events(session, events, str(records[-1]["origin"]))
    for note_id in caught:
        catch_up(session, note_id)


def _guarded(session: Session, kind: str, payload: Mapping[str, Any], origin: str) -> bool:
    """:func:`apply` of a record whose payload reads whole (checked before anything is
    written): one that does not (signed by a peer, yet malformed) takes no effect and stays
    an exchange record only — logged, not a failed batch."""
    try:
        _readable(kind, payload)
    except (KeyError, TypeError, ValueError) as exc:
        log.warning("record %s took no effect here: %r", kind, exc)
        return False
    return apply(session, kind, payload, origin)


def _readable(kind: str, p: Mapping[str, Any]) -> None:
    """Raise unless every field :func:`apply` reads of a ``kind`` payload is there and parses."""
    str(p["note_id"])
    if kind == "note_version":
        Note.model_validate(p["document"])
        int(p["version"]), str(p["digest"])
        if p.get("created_at"):
            _when(p["created_at"])
    elif kind == "note_signature":
        int(p["version"])
        for name in ("organisation", "role", "key_id", "algorithm", "digest", "signature"):
            str(p[name])
        _when(p["signed_at"])
    elif kind in ACT_KINDS:
        str(p["act_id"])
        if kind == "handover_offer":
            HandoverOffer.from_document(p["document"])
        else:
            HandoverDecision.from_document(p["document"])
        sig = p.get("signature")
        if sig:
            for name in ("stage", "key_id", "railway", "organisation", "algorithm", "digest"):
                str(sig[name])
            str(sig["value"]), _when(sig["signed_at"])


def apply(session: Session, kind: str, payload: Mapping[str, Any], origin: str) -> bool:
    """The effect of one record; ``True`` when it made the note or an act here (so records of
    it that came earlier can take effect now)."""
    if kind not in (*NOTE_KINDS, *ACT_KINDS, "event"):
        return False
    if kind == "note_version":
        return _version(session, payload, origin)
    if kind == "event":
        _events(session, [payload], origin)
        return False
    if notes_repository.note_row(session, str(payload["note_id"])) is None:
        return False  # its note comes later (through another peer): caught up then
    if kind == "note_signature":
        _signature(session, payload, origin)
        return False
    if kind == "handover_offer":
        return _offer(session, payload, origin)
    if kind in ("handover_accept", "handover_dispute"):
        _decision(session, payload, origin)
    return False


def catch_up(session: Session, note_id: str) -> None:
    """Records of a note held here that could not take effect before its note (or act)."""
    session.flush()
    held = repository.records_of_note(session, note_id)
    order = {k: i for i, k in enumerate(("note_version", *NOTE_KINDS[1:], *ACT_KINDS, "event"))}
    for rec in sorted(held, key=lambda r: (order.get(r.kind, 9), r.id)):
        if rec.kind in (*NOTE_KINDS, *ACT_KINDS):
            _guarded(session, rec.kind, rec.payload, rec.origin)
    session.flush()
    _events(session, [r.payload for r in held if r.kind == "event"], "")


def _version(session: Session, p: Mapping[str, Any], origin: str) -> bool:
    note_id, number = str(p["note_id"]), int(p["version"])
    note = Note.model_validate(p["document"])
    now = clock.now()
    row = notes_repository.note_row(session, note_id)
    created = row is None
    if row is None:
        row = NoteRow(
            id=note_id,
            status=str(NoteStatus.ACCEPTED),
            current_version=0,
            carriers="",
            created_by=f"exchange:{origin}",
            created_at=now,
            updated_at=now,
        )
        session.add(row)
    elif notes_repository.version_row(session, note_id, number) is not None:
        return False
    session.add(
        NoteVersionRow(
            note_id=note_id,
            version=number,
            document=dict(p["document"]),
            digest=str(p["digest"]),
            previous_digest=p.get("previous_digest"),
            created_by=f"exchange:{origin}",
            created_at=_when(p["created_at"]) if p.get("created_at") else now,
            reason=str(p.get("reason") or "")[: note_records.REASON_MAX],
        )
    )
    if number > row.current_version:
        row.current_version = number
        note_records.index_row(row, note)
        row.consignee_org_id = accounts_repository.organisation_id_by_client_code(
            session, note.consignee.client_code
        )
        notes_repository.replace_wagons(session, note_id, note_records.unit_numbers(note))
        if created:
            carriers = [c for c in row.carriers.split("|") if c]
            row.custody = carriers[0] if carriers else None
        row.updated_at = now
    session.flush()
    return created


def _signature(session: Session, p: Mapping[str, Any], origin: str) -> None:
    note_id, version, key_id = str(p["note_id"]), int(p["version"]), str(p["key_id"])
    if any(s.key_id == key_id for s in notes_repository.signature_rows(session, note_id, version)):
        return
    if not _key_known(session, key_id, origin, p.get("public_key")):
        return  # no public key to verify it with: it stays an exchange record only
    org = accounts_repository.organisation_row(session, str(p["organisation"]))
    session.add(
        NoteSignatureRow(
            note_id=note_id,
            version=version,
            organisation_id=org.id if org else None,
            organisation=str(p["organisation"]),
            role=str(p["role"]),
            key_id=key_id,
            algorithm=str(p["algorithm"]),
            signer_user=f"exchange:{origin}",
            digest=str(p["digest"]),
            signature=str(p["signature"]),
            signed_at=_when(p["signed_at"]),
        )
    )
    session.flush()


def _act_signature(
    session: Session, act_id: str, sig: Mapping[str, Any] | None, origin: str
) -> None:
    if not sig:
        return
    stage, key_id = str(sig["stage"]), str(sig["key_id"])
    stored = tracking_repository.signature_rows(session, [act_id])
    if any(s.stage == stage and s.key_id == key_id for s in stored):
        return
    if not _key_known(session, key_id, origin, None):
        return
    org = railway_organisation(session, str(sig["railway"]))
    tracking_repository.add_signature(
        session,
        HandoverActSignatureRow(
            act_id=act_id,
            stage=stage,
            organisation_id=org.id,
            organisation=str(sig["organisation"]),
            railway=str(sig["railway"]),
            key_id=key_id,
            algorithm=str(sig["algorithm"]),
            digest=str(sig["digest"]),
            value=str(sig["value"]),
            signer_user=f"exchange:{origin}",
            signed_at=_when(sig["signed_at"]),
        ),
    )
    session.flush()


def _offer(session: Session, p: Mapping[str, Any], origin: str) -> bool:
    from temir.tracking.service import document_digest

    doc = p["document"]
    made = HandoverOffer.from_document(doc)
    created = tracking_repository.act_row(session, made.act_id) is None
    if created:
        row = HandoverActRow(
            id=made.act_id,
            note_id=made.note_id,
            note_version=made.note_version,
            from_railway=made.from_railway,
            to_railway=made.to_railway,
            station_esr=made.station_esr,
            entry_esr=made.entry_esr,
            status=str(ActStatus.OFFERED),
            offered_at=made.offered_at,
            offered_by=f"exchange:{origin}",
            offer_document=dict(doc),
            offer_digest=document_digest(doc),
            paper_reference=made.paper_reference,
            created_at=clock.now(),
        )
        tracking_repository.add_act(session, row, made.unit_numbers())
    _act_signature(session, made.act_id, p.get("signature"), origin)
    return created


def _decision(session: Session, p: Mapping[str, Any], origin: str) -> None:
    from temir.tracking.service import document_digest

    row = tracking_repository.act_row(session, str(p["act_id"]))
    if row is None:
        return  # its offer comes later: caught up then
    decision = HandoverDecision.from_document(p["document"])
    if row.status == str(ActStatus.OFFERED):
        row.status = str(decision.status)
        row.decided_at = decision.decided_at
        row.decided_by = f"exchange:{origin}"
        row.decision_document = dict(p["document"])
        row.decision_digest = document_digest(p["document"])
        row.commercial_act = decision.commercial_act
        if decision.status is ActStatus.ACCEPTED:
            note = notes_repository.note_row(session, row.note_id)
            if note is not None and note.custody == row.from_railway:
                note.custody = row.to_railway
                if note.status == str(NoteStatus.ACCEPTED):
                    note.status = str(NoteStatus.IN_TRANSIT)
                note.updated_at = clock.now()
    _act_signature(session, row.id, p.get("signature"), origin)
    session.flush()


def _events(session: Session, payloads: Iterable[Mapping[str, Any]], origin: str) -> None:
    """Events of notes (and acts) held here, not yet stored, in one insert."""
    wanted = [p for p in payloads if p.get("key") and p.get("kind") and p.get("at")]
    if not wanted:
        return
    stored = tracking_repository.existing_digests(session, [str(p["key"]) for p in wanted])
    fresh = [p for p in wanted if str(p["key"]) not in stored]
    if not fresh:
        return
    notes = {str(p["note_id"]) for p in fresh if p.get("note_id")}
    held = {n for n in notes if notes_repository.note_row(session, n) is not None}
    acts = {str(p["act_id"]) for p in fresh if p.get("act_id")}
    known = {a for a in acts if tracking_repository.act_row(session, a) is not None}
    now = clock.now()
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for p in fresh:
        note_id, act_id, key = p.get("note_id"), p.get("act_id"), str(p["key"])
        if (note_id and str(note_id) not in held) or (act_id and str(act_id) not in known):
            continue  # its note or act comes later: caught up then
        if key in seen:
            continue
        seen.add(key)
        try:
            rows.append(_event_row(p, note_id, act_id, key, now, origin))
        except (KeyError, TypeError, ValueError) as exc:
            log.warning("event %s took no effect here: %r", key, exc)
    session.flush()
    tracking_repository.insert_events(session, rows)


def _event_row(
    p: Mapping[str, Any], note_id: Any, act_id: Any, key: str, now: datetime, origin: str
) -> dict[str, Any]:
    return {
        "key": key,
        "kind": str(p["kind"]),
        "unit": str(p["unit"]),
        "unit_kind": str(p["unit_kind"]),
        "station_esr": str(p["station_esr"]),
        "at": _when(p["at"]),
        "reporter": str(p["reporter"]),
        "note_id": note_id,
        "hold": p.get("hold"),
        "remarks": p.get("remarks"),
        "act_id": act_id,
        "digest": str(p["digest"]),
        "recorded_at": now,
        "recorded_by": f"exchange:{origin or p['reporter']}"[:120],
        "organisation_id": None,
    }
