"""The same volume queries on PostgreSQL with the fact table partitioned by year.

A railway's full history (decades, hundreds of millions of consignments) does not fit the
"one table, one index" shape comfortably: a year report should read one or two years, not all.
This script shows that Temir's own volume code runs unchanged on a fact table partitioned by
``year`` and that PostgreSQL prunes the partitions it does not need.

What it does, on the local PostgreSQL (``TEMIR_TEST_POSTGRES_URL``):

1. creates a fresh database ``temir_bench_partitioned`` and migrates it (Alembic, as usual);
2. renames the migrated ``stats_shipment_facts`` to ``stats_shipment_facts_plain`` and creates
   a partitioned ``stats_shipment_facts`` with the same columns (SQL below), one partition per
   year 2016–2025 and a default partition;
3. loads ``--rows`` synthetic facts (seeded; ~70 % on the demo KZ–TJ lanes, the rest other
   country pairs) with COPY, and copies them into the plain table for comparison;
4. runs :func:`temir.stats.volumes.service.volumes` (the code behind ``temir stats volumes``,
   by month, commodity and direction) against the partitioned table, times the same repository
   query on both tables, and prints EXPLAIN showing which partitions were scanned.

Run: ``uv run python bench/stats_pg_partitioned.py [--rows 3000000]``; figures go to
bench/RESULTS.md ("Statistics"). The database is left in place for inspection (dropped and
recreated on the next run).

Caveat, in the open: a partitioned table cannot keep the UNIQUE (source, consignment_no)
constraint unless it includes ``year``; in production the import keeps uniqueness per source
(it replaces a file's facts as a whole) and the constraint becomes (source, consignment_no,
year).
"""

from __future__ import annotations

import argparse
import io
import os
import re
import time

import numpy as np
import pandas as pd
from sqlalchemy import create_engine, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import make_url

from temir.kit import migrate
from temir.kit.db import UnitOfWork, make_engine
from temir.stats import data
from temir.stats.volumes import repository, service
from temir.stats.volumes.model import Breakdown

DATABASE = "temir_bench_partitioned"
YEARS = range(2016, 2026)

PARTITION_SQL = """
ALTER TABLE stats_shipment_facts RENAME TO stats_shipment_facts_plain;
CREATE TABLE stats_shipment_facts (LIKE stats_shipment_facts_plain INCLUDING DEFAULTS)
    PARTITION BY RANGE (year);
ALTER TABLE stats_shipment_facts ADD PRIMARY KEY (id, year);
{partitions}
CREATE TABLE stats_shipment_facts_default PARTITION OF stats_shipment_facts DEFAULT;
CREATE INDEX ON stats_shipment_facts (year, month);
CREATE INDEX ON stats_shipment_facts (origin_country, destination_country);
"""
PARTITION = (
    "CREATE TABLE stats_shipment_facts_{y} PARTITION OF stats_shipment_facts "
    "FOR VALUES FROM ({y}) TO ({next});"
)
OTHER_PAIRS = [("UZ", "RU", "UTI", "RZD"), ("KG", "UZ", "KRG", "UTI"), ("TM", "UZ", "TRK", "UTI"),
               ("RU", "UZ", "RZD", "UTI"), ("KZ", "RU", "KZH", "RZD")]  # fmt: skip
COLUMNS = [
    "id", "consignment_no", "departure_date", "arrival_date", "year", "month", "origin_esr",
    "origin_railway", "origin_country", "destination_esr", "destination_railway",
    "destination_country", "route_countries", "route_railways", "border_crossings",
    "commodity_group", "etsng", "gng", "wagons", "containers_teu", "mass_kg", "tariff_km",
    "tonne_km", "source", "synthetic", "created_at",
]  # fmt: skip


def chunk(start: int, rows: int, rng: np.random.Generator) -> pd.DataFrame:
    lanes = list(data.lanes().values())
    groups = [g.code for g in data.commodity_groups().values()]
    on_lane = rng.random(rows) < 0.7
    lane = rng.integers(0, len(lanes), rows)
    other = rng.integers(0, len(OTHER_PAIRS), rows)

    def pick(lane_attr: str, other_index: int) -> np.ndarray:
        from_lanes = np.array([getattr(x, lane_attr) for x in lanes], dtype=object)[lane]
        from_other = np.array([p[other_index] for p in OTHER_PAIRS], dtype=object)[other]
        return np.where(on_lane, from_lanes, from_other)

    year = rng.choice(np.array(YEARS), rows)
    month = rng.integers(1, 13, rows)
    wagons = np.maximum(1, rng.geometric(0.35, rows))
    mass = wagons * rng.integers(55_000, 69_001, rows)
    route_c = np.array([",".join(x.route_countries) for x in lanes], dtype=object)[lane]
    route_r = np.array([",".join(x.route_railways) for x in lanes], dtype=object)[lane]
    o_c, d_c = pick("origin_country", 0), pick("destination_country", 1)
    departure = pd.to_datetime({"year": year, "month": month, "day": rng.integers(1, 29, rows)})
    return pd.DataFrame(
        {
            "id": np.arange(start, start + rows) + 1,
            "consignment_no": [f"PG{start + i}" for i in range(rows)],
            "departure_date": departure.dt.strftime("%Y-%m-%d"),
            "arrival_date": None,
            "year": year,
            "month": month,
            "origin_esr": "684001",
            "origin_railway": pick("origin_railway", 2),
            "origin_country": o_c,
            "destination_esr": "745309",
            "destination_railway": pick("destination_railway", 3),
            "destination_country": d_c,
            "route_countries": np.where(on_lane, route_c, o_c + "," + d_c),
            "route_railways": np.where(on_lane, route_r, "UTI"),
            "border_crossings": "",
            "commodity_group": np.array(groups, dtype=object)[rng.integers(0, len(groups), rows)],
            "etsng": None,
            "gng": None,
            "wagons": wagons,
            "containers_teu": 0,
            "mass_kg": mass,
            "tariff_km": None,
            "tonne_km": None,
            "source": "synthetic:pgbench",
            "synthetic": True,
            "created_at": "2026-01-01 00:00:00+00",
        },
        columns=COLUMNS,
    )


