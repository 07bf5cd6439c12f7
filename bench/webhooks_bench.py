"""Webhooks benchmark: what the outbox adds to event ingest, and deliveries per second.

Run: ``uv run python -m bench webhooks`` (or ``python bench/webhooks_bench.py [--events N]``).

Set-up, in one freshly migrated SQLite database: the tracking benchmark's synthetic shipper,
KZH operator and ``--notes`` accepted notes Kostanay → Dushanbe II (:mod:`bench.tracking_bench`),
and two NDJSON files of ``--events`` events each (the same wagons and stations, other keys).

- **ingest, no subscriber** (the baseline) — ``temir events import`` of the first file with the
  outbox listener installed but no subscription: what every installation pays;
- **ingest, two subscribers** — the second file with the shipper subscribed twice (one for
  ``tracking.event``, one for ``note.*`` that takes none of them): each batch also finds its
  notes' parties and writes one delivery row per event for the first subscription;
- **delivery floor** — an ``httpx`` client POSTing the same number of bodies of that size, one
  after another, to the same loopback receiver (a ``ThreadingHTTPServer``);
- **delivery Temir** — :func:`temir.webhooks.delivery.run_once` until the queue is empty: claim
  (one transaction), sign twice (HMAC and Ed25519), POST, record the attempt (another).

Prints the rates and the ratios to the baselines measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

if not __package__:  # run as ``python bench/...``: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from sqlalchemy import func, select

from bench._floor import machine, print_ratio
from bench._results import record
from bench.tracking_bench import actors, generate, make_notes, route_stations, temir_ingest
from temir import wiring
from temir.kit import migrate
from temir.kit.db import UnitOfWork, make_engine
from temir.webhooks import delivery, service
from temir.webhooks.delivery import WorkerConfig
from temir.webhooks.tables import WebhookDeliveryRow

SECRET = "bench-installation-secret"


class _Sink(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


def _rekey(source: Path, target: Path, prefix: str) -> None:
    target.write_text(source.read_text().replace('"key": "bench-', f'"key": "{prefix}-'))


def _floor_posts(url: str, count: int, size: int) -> tuple[int, float]:
    body = b"x" * size
    with httpx.Client(timeout=10) as client:
        started = time.perf_counter()
        for n in range(count):
            client.post(url, content=body, headers={"Temir-Delivery-Id": str(n)})
        return count, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=5_000)
    parser.add_argument("--notes", type=int, default=20)
    args = parser.parse_args()
    print(machine(), f"; load average {os.getloadavg()[0]:.1f}")
    wiring.install()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        try:
            migrate.upgrade(engine)
            uow = UnitOfWork(engine)
            shipper, kzh = actors(uow)
            wagons = make_notes(uow, shipper, kzh, args.notes)
            first, second = Path(tmp) / "a.ndjson", Path(tmp) / "b.ndjson"
            generate(first, wagons, args.events, route_stations())
            _rekey(first, second, "subscribed")
            base = temir_ingest(engine, first, args.events, kzh)
            with uow() as session:
                service.create(session, shipper, url=url, events=["tracking.event"])
                service.create(session, shipper, url=url + "2", events=["note.*"])
            ours = temir_ingest(engine, second, args.events, kzh)
            with uow.read() as session:
                queued = session.scalar(select(func.count()).select_from(WebhookDeliveryRow)) or 0
                size = len(str(session.scalars(select(WebhookDeliveryRow.payload)).first()))
            print(f"Ingest, {args.events:,} events ({queued:,} deliveries queued):")
            print_ratio("events", ours, base)
            floor = _floor_posts(url, queued, size + 120)
            config = WorkerConfig(batch=500, timeout=10)
            signer = delivery.signer_for(uow, SECRET)
            sent = 0
            started = time.perf_counter()
            with httpx.Client(timeout=10, follow_redirects=False) as client:
                while outcomes := delivery.run_once(uow, SECRET, config, signer=signer,
                                                    client=client):  # fmt: skip
                    sent += sum(o.status == "delivered" for o in outcomes)
            temir = (sent, time.perf_counter() - started)
            print(f"Delivery to a loopback receiver ({sent:,} of {queued:,} delivered):")
            print_ratio("deliveries", temir, floor)
            _record(args.events, base, ours, floor, temir)
        finally:
            engine.dispose()
            server.shutdown()


def _record(
    events: int,
    base: tuple[int, float],
    ours: tuple[int, float],
    floor: tuple[int, float],
    temir: tuple[int, float],
) -> None:
    def rate(pair: tuple[int, float]) -> float:
        return pair[0] / pair[1]

    def ratio(ours: tuple[int, float], base: tuple[int, float]) -> str:
        return f"time × {(ours[1] / ours[0]) / (base[1] / base[0]):.2f}"

    queued = "one delivery per event queued in the same transaction"
    worker = "claim, HMAC + Ed25519, POST, log"

    record(
        "webhooks",
        f"""## Webhooks: the outbox in event ingest, and deliveries per second

`python -m bench webhooks` ({machine()}; load average {os.getloadavg()[0]:.1f}; SQLite;
{events:,} events per file, batch 5,000; the receiver a `ThreadingHTTPServer` on loopback).

| what | rate | ratio |
|---|---|---|
| ingest, no subscriber (baseline) | {rate(base):,.0f} events/s | 1 |
| ingest, two subscribers ({queued}) | {rate(ours):,.0f} events/s | {ratio(ours, base)} |
| delivery floor: bare `httpx` POSTs, one after another | {rate(floor):,.0f} POST/s | 1 |
| delivery by the worker ({worker}) | {rate(temir):,.0f} /s | {ratio(temir, floor)} |
""",
    )


if __name__ == "__main__":
    main()
