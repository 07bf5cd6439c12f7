"""A closed-loop HTTP/1.1 load generator: N keep-alive connections, each sending its next
request as soon as the answer to the last one arrives.

Why not httpx: on two shared cores the client competes with the server for CPU, and a
pure-Python client library costs more per request than the hello-world server it measures.
This one writes the request bytes and reads the status line, the headers and
``Content-Length`` bytes (or chunks) off an asyncio stream — the least a client can do — and
the same client measures the hello-world baseline and Temir, so their ratio is fair.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

TIMEOUT = 30.0  # seconds without an answer: counted as a failure, the connection replaced
RETRIES = 3  # a create whose connection closed unanswered is sent again, as a client would
#: (method, path, body, extra headers, kind) of one request; ``kind`` groups the figures.
Request = tuple[str, str, bytes, dict[str, str], str]


@dataclass
class Outcome:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter[str] = field(default_factory=Counter)
    created: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    #: requests sent whose connection closed (or timed out) before an answer, per kind
    closed: Counter[str] = field(default_factory=Counter)
    #: requests sent again after that (a create with the same Idempotency-Key)
    retried: Counter[str] = field(default_factory=Counter)
    #: ``X-Cache`` answers counted, per kind and value (``quote: hit``)
    cache: Counter[str] = field(default_factory=Counter)


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool, str]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            parts.append(await reader.readexactly(size + 2))
            if size == 0:
                break
        body = b"".join(p[:-2] for p in parts)
    else:
        body = b""
    close = headers.get("connection", "").lower() == "close"
    return status, body, close, headers.get("x-cache", "")


async def _connection(
    host: str,
    port: int,
    next_request: Callable[[random.Random], Request],
    rng: random.Random,
    start: float,
    warmup: float,
    stop: float,
    out: Outcome,
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    again: tuple[Request, bytes, int] | None = None  # a create to send again, its bytes, tries
    try:
        while True:
            now = time.perf_counter()
            if now >= stop and again is None:
                return
            if again is not None:
                request, data, tries = again
                again = None
            else:
                request, tries = next_request(rng), 0
                method, path, body, extra, kind = request
                headers = {"Host": f"{host}:{port}", **extra}
                if body:
                    headers["Content-Length"] = str(len(body))
                if method == "POST":  # a client that may retry says so: the server does it once
                    headers["Idempotency-Key"] = str(uuid.UUID(int=rng.getrandbits(128)))
                head = f"{method} {path} HTTP/1.1\r\n" + "".join(
                    f"{k}: {v}\r\n" for k, v in headers.items()
                )
                data = head.encode("latin-1") + b"\r\n" + body
            method, path, body, extra, kind = request
            writer.write(data)
            sent = time.perf_counter()
            try:
                status, answer, close, cache = await asyncio.wait_for(
                    _read_response(reader), TIMEOUT
                )
            except (asyncio.IncompleteReadError, ConnectionError, TimeoutError) as error:
                if sent >= start + warmup:
                    out.statuses[f"{kind}: closed ({type(error).__name__})"] += 1
                    out.closed[kind] += 1
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                if method == "POST" and tries < RETRIES:  # same bytes, same Idempotency-Key
                    again = (request, data, tries + 1)
                    out.retried[kind] += 1
                continue
            done = time.perf_counter()
            in_progress = status == 409 and b"idempotency_in_progress" in answer
            if in_progress and 0 < tries < RETRIES:  # the first try is still being written
                await asyncio.sleep(0.5)
                again = (request, data, tries + 1)
                out.retried[kind] += 1
                continue
            if sent >= start + warmup and done <= stop + 5:
                out.latencies.setdefault(kind, []).append(done - sent)
                out.statuses[f"{kind}: {status}"] += 1
                if cache:
                    out.cache[f"{kind}: {cache}"] += 1
                if status >= 500 and len(out.errors) < 5:
                    out.errors.append(f"{kind} {path}: {status} {answer[:200]!r}")
            if kind == "create" and status == 201:
                # acknowledged writes count whenever they happen: all must be stored
                out.created.append(answer.split(b'"id":"', 1)[1].split(b'"', 1)[0].decode())
            if close:
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
    finally:
        writer.close()


async def _run(
    host: str,
    port: int,
    clients: int,
    next_request: Callable[[random.Random], Request],
    warmup: float,
    seconds: float,
    seed: int,
) -> Outcome:
    out = Outcome()
    start = time.perf_counter()
    stop = start + warmup + seconds
    await asyncio.gather(
        *(
            _connection(host, port, next_request, random.Random(seed + i), start, warmup, stop, out)
            for i in range(clients)
        )
    )
    out.seconds = seconds
    return out


def run(
    host: str,
    port: int,
    clients: int,
    next_request: Callable[[random.Random], Request],
    warmup: float = 2.0,
    seconds: float = 10.0,
    seed: int = 1,
) -> Outcome:
    """``clients`` connections for ``warmup + seconds``; only the last ``seconds`` count."""
    return asyncio.run(_run(host, port, clients, next_request, warmup, seconds, seed))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]
