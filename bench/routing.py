"""Routing benchmark: single route p50 against networkx Dijkstra, and a 1,000,000-pair batch.

Run: ``uv run python -m bench.routing [--pairs 1000000] [--singles 2000]``. Prints figures
and updates its section of ``bench/RESULTS.md``. networkx runs over the same shipped network
(sections.csv: Book 1 sections contracted to stations, freight only, with 0-km border links),
in the same process.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import platform
import random
import time

import networkx as nx
import numpy as np

from bench._results import record
from temir.network.routing import Router
from temir.network.routing.loader import data_dir, shipped


def networkx_graph() -> nx.Graph:
    graph = nx.Graph()
    with (data_dir() / "network" / "sections.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["tr4_section_type"] == "Для пассажирского движения" or not r["km"]:
                continue
            graph.add_edge(r["from_esr"], r["to_esr"], weight=int(r["km"]))
    return graph


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=1_000_000)
    parser.add_argument("--singles", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=20261)
    args = parser.parse_args()

    t0 = time.perf_counter()
    router = Router(shipped())
    build_s = time.perf_counter() - t0
    graph = networkx_graph()
    rng = random.Random(args.seed)
    nodes = sorted(n for n in graph.nodes if n in router.code_railway)
    pairs = [(rng.choice(nodes), rng.choice(nodes)) for _ in range(args.singles)]

    ours: list[float] = []
    theirs: list[float] = []
    routed = 0
    for a, b in pairs:
        t = time.perf_counter()
        found = router.routes(a, b, limit=1)
        ours.append((time.perf_counter() - t) * 1e3)
        routed += bool(found)
        if found:
            found[0].km_by_railway()
        t = time.perf_counter()
        with contextlib.suppress(nx.NetworkXNoPath):
            nx.dijkstra_path_length(graph, a, b)
        theirs.append((time.perf_counter() - t) * 1e3)
    p50, p95 = percentile(ours, 50), percentile(ours, 95)
    nx50 = percentile(theirs, 50)

    codes = sorted(router.code_railway)
    np_rng = np.random.default_rng(args.seed)
    a_codes = [codes[i] for i in np_rng.integers(0, len(codes), args.pairs)]
    b_codes = [codes[i] for i in np_rng.integers(0, len(codes), args.pairs)]
    t = time.perf_counter()
    a_ids, b_ids = router.encode(a_codes), router.encode(b_codes)
    encode_s = time.perf_counter() - t
    router.batch_encoded(a_ids[:1000], b_ids[:1000])  # warm the per-railway-pair plans
    t = time.perf_counter()
    km, _ = router.batch_encoded(a_ids, b_ids)
    batch_s = time.perf_counter() - t
    unroutable = int((km >= 100_000_000).sum())

    lines = [
        "## Routing",
        "",
        f"Machine: {platform.machine()}, Python {platform.python_version()}, "
        f"numpy {np.__version__}, networkx {nx.__version__}; seed {args.seed}.",
        "Command: `uv run python -m bench.routing`",
        "",
        "| measure | value | target |",
        "|---|---|---|",
        f"| engine build (all railway tables) | {build_s * 1e3:.0f} ms | — |",
        f"| single route with per-railway legs, p50 | {p50:.3f} ms | ≤ 0.2 ms |",
        f"| single route, p95 | {p95:.3f} ms | — |",
        f"| networkx Dijkstra (same network), p50 | {nx50:.3f} ms | — |",
        f"| speed-up vs networkx (p50) | {nx50 / p50:.1f}× | ≥ 10× |",
        f"| batch of {args.pairs:,} O/D pairs, compute | {batch_s:.2f} s | ≤ 2 s |",
        f"| batch: encoding ESR strings to ids (I/O side) | {encode_s:.2f} s | — |",
        f"| singles routed / asked | {routed} / {len(pairs)} | — |",
        f"| batch unroutable pairs | {unroutable:,} | — |",
        "",
        "networkx gives a plain shortest path over Book 1 sections (no tariff rules, no",
        "per-railway breakdown); the engine returns the TR-4 tariff route with its legs.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    record("routing", text)


if __name__ == "__main__":
    main()
