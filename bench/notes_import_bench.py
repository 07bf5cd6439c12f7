"""Notes import benchmark: ``temir notes import`` of 100,000 drafts, batch 1000.

Run: ``uv run python bench/notes_import_bench.py [--count 100000] [--postgres]``.
Generates drafts from the example note (synthetic parties) with varied masses, declarations and
contract numbers, writes them as JSON lines, imports them into a freshly migrated database
through :func:`temir.notes.bulk_import.import_jsonl` (parse + shape check + canonical digest, and
executemany inserts of notes, versions, events and wagons, one transaction per batch), and
prints notes/s. SQLite by default (a temporary file); with ``--postgres`` a scratch database
``temir_bench_notes_import`` on the server of ``TEMIR_TEST_POSTGRES_URL`` (dropped and
re-created).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from temir.accounts.model import Actor
from temir.kit import migrate
from temir.kit.db import UnitOfWork, make_engine
from temir.notes import bulk_import
from temir.notes.example import example_note
from temir.notes.lifecycle import draft_of
from temir.notes.tables import NoteRow


def generate(path: Path, count: int, seed: int = 1520) -> None:
    rng = random.Random(seed)
    base = draft_of(example_note()).model_dump(mode="json", exclude_none=True)
    with path.open("w", encoding="utf-8") as out:
        for n in range(1, count + 1):
            doc = json.loads(json.dumps(base))
            masses = [rng.randrange(60_000, 70_001, 50) for _ in doc["goods"]]
            for line, mass in zip(doc["goods"], masses, strict=True):
                line["mass_kg"] = mass
            doc["goods_total_mass_kg"] = sum(masses)
            doc["info_not_for_carrier"] = f"Контракт поставки № {n}/2026 (synthetic bench)"
            doc["consignor_declarations"] = f"Синтетическая накладная {n:06d}."
            out.write(json.dumps(doc, ensure_ascii=False) + "\n")


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--postgres", nargs="?", const="env", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        lines = Path(tmp) / "notes.jsonl"
        started = time.perf_counter()
        generate(lines, args.count)
        print(f"generated {args.count} lines in {time.perf_counter() - started:.1f} s "
              f"({lines.stat().st_size / 1e6:.0f} MB)")  # fmt: skip
        if args.postgres:
            url = scratch_postgres("temir_bench_notes_import")
        else:
            url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        engine = make_engine(url)
        migrate.upgrade(engine)
        uow = UnitOfWork(engine)
        actor = Actor.system("bench")
        started = time.perf_counter()
        with lines.open("rb") as fh:
            report = bulk_import.import_jsonl(uow, actor, fh, batch=args.batch)
        elapsed = time.perf_counter() - started
        with uow.read() as session:
            stored = session.scalar(select(func.count()).select_from(NoteRow))
        backend = "PostgreSQL" if args.postgres else "SQLite"
        print(f"{backend}: imported {report.written} notes ({stored} stored, "
              f"{len(report.invalid)} invalid) in {elapsed:.1f} s = "
              f"{report.written / elapsed:,.0f} notes/s, batch {args.batch}")  # fmt: skip
        engine.dispose()


if __name__ == "__main__":
    main()
