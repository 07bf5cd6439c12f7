"""The inbox: what a node does with envelopes from its peers, each batch in one transaction.

For every envelope: refuse it unless it comes from a known peer, is addressed here, is of a
kind that peer may send, and is signed with a key of that peer valid when it signed
(:func:`temir.exchange.rules.check_envelope`); answer ``duplicate`` if its id was received
before (nothing written again); otherwise write it to the inbox and, if it is the next of its
note from that peer, apply it — the record it carries is stored once per item
(``exchange_records``) and takes its effect in this node's notes, tracking and key stores
(:mod:`temir.exchange.effects`), in the same transaction — followed by any envelopes that were
waiting for it. A ``key_rotation`` envelope is looked at first: the peer's new key it
carries, signed by the previous one, is learned before the batch's signatures are checked
(:func:`temir.exchange.rules.learned_key`). One that comes
before its predecessor waits (``queued``) and marks a gap on the note's cursor, which the
worker heals by asking the sender to resend (:func:`resend_request`). Each envelope gets a
receipt signed by this node.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final

from pydantic import ValidationError
from sqlalchemy.orm import Session

from temir.accounts import audit
from temir.accounts.model import Actor
from temir.accounts.repository import aware
from temir.exchange import effects, repository, rules, service
from temir.exchange.model import Envelope, EnvelopeKind, Receipt, ReceiptStatus
from temir.exchange.rules import KeyView, Place, Problem
from temir.exchange.tables import CursorRow, InboxRow
from temir.kit import clock
from temir.kit.errors import PermissionDenied, ValidationFailed
from temir.kit.i18n import N_, translate
from temir.kit.messages import define
from temir.signing.model import Signature

MAX_BATCH: Final = 1000
UNKNOWN_PEER = define("exchange", N_("{sender} is not a peer of this node."))
MIXED_SENDERS = define("exchange", N_("A batch comes from one sender."))
BATCH_SIZE = define("exchange", N_("A batch has 1 to {max} envelopes."))
NOT_AN_ENVELOPE = define("exchange", N_("Item {index} is not an envelope: {detail}"))


def _sender_of(raw: Sequence[Any]) -> str:
    senders = {str(item.get("sender", "")) for item in raw if isinstance(item, Mapping)}
    if len(senders) != 1:
        raise ValidationFailed(MIXED_SENDERS, code="exchange.mixed_senders", field="envelopes")
    return senders.pop()


def peer_view(session: Session, railway: str) -> tuple[set[str], KeyView]:
    """The kinds a peer may send and its keys; 403 ``exchange.unknown_peer`` if not a peer."""
    row = repository.peer_row(session, railway[:8])
    if row is None:
        raise PermissionDenied(
            UNKNOWN_PEER, code="exchange.unknown_peer", field="sender", sender=railway[:8] or "-"
        )
    return set(row.kinds.split(",")), service.key_view(session, row.railway)


def receive(session: Session, raw: Sequence[Any], secret: str, lang: str = "en") -> dict[str, Any]:
    """Receive a batch of envelopes from one peer (see the module doc): their receipts, the
    batch signed by this node."""
    if not 1 <= len(raw) <= MAX_BATCH:
        raise ValidationFailed(
            BATCH_SIZE, code="exchange.batch_size", field="envelopes", max=MAX_BATCH
        )
    sender = _sender_of(raw)
    allowed, keys = peer_view(session, sender)
    actor = Actor.system(f"exchange:{sender}")
    node, signer = service.node_signer(session, actor, secret)
    now = clock.now()
    parsed: list[Envelope | dict[str, Any]] = []
    for index, item in enumerate(raw):
        try:
            parsed.append(Envelope.model_validate(item))
        except ValidationError as exc:
            detail = str(exc.errors()[0].get("msg", "")) if exc.errors() else ""
            parsed.append(
                {
                    "code": "exchange.not_an_envelope",
                    "field": f"envelopes.{index}",
                    "message": translate(NOT_AN_ENVELOPE, lang, index=index, detail=detail),
                }
            )
    envelopes = [p for p in parsed if isinstance(p, Envelope)]
    for env in envelopes:  # a rotated key first: envelopes signed with it then verify
        if env.kind is EnvelopeKind.KEY_ROTATION and env.sender == sender:
            new = rules.learned_key(env, keys, node=node, now=now)
            if new is not None:
                _take_key(session, actor, sender, new, env)
                keys = service.key_view(session, sender)
    batch = _Batch(session, sender, envelopes, now)
    counts: dict[str, int] = {}
    order = sorted(range(len(parsed)), key=lambda i: _order_key(parsed[i]))
    receipts: dict[int, dict[str, Any]] = {}
    with session.no_autoflush:
        for index in order:
            item = parsed[index]
            if not isinstance(item, Envelope):
                receipts[index] = {"status": str(ReceiptStatus.REJECTED), "error": item}
                continue
            status, error = _one(batch, item, node, allowed, keys, lang)
            counts[str(status)] = counts.get(str(status), 0) + 1
            receipts[index] = _receipt(item, node, status, error, now)
        batch.write()
    out = [receipts[i] for i in range(len(parsed))]
    answer = {"receiver": node, "received_at": now.isoformat(), "receipts": out}
    signature = rules.sign("receipt", receipt_document(answer), signer, node=node, at=now)
    written = counts.get("applied", 0) + counts.get("queued", 0)
    if written:
        audit.record(
            session,
            actor,
            "exchange.received",
            "exchange_inbox",
            envelopes[0].id,
            {"sender": sender, **counts},
        )
    return {**answer, "signature": signature.model_dump(mode="json")}


def _take_key(session: Session, actor: Actor, sender: str, new: Any, env: Envelope) -> None:
    """Store a peer's new key (learned from its rotation record); its previous key is valid
    until the retirement the record names, never before the record was signed."""
    from datetime import datetime

    from temir.exchange import effects
    from temir.exchange.tables import PeerKeyRow

    session.add(
        PeerKeyRow(
            railway=sender,
            key_id=new.key_id,
            algorithm=new.algorithm,
            public_key=new.public_key,
            valid_from=new.valid_from,
            valid_until=None,
        )
    )
    document = env.payload["document"]
    previous = repository.peer_key(session, sender, str(document["previous_key_id"]))
    signed_at = Signature.model_validate(env.payload["signature"]).signed_at
    try:
        retired = datetime.fromisoformat(str(env.payload.get("retired_at")))
    except ValueError:
        retired = signed_at
    retired = max(retired, signed_at + timedelta(microseconds=1))
    if previous is not None and (
        previous.valid_until is None or aware(previous.valid_until) > retired
    ):
        previous.valid_until = retired
    session.flush()
    effects.peer_keys(session, sender)
    audit.record(
        session,
        actor,
        "exchange.key_learned",
        "exchange_peer",
        sender,
        {"key_id": new.key_id, "previous": document["previous_key_id"]},
    )


def receipt_document(answer: Mapping[str, Any]) -> dict[str, Any]:
    """What the receiver signs for a batch: who, when, and per envelope its id, payload
    digest and status (why not, for a refusal) — one signature for the whole batch."""
    return {
        "receiver": answer["receiver"],
        "received_at": answer["received_at"],
        "receipts": [
            {k: r.get(k) for k in ("envelope_id", "payload_digest", "status")}
            for r in answer["receipts"]
        ],
    }


def _order_key(item: Envelope | dict[str, Any]) -> tuple[str, int]:
    """Apply a batch in each note's order, whatever order it came in."""
    return (item.note_id, item.sequence) if isinstance(item, Envelope) else ("", 0)


