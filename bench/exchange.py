"""Exchange benchmark: durable envelopes per second between two nodes on loopback.

Run: ``uv run python -m bench exchange [-- --events 5000]``.

Set-up: two nodes in a temporary folder, each its own SQLite database (WAL): KZH, with the
reference network, a synthetic shipper and ten notes Kostanay → Dushanbe II accepted by KZH;
UTI, a server process (uvicorn, as ``temir serve`` runs it, worker off). They are each other's
peer. ``--events`` station arrivals of the notes' wagons (varied notes, wagons, stations and
times, real ESR codes of the KZH section) are imported at KZH as ``temir events import``
does, which writes one signed envelope per event for UTI into KZH's outbox in the same
transactions (plus the notes' versions and signatures).

- **floor** — the same envelopes, in the same batches (500, as the worker sends them), POSTed
  over HTTP (keep-alive) to a bare ASGI app in its own uvicorn process that inserts each as
  raw JSON into a SQLite table,
  one transaction per batch: the least any node pays to get an envelope durably stored;
- **Temir** — KZH's delivery worker (:func:`temir.exchange.worker.deliver_once`, as ``temir
  exchange worker`` runs it) until the outbox is empty: each batch read from the outbox, sent,
  checked at UTI (known peer, kind, payload digest, Ed25519 signature with a key valid at
  signing time), deduplicated, ordered per note, written with its effect and an audit record
  in one transaction (versions, signatures and events into UTI's notes and tracking tables),
  answered with a signed receipt per envelope, each receipt verified at
  KZH and the envelope marked delivered.

"Durable" means committed: SQLite in WAL mode with ``synchronous=NORMAL`` (Temir's setting)
survives a crash of the process, not necessarily a power cut. Prints both rates, the ratio,
and whether the target (≥ 500 envelopes/s) holds.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

if not __package__:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from sqlalchemy import func, select

from bench._floor import machine, print_ratio
from bench._results import record
from temir.accounts import service as accounts
from temir.accounts.model import Channel
from temir.exchange import demo, outbox
from temir.exchange import worker as delivery
from temir.exchange.tables import OutboxRow, RecordRow
from temir.kit import migrate
from temir.kit.db import make_engine
from temir.notes.store import service as notes
from temir.notes.store.tables import NoteVersionRow
from temir.tracking import bulk
from temir.tracking.tables import TrackingEventRow

SECRET = "bench-exchange-secret"
STATIONS = ("684001", "671707", "698004", "704101")  # Kostanay, Kyzylorda, Arys, Saryagash (exp.)
TARGET = 500


def _port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _nodes(home: Path) -> tuple[demo.Node, demo.Node]:
    bare = home / "migrated.sqlite3"
    engine = make_engine(f"sqlite:///{bare}")
    migrate.upgrade(engine)
    engine.dispose()
    kzh = demo.prepare(
        "KZH",
        f"sqlite:///{home / 'kzh.sqlite3'}",
        home / "kzh",
        _port(),
        secret=SECRET,
        reference=True,
        template=bare,
    )
    uti = demo.prepare(
        "UTI",
        f"sqlite:///{home / 'uti.sqlite3'}",
        home / "uti",
        _port(),
        secret=SECRET,
        reference=False,
        template=bare,
    )
    demo.link([kzh, uti])
    return kzh, uti


def _notes_and_events(kzh: demo.Node, count: int, rng: random.Random) -> None:
    """Ten accepted notes, then ``count`` events of their wagons imported in batches of 5,000."""
    outbox.install(lambda: SECRET)
    uow = kzh.uow()
    wagons: list[tuple[str, str]] = []
    with uow() as session:
        shipper = accounts.actor_for(session, kzh.users["shipper"], Channel.CLI)
        operator = accounts.actor_for(session, kzh.users["operator"], Channel.CLI)
        for _ in range(10):
            note = notes.create_note(session, shipper, demo.example_draft(), secret=SECRET)
            notes.submit(session, shipper, note.summary.id)
            notes.accept(
                session,
                operator,
                note.summary.id,
                consignment_number=f"B{uuid.uuid4().hex[:8]}",
                secret=SECRET,
            )
            wagons += [(note.summary.id, w["number"]) for w in note.document["wagons"]]
    start = datetime.now(UTC) - timedelta(hours=count // 3600 + 2)
    lines = []
    for i in range(count):
        note_id, wagon = rng.choice(wagons)
        lines.append(
            {
                "key": f"bench-{uuid.uuid4().hex}",
                "kind": "station_arrival",
                "unit": wagon,
                "station_esr": rng.choice(STATIONS),
                "note_id": note_id,
                "at": (start + timedelta(seconds=i)).isoformat(),
                "remarks": "synthetic" + "." * rng.randrange(0, 120),
            }
        )
    for first in range(0, count, 5000):
        with uow() as session:
            outcome = bulk.batch_outcome(
                session, operator, list(enumerate(lines[first : first + 5000], start=1))
            )
            assert outcome.written, outcome.to_dict()
    outbox.uninstall()


def _pending(kzh: demo.Node) -> list[dict[str, object]]:
    with kzh.uow().read() as session:
        rows = session.scalars(
            select(OutboxRow.envelope)
            .where(OutboxRow.delivered_at.is_(None))
            .order_by(OutboxRow.note_id, OutboxRow.sequence)
        ).all()
    return list(rows)


def _floor(home: Path, envelopes: list[dict[str, object]]) -> float:
    port = _port()
    env = {**os.environ, "FLOOR_DB": str(home / "floor.sqlite3")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bench._exchange_floor:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        with httpx.Client() as client:
            for _ in range(200):
                try:
                    client.post(url, json={"envelopes": []})
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            began = time.perf_counter()
            for first in range(0, len(envelopes), delivery.BATCH):
                answer = client.post(
                    url, json={"envelopes": envelopes[first : first + delivery.BATCH]}
                )
                assert answer.status_code == 200
            return time.perf_counter() - began
    finally:
        process.terminate()
        process.wait()


def _temir(kzh: demo.Node, uti: demo.Node) -> float:
    demo.start(uti, worker=False)
    try:
        uow = kzh.uow()
        with httpx.Client() as client:
            began = time.perf_counter()
            while True:
                done = delivery.deliver_once(uow, SECRET, client)
                assert not done.errors, done.errors
                if done.sent == 0:
                    break
            return time.perf_counter() - began
    finally:
        demo.kill(uti, hard=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="temir-bench-exchange-") as tmp:
        home = Path(tmp)
        print(machine())
        print("setting up two nodes (KZH with the reference network, UTI) ...")
        kzh, uti = _nodes(home)
        _notes_and_events(kzh, args.events, random.Random(args.seed))
        envelopes = _pending(kzh)
        print(f"{len(envelopes):,} envelopes in KZH's outbox for UTI")
        floor_s = _floor(home, envelopes)
        temir_s = _temir(kzh, uti)
        with uti.uow().read() as session:
            stored = session.scalar(select(func.count()).select_from(RecordRow))
        assert stored == len(envelopes), (stored, len(envelopes))
        with uti.uow().read() as session:  # each took effect in UTI's own stores too
            events = session.scalar(select(func.count()).select_from(TrackingEventRow))
            versions = session.scalar(select(func.count()).select_from(NoteVersionRow))
        kinds = [e["kind"] for e in envelopes]
        assert events == kinds.count("event"), (events, kinds.count("event"))
        assert versions == kinds.count("note_version"), versions
        assert _pending(kzh) == []
        print(f"durable envelopes KZH → UTI on loopback (batches of {delivery.BATCH}):")
        print_ratio("envelopes", (len(envelopes), temir_s), (len(envelopes), floor_s))
        rate, floor_rate = len(envelopes) / temir_s, len(envelopes) / floor_s
        ok = rate >= TARGET
        print(f"  target ≥ {TARGET}/s: {'met' if ok else 'NOT met'}")
        record("exchange", _section(len(envelopes), rate, floor_rate, ok))
    return 0


def _section(count: int, rate: float, floor_rate: float, ok: bool) -> str:
    lines = [
        "## Exchange: durable envelopes between two nodes (bench/exchange.py)",
        "",
        "`uv run python -m bench exchange [-- --events 5000]` — two nodes on loopback, each its "
        "own SQLite database (WAL, synchronous=NORMAL): KZH with ten accepted notes whose "
        "events are imported as `temir events import` does (one signed envelope per event "
        "into the outbox, same transaction), UTI a uvicorn server process. Floor: the same "
        "envelopes in the same batches POSTed to a bare ASGI app that inserts them as raw "
        "JSON, one transaction per batch. Temir: KZH's delivery worker until the outbox is "
        "empty — checks (peer, kind, digest, Ed25519 signature with a key valid at signing "
        "time), dedup, order per note, effect (versions, signatures and events written into "
        "UTI's own notes and tracking tables) and audit in one transaction per batch, one "
        "signed receipt per batch verified at KZH, envelopes marked delivered.",
        "",
        f"- {machine()}; {datetime.now(UTC):%Y-%m-%d}, a shared machine (load average "
        f"{os.getloadavg()[0]:.0f} during the run: figures are low, the ratio is the point)",
        f"- batches of {delivery.BATCH}; a first version with a query per envelope and a "
        "signature per receipt did 75/s in the same conditions",
        f"- {count:,} envelopes; floor {floor_rate:,.0f}/s; Temir **{rate:,.0f}/s** "
        f"(×{floor_rate / rate:.2f} the floor's time per envelope); target ≥ {TARGET}/s "
        f"{'met' if ok else 'NOT met'}",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
