"""Three real nodes for the fault tests: KZH (SQLite, with the reference network: notes are
checked there), UTI (SQLite), TDZ (PostgreSQL), each its own uvicorn process and database."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from temir.exchange import demo, repository
from temir.exchange.demo import Node
from temir.exchange.tables import InboxRow, OutboxRow, RecordRow
from temir.kit import migrate
from temir.kit.db import make_engine
from temir.notes.store.tables import NoteSignatureRow, NoteVersionRow
from temir.tracking.tables import TrackingEventRow
from tests.conftest import fresh_postgres_database, worker_suffix

SECRET = "exchange-fault-tests-secret"
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def federation(home: Path) -> Iterator[dict[str, Node]]:
    urls = {
        "KZH": f"sqlite:///{home / 'kzh.sqlite3'}",
        "UTI": f"sqlite:///{home / 'uti.sqlite3'}",
        "TDZ": fresh_postgres_database(f"exchange_tdz_{worker_suffix()}"),
    }
    bare = home / "migrated.sqlite3"  # migrated once, copied for each SQLite node
    engine = make_engine(f"sqlite:///{bare}")
    migrate.upgrade(engine)
    engine.dispose()  # checkpoints the WAL: the file alone is the database
    nodes = {
        r: demo.prepare(
            r,
            url,
            home / r.lower(),
            free_port(),
            secret=SECRET,
            reference=r == "KZH",
            template=bare if "sqlite" in url else None,
        )
        for r, url in urls.items()
    }
    demo.link(list(nodes.values()))
    try:
        for node in nodes.values():  # all three start together
            demo.launch(node)
        for node in nodes.values():
            demo.wait_up(node)
        yield nodes
    finally:
        for node in nodes.values():
            demo.kill(node)


def restart(node: Node, *, worker: bool = True) -> None:
    demo.kill(node)
    demo.start(node, worker=worker)


def holdings(nodes: dict[str, Node], note_id: str) -> dict[str, dict[str, Any]]:
    return {r: demo.holding(n, note_id) for r, n in nodes.items()}


def agree(nodes: dict[str, Node], note_id: str, timeout: float = 40) -> bool:
    """Every node holds the same of the note (versions, signatures, events, acts, custody)."""

    def same() -> bool:
        held = list(holdings(nodes, note_id).values())
        return all(h == held[0] for h in held)

    return demo.until(same, timeout, every=0.25)


def local(node: Node, note_id: str) -> dict[str, Any]:
    """What ``node``'s own notes and tracking tables hold of the note — not the exchange
    tables: custody and status of the note row, versions, signatures, events, each act's state
    and signatures, and whether the tracking API verifies each act's signed halves there."""
    from temir.notes.store import repository as notes_repository
    from temir.tracking import repository as tracking_repository

    with node.uow().read() as session:
        row = notes_repository.note_row(session, note_id)
        if row is None:
            return {}
        acts = tracking_repository.act_rows_of_note(session, note_id)
        signed = tracking_repository.signature_rows(session, [a.id for a in acts])
        out: dict[str, Any] = {
            "custody": row.custody,
            "status": row.status,
            "current_version": row.current_version,
            "carriers": row.carriers,
            "versions": {
                v.version: v.digest for v in notes_repository.version_rows(session, note_id)
            },
            "signatures": sorted(
                f"v{s.version}:{s.key_id}:{s.digest}"
                for s in notes_repository.signature_rows(session, note_id)
            ),
            "events": sorted(
                f"{e.key}:{e.kind}:{e.act_id}"
                for e in tracking_repository.events_of_note(session, note_id)
            ),
            "acts": {
                a.id: {
                    "from": a.from_railway,
                    "to": a.to_railway,
                    "status": a.status,
                    "offer_digest": a.offer_digest,
                    "decision_digest": a.decision_digest,
                    "signatures": sorted(
                        f"{s.stage}:{s.key_id}:{s.value}" for s in signed if s.act_id == a.id
                    ),
                }
                for a in acts
            },
        }
    if out["acts"]:
        for act in demo.call(node, "GET", f"/api/v1/handovers/{note_id}")["acts"]:
            out["acts"][act["act_id"]]["verification"] = act["verification"]
    return out


def agree_locally(nodes: dict[str, Node], note_id: str, timeout: float = 40) -> bool:
    """Every node's own notes and tracking tables hold the same of the note."""

    def same() -> bool:
        held = [local(n, note_id) for n in nodes.values()]
        return bool(held[0]) and all(h == held[0] for h in held)

    return demo.until(same, timeout, every=0.25)


