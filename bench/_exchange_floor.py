"""The floor of the exchange benchmark: a bare ASGI app that takes the same batches of
envelopes over HTTP and inserts each, as raw JSON, into a SQLite table in one transaction per
batch (WAL, synchronous=NORMAL, like Temir's SQLite). No checks, no signature, no receipt: the
least a node pays to get an envelope durably into its database over HTTP.

Run by ``bench/exchange.py`` as ``uvicorn bench._exchange_floor:app`` with ``FLOOR_DB`` set.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from typing import Any

_local = threading.local()


def _db() -> sqlite3.Connection:
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(os.environ["FLOOR_DB"], check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=5000")
        conn.execute("CREATE TABLE IF NOT EXISTS inbox (id TEXT PRIMARY KEY, envelope TEXT)")
        _local.conn = conn
    return conn


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    envelopes = json.loads(body)["envelopes"]
    conn = _db()
    with conn:
        conn.executemany(
            "INSERT OR IGNORE INTO inbox VALUES (?, ?)",
            [(e["id"], json.dumps(e)) for e in envelopes],
        )
    answer = json.dumps({"stored": len(envelopes)}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": answer})