def _problem(code: str, msgid: str, lang: str, **params: Any) -> dict[str, Any]:
    return {"code": code, "field": "envelope", "message": translate(msgid, lang, **params)}


class _Batch:
    """What one batch reads once and writes once: the notes' cursors, the envelopes already
    received (by id) and those waiting, the items already recorded; then the new inbox rows
    and records in two multi-row inserts."""

    def __init__(
        self, session: Session, sender: str, envelopes: Sequence[Envelope], now: datetime
    ) -> None:
        self.session, self.sender, self.now = session, sender, now
        notes = sorted({e.note_id for e in envelopes})
        self.seen = {
            r.id: (r.payload_digest, r.sequence)
            for r in repository.inbox_rows(session, [e.id for e in envelopes]).values()
        }
        self.waiting: dict[tuple[str, int], InboxRow | dict[str, Any]]
        self.cursors = repository.cursors(session, sender, notes)
        self.waiting = dict(repository.waiting(session, sender, notes))
        self.recorded = repository.recorded(session, [e.item_key for e in envelopes])
        self.inbox: list[dict[str, Any]] = []
        self.records: list[dict[str, Any]] = []

    def cursor(self, note_id: str) -> CursorRow:
        found = self.cursors.get(note_id)
        if found is None:
            found = self.cursors[note_id] = CursorRow(
                sender=self.sender, note_id=note_id, last_applied=0
            )
            self.session.add(found)
        return found

    def keep(self, env: Envelope, applied: bool) -> dict[str, Any]:
        row = {
            "id": env.id,
            "sender": env.sender,
            "kind": str(env.kind),
            "note_id": env.note_id,
            "item_key": env.item_key,
            "sequence": env.sequence,
            "payload_digest": env.payload_digest,
            "envelope": env.model_dump(mode="json"),
            "received_at": self.now,
            "applied_at": self.now if applied else None,
        }
        self.inbox.append(row)
        return row

    def apply(self, kind: str, item_key: str, note_id: str, payload: Any, envelope_id: str) -> None:
        """The effect of an envelope: its record, stored once whatever way it came."""
        if (kind, item_key) in self.recorded:
            return
        self.recorded.add((kind, item_key))
        self.records.append(
            {
                "kind": kind,
                "item_key": item_key,
                "note_id": note_id,
                "origin": self.sender,
                "payload": payload,
                "envelope_id": envelope_id,
                "recorded_at": self.now,
            }
        )

    def write(self) -> None:
        repository.insert_inbox(self.session, self.inbox)
        repository.insert_records(self.session, self.records)
        effects.apply_all(self.session, self.records)


