"""The volume report over 10 M facts on Temir's own schema (SQLite), cells against a fact scan.

What users run: ``temir stats volumes`` (and the API/page, the same ``service.volumes``) on a
database migrated by Temir. The facts — ten years 2016–2025, the 225 demo lanes (real stations,
routes, crossings), eleven commodity groups, wagons and loads drawn per row — are generated
vectorised from a seed (the same seed gives the same file), written in transactions of
250,000 rows with a Rich progress bar (Ctrl-C rolls back the one in flight and stops), then
the volume cells are summed by ``service.rebuild_cells`` (``temir stats rebuild``).

Timed in the same run:

* **Temir** — ``service.volumes`` for six breakdowns × two country pairs, each best of 3,
  and ``temir stats volumes --json`` in a fresh process (start-up included);
* **baseline** — the statement reports ran before the cells: the same GROUP BY over the fact
  rows (``repository.volume_cells(..., over_facts=True)``); its cells are checked equal.

Run: ``uv run python -m bench stats_volumes`` (``-- --rows 1000000`` for a quick run,
``--db PATH`` keeps the generated file to reuse).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bench._floor import bar, machine
from bench._results import record
from temir.accounts.model import Actor
from temir.kit import clock, migrate
from temir.kit.db import UnitOfWork, make_engine
from temir.stats import data
from temir.stats.volumes import repository, service
from temir.stats.volumes.model import Breakdown

CHUNK = 250_000
YEARS = np.arange(2016, 2026)
BREAKDOWNS = [
    Breakdown.TOTAL,
    Breakdown.MONTH,
    Breakdown.COMMODITY,
    Breakdown.DIRECTION,
    Breakdown.RAILWAY,
    Breakdown.CROSSING,
]
PAIRS = [("KZ", "TJ"), ("RU", "TJ")]


def _chunk(rng: np.random.Generator, start: int, rows: int, created: Any) -> list[tuple[Any, ...]]:
    """``rows`` fact rows as the driver takes them (column order of the table, id left out)."""
    lanes = list(data.lanes().values())
    groups = list(data.commodity_groups())
    lane = rng.integers(0, len(lanes), rows)
    group = rng.integers(0, len(groups), rows)
    year = rng.choice(YEARS, rows)
    month = rng.integers(1, 13, rows)
    day = rng.integers(1, 29, rows)
    wagons = np.minimum(57, rng.geometric(0.3, rows))
    mass = wagons * rng.integers(40_000, 69_001, rows)
    departure = (
        (year - 1970).astype("datetime64[Y]").astype("datetime64[M]")
        + (month - 1).astype("timedelta64[M]")
    ).astype("datetime64[D]") + (day - 1).astype("timedelta64[D]")
    arrival = departure + rng.integers(5, 25, rows).astype("timedelta64[D]")
    synthetic = rng.random(rows) < 0.5
    by_lane = [
        (
            ln.origin_esr, ln.origin_railway, ln.origin_country, ln.destination_esr,
            ln.destination_railway, ln.destination_country, ",".join(ln.route_countries),
            ",".join(ln.route_railways), " ".join(ln.crossings), ln.tariff_km,
        )
        for ln in lanes
    ]  # fmt: skip
    out = []
    for i, (li, gi, dep, arr, y, m, w, kg, syn) in enumerate(
        zip(
            lane.tolist(),
            group.tolist(),
            departure.astype(str).tolist(),
            arrival.astype(str).tolist(),
            year.tolist(),
            month.tolist(),
            wagons.tolist(),
            mass.tolist(),
            synthetic.tolist(),
            strict=True,
        )
    ):
        o_esr, o_rw, o_c, d_esr, d_rw, d_c, countries, railways, crossings, km = by_lane[li]
        out.append(
            (
                f"B{start + i:08d}", dep, arr, y, m, o_esr, o_rw, o_c, d_esr, d_rw, d_c,
                countries, railways, crossings, groups[gi], None, None, w, 0, kg, km,
                (kg * km + 500) // 1000, "synthetic" if syn else "import:bench.csv",
                int(syn), created,
            )
        )  # fmt: skip
    return out


def _complete(engine: Engine, rows: int, seed: int) -> bool:
    with engine.connect() as conn:
        try:
            found = conn.execute(text("SELECT rows, seed FROM bench_meta")).one_or_none()
        except Exception:
            return False
    return found is not None and tuple(found) == (rows, seed)


def generate(engine: Engine, rows: int, seed: int) -> float:
    """Write ``rows`` facts (indexes built after the load); returns the seconds it took."""
    rng = np.random.default_rng(seed)
    columns = [c for c in repository.T.columns if c.name != "id"]
    process = repository.T.c.created_at.type.bind_processor(engine.dialect)
    created = process(clock.now()) if process else clock.now()
    sql = (
        f"INSERT INTO {repository.T.name} ({', '.join(c.name for c in columns)})"
        f" VALUES ({', '.join('?' * len(columns))})"
    )
    start = time.perf_counter()
    with engine.begin() as conn:
        indexes = [
            str(r[0])
            for r in conn.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                f" AND tbl_name = '{repository.T.name}'"
            )
        ]
        for statement in indexes:
            conn.exec_driver_sql("DROP INDEX " + statement.split()[2])
    with bar(f"generate {rows:,} facts", rows) as update:
        done = 0
        while done < rows:
            size = min(CHUNK, rows - done)
            batch = _chunk(rng, done, size, created)
            with engine.begin() as conn:  # Ctrl-C: this chunk is rolled back
                conn.exec_driver_sql(sql, batch)
            done += size
            update(done)
    with bar("index facts", len(indexes)) as update, engine.begin() as conn:
        for i, statement in enumerate(indexes, start=1):
            conn.exec_driver_sql(statement)
            update(i)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE bench_meta (rows INTEGER, seed INTEGER)")
        conn.exec_driver_sql(f"INSERT INTO bench_meta VALUES ({rows}, {seed})")
    return time.perf_counter() - start


def best(fn: Any, repeat: int = 3) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


@contextmanager
def database(path: str | None) -> Iterator[Path]:
    if path:
        yield Path(path)
        return
    with tempfile.TemporaryDirectory() as tmp:
        yield Path(tmp) / "facts.sqlite3"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument("--db", help="keep the generated SQLite file here (reused if complete)")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    with database(args.db) as path:
        url = f"sqlite:///{path}"
        engine = make_engine(url)
        uow = UnitOfWork(engine)
        generated = "reused"
        if not _complete(engine, args.rows, args.seed):
            engine.dispose()
            path.unlink(missing_ok=True)
            engine = make_engine(url)
            uow = UnitOfWork(engine)
            migrate.upgrade(engine)
            try:
                generated = f"{generate(engine, args.rows, args.seed):.0f} s"
            except KeyboardInterrupt:
                print("interrupted: the chunk in flight was rolled back; the file is incomplete")
                engine.dispose()
                sys.exit(130)
            start = time.perf_counter()
            with uow() as session:
                cells = service.rebuild_cells(session, Actor.system("bench"))
            rebuild = time.perf_counter() - start
        else:
            with uow.read() as session:
                cells = repository.count_cells(session)
            rebuild = float("nan")
        print(f"{args.rows:,} facts ({generated}); {cells:,} cells; rebuild {rebuild:.1f} s")

        timings: dict[tuple[str, str], float] = {}
        for a, b in PAIRS:
            for by in BREAKDOWNS:

                def report(a: str = a, b: str = b, by: Breakdown = by) -> Any:
                    with uow.read() as session:
                        return service.volumes(session, 2025, a, b, by)

                timings[(f"{a}–{b}", str(by))], _ = best(report)
        worst_key = max(timings, key=lambda k: timings[k])
        worst = timings[worst_key]
        for (pair, by), seconds in timings.items():
            print(f"  service.volumes {pair} by {by:<10} {seconds * 1000:8.1f} ms")

        baseline, checked = {}, True
        for a, b in PAIRS:
            with uow.read() as session:
                scan, over_facts = best(
                    lambda s=session, a=a, b=b: repository.volume_cells(
                        s, [2025, 2024], a, b, over_facts=True
                    ),
                    repeat=1,
                )
                over_cells = repository.volume_cells(session, [2025, 2024], a, b)
            baseline[f"{a}–{b}"] = scan
            checked = checked and sorted(over_cells, key=repr) == sorted(over_facts, key=repr)
            print(f"  baseline: the same GROUP BY over the facts {a}–{b}  {scan:8.2f} s")
        print(f"  cells equal to the fact scan's: {'yes' if checked else 'NO'}")

        env = dict(os.environ, TEMIR_DATABASE_URL=url)
        command = [
            str(Path(sys.executable).with_name("temir")),
            "stats",
            "volumes",
            "--year",
            "2025",
            "--by",
            "commodity",
            "--json",
        ]
        cli_times = []
        for _ in range(3):
            start = time.perf_counter()
            out = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
            cli_times.append(time.perf_counter() - start)
        total_t = json.loads(out.stdout)["total"]["tonnes"]
        cli = min(cli_times)
        print(f"  temir stats volumes --by commodity --json (fresh process) {cli:.2f} s")
        help_times = []
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run([*command[:3], "--help"], env=env, capture_output=True, check=True)
            help_times.append(time.perf_counter() - start)
        startup = min(help_times)
        print(f"  temir stats volumes --help (start-up alone) {startup:.2f} s")
        engine.dispose()

    kz = baseline["KZ–TJ"]
    kz_worst = max(v for (p, _), v in timings.items() if p == "KZ–TJ")
    load = os.getloadavg()[0]
    rebuilt = (
        "file reused from an earlier run of the same seed"
        if rebuild != rebuild
        else f"summed from the facts by `temir stats rebuild`'s service in {rebuild:.0f} s"
    )
    slowest = f"slowest of 12 (pair × breakdown): {worst_key[0]} by {worst_key[1]}"
    rows_md = [
        ("`service.volumes` KZ–TJ, slowest of 6 breakdowns, best of 3",
         f"{kz_worst * 1000:.0f} ms", f"×{kz_worst / kz:.3f}"),
        (f"`service.volumes`, {slowest}", f"{worst * 1000:.0f} ms", "—"),
        ("`temir stats volumes --by commodity --json`, fresh process", f"{cli:.2f} s",
         f"×{cli / kz:.2f}"),
        ("the same command's start-up alone (`--help`)", f"{startup:.2f} s", "—"),
        ("baseline: the same GROUP BY over the facts (the report before the cells), KZ–TJ",
         f"{kz:.2f} s", "×1.00"),
        ("baseline RU–TJ", f"{baseline['RU–TJ']:.2f} s", "—"),
    ]  # fmt: skip
    table = "| measure | value | ratio to the fact scan |\n|---|---:|---:|\n" + "\n".join(
        f"| {m} | {v} | {r} |" for m, v, r in rows_md
    )
    body = f"""### Volume report over {args.rows:,} facts (SQLite, Temir's schema)

`uv run python -m bench stats_volumes` — {machine()}; seed {args.seed}; load average
{load:.1f} at the end of the run (shared machine: compare the ratio). Facts: ten years
2016–2025 over the 225 demo lanes, 11 commodity groups (synthetic); {cells:,} volume cells
({rebuilt}). Report year 2025 against 2024.

{table}

Cells equal to the fact scan's on both pairs: {"yes" if checked else "NO"}; KZ–TJ 2025 total
{total_t:,} t. Target ≤ 1 s for the report: {"met" if worst <= 1 else "NOT met"}
({worst * 1000:.0f} ms at worst); the fresh CLI process
{"meets it" if cli <= 1 else "does not"} ({cli:.2f} s, of which start-up alone is
{startup:.2f} s)."""
    if not args.no_record:
        record("stats_volumes", body)


if __name__ == "__main__":
    main()
