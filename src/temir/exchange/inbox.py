"""The inbox: what a node does with envelopes from its peers, each batch in one transaction.

For every envelope: refuse it unless it comes from a known peer, is addressed here, is of a
kind that peer may send, and is signed with a key of that peer valid when it signed
(:func:`temir.exchange.rules.check_envelope`); answer ``duplicate`` if its id was received
before (nothing written again); otherwise write it to the inbox and, if it is the next of its
note from that peer, apply it — its *effect* is the record it carries, stored once per item
(``exchange_records``) — followed by any envelopes that were waiting for it. One that comes
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
from temir.exchange import repository, rules, service
from temir.exchange.model import Envelope, Receipt, ReceiptStatus
from temir.exchange.rules import KeyView, Place, Problem
from temir.exchange.tables import CursorRow, InboxRow, RecordRow
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


def receive(
    session: Session, raw: Sequence[Any], secret: str, lang: str = "en"
) -> list[dict[str, Any]]:
    """Receive a batch of envelopes from one peer (see the module doc): their receipts."""
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
    seen = repository.inbox_rows(session, [e.id for e in envelopes])
    cursors: dict[str, CursorRow] = {}
    counts: dict[str, int] = {}
    order = sorted(range(len(parsed)), key=lambda i: _order_key(parsed[i]))
    receipts: dict[int, dict[str, Any]] = {}
    for index in order:
        item = parsed[index]
        if not isinstance(item, Envelope):
            receipts[index] = {"status": str(ReceiptStatus.REJECTED), "error": item}
            continue
        status, error = _one(session, item, node, allowed, keys, seen, cursors, now, lang)
        counts[str(status)] = counts.get(str(status), 0) + 1
        receipt = _receipt(item, node, status, error, now, signer)
        receipts[index] = receipt.model_dump(mode="json", exclude_none=True)
    out = [receipts[i] for i in range(len(parsed))]
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
    return out


def _order_key(item: Envelope | dict[str, Any]) -> tuple[str, int]:
    """Apply a batch in each note's order, whatever order it came in."""
    return (item.note_id, item.sequence) if isinstance(item, Envelope) else ("", 0)


def _problem(code: str, msgid: str, lang: str, **params: Any) -> dict[str, Any]:
    return {"code": code, "field": "envelope", "message": translate(msgid, lang, **params)}


def _one(
    session: Session,
    env: Envelope,
    node: str,
    allowed: set[str],
    keys: KeyView,
    seen: dict[str, InboxRow],
    cursors: dict[str, CursorRow],
    now: datetime,
    lang: str,
) -> tuple[ReceiptStatus, dict[str, Any] | None]:
    found = seen.get(env.id)
    if found is not None:
        if found.payload_digest == env.payload_digest and found.sequence == env.sequence:
            return ReceiptStatus.DUPLICATE, None
        return ReceiptStatus.REJECTED, _problem(
            "exchange.id_reused", rules.ID_REUSED, lang, id=env.id
        )
    problem = rules.check_envelope(env, node=node, allowed=allowed, keys=keys, now=now)
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
    cursor = cursors.get(env.note_id)
    if cursor is None:
        cursor = cursors[env.note_id] = repository.cursor(session, env.sender, env.note_id)
    where = rules.place(cursor.last_applied, env.sequence)
    taken = (
        None
        if where is Place.APPLY
        else repository.inbox_at(session, env.sender, env.note_id, env.sequence)
    )
    if where is Place.BEHIND or taken is not None:
        return ReceiptStatus.REJECTED, _problem(
            "exchange.sequence_taken",
            rules.SEQUENCE_TAKEN,
            lang,
            sequence=env.sequence,
            note=env.note_id,
            peer=env.sender,
        )
    row = InboxRow(
        id=env.id,
        sender=env.sender,
        kind=str(env.kind),
        note_id=env.note_id,
        item_key=env.item_key,
        sequence=env.sequence,
        payload_digest=env.payload_digest,
        envelope=env.model_dump(mode="json"),
        received_at=now,
        applied_at=None,
    )
    session.add(row)
    seen[env.id] = row
    if where is Place.WAIT:
        cursor.gap_since = cursor.gap_since or now
        return ReceiptStatus.QUEUED, None
    _apply(session, row, now)
    cursor.last_applied = env.sequence
    while True:
        waiting = repository.inbox_at(session, env.sender, env.note_id, cursor.last_applied + 1)
        if waiting is None:
            break
        _apply(session, waiting, now)
        cursor.last_applied = waiting.sequence
    if repository.first_waiting(session, env.sender, env.note_id) is None:
        cursor.gap_since = None
    return ReceiptStatus.APPLIED, None


def _apply(session: Session, row: InboxRow, now: datetime) -> None:
    """The effect of an envelope: its record, stored once whatever way it came."""
    row.applied_at = now
    if repository.record(session, row.kind, row.item_key) is None:
        session.add(
            RecordRow(
                kind=row.kind,
                item_key=row.item_key,
                note_id=row.note_id,
                origin=row.sender,
                payload=row.envelope["payload"],
                envelope_id=row.id,
                recorded_at=now,
            )
        )
        session.flush()


def _receipt(
    env: Envelope,
    node: str,
    status: ReceiptStatus,
    error: dict[str, Any] | None,
    now: datetime,
    signer: Any,
) -> Receipt:
    receipt = Receipt(
        envelope_id=env.id,
        sender=env.sender,
        receiver=node,
        status=status,
        payload_digest=env.payload_digest,
        received_at=now,
        error=error,
    )
    if status is ReceiptStatus.REJECTED:
        return receipt
    signature = rules.sign("receipt", receipt.document(), signer, node=node, at=now)
    return receipt.model_copy(update={"signature": signature})


def check_receipt(
    receipt: Receipt, envelope: Mapping[str, Any], keys: KeyView, now: datetime
) -> bool:
    """Whether ``receipt`` is the receiver's signed word that it holds ``envelope``."""
    if (
        receipt.status not in (ReceiptStatus.APPLIED, ReceiptStatus.QUEUED, ReceiptStatus.DUPLICATE)
        or receipt.signature is None
    ):
        return False
    if (
        receipt.envelope_id != envelope["id"]
        or receipt.payload_digest != envelope["payload_digest"]
        or receipt.receiver != envelope["receiver"]
    ):
        return False
    return rules.check_signed("receipt", receipt.document(), receipt.signature, keys, now) is None


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
