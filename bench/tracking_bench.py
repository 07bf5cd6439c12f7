"""Tracking benchmark: event ingest (NDJSON, batch 5,000) and a 200-event wagon timeline.

Run: ``uv run python bench/tracking_bench.py [--events 50000] [--postgres [--database NAME]]``.

Set-up, in one freshly migrated database: a synthetic shipper and a KZH operator, ``--notes``
notes Kostanay → Dushanbe II accepted by KZH (two new wagons each, real ESR codes), and
``--events`` events of those wagons at the real stations of the KZH section in route order
(arrival and departure at each, times increasing), written as NDJSON. One wagon gets exactly
200 events for the timeline.

- **ingest floor** — ``json.loads`` per line and an executemany INSERT of the raw values into a
  scratch table with the same nine columns, one transaction per 5,000 lines: the least any
  importer pays to get these lines into this database (dropped however the run ends);
- **ingest Temir** — :func:`temir.tracking.bulk.import_records` as ``temir events import`` runs
  it, as the KZH operator: every line checked (codes with check digits, times, kinds, reporter),
  its key compared with the batch and the stored keys, its note found by the wagon, canonical
  digest, executemany insert, one audit record per batch.
- **timeline floor** — a read session and the indexed SELECT of the wagon's 200 rows;
- **timeline Temir** — :func:`temir.tracking.timeline.track` as the consignor (the note with
  its visibility check, route from box 22, acts, events ordered, flags, positions, ETA and delay).

Prints rates, the ratio Temir ÷ floor, and whether the targets hold (≥ 5,000 events/s on
SQLite, ≥ 10,000/s on PostgreSQL; timeline p50 ≤ 10 ms).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

if not __package__:  # run as ``python bench/...``: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from bench._floor import bar, machine, print_ratio, scratch_table
from bench.notes_import_bench import scratch_postgres
from temir.accounts import service as accounts
from temir.accounts.model import Actor, Channel, OrganisationKind, Role
from temir.codes import wagon_check_digit
from temir.kit import migrate
from temir.kit.db import UnitOfWork, make_engine
from temir.network.view import shipped_view
from temir.notes.example import example_note
from temir.notes.lifecycle import draft_of
from temir.notes.store import service as notes
from temir.tracking import bulk, timeline
from temir.tracking.tables import TrackingEventRow
from temir.tracking.timeline import note_route

BATCH = 5_000
TIMELINE_EVENTS = 200
TIMELINE_RUNS = 200


def route_stations() -> list[str]:
    """Codes of the KZH section Kostanay → Saryagash (exp.) in route order (real TR-4 codes)."""
    view = shipped_view()
    route = note_route(example_note(), view)
    assert route is not None
    leg = route.legs[0]
    found = []
    for esr, facts in view.router.data.stations.items():
        if facts.railway == "KZH":
            km = route.position(esr, view)
            if km is not None and km <= leg.km:
                found.append((km, esr))
    return [esr for _, esr in sorted(found)]


def wagon(n: int) -> str:
    body = f"6{n:06d}"
    return body + str(wagon_check_digit(body))


def actors(uow: UnitOfWork) -> tuple[Actor, Actor]:
    system = Actor.system("bench")
    with uow() as session:
        for slug, kind, railway in (
            ("bench-shipper", OrganisationKind.SHIPPER, None),
            ("bench-kzh", OrganisationKind.RAILWAY, "KZH"),
            ("bench-uti", OrganisationKind.RAILWAY, "UTI"),
            ("bench-tdz", OrganisationKind.RAILWAY, "TDZ"),
        ):
            accounts.create_organisation(session, system, slug=slug, name=slug, kind=kind,
                                         country="KZ", railway_code=railway)  # fmt: skip
        shipper = accounts.create_user(
            session, system, username="bench-shipper", role=Role.SHIPPER,
            organisation="bench-shipper",
        )  # fmt: skip
        kzh = accounts.create_user(
            session, system, username="bench-kzh", role=Role.RAILWAY_OPERATOR,
            organisation="bench-kzh",
        )  # fmt: skip
    return shipper.actor(Channel.CLI), kzh.actor(Channel.CLI)


def make_notes(uow: UnitOfWork, shipper: Actor, kzh: Actor, count: int) -> list[str]:
    """``count`` accepted notes with two wagons each; returns the wagons in order."""
    base = draft_of(example_note()).model_dump(mode="json", exclude_none=True)
    wagons: list[str] = []
    with bar("notes (create, submit, accept)", count) as update:
        for n in range(count):
            doc = json.loads(json.dumps(base))
            pair = [wagon(2 * n), wagon(2 * n + 1)]
            old = [w["number"] for w in doc["wagons"]]
            swap = dict(zip(old, pair, strict=True))
            for w in doc["wagons"]:
                w["number"] = swap[w["number"]]
            for item in (*doc["goods"], *doc["seals"]):
                item["wagon_number"] = swap[item["wagon_number"]]
            with uow() as session:
                note_id = notes.create_note(session, shipper, doc).summary.id
                notes.submit(session, shipper, note_id)
                notes.accept(session, kzh, note_id, consignment_number=f"B{n:06d}",
                             contract_date=datetime.now(UTC) - timedelta(days=12))  # fmt: skip
            wagons += pair
            update(n + 1)
    return wagons


def generate(path: Path, wagons: list[str], total: int, stations: list[str]) -> str:
    """NDJSON events; the first wagon gets exactly 200 (the timeline's), the rest share."""
    start = datetime.now(UTC) - timedelta(days=11)
    per_other = max((total - TIMELINE_EVENTS) // max(len(wagons) - 1, 1), 2)
    written = 0
    with path.open("w", encoding="utf-8") as out:
        for index, unit in enumerate(wagons):
            count = TIMELINE_EVENTS if index == 0 else per_other
            step = min(timedelta(minutes=40), timedelta(days=10) / count)
            for k in range(count):
                if written >= total:
                    break
                esr = stations[min(k // 2, len(stations) - 1)]
                kind = "station_arrival" if k % 2 == 0 else "station_departure"
                at = start + step * k + timedelta(seconds=index)
                line = {"key": f"bench-{unit}-{k}", "kind": kind, "unit": unit,
                        "station_esr": esr, "at": at.isoformat()}  # fmt: skip
                out.write(json.dumps(line) + "\n")
                written += 1
    return wagons[0]


COLUMNS = ["key", "kind", "unit", "station_esr", "at", "reporter", "note_id", "hold", "remarks"]


def floor(engine: Engine, lines: Path, total: int) -> tuple[int, float]:
    uow = UnitOfWork(engine)
    with scratch_table(engine, "bench_floor_events", COLUMNS) as table:
        started = time.perf_counter()
        written = 0
        pending: list[dict[str, object]] = []

        def flush() -> None:
            nonlocal written
            with uow() as session:
                session.execute(insert(table), pending)
            written += len(pending)
            pending.clear()

        with bar("floor (json.loads + insert)", total) as update, lines.open("rb") as fh:
            for number, raw in enumerate(fh, start=1):
                data = json.loads(raw)
                pending.append({"line": number, **{c: data.get(c) for c in COLUMNS}})
                if len(pending) >= BATCH:
                    flush()
                    update(written)
            if pending:
                flush()
        return written, time.perf_counter() - started


def temir_ingest(engine: Engine, lines: Path, total: int, kzh: Actor) -> tuple[int, float]:
    uow = UnitOfWork(engine)
    started = time.perf_counter()
    with bar("Temir (events import)", total) as update, lines.open("r", encoding="utf-8") as fh:
        report = bulk.import_records(uow, kzh, bulk.ndjson_records(fh), batch=BATCH,
                                     on_batch=lambda r: update(r.read))  # fmt: skip
    elapsed = time.perf_counter() - started
    assert report.batches_refused == 0, report.to_dict()["rejected"][:3]
    print(f"  Temir: {report.recorded:,} recorded, {report.duplicates:,} duplicates")
    return report.recorded, elapsed


def _p(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(share * len(ordered)), len(ordered) - 1)]


def timelines(engine: Engine, unit: str, shipper: Actor) -> None:
    uow = UnitOfWork(engine)
    table = TrackingEventRow.__table__
    base: list[float] = []
    ours: list[float] = []
    cpu: list[float] = []
    with uow.read() as session:  # warm: the route engine, the norms, the first query plans
        found = timeline.track(session, shipper, unit)
    assert len(found.units[0].entries) == TIMELINE_EVENTS, len(found.units[0].entries)
    flagged = sum(1 for e in found.units[0].entries if e.flags)
    for _ in range(TIMELINE_RUNS):
        t0 = time.perf_counter()
        with uow.read() as session:
            rows = session.execute(
                select(table).where(table.c.unit == unit).order_by(table.c.at)
            ).all()
        base.append(time.perf_counter() - t0)
        assert len(rows) == TIMELINE_EVENTS
        t0, c0 = time.perf_counter(), time.process_time()
        with uow.read() as session:
            timeline.track(session, shipper, unit)
        ours.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    p50, p95, f50 = _p(ours, 0.5) * 1000, _p(ours, 0.95) * 1000, _p(base, 0.5) * 1000
    print(f"timeline of {TIMELINE_EVENTS} events, {TIMELINE_RUNS} runs ({flagged} flagged):")
    print(f"  floor  p50 {f50:6.2f} ms  (read session + indexed SELECT of the rows)")
    print(f"  Temir  p50 {p50:6.2f} ms, p95 {p95:6.2f} ms (wall); "
          f"CPU of this process p50 {_p(cpu, 0.5) * 1000:.2f} ms")  # fmt: skip
    print(f"  ratio Temir ÷ floor (p50): ×{p50 / f50:.1f}; target p50 ≤ 10 ms: "
          f"{'yes' if p50 <= 10 else 'NO'}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--notes", type=int, default=100)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--database", default="temir_bench_tracking")
    args = parser.parse_args()
    print(machine(), f"; load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        url = (scratch_postgres(args.database) if args.postgres
               else f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")  # fmt: skip
        engine = make_engine(url)
        try:
            migrate.upgrade(engine)
            uow = UnitOfWork(engine)
            shipper, kzh = actors(uow)
            wagons = make_notes(uow, shipper, kzh, args.notes)
            lines = Path(tmp) / "events.ndjson"
            unit = generate(lines, wagons, args.events, route_stations())
            base = floor(engine, lines, args.events)
            ours = temir_ingest(engine, lines, args.events, kzh)
            backend = "PostgreSQL" if args.postgres else "SQLite"
            target = 10_000 if args.postgres else 5_000
            print(f"{backend}, {args.events:,} events, batch {BATCH}:")
            print_ratio("events", ours, base)
            rate = ours[0] / ours[1]
            print(f"  target ≥ {target:,} events/s: {'yes' if rate >= target else 'NO'}")
            timelines(engine, unit, shipper)
        finally:
            engine.dispose()


if __name__ == "__main__":
    main()