def _one(
    batch: _Batch,
    env: Envelope,
    node: str,
    allowed: set[str],
    keys: KeyView,
    lang: str,
) -> tuple[ReceiptStatus, dict[str, Any] | None]:
    found = batch.seen.get(env.id)
    if found is not None:
        if found == (env.payload_digest, env.sequence):
            return ReceiptStatus.DUPLICATE, None
        return ReceiptStatus.REJECTED, _problem(
            "exchange.id_reused", rules.ID_REUSED, lang, id=env.id
        )
    problem = rules.check_envelope(env, node=node, allowed=allowed, keys=keys, now=batch.now)
    if problem is not None:
        return ReceiptStatus.REJECTED, _problem(
            str(problem),
            rules.MESSAGES[problem],
            lang,
            id=env.id,
            receiver=env.receiver,
            node=node,
            peer=env.sender,
            kind=str(env.kind),
            key_id=env.signature.key_id,
            signed_at=env.signature.signed_at.isoformat(),
        )
    cursor = batch.cursor(env.note_id)
    where = rules.place(cursor.last_applied, env.sequence)
    if where is Place.BEHIND or (env.note_id, env.sequence) in batch.waiting:
        return ReceiptStatus.REJECTED, _problem(
            "exchange.sequence_taken",
            rules.SEQUENCE_TAKEN,
            lang,
            sequence=env.sequence,
            note=env.note_id,
            peer=env.sender,
        )
    if where is Place.WAIT:
        batch.seen[env.id] = (env.payload_digest, env.sequence)  # a second copy: a duplicate
        batch.waiting[(env.note_id, env.sequence)] = batch.keep(env, applied=False)
        cursor.gap_since = cursor.gap_since or batch.now
        return ReceiptStatus.QUEUED, None
    batch.keep(env, applied=True)
    batch.seen[env.id] = (env.payload_digest, env.sequence)
    batch.apply(str(env.kind), env.item_key, env.note_id, env.payload, env.id)
    cursor.last_applied = env.sequence
    while (env.note_id, cursor.last_applied + 1) in batch.waiting:
        cursor.last_applied = _drain(
            batch, batch.waiting.pop((env.note_id, cursor.last_applied + 1))
        )
    if not any(n == env.note_id for n, _ in batch.waiting):
        cursor.gap_since = None
    return ReceiptStatus.APPLIED, None


def _drain(batch: _Batch, waiting: InboxRow | dict[str, Any]) -> int:
    """A waiting envelope whose turn has come, applied now (stored earlier, or in this batch
    as a row to insert): its sequence."""
    if isinstance(waiting, dict):
        waiting["applied_at"] = batch.now
        batch.apply(
            waiting["kind"],
            waiting["item_key"],
            waiting["note_id"],
            waiting["envelope"]["payload"],
            waiting["id"],
        )
        return int(waiting["sequence"])
    waiting.applied_at = batch.now
    batch.apply(
        waiting.kind, waiting.item_key, waiting.note_id, waiting.envelope["payload"], waiting.id
    )
    return waiting.sequence


def _receipt(
    env: Envelope, node: str, status: ReceiptStatus, error: dict[str, Any] | None, now: datetime
) -> dict[str, Any]:
    receipt = Receipt(
        envelope_id=env.id,
        sender=env.sender,
        receiver=node,
        status=status,
        payload_digest=env.payload_digest,
        received_at=now,
        error=error,
    )
    return receipt.model_dump(mode="json", exclude_none=True)


