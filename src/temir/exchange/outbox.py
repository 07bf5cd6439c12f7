"""The outbox: one signed envelope per peer for every change of a shared note, written in the
transaction of the change.

:func:`on_changes` subscribes to :mod:`temir.kit.changes` (named in :mod:`temir.wiring`).
Who receives a change: the other carriers of the note's box 22 that are peers of this node and
may receive its kind. The first envelope of a note to a peer is preceded by the note's earlier
versions and signatures, so the peer gets the whole chain in order (a note is shared from its
acceptance on, when box 22 is final). Each (peer, record) pair is written once — a unique
constraint says so — and numbered in sequence per note and peer, which the receiver uses to
keep the note's order.

The envelope is signed when written, with the key valid then: a rotation before delivery does
not invalidate it (the receiver checks the key was valid at signing time).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from temir.accounts.model import Actor
from temir.exchange import repository, rules, service
from temir.exchange.model import ALL_KINDS, Envelope, EnvelopeKind, header_of
from temir.exchange.tables import NodeRow, OutboxRow, PeerRow
from temir.kit import changes, clock
from temir.kit.changes import Change
from temir.kit.db import read_apart
from temir.notes.store import records as note_records
from temir.notes.store import repository as notes_repository
from temir.notes.store import signer as note_signer
from temir.signing import repository as signing_repository
from temir.signing.model import Signature

SYSTEM = Actor.system("exchange")
LAZY_NAME = "temir.exchange.outbox:on_changes"
_secret: Callable[[], str] | None = None
SHIPPED = frozenset(str(k) for k in ALL_KINDS)


def install(secret: Callable[[], str]) -> None:
    """Subscribe the outbox to changes, signing with the installation secret ``secret()``."""
    global _secret
    _secret = secret
    changes.subscribe(LAZY_NAME)  # the name temir.wiring uses: subscribed once either way


def uninstall() -> None:
    changes.unsubscribe(LAZY_NAME)


def _secret_key() -> str:
    if _secret is not None:
        return _secret()
    from temir.kit import runtime

    return runtime.secret_key()


class _Context:
    """What one transaction needs again and again: this node, its peers, its signer."""

    def __init__(self, session: Session) -> None:
        # Read apart from the writer's pending rows: a node with no peers (most installations,
        # every draft) then flushes nothing here and the write stays one flush.
        # Peers are read only by a node (without one nothing is shipped).
        with read_apart(session, NodeRow, PeerRow):
            me = repository.node(session)
            self.node = me.railway if me else None
            peers = repository.peer_rows(session) if me else ()
        self.peers = {p.railway: set(p.kinds.split(",")) for p in peers}
        self._signer: Any = None
        self.queued: dict[tuple[str, str], set[str]] = {}
        self.next_seq: dict[tuple[str, str], int] = {}

    def signer(self, session: Session) -> Any:
        if self._signer is None:
            self._signer = service.node_signer(session, SYSTEM, _secret_key())[1]
        return self._signer


def _context(session: Session) -> _Context:
    found = session.info.get("exchange.outbox")
    if found is None:
        found = session.info["exchange.outbox"] = _Context(session)
    assert isinstance(found, _Context)
    return found


def carriers_of(session: Session, note_id: str) -> list[str]:
    """Box 22 carriers of a note: the stored note's, else the newest version received."""
    row = notes_repository.note_row(session, note_id)
    if row is not None:
        return [c for c in row.carriers.split("|") if c]
    from temir.exchange.inbox import replica_carriers

    return replica_carriers(session, note_id)


def on_changes(session: Session, found: Sequence[Change]) -> None:
    """The subscriber of :mod:`temir.kit.changes`: each change of a kind peers receive, in turn
    (webhooks' ``note_step`` and ``handover_status`` are not shipped)."""
    for change in found:
        if change.kind in SHIPPED:
            on_change(session, change)


