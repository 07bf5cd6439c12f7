"""Load check: N client *processes* against a real ``temir serve`` on loopback, bounded in size.

Why real processes: connections closed without a response only show up with a real server, a
real TCP stack and clients that keep connections alive and pause between requests (a
keep-alive connection the server drops at the instant the client reuses it). Each client is
its own process with one keep-alive ``httpx.Client`` and a think time between requests drawn
around the server's old 5 s keep-alive timeout; the mix is quotes (CPU, held DB session),
station searches and note creates (writes, with an ``Idempotency-Key``).

Run: ``uv run python -m bench.load [--clients 50] [--requests 30] [--think 0:6] [--retry]``.
It builds a throw-away SQLite installation in a temporary folder (migrated, demo accounts, an
API token), serves it on 127.0.0.1 on a free port, runs the clients and prints one line per
outcome. ``--retry`` retries a create whose connection closed without a response, with the same
``Idempotency-Key``, and checks that no note was written twice. Nothing leaves loopback.
Exit status 1 when any request failed (a 5xx, or a connection closed without a response).
"""

from __future__ import annotations

import argparse
import collections
import json
import multiprocessing
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from bench._floor import temir_cli

QUOTE = "/api/v1/quotes?from=684001&to=745309&cargo=011005&mass_kg=68000"
SEARCH = "/api/v1/stations?q=%D0%B4%D1%83%D1%88"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _prepare(home: Path) -> tuple[dict[str, str], str, str]:
    env = {**os.environ, "TEMIR_HOME": str(home), "COLUMNS": "200"}
    env.pop("TEMIR_DATABASE_URL", None)
    temir_cli(env, "db", "upgrade", timeout=600)
    temir_cli(env, "demo", timeout=600)
    token = json.loads(temir_cli(env, "tokens", "create", "demo-shipper", "--json"))["token"]
    note = temir_cli(env, "notes", "example", "--json", "--draft")
    return env, str(token), note


def _client(job: tuple[str, str, str, int, float, float, float, bool, int]) -> dict[str, Any]:
    base, token, note, requests, think_min, think_max, keepalive, retry, seed = job
    rng = random.Random(seed)
    outcomes: collections.Counter[str] = collections.Counter()
    created: list[str] = []
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    limits = httpx.Limits(keepalive_expiry=keepalive)
    with httpx.Client(base_url=base, timeout=120, limits=limits) as client:
        for _ in range(requests):
            time.sleep(rng.uniform(think_min, think_max))
            kind = rng.choices(["quote", "search", "create"], weights=[5, 3, 2])[0]
            key = str(uuid.uuid4())
            for attempt in range(3 if retry and kind == "create" else 1):
                try:
                    if kind == "create":
                        response = client.post(
                            "/api/v1/notes",
                            content=note,
                            headers={**headers, "Idempotency-Key": key},
                        )
                    else:
                        response = client.get(QUOTE if kind == "quote" else SEARCH)
                except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
                    outcomes[f"{kind}: closed without a response ({type(exc).__name__})"] += 1
                    if attempt < 2 and retry and kind == "create":
                        outcomes["create: retried with the same Idempotency-Key"] += 1
                        continue
                    break
                except httpx.HTTPError as exc:
                    outcomes[f"{kind}: {type(exc).__name__}"] += 1
                    break
                outcomes[f"{kind}: HTTP {response.status_code}"] += 1
                if kind == "create" and response.status_code == 201:
                    created.append(response.json()["id"])
                break
    return {"outcomes": dict(outcomes), "created": created}


def _stored_notes(base: str, token: str) -> int:
    response = httpx.get(
        base + "/api/v1/notes",
        params={"limit": 1},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )
    return int(response.json()["total"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=30, help="per client")
    parser.add_argument("--think", default="0:6", help="seconds between requests, MIN:MAX")
    parser.add_argument(
        "--keepalive", type=float, default=5.0, help="client keep-alive expiry, s (httpx: 5)"
    )
    parser.add_argument("--retry", action="store_true", help="retry dropped creates")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    if not 1 <= args.clients <= 200 or not 1 <= args.requests <= 1000:
        parser.error("at most 200 clients and 1,000 requests per client")
    think_min, think_max = (float(x) for x in args.think.split(":"))

    with tempfile.TemporaryDirectory(prefix="temir-load-") as tmp:
        env, token, note = _prepare(Path(tmp))
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "temir.cli", "serve", "--port", str(port)],
            env={**env, "TEMIR_HOST": "127.0.0.1"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            for _ in range(600):
                try:
                    if httpx.get(base + "/api/v1/railways", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            else:
                raise SystemExit("the server did not start")
            before = _stored_notes(base, token)
            jobs = [
                (
                    base,
                    token,
                    note,
                    args.requests,
                    think_min,
                    think_max,
                    args.keepalive,
                    args.retry,
                    args.seed + i,
                )
                for i in range(args.clients)
            ]
            started = time.perf_counter()
            with multiprocessing.get_context("spawn").Pool(args.clients) as pool:
                results = pool.map(_client, jobs)
            seconds = time.perf_counter() - started
            listed = _stored_notes(base, token) - before
        finally:
            server.terminate()
            _, server_log = server.communicate(timeout=60)

    outcomes: collections.Counter[str] = collections.Counter()
    created: list[str] = []
    for result in results:
        outcomes.update(result["outcomes"])
        created.extend(result["created"])
    total = sum(v for k, v in outcomes.items() if not k.startswith("create: retried"))
    print(f"{args.clients} client processes x {args.requests} requests in {seconds:.0f} s")
    for name, count in sorted(outcomes.items()):
        print(f"  {count:6d}  {name}")
    failed = sum(
        v for k, v in outcomes.items() if "closed without" in k or "HTTP 5" in k or "Error" in k
    )
    print(f"  {total:6d}  requests, {failed} failed")
    print(
        f"  notes created (201): {len(created)}, distinct: {len(set(created))}, "
        f"new in the store: {listed}"
    )
    errors = [line for line in server_log.splitlines() if "Error" in line or "error" in line]
    if errors:
        print("server log (errors, first 10):")
        for line in errors[:10]:
            print("  " + line)
    sys.exit(1 if failed or len(set(created)) != listed else 0)


if __name__ == "__main__":
    main()