def check_receipts(
    answer: Mapping[str, Any], receiver: str, keys: KeyView, now: datetime
) -> dict[str, tuple[str, str]] | None:
    """Envelope id → (status, payload digest) of a batch answer signed by ``receiver`` with
    one of its keys; ``None`` when the answer is not its signed word."""
    try:
        signature = Signature.model_validate(answer.get("signature"))
        document = receipt_document(answer)
    except (ValidationError, KeyError, TypeError, AttributeError):
        return None
    if document["receiver"] != receiver:
        return None
    if rules.check_signed("receipt", document, signature, keys, now) is not None:
        return None
    return {
        str(r["envelope_id"]): (str(r["status"]), str(r["payload_digest"]))
        for r in document["receipts"]
    }


HELD: Final = frozenset(
    str(s) for s in (ReceiptStatus.APPLIED, ReceiptStatus.QUEUED, ReceiptStatus.DUPLICATE)
)


# --- resend requests ---------------------------------------------------------------------------
RESEND_AFTER: Final = timedelta(seconds=2)
ASK_AGAIN_AFTER: Final = timedelta(seconds=5)


def gaps_to_heal(session: Session, now: datetime) -> list[tuple[str, str, int, int]]:
    """(peer, note, first missing, last missing) of gaps older than :data:`RESEND_AFTER`
    not asked about in the last :data:`ASK_AGAIN_AFTER`; marks them asked."""
    out: list[tuple[str, str, int, int]] = []
    for cursor in repository.gaps(session, now - RESEND_AFTER):
        asked = cursor.resend_asked_at
        if asked is not None and aware(asked) > now - ASK_AGAIN_AFTER:
            continue
        first_waiting = repository.first_waiting(session, cursor.sender, cursor.note_id)
        if first_waiting is None:
            cursor.gap_since = None
            continue
        cursor.resend_asked_at = now
        out.append((cursor.sender, cursor.note_id, cursor.last_applied + 1, first_waiting - 1))
    return out


def resend_request(
    session: Session, peer: str, note_id: str, first: int, last: int, secret: str
) -> dict[str, Any]:
    """A signed request to ``peer`` to send envelopes ``first..last`` of a note again."""
    node, signer = service.node_signer(session, Actor.system("exchange"), secret)
    now = clock.now()
    request = {
        "requester": node,
        "sender": peer,
        "note_id": note_id,
        "first": first,
        "last": last,
        "at": now.isoformat(),
    }
    signature = rules.sign("resend", request, signer, node=node, at=now)
    return {"request": request, "signature": signature.model_dump(mode="json")}


def handle_resend(session: Session, body: Mapping[str, Any]) -> int:
    """A peer asks for envelopes again: they are due now (403 unless signed by that peer)."""
    request = body.get("request")
    if not isinstance(request, dict):
        raise ValidationFailed(
            NOT_AN_ENVELOPE, code="exchange.bad_request", field="request", index=0, detail="request"
        )
    requester = str(request.get("requester", ""))
    _allowed, keys = peer_view(session, requester)
    try:
        signature = Signature.model_validate(body.get("signature"))
        first, last = int(request["first"]), int(request["last"])
        note_id = str(request["note_id"])[:40]
    except (ValidationError, KeyError, TypeError, ValueError):
        raise ValidationFailed(
            NOT_AN_ENVELOPE, code="exchange.bad_request", field="request", index=0, detail="request"
        ) from None
    me = service.node(session)
    now = clock.now()
    problem = rules.check_signed("resend", request, signature, keys, now)
    if problem is not None or request.get("sender") != me.railway:
        raise PermissionDenied(
            rules.MESSAGES.get(problem or Problem.WRONG_RECEIVER, ""),
            code=str(problem or Problem.WRONG_RECEIVER),
            params={
                "id": "resend",
                "key_id": signature.key_id,
                "peer": requester,
                "receiver": request.get("sender"),
                "node": me.railway,
                "signed_at": signature.signed_at.isoformat(),
            },
        )
    count = repository.reopen(session, requester, note_id, first, last, now)
    audit.record(
        session,
        Actor.system(f"exchange:{requester}"),
        "exchange.resend_asked",
        "exchange_outbox",
        note_id,
        {"first": first, "last": last, "count": count},
    )
    return count


# --- what a node holds of a note ---------------------------------------------------------------
def replica_carriers(session: Session, note_id: str) -> list[str]:
    """Box 22 carriers of the newest version of a note received from a peer."""
    from temir.notes.model import Note
    from temir.tracking.rules import railway_abbr

    versions = [r for r in repository.records_of_note(session, note_id) if r.kind == "note_version"]
    if not versions:
        return []
    newest = max(versions, key=lambda r: int(r.payload["version"]))
    note = Note.model_validate(newest.payload["document"])
    return [railway_abbr(s.carrier) or s.carrier for s in note.carriers]
