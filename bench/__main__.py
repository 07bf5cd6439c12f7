"""``python -m bench`` (``make bench``): list the benchmarks, or run some of them.

``python -m bench`` lists them; ``python -m bench NAME [NAME ...]`` runs those, ``python -m
bench all`` runs the quick ones (those not marked slow). Each is its own module run in a fresh
process — start-up and caches are part of what users wait for — and each records its own
section of ``bench/RESULTS.md`` (:mod:`bench._results`), so running one never wipes another's.
Extra arguments after ``--`` go to every benchmark run.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Benchmark:
    name: str
    module: str
    what: str
    slow: bool = False


BENCHMARKS = (
    Benchmark("routing", "bench.routing", "single route p50 vs networkx; 1 M-pair engine batch"),
    Benchmark(
        "route_pairs", "bench.route_pairs", "`temir route --pairs` 1 M pairs, CLI end to end"
    ),
    Benchmark("cli_start", "bench.cli_start", "`temir --help` cold start vs a minimal Typer app"),
    Benchmark("quote", "bench.quote", "quote with 5 alternatives in process, p50 vs routing alone"),
    Benchmark("webhooks", "bench.webhooks_bench", "outbox cost in ingest; deliveries/s, loopback"),
    Benchmark("notes_rates", "bench.notes_rates", "note validation, sign + verify vs baselines"),
    Benchmark("notes", "bench.notes_bench", "note validation, sign + verify (one note)"),
    Benchmark(
        "notes_create", "bench.notes_create", "note create: time inside the write lock, 2 ways"
    ),
    Benchmark("notes_import", "bench.notes_import_bench", "note store import vs floor", slow=True),
    Benchmark("stats", "bench.stats_bench", "volumes report over 10 M facts", slow=True),
    Benchmark(
        "stats_volumes",
        "bench.stats_volumes",
        "`temir stats volumes` over 10 M facts on Temir's schema vs a fact scan",
        slow=True,
    ),
    Benchmark("stats_import", "bench.stats_import_bench", "stats import vs floor", slow=True),
    Benchmark(
        "api_load",
        "bench.api_load",
        "50 clients: quotes and mixed load, SQLite + PostgreSQL, vs FastAPI hello",
        slow=True,
    ),
    Benchmark("exchange", "bench.exchange", "durable envelopes/s between two nodes vs HTTP floor"),
    Benchmark("load", "bench.load", "N client processes against temir serve (loopback)", slow=True),
    Benchmark("stats_pg", "bench.stats_pg_partitioned", "PostgreSQL partitioned facts", slow=True),
)


def _exists(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def main(argv: list[str]) -> int:
    extra: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, extra = argv[:cut], argv[cut + 1 :]
    by_name = {b.name: b for b in BENCHMARKS if _exists(b.module)}
    if not argv:
        print("Benchmarks (python -m bench NAME ... | all):")
        for b in by_name.values():
            print(f"  {b.name:<14} {b.what}{'  [slow]' if b.slow else ''}")
        return 0
    if argv == ["all"]:
        chosen = [b for b in by_name.values() if not b.slow]
    else:
        unknown = [n for n in argv if n not in by_name]
        if unknown:
            print(
                f"unknown benchmark(s): {', '.join(unknown)}; see python -m bench", file=sys.stderr
            )
            return 2
        chosen = [by_name[n] for n in argv]
    failed = 0
    for b in chosen:
        print(f"== {b.name}: {b.what}", flush=True)
        failed += (
            subprocess.run([sys.executable, "-m", b.module, *extra], check=False).returncode != 0
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
