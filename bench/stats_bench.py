"""Statistics at scale: 10,000,000 synthetic shipment facts, one year report three ways.

The report is the dashboard's heaviest: tonnes, wagons and consignments of one year by month ×
commodity group × direction. Facts are generated vectorised with numpy (seeded), written to
Parquet by DuckDB, then the same report is timed in DuckDB (over the Parquet file), pandas
(in memory) and SQLite (an indexed file). Each engine's answer is checked against the others.

Run: ``uv run python bench/stats_bench.py [--rows 10000000]`` (a few minutes on 2 cores,
most of it loading SQLite). Not part of the test suite; figures go to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

GROUPS = [
    "grain", "flour", "oil_products", "ferrous_metals", "nonferrous_ore", "vegetable_oil",
    "aluminium", "cotton", "fruit_vegetables", "cement", "other",
]  # fmt: skip
DIRECTIONS = ["export", "import", "transit"]
YEARS = np.arange(2016, 2026)  # ten years of history
GRAIN_PROFILE = np.array([0.9, 0.85, 0.85, 0.7, 0.55, 0.5, 0.55, 0.8, 1.5, 1.7, 1.7, 1.6])


def generate(rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    group = rng.integers(0, len(GROUPS), rows, dtype=np.int8)
    month_p = GRAIN_PROFILE / GRAIN_PROFILE.sum()
    month = (
        np.where(group == 0, rng.choice(12, rows, p=month_p), rng.integers(0, 12, rows)).astype(
            np.int8
        )
        + 1
    )
    wagons = np.maximum(1, rng.geometric(0.3, rows)).astype(np.int16)
    return pd.DataFrame(
        {
            "year": rng.choice(YEARS, rows).astype(np.int16),
            "month": month,
            "commodity_group": pd.Categorical.from_codes(group, GROUPS),
            "direction": pd.Categorical.from_codes(
                rng.choice(3, rows, p=[0.45, 0.15, 0.40]).astype(np.int8), DIRECTIONS
            ),
            "wagons": wagons,
            "mass_kg": (wagons * rng.integers(55_000, 69_001, rows)).astype(np.int64),
        }
    )


REPORT_SQL = """
    SELECT month, commodity_group, direction,
           SUM(mass_kg) AS mass_kg, SUM(wagons) AS wagons, COUNT(*) AS consignments
    FROM {source} WHERE year = 2025
    GROUP BY month, commodity_group, direction
    ORDER BY month, commodity_group, direction
"""


def timed(label: str, fn, repeat: int = 3):  # type: ignore[no-untyped-def]
    best = float("inf")
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    print(f"{label:<42} {best:8.3f} s")
    return best, result


def canonical(frame: pd.DataFrame) -> list[tuple[int, str, str, int, int, int]]:
    return sorted(
        (int(r[0]), str(r[1]), str(r[2]), int(r[3]), int(r[4]), int(r[5]))
        for r in frame.itertuples(index=False)
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=20250217)
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        start = time.perf_counter()
        frame = generate(args.rows, args.seed)
        label = f"generate {args.rows:,} facts (numpy)"
        print(f"{label:<42} {time.perf_counter() - start:8.3f} s")
        parquet = work / "facts.parquet"
        con = duckdb.connect()
        con.execute("SET threads TO 2")
        con.register("frame", frame)
        start = time.perf_counter()
        con.execute(f"COPY (SELECT * FROM frame) TO '{parquet}' (FORMAT parquet)")
        print(
            f"{'write Parquet (DuckDB)':<42} {time.perf_counter() - start:8.3f} s"
            f"  ({parquet.stat().st_size / 1e6:.0f} MB)"
        )
        con.unregister("frame")

        duck_s, duck = timed(
            "year report, DuckDB over Parquet",
            lambda: con.execute(REPORT_SQL.format(source=f"read_parquet('{parquet}')")).df(),
        )

        def with_pandas() -> pd.DataFrame:
            year = frame[frame["year"] == 2025]
            return (
                year.groupby(["month", "commodity_group", "direction"], observed=True)
                .agg(
                    mass_kg=("mass_kg", "sum"),
                    wagons=("wagons", "sum"),
                    consignments=("mass_kg", "size"),
                )
                .reset_index()
            )

        pandas_s, pand = timed("year report, pandas (in memory)", with_pandas)
        assert canonical(duck) == canonical(pand), "DuckDB and pandas disagree"
        results = {"duckdb": duck_s, "pandas": pandas_s}
        if not args.skip_sqlite:
            db = sqlite3.connect(work / "facts.sqlite3")
            db.execute(
                "CREATE TABLE facts (year INT, month INT, commodity_group TEXT, direction TEXT,"
                " wagons INT, mass_kg INT)"
            )
            start = time.perf_counter()
            columns = [
                frame["year"].to_numpy().tolist(),
                frame["month"].to_numpy().tolist(),
                frame["commodity_group"].astype(str).to_numpy().tolist(),
                frame["direction"].astype(str).to_numpy().tolist(),
                frame["wagons"].to_numpy().tolist(),
                frame["mass_kg"].to_numpy().tolist(),
            ]
            db.executemany("INSERT INTO facts VALUES (?,?,?,?,?,?)", zip(*columns, strict=True))
            db.execute("CREATE INDEX ix_year ON facts (year)")
            db.commit()
            print(f"{'load SQLite + index':<42} {time.perf_counter() - start:8.3f} s")
            sqlite_s, rows = timed(
                "year report, SQLite (indexed file)",
                lambda: pd.DataFrame(db.execute(REPORT_SQL.format(source="facts")).fetchall()),
                repeat=1,
            )
            assert canonical(rows) == canonical(duck), "SQLite and DuckDB disagree"
            results["sqlite"] = sqlite_s
            db.close()
        print(
            f"rows in the year report: {len(duck)}; 2025 facts: {int(duck['consignments'].sum()):,}"
        )
        for name, seconds in results.items():
            print(f"  {name:<8} {seconds:7.3f} s  ({seconds / duck_s:5.1f}× DuckDB)")
        print("DuckDB ≤ 1 s:", "yes" if duck_s <= 1.0 else "NO")


if __name__ == "__main__":
    main()