def fresh_database(admin_url: str) -> str:
    url = make_url(admin_url.replace("postgresql://", "postgresql+psycopg://", 1))
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    admin.dispose()
    return url.set(database=DATABASE).render_as_string(hide_password=False)


def timed(label: str, fn, repeat: int = 3):  # type: ignore[no-untyped-def]
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    print(f"{label:<58} {best:8.3f} s")
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=3_000_000)
    parser.add_argument("--seed", type=int, default=20260217)
    args = parser.parse_args()
    admin_url = os.environ.get("TEMIR_TEST_POSTGRES_URL")
    if not admin_url:
        raise SystemExit("set TEMIR_TEST_POSTGRES_URL (a local PostgreSQL)")
    url = fresh_database(admin_url)
    engine = make_engine(url)
    migrate.upgrade(engine)
    partitions = "\n".join(PARTITION.format(y=y, next=y + 1) for y in YEARS)
    with engine.begin() as conn:
        conn.exec_driver_sql(PARTITION_SQL.format(partitions=partitions))
    print(PARTITION_SQL.format(partitions=PARTITION.format(y="<Y>", next="<Y+1>")).strip())

    rng = np.random.default_rng(args.seed)
    start = time.perf_counter()
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        step = 500_000
        for first in range(0, args.rows, step):
            frame = chunk(first, min(step, args.rows - first), rng)
            buffer = io.StringIO()
            frame.to_csv(buffer, index=False, header=False)
            sql = (
                f"COPY stats_shipment_facts ({', '.join(COLUMNS)}) FROM STDIN "
                "(FORMAT csv, FORCE_NOT_NULL (border_crossings))"
            )
            with cursor.copy(sql) as copy:  # type: ignore[attr-defined]
                copy.write(buffer.getvalue())
        raw.commit()
    finally:
        raw.close()
    print(f"{f'generate + COPY {args.rows:,} facts (partitioned)':<58} "
          f"{time.perf_counter() - start:8.3f} s")  # fmt: skip
    start = time.perf_counter()
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO stats_shipment_facts_plain SELECT * FROM stats_shipment_facts"
        )
        conn.exec_driver_sql("ANALYZE stats_shipment_facts")
        conn.exec_driver_sql("ANALYZE stats_shipment_facts_plain")
    print(f"{'copy into the plain table + ANALYZE':<58} {time.perf_counter() - start:8.3f} s")

    uow = UnitOfWork(engine)
    for by in (Breakdown.MONTH, Breakdown.COMMODITY, Breakdown.DIRECTION):
        with uow.read() as session:
            _, report = timed(
                f"temir stats volumes --year 2025 --by {by} (partitioned)",
                lambda by=by, session=session: service.volumes(session, 2025, "KZ", "TJ", by),
            )
    print(f"  2025 KZ–TJ: {report.total.tonnes:,} t, {report.total.change_pct} % on 2024, "
          f"{len(report.rows)} rows by direction")  # fmt: skip

    # the repository's query, compiled once, run on both tables
    statement = repository.volume_query([2025, 2024], "KZ", "TJ")
    compiled = str(
        statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    )
    plain = compiled.replace("stats_shipment_facts", "stats_shipment_facts_plain")
    with engine.connect() as conn:
        part_s, _ = timed("year report SQL, partitioned (2 of 11 partitions)",
                          lambda: conn.exec_driver_sql(compiled).all())  # fmt: skip
        plain_s, _ = timed("year report SQL, plain table (index on year, month)",
                           lambda: conn.exec_driver_sql(plain).all())  # fmt: skip
        print(f"  partitioned / plain: {part_s / plain_s:.2f}")
        plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + compiled).all()
    print("EXPLAIN (partitioned):")
    for (line,) in plan:
        print("  " + line)
    scanned = sorted(
        {
            w
            for (line,) in plan
            for w in line.split()
            if re.fullmatch(r"stats_shipment_facts_\d{4}", w)
        }
    )
    print(f"partitions scanned: {', '.join(scanned)}")
    engine.dispose()


if __name__ == "__main__":
    main()
