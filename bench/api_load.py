"""The API under load: 50 concurrent clients against ``temir serve``, SQLite and PostgreSQL.

Measured in one run, one backend after the other, by the same closed-loop client
(:mod:`bench._http_load`, 50 keep-alive connections, each sending its next request as soon as
the last is answered; 2 s warm-up, then 10 s counted):

* **baseline** — FastAPI's hello world (:mod:`bench._hello`) under uvicorn with the same
  workers and options as ``temir serve``;
* **quotes** — ``GET /api/v1/quotes``, each request drawn anew: one of 200 interstate lanes
  (pairs of the shipped network that route, real ETSNG codes; lane of rank k asked with weight
  1/k), a mass of 5–70 whole tonnes, wagon owner, speed and language (en/ru). The server keeps
  rendered answers (:mod:`temir.tariff.answers`); the share the ``X-Cache: hit`` header
  reports is printed and recorded: the figure depends on it;
* **mixed** — quotes 4 : station searches 3 : notes list 2 : note creates 1, as the demo shipper
  with an API token; every create acknowledged with 201 is then looked up in the database. A
  create posts one of 500 drafts of the example note (masses, contract and declarations
  varied, :func:`bench.notes_import_bench.drafts`).

A throw-away installation per backend (``temir db upgrade`` + ``temir demo``; PostgreSQL: a
fresh database on ``TEMIR_TEST_POSTGRES_URL``), served on 127.0.0.1 by ``temir serve
--workers N``. The machine's load average is printed: on shared cores the ratio to the
baseline is the figure to compare.

Run: ``uv run python -m bench api_load [-- --workers 2 --backend sqlite]``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench._floor import machine, temir_cli
from bench._http_load import Outcome, Request, percentile, run
from bench._results import record
from bench.notes_import_bench import drafts
from temir.kit.db import make_engine

CREATE_BODIES = 500
STARTED = "Application startup complete."  # uvicorn logs it once per worker
SEARCHES = ["душ", "кост", "алма", "таш", "astana", "700007", "хуж", "shym", "бекаб", "тараз"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _lanes(seed: int) -> list[tuple[str, str, str]]:
    """200 interstate (from, to, ETSNG) lanes the shipped network and commodity list can quote."""
    from temir.network.provider import shipped_network
    from temir.tariff import service

    r = shipped_network().router
    rng = random.Random(seed)
    codes = sorted(r.code_railway)
    goods = sorted(service._commodities())
    tables = service.rate_tables()
    lanes: list[tuple[str, str, str]] = []
    while len(lanes) < 200:
        a, b = rng.choice(codes), rng.choice(codes)
        if r.code_railway[a] == r.code_railway[b] or len(r.routes(a, b, limit=5)) < 2:
            continue
        etsng = rng.choice(goods)
        try:
            service.quote(r, a, b, etsng=etsng, mass_kg=60_000, tables=tables)
        except Exception:
            continue
        lanes.append((a, b, etsng))
    return lanes


def quote_request(lanes: list[tuple[str, str, str]]) -> Callable[[random.Random], Request]:
    """A quote drawn per request: a lane (the first lanes asked most, weight 1/rank, as on a
    real quote service), a mass in whole tonnes 5–70 t, wagon owner, speed and language."""
    weights = [1 / rank for rank in range(1, len(lanes) + 1)]

    def pick(rng: random.Random) -> Request:
        a, b, etsng = rng.choices(lanes, weights)[0]
        query = {
            "from": a,
            "to": b,
            "cargo": etsng,
            "mass_kg": rng.randrange(5, 71) * 1000,
            "wagon_owner": rng.choice(["carrier", "other"]),
            "speed": rng.choice(["freight", "freight", "high"]),
        }
        lang = {"Accept-Language": rng.choice(["en", "ru"])}
        return ("GET", "/api/v1/quotes?" + urllib.parse.urlencode(query), b"", lang, "quote")

    return pick


@contextmanager
def _server(
    argv: list[str], env: dict[str, str], port: int, probe: str, log: Path, workers: int
) -> Iterator[None]:
    """The server of ``argv``, its output in ``log`` (read for errors afterwards), once all its
    ``workers`` have started: the clients connect at once, and a connection made while only
    the first worker listens stays with it for the whole run."""
    handle = log.open("w")
    process = subprocess.Popen(argv, env=env, stdout=handle, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.time() + 120
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    s.sendall(f"GET {probe} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
                    answered = s.recv(12).startswith(b"HTTP/1.1 200")
                if answered and log.read_text().count(STARTED) >= workers:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.time() > deadline:
                raise SystemExit(f"server did not start: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        handle.close()


def _server_errors(log: Path) -> list[str]:
    """The last line of each traceback the server logged (the exception)."""
    lines = log.read_text(errors="replace").splitlines()
    found = []
    for i, line in enumerate(lines):
        if line.startswith("Traceback"):
            j = i + 1
            while j < len(lines) and (lines[j].startswith(" ") or not lines[j].strip()):
                j += 1
            if j < len(lines):
                found.append(lines[j][:200])
    return found


def _summary(name: str, out: Outcome) -> dict[str, Any]:
    every = [x for values in out.latencies.values() for x in values]
    failed = sum(v for k, v in out.statuses.items() if not k.split(": ")[1].startswith("2"))
    sent = len(every) + sum(out.closed.values())
    hits = sum(v for k, v in out.cache.items() if k.endswith(": hit"))
    return {
        "name": name,
        "closed": sum(out.closed.values()),
        "sent": sent,
        "retried": sum(out.retried.values()),
        "closed_kinds": dict(out.closed),
        "cache_hits": hits,
        "cache_counted": sum(out.cache.values()),
        "requests": len(every),
        "rate": len(every) / out.seconds,
        "p50_ms": percentile(every, 0.5) * 1000,
        "p99_ms": percentile(every, 0.99) * 1000,
        "failed": failed,
        "statuses": dict(sorted(out.statuses.items())),
        "errors": out.errors,
        "kinds": {
            k: (len(v), percentile(v, 0.5) * 1000, percentile(v, 0.99) * 1000)
            for k, v in sorted(out.latencies.items())
        },
    }


def _print(s: dict[str, Any]) -> None:
    print(
        f"  {s['name']:<8} {s['rate']:8,.0f} req/s  p50 {s['p50_ms']:6.1f} ms"
        f"  p99 {s['p99_ms']:6.1f} ms  failed {s['failed']}  {s['statuses']}"
    )
    print(
        f"           closed without a response: {s['closed']} of {s['sent']}"
        f" {s['closed_kinds'] or ''}, creates sent again (same Idempotency-Key): {s['retried']}"
        + (
            f", cache hits {s['cache_hits']:,} of {s['cache_counted']:,}"
            f" ({s['cache_hits'] / s['cache_counted']:.0%})"
            if s["cache_counted"]
            else ""
        )
    )
    if s["name"] == "mixed":
        print(
            "           "
            + ", ".join(
                f"{k} p50 {p50:.0f} / p99 {p99:.0f} ms" for k, (_n, p50, p99) in s["kinds"].items()
            )
        )
    for error in s["errors"]:
        print("    " + error)


def _backend(
    backend: str, args: argparse.Namespace, lanes: list[tuple[str, str, str]], home: Path
) -> dict[str, Any]:
    env = {**os.environ, "TEMIR_HOME": str(home), "COLUMNS": "200"}
    if backend == "postgresql":
        from bench.notes_import_bench import scratch_postgres

        prefix = os.environ.get("TEMIR_TEST_DB_PREFIX", "")
        env["TEMIR_DATABASE_URL"] = scratch_postgres(f"{prefix}temir_api_load")
    else:
        env.pop("TEMIR_DATABASE_URL", None)
    temir_cli(env, "db", "upgrade")
    temir_cli(env, "demo")
    token = json.loads(temir_cli(env, "tokens", "create", "demo-shipper", "--json"))["token"]
    notes = [json.dumps(d, ensure_ascii=False).encode() for d in drafts(CREATE_BODIES)]
    url = env.get("TEMIR_DATABASE_URL") or f"sqlite:///{home / 'temir.sqlite3'}"
    workers = str(args.workers)
    result: dict[str, Any] = {"backend": backend}

    port = _free_port()
    hello = [sys.executable, "-m", "bench._hello", "--port", str(port), "--workers", workers]
    with _server(hello, env, port, "/hello", home / "hello.log", args.workers):
        out = run(
            "127.0.0.1", port, args.clients,
            lambda _rng: ("GET", "/hello", b"", {}, "hello"), args.warmup, args.seconds,
        )  # fmt: skip
    result["hello"] = _summary("hello", out)
    _print(result["hello"])

    auth = {"Authorization": f"Bearer {token}"}
    post = {**auth, "Content-Type": "application/json"}

    quote = quote_request(lanes)

    def mixed(rng: random.Random) -> Request:
        kind = rng.choices(["quote", "search", "list", "create"], weights=[4, 3, 2, 1])[0]
        if kind == "quote":
            return quote(rng)
        if kind == "search":
            q = urllib.parse.quote(rng.choice(SEARCHES))
            return ("GET", f"/api/v1/stations?q={q}", b"", {}, "search")
        if kind == "list":
            return (
                "GET",
                f"/api/v1/notes?limit=20&offset={rng.randrange(0, 40)}",
                b"",
                auth,
                "list",
            )
        return ("POST", "/api/v1/notes", rng.choice(notes), post, "create")

    port = _free_port()
    serve = [sys.executable, "-m", "temir.cli", "serve", "--port", str(port), "--workers", workers]
    scenarios: list[tuple[str, Callable[[random.Random], Request]]] = [
        ("quotes", quote),
        ("mixed", mixed),
    ]
    scenarios = [(n, p) for n, p in scenarios if args.scenario in ("all", n)]
    created: list[str] = []
    with _server(serve, env, port, "/api/v1/railways", home / "serve.log", args.workers):
        for name, pick in scenarios:
            out = run("127.0.0.1", port, args.clients, pick, args.warmup, args.seconds, args.seed)
            result[name] = _summary(name, out)
            _print(result[name])
            created.extend(out.created)
    errors = _server_errors(home / "serve.log")
    result["server_errors"] = len(errors)
    for line in sorted(set(errors))[:8]:
        print(f"  server: {errors.count(line)} × {line}")
    engine = make_engine(url)
    with engine.connect() as conn:
        stored = {str(r[0]) for r in conn.execute(text("SELECT id FROM notes"))}
    engine.dispose()
    result["created"] = len(created)
    result["distinct"] = len(set(created))
    result["missing"] = len(set(created) - stored)
    print(
        f"  acknowledged creates {len(created)}, distinct {len(set(created))},"
        f" missing from the database {result['missing']}"
    )
    return result


def _share(s: dict[str, Any]) -> str:
    if not s["cache_counted"]:
        return "—"
    return f"{s['cache_hits'] / s['cache_counted']:.0%}"


def _section(results: list[dict[str, Any]], args: argparse.Namespace, load: str) -> str:
    lines = [
        "### API under load: 50 concurrent clients",
        "",
        f"`uv run python -m bench api_load` — {machine()}; `temir serve --workers {args.workers}`;"
        f" {args.clients} keep-alive connections, closed loop, {args.warmup:.0f} s warm-up then"
        f" {args.seconds:.0f} s counted; load average {load} (other sessions' jobs on the same"
        " two cores, and the client itself: compare the ratio to the hello-world baseline).",
        "",
        "| backend | run | req/s | ratio to hello | p50 | p99 | failed | closed unanswered"
        " | cache hits | target |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        hello = r["hello"]["rate"]
        for name, target in (
            ("hello", "—"),
            ("quotes", "≥ 1,000 req/s, p99 ≤ 50 ms, 0 errors"),
            ("mixed", "≥ 500 req/s, 0 errors"),
        ):
            s = r[name]
            lines.append(
                f"| {r['backend']} | {name} | {s['rate']:,.0f} | ×{s['rate'] / hello:.2f} |"
                f" {s['p50_ms']:.1f} ms | {s['p99_ms']:.1f} ms | {s['failed']} |"
                f" {s['closed']} of {s['sent']:,} | {_share(s)} | {target} |"
            )
    lines.append("")
    for r in results:
        kinds = ", ".join(
            f"{k} {n:,} (p50 {p50:.1f} / p99 {p99:.1f} ms)"
            for k, (n, p50, p99) in r["mixed"]["kinds"].items()
        )
        lines.append(
            f"- {r['backend']} mixed: {kinds}; acknowledged creates {r['created']:,}"
            f" (distinct {r['distinct']:,}), missing from the database afterwards: {r['missing']};"
            f" creates sent again with the same Idempotency-Key after a closed connection:"
            f" {r['mixed']['retried']}."
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument("--no-record", action="store_true")
    parser.add_argument(
        "--scenario",
        choices=["all", "quotes", "mixed"],
        default="all",
        help="Run one scenario after the baseline (an ad-hoc run: not recorded).",
    )
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    if "postgresql" in backends and not os.environ.get("TEMIR_TEST_POSTGRES_URL"):
        parser.error("PostgreSQL needs TEMIR_TEST_POSTGRES_URL")
    lanes = _lanes(args.seed)
    results = []
    for backend in backends:
        print(f"{backend}:")
        with tempfile.TemporaryDirectory(prefix="temir-api-load-") as tmp:
            results.append(_backend(backend, args, lanes, Path(tmp)))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average {load}")
    if not args.no_record and args.backend == "both" and args.scenario == "all":
        record("api_load", _section(results, args, load))
    bad = any(r[n]["failed"] for r in results for n in ("quotes", "mixed") if n in r) or any(
        r["missing"] for r in results
    )
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
