"""Import of historical statistics at scale: 1,000,000 CSV rows through ``temir stats import``.

Timed twice on the same fresh database. First the **floor**: ``csv.reader`` over the file and
driver-level executemany of the raw text rows, 5,000 at a time, into a scratch table with the
same columns, in one transaction — the least any importer pays to get these rows into this
database (the scratch table is dropped however the run ends, Ctrl-C included). Then Temir:
the real use case — :func:`temir.stats.volumes.service.import_file` in one unit of
work: read the CSV, validate every row and column, write the facts (all or nothing) — with the
same Rich progress bar as the CLI, on a fresh migrated SQLite file (or PostgreSQL with
``--postgres``, from ``TEMIR_TEST_POSTGRES_URL``). The CSV is generated first (seeded,
vectorised) from the demo lanes, so every row is valid.

Prints rows/s for both and the ratio Temir ÷ floor (time per row): what validation, code
checks and the typed fact columns cost.

Run: ``uv run python bench/stats_import_bench.py [--count 1000000] [--postgres]``.
Target (issue 5): 1,000,000 rows ≤ 60 s. Figures go to bench/RESULTS.md ("Statistics").
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

if not __package__:  # run as ``python bench/...``: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from bench._floor import bar, machine, print_ratio, scratch_table
from temir.accounts.model import Actor
from temir.kit import migrate
from temir.kit.db import UnitOfWork, make_engine
from temir.stats import data
from temir.stats.tables import ShipmentFactRow
from temir.stats.volumes import service
from temir.stats.volumes.cli import _progress
from temir.stats.volumes.imports import COLUMNS


class _LaneText:
    """A demo lane with its code lists as the CSV writes them."""

    def __init__(self, lane: data.Lane) -> None:
        for name in ("origin_esr", "origin_railway", "origin_country", "destination_esr",
                     "destination_railway", "destination_country", "tariff_km"):  # fmt: skip
            setattr(self, name, getattr(lane, name))
        self.route_countries_text = ",".join(lane.route_countries)
        self.route_railways_text = ",".join(lane.route_railways)
        self.crossings_text = " ".join(lane.crossings)


def write_csv(path: Path, rows: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    lanes = [_LaneText(x) for x in data.lanes().values()]
    groups = [g for g in data.commodity_groups().values() if g.load_kg_max > 0]
    lane = rng.integers(0, len(lanes), rows)
    group = rng.integers(0, len(groups), rows)
    wagons = np.maximum(1, rng.geometric(0.4, rows))
    year = rng.integers(2016, 2026, rows)
    month = rng.integers(1, 13, rows)
    day = rng.integers(1, 29, rows)
    departure = pd.to_datetime({"year": year, "month": month, "day": day})
    arrival = departure + pd.to_timedelta(rng.integers(3, 15, rows), unit="D")
    loads = rng.integers(55_000, 69_001, rows) * wagons

    def by_lane(attr: str) -> np.ndarray:
        return np.array([getattr(x, attr) for x in lanes], dtype=object)[lane]

    def by_group(attr: str) -> np.ndarray:
        return np.array([getattr(x, attr) for x in groups], dtype=object)[group]

    frame = pd.DataFrame(
        {
            "consignment_no": [f"H{seed}-{i:08d}" for i in range(rows)],
            "departure_date": departure.dt.strftime("%Y-%m-%d"),
            "origin_esr": by_lane("origin_esr"),
            "origin_railway": by_lane("origin_railway"),
            "origin_country": by_lane("origin_country"),
            "destination_esr": by_lane("destination_esr"),
            "destination_railway": by_lane("destination_railway"),
            "destination_country": by_lane("destination_country"),
            "commodity_group": by_group("code"),
            "wagons": wagons,
            "mass_kg": loads,
            "arrival_date": arrival.dt.strftime("%Y-%m-%d"),
            "route_countries": by_lane("route_countries_text"),
            "route_railways": by_lane("route_railways_text"),
            "border_crossings": by_lane("crossings_text"),
            "etsng": by_group("etsng"),
            "gng": by_group("gng"),
            "containers_teu": 0,
            "tariff_km": by_lane("tariff_km"),
        },
        columns=list(COLUMNS),
    )
    frame.to_csv(path, index=False)


def floor(engine: Engine, csv_path: Path, rows: int) -> tuple[int, float]:
    """``csv.reader`` + executemany of the raw rows: Temir's batch size and transaction."""
    with scratch_table(engine, "bench_floor_stats_rows", COLUMNS) as table:
        names = ["line", *COLUMNS]
        start = time.perf_counter()
        with UnitOfWork(engine)() as session, bar("floor (csv + insert)", rows) as update:
            connection = session.connection()
            mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
            sql = (
                f"INSERT INTO {table.name} ({', '.join(names)}) "
                f"VALUES ({', '.join([mark] * len(names))})"
            )
            written = 0
            batch: list[tuple[object, ...]] = []
            with csv_path.open(encoding="utf-8-sig", newline="") as handle:
                reader = csv.reader(handle)
                next(reader)  # the header
                for number, row in enumerate(reader, start=2):
                    batch.append((number, *row))
                    if len(batch) == 5000:
                        connection.exec_driver_sql(sql, batch)
                        written += len(batch)
                        batch = []
                        update(written)
            if batch:
                connection.exec_driver_sql(sql, batch)
                written += len(batch)
        return written, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", "--rows", dest="rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20260217)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    print(machine())
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        csv_path = work / "history.csv"
        start = time.perf_counter()
        write_csv(csv_path, args.rows, args.seed)
        size = csv_path.stat().st_size / 1e6
        print(f"{'generate CSV':<36} {time.perf_counter() - start:8.2f} s  ({size:.0f} MB)")
        if args.postgres:
            from tests.conftest import fresh_postgres_database

            url = fresh_postgres_database("temir_bench_import")
        else:
            url = f"sqlite:///{work / 'bench.sqlite3'}"
        engine = make_engine(url)
        try:
            migrate.upgrade(engine)
            base = floor(engine, csv_path, args.rows)
            uow = UnitOfWork(engine)
            start = time.perf_counter()
            with _progress("Temir (stats import)") as progress, uow() as session:
                written = service.import_file(session, Actor.system("bench"), csv_path, progress)
            seconds = time.perf_counter() - start
            with uow.read() as session:
                stored = session.scalar(select(func.count()).select_from(ShipmentFactRow))
        finally:
            engine.dispose()
        backend = "PostgreSQL" if args.postgres else "SQLite"
        print(f"{backend}, {args.rows:,} rows:")
        print_ratio("rows", (written, seconds), base)
        print(f"rows stored: {stored:,}; Temir ≤ 60 s: {'yes' if seconds <= 60 else 'NO'}")


if __name__ == "__main__":
    main()