def counts_once(node: Node, note_id: str) -> bool:
    """Nothing of the note is stored twice at ``node`` (records, versions, signatures, events)."""
    uow = node.uow()
    with uow.read() as session:
        records = repository.records_of_note(session, note_id)
        if len(records) != len({(r.kind, r.item_key) for r in records}):
            return False
        for table, key in (
            (NoteVersionRow, NoteVersionRow.version),
            (NoteSignatureRow, NoteSignatureRow.key_id),
            (TrackingEventRow, TrackingEventRow.key),
        ):
            total = session.scalar(select(func.count()).where(table.note_id == note_id))
            distinct = session.scalar(
                select(func.count(func.distinct(key))).where(table.note_id == note_id)
            )
            if total != distinct:
                return False
    return True


def _detached(session: Session, rows: Iterable[T]) -> list[T]:
    """Rows readable after their read-only session ends (it rolls back, which expires them)."""
    out = list(rows)
    session.expunge_all()
    return out


def outbox(node: Node, note_id: str, receiver: str) -> list[OutboxRow]:
    uow = node.uow()
    with uow.read() as session:
        query = (
            select(OutboxRow)
            .where(OutboxRow.note_id == note_id, OutboxRow.receiver == receiver)
            .order_by(OutboxRow.sequence)
        )
        return _detached(session, session.scalars(query))


def records(node: Node, note_id: str) -> list[RecordRow]:
    uow = node.uow()
    with uow.read() as session:
        return _detached(session, repository.records_of_note(session, note_id))


def inbox(node: Node, note_id: str) -> list[InboxRow]:
    uow = node.uow()
    with uow.read() as session:
        return _detached(
            session, session.scalars(select(InboxRow).where(InboxRow.note_id == note_id))
        )


def wagon_of(kzh: Node, note_id: str) -> str:
    note = demo.call(kzh, "GET", f"/api/v1/notes/{note_id}", "shipper")
    return str(note["document"]["wagons"][0]["number"])


def events(kzh: Node, note_id: str, count: int) -> list[str]:
    """Report ``count`` station arrivals of the note's first wagon at Kostanay (one batch)."""
    wagon = wagon_of(kzh, note_id)
    start = datetime.now(UTC) - timedelta(seconds=1)
    keys = [f"fault-{uuid.uuid4().hex}" for _ in range(count)]
    lines = [
        {
            "key": key,
            "kind": "station_arrival",
            "unit": wagon,
            "station_esr": "684001",
            "at": (start + timedelta(milliseconds=i)).isoformat(),
            "note_id": note_id,
        }
        for i, key in enumerate(keys)
    ]
    import json

    body = "\n".join(json.dumps(line) for line in lines)
    demo.call(
        kzh,
        "POST",
        "/api/v1/tracking/events/batch",
        content=body,
        headers={"Content-Type": "application/x-ndjson"},
    )
    return keys


def held_note(kzh: Node) -> tuple[str, list[OutboxRow]]:
    """A note made and accepted at KZH's database by this process (as a second KZH process
    would), its envelopes committed in the same transaction but held back from delivery:
    the in-flight envelopes of the tests. ``service.retry`` releases them."""
    from temir.accounts import service as accounts
    from temir.accounts.model import Channel
    from temir.exchange import outbox
    from temir.notes.store import service as notes

    outbox.install(lambda: SECRET)
    uow = kzh.uow()
    with uow() as session:
        shipper = accounts.actor_for(session, kzh.users["shipper"], Channel.API)
        operator = accounts.actor_for(session, kzh.users["operator"], Channel.API)
        note_id = notes.create_note(
            session, shipper, demo.example_draft(), secret=SECRET
        ).summary.id
        notes.submit(session, shipper, note_id)
        notes.accept(
            session, operator, note_id, consignment_number=f"H{uuid.uuid4().hex[:8]}", secret=SECRET
        )
        session.flush()
        session.execute(
            update(OutboxRow)
            .where(OutboxRow.note_id == note_id)
            .values(next_attempt_at=datetime.now(UTC) + timedelta(days=1))
        )
    return note_id, outbox_rows(kzh, note_id)


def outbox_rows(node: Node, note_id: str) -> list[OutboxRow]:
    uow = node.uow()
    with uow.read() as session:
        query = select(OutboxRow).where(OutboxRow.note_id == note_id)
        return _detached(session, session.scalars(query.order_by(OutboxRow.sequence)))
