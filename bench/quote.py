"""A quote with 5 alternatives in process, p50, against routing alone in the same run.

Run: ``uv run python -m bench.quote [--requests 3000]``. Records its section of
``bench/RESULTS.md``.

Inputs are varied: 200 random interstate lanes of the shipped network that route, real ETSNG
codes of the shipped commodity list; the mass (5–70 t), wagon owner and speed are drawn afresh
for every request, so only the lane repeats (the route alternatives of a lane are memoised per
edition, as a busy quote page asks the same lanes). Measured per request, interleaved so all
see the same machine load:

- **quote**: ``tariff.service.quote`` (routes, charge lines, delivery time, marks) and the
  JSON the API returns (``Quote.to_dict`` with every explanation rendered, English and
  Russian alternately) — what ``GET /api/v1/quotes`` computes, minus HTTP and the database;
- **quote, compute only**: without rendering;
- **a lane asked for the first time**: the same as the first, with the lane's routes taken
  out of the memo before the request (every 5th request; until 2026-12-03 the whole memo was
  emptied, which made the next four requests' lanes cold as well, so the first two measures
  were mostly cold lanes too);
- **baseline**: ``Router.routes(a, b, limit=5)`` alone.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from bench._floor import bar, machine
from bench._results import record
from temir.network.provider import shipped_network
from temir.network.routes import service as routes_service
from temir.tariff import service

TARGET_US = 50.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=20261)
    args = parser.parse_args()
    r = shipped_network().router
    rng = random.Random(args.seed)
    codes = sorted(r.code_railway)
    goods = sorted(service._commodities())
    tables = service.rate_tables()
    inputs = []
    while len(inputs) < 200:
        a, b = rng.choice(codes), rng.choice(codes)
        if r.code_railway[a] == r.code_railway[b] or len(r.routes(a, b, limit=5)) < 2:
            continue
        etsng = rng.choice(goods)
        try:
            service.quote(r, a, b, etsng=etsng, mass_kg=60_000, tables=tables)
        except Exception:
            continue
        inputs.append((a, b, etsng))
    full, compute, routing, cold = [], [], [], []
    with bar("quotes", args.requests) as update:
        for k in range(args.requests):
            a, b, etsng = inputs[k % len(inputs)]
            mass = rng.randrange(5_000, 70_000)
            owner = rng.choice(["carrier", "other"])
            speed = rng.choice(["freight", "freight", "high"])
            lang = "ru" if k % 2 else "en"
            t = time.perf_counter()
            r.routes(a, b, limit=5)
            routing.append(time.perf_counter() - t)
            t = time.perf_counter()
            q = service.quote(
                r, a, b, etsng=etsng, mass_kg=mass, wagon_owner=owner, speed=speed, tables=tables
            )
            compute.append(time.perf_counter() - t)
            t = time.perf_counter()
            q = service.quote(
                r, a, b, etsng=etsng, mass_kg=mass, wagon_owner=owner, speed=speed, tables=tables
            )
            q.to_dict(lang)
            full.append(time.perf_counter() - t)
            if k % 5 == 0:
                # this lane only: emptying the whole memo made the next requests' lanes cold too
                routes_service._memo(r).pop((a, b, (), 5), None)
                t = time.perf_counter()
                q = service.quote(
                    r,
                    a,
                    b,
                    etsng=etsng,
                    mass_kg=mass,
                    wagon_owner=owner,
                    speed=speed,
                    tables=tables,
                )
                q.to_dict(lang)
                cold.append(time.perf_counter() - t)
            if k % 100 == 0:
                update(k)
    p50 = {
        name: statistics.median(v) * 1e6
        for name, v in (("full", full), ("compute", compute), ("routing", routing), ("cold", cold))
    }
    alts = statistics.mean(
        len(service.quote(r, *x[:2], etsng=x[2], mass_kg=20_000, tables=tables).alternatives)
        for x in inputs
    )
    base = p50["routing"]
    lines = [
        f"`uv run python -m bench.quote --requests {args.requests}` — {machine()}; "
        f"{len(inputs)} varied lanes (mean {alts:.1f} alternatives), mass, wagon owner and "
        "speed drawn per request; p50 per request; "
        "shared machine, figures noisy: compare the ratio.",
        "",
        "| measure | p50 | ratio to routing alone |",
        "|---|---:|---:|",
        f"| quote + JSON with every line rendered (en/ru) | {p50['full']:.0f} µs | "
        f"×{p50['full'] / base:.2f} |",
        f"| quote, compute only | {p50['compute']:.0f} µs | ×{p50['compute'] / base:.2f} |",
        f"| quote + JSON, lane asked for the first time | {p50['cold']:.0f} µs | "
        f"×{p50['cold'] / base:.2f} |",
        f"| baseline: routing alone, 5 alternatives | {base:.0f} µs | ×1.00 |",
        "",
        f"Target ≤ {TARGET_US:.0f} µs: {'met' if p50['full'] <= TARGET_US else 'not met'} "
        f"(quote + JSON {p50['full']:.0f} µs, compute only {p50['compute']:.0f} µs).",
    ]
    text = "\n".join(lines)
    print(text)
    record("quote", "### Quote with 5 alternatives, in process\n\n" + text)


if __name__ == "__main__":
    main()
