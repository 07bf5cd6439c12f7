"""Notes import benchmark: ``temir notes import`` of 100,000 drafts, batch 1000, against a floor.

Run: ``uv run python bench/notes_import_bench.py [--count 100000] [--postgres [--database NAME]]``.
Generates drafts from the example note (synthetic parties) with varied masses, declarations and
contract numbers, writes them as JSON lines, and loads them twice into one freshly migrated
database:

- **floor** — ``json.loads`` per line and one executemany INSERT of the raw text per batch into
  a scratch table, one transaction per batch: the least any importer pays to get these lines
  into this database (the scratch table is dropped however the run ends, Ctrl-C included);
- **Temir** — :func:`temir.notes.store.bulk_import.import_jsonl` (parse + shape check + canonical
  digest, executemany inserts of notes, versions, events and wagons, one transaction per batch).

Prints notes/s for both and the ratio Temir ÷ floor (time per note): what validation, the
canonical digest and the index columns cost. SQLite by default (a temporary file); with
``--postgres`` a scratch database (default ``temir_bench_notes_import``) on the server of
``TEMIR_TEST_POSTGRES_URL`` (dropped and re-created).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

if not __package__:  # run as ``python bench/...``: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine

from bench._floor import bar, machine, print_ratio, scratch_table
from temir.accounts.model import Actor
from temir.kit import migrate
from temir.kit.db import UnitOfWork, make_engine
from temir.notes.example import example_note
from temir.notes.lifecycle import draft_of
from temir.notes.store import bulk_import
from temir.notes.store.tables import NoteRow


def drafts(count: int, seed: int = 1520) -> Iterator[dict[str, Any]]:
    """``count`` drafts from the example note (synthetic parties), each its own: masses,
    contract and declarations varied from ``seed``."""
    rng = random.Random(seed)
    base = draft_of(example_note()).model_dump(mode="json", exclude_none=True)
    for n in range(1, count + 1):
        doc = json.loads(json.dumps(base))
        doc.pop("note_id", None)  # each line a new note (the example's id would be one)
        masses = [rng.randrange(60_000, 70_001, 50) for _ in doc["goods"]]
        for line, mass in zip(doc["goods"], masses, strict=True):
            line["mass_kg"] = mass
        doc["goods_total_mass_kg"] = sum(masses)
        doc["info_not_for_carrier"] = f"Контракт поставки № {n}/2026 (synthetic bench)"
        doc["consignor_declarations"] = f"Синтетическая накладная {n:06d}."
        yield doc


def generate(path: Path, count: int, seed: int = 1520) -> None:
    with path.open("w", encoding="utf-8") as out, bar("generating drafts", count) as update:
        for n, doc in enumerate(drafts(count, seed), start=1):
            out.write(json.dumps(doc, ensure_ascii=False) + "\n")
            if n % 1000 == 0 or n == count:
                update(n)


def scratch_postgres(name: str) -> str:
    """Drop and create ``name`` on the server of TEMIR_TEST_POSTGRES_URL; its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = os.environ["TEMIR_TEST_POSTGRES_URL"].replace("postgresql://", "postgresql+psycopg://")
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def floor(engine: Engine, lines: Path, count: int, batch: int) -> tuple[int, float]:
    """``json.loads`` + executemany of the raw text, same batches and transactions as Temir."""
    uow = UnitOfWork(engine)
    with scratch_table(engine, "bench_floor_notes", ["document"]) as table:
        started = time.perf_counter()
        written = 0
        pending: list[dict[str, object]] = []

        def flush() -> None:
            nonlocal written
            with uow() as session:
                session.execute(insert(table), pending)
            written += len(pending)
            pending.clear()

        with bar("floor (json.loads + insert)", count) as update, lines.open("rb") as fh:
            for number, raw in enumerate(fh, start=1):
                if not raw.strip():
                    continue
                json.loads(raw)
                pending.append({"line": number, "document": raw.decode("utf-8")})
                if len(pending) >= batch:
                    flush()
                    update(written)
            if pending:
                flush()
        return written, time.perf_counter() - started


def temir_import(engine: Engine, lines: Path, count: int, batch: int) -> tuple[int, float]:
    uow = UnitOfWork(engine)
    actor = Actor.system("bench")
    started = time.perf_counter()
    with bar("Temir (import_jsonl)", count) as update, lines.open("rb") as fh:
        report = bulk_import.import_jsonl(
            uow, actor, fh, batch=batch, on_batch=lambda r: update(r.read)
        )
    elapsed = time.perf_counter() - started
    with uow.read() as session:
        stored = session.scalar(select(func.count()).select_from(NoteRow))
    print(f"  Temir: {report.written:,} written, {stored:,} stored, {len(report.invalid)} invalid")
    return report.written, elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--database", default="temir_bench_notes_import")
    args = parser.parse_args()
    print(machine())
    with tempfile.TemporaryDirectory() as tmp:
        lines = Path(tmp) / "notes.jsonl"
        started = time.perf_counter()
        generate(lines, args.count)
        print(f"generated {args.count:,} lines in {time.perf_counter() - started:.1f} s "
              f"({lines.stat().st_size / 1e6:.0f} MB)")  # fmt: skip
        if args.postgres:
            url = scratch_postgres(args.database)
        else:
            url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        engine = make_engine(url)
        try:
            migrate.upgrade(engine)
            base = floor(engine, lines, args.count, args.batch)
            ours = temir_import(engine, lines, args.count, args.batch)
        finally:
            engine.dispose()
        backend = "PostgreSQL" if args.postgres else "SQLite"
        print(f"{backend}, {args.count:,} drafts, batch {args.batch}:")
        print_ratio("notes", ours, base)


if __name__ == "__main__":
    main()