def on_change(session: Session, change: Change) -> None:
    """Write the envelopes of ``change`` (see the module doc)."""
    ctx = _context(session)
    if ctx.node is None or not ctx.peers:
        return
    if change.kind == "key_rotation":
        _rotation(session, ctx, change)
        return
    for peer in carriers_of(session, change.note_id):
        if peer == ctx.node or change.kind not in ctx.peers.get(peer, set()):
            continue
        link = (peer, change.note_id)
        if link not in ctx.queued:
            ctx.queued[link] = repository.queued_items(session, peer, change.note_id)
            if not ctx.queued[link]:
                for earlier in _chain(session, change.note_id):
                    if earlier.kind in ctx.peers[peer]:
                        _enqueue(session, ctx, peer, earlier)
        _enqueue(session, ctx, peer, change)


def _rotation(session: Session, ctx: _Context, change: Change) -> None:
    """This node's key rotated: its rotation record goes to every peer (whatever kinds they
    take), so each learns the new key from it (:func:`temir.exchange.rules.learned_key`)."""
    if change.payload.get("document", {}).get("organisation") != service.node_organisation(session):
        return  # another organisation's key (a shipper's): its notes' signatures carry it
    ctx._signer = None  # envelopes from now on are signed with the new key
    for peer in sorted(ctx.peers):
        _enqueue(session, ctx, peer, change)


def _chain(session: Session, note_id: str) -> list[Change]:
    """A stored note's versions and signatures so far, in the order they were made — those
    made here: what this node holds as received, its peers have from where it came."""
    if notes_repository.note_row(session, note_id) is None:
        return []
    versions = [
        note_records.version_change(v) for v in notes_repository.version_rows(session, note_id)
    ]
    signed: dict[int, list[Change]] = {}
    for s in notes_repository.signature_rows(session, note_id):
        signed.setdefault(s.version, []).append(note_signer.signature_change(s))
    out: list[Change] = []
    for v in versions:
        out.append(v)
        out += signed.pop(int(v.payload["version"]), [])
    received = repository.recorded(session, [c.key for c in out])
    return [c for c in out if (c.kind, c.key) not in received]


def _vouched(session: Session, change: Change) -> Change:
    """A note signature with the public half of its key beside it: the receiver puts it where
    notes verify (its ``org_keys``), vouched for by this node's signature on the envelope."""
    if change.kind != "note_signature" or "public_key" in change.payload:
        return change
    key = signing_repository.key_row(session, str(change.payload["key_id"]))
    if key is None:
        return change
    return Change(
        change.kind, change.note_id, change.key, {**change.payload, "public_key": key.public_key}
    )


def _enqueue(session: Session, ctx: _Context, peer: str, change: Change) -> None:
    link = (peer, change.note_id)
    queued = ctx.queued.setdefault(link, set())
    if change.key in queued:
        return
    queued.add(change.key)
    change = _vouched(session, change)
    sequence = ctx.next_seq.get(link) or repository.next_sequence(session, peer, change.note_id)
    ctx.next_seq[link] = sequence + 1
    now = clock.now()
    envelope = build(ctx.node or "", peer, change, sequence, now, ctx.signer(session))
    session.add(
        OutboxRow(
            id=envelope.id,
            receiver=peer,
            kind=change.kind,
            note_id=change.note_id,
            item_key=change.key,
            sequence=sequence,
            envelope=envelope.model_dump(mode="json"),
            created_at=now,
            attempts=0,
            next_attempt_at=now,
        )
    )


def build(
    sender: str, receiver: str, change: Change, sequence: int, now: datetime, signer: Any
) -> Envelope:
    """A signed envelope of ``change`` from ``sender`` to ``receiver``."""
    envelope_id = str(uuid.uuid4())
    payload = dict(change.payload)
    digest = rules.payload_digest(payload)
    header = header_of(
        envelope_id,
        sender,
        receiver,
        change.kind,
        change.note_id,
        change.key,
        sequence,
        now,
        digest,
    )
    signature: Signature = rules.sign("envelope", header, signer, node=sender, at=now)
    return Envelope(
        id=envelope_id,
        sender=sender,
        receiver=receiver,
        kind=EnvelopeKind(change.kind),
        note_id=change.note_id,
        item_key=change.key,
        sequence=sequence,
        created_at=now,
        payload=payload,
        payload_digest=digest,
        signature=signature,
    )
