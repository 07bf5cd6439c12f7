"""A note create in process: time per create and time inside the write lock, two ways.

Run: ``uv run python -m bench notes_create [-- --creates 300 --rounds 3]``. Records its
section of ``bench/RESULTS.md``.

Why the time inside the lock: on SQLite one transaction writes at a time, so under load what
bounds creates is how long each holds the lock (``temir.kit.db.write_gate``), not how long it
takes in all. A fresh installation (``temir db upgrade`` + ``temir demo``, real schema and
keys), the demo shipper creating varied drafts (:func:`bench.notes_import_bench.drafts`:
masses, contract and declarations differ), signed, one thread:

- **one unit of work** (the baseline): ``service.create_note`` inside ``uow()``, as every
  create ran before 2026-12-04 — the lock is held for all of it;
- **prepared first** (what the API, the web form and ``temir notes create`` run,
  ``service.create_note_in``): ``new_draft.prepare`` in a read session, then
  ``new_draft.store`` in the unit of work — the lock is held for the store only.

Both are timed by the same clock around the same ``with uow()`` block; rounds interleave the
two so both meet the same machine load. Statements inside the lock are counted with
SQLAlchemy's ``before_cursor_execute`` event.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if not __package__:  # run as ``python bench/...``: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event

from bench._floor import machine, temir_cli
from bench._results import record
from bench.notes_import_bench import drafts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--creates", type=int, default=300, help="Creates per way per round.")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="temir-bench-create-") as home:
        env = {**os.environ, "TEMIR_HOME": home}
        env.pop("TEMIR_DATABASE_URL", None)
        temir_cli(env, "db", "upgrade")
        temir_cli(env, "demo")
        os.environ["TEMIR_HOME"] = home
        os.environ.pop("TEMIR_DATABASE_URL", None)
        _run(args)


def _run(args: argparse.Namespace) -> None:
    from temir.accounts import service as accounts
    from temir.accounts.model import Channel
    from temir.kit import runtime
    from temir.notes.store import new_draft, service

    uow = runtime.uow()
    secret = runtime.settings().secret_key
    with uow.read() as session:
        actor = accounts.actor_for(session, "demo-shipper", Channel.API)
    bodies = list(drafts(args.creates * args.rounds * 2 + 20))  # each its own dict
    statements = [0]

    @event.listens_for(uow.engine, "before_cursor_execute")
    def _count(*_args: Any) -> None:
        statements[0] += 1

    def one_unit(body: dict[str, Any]) -> tuple[float, float, int]:
        start = time.perf_counter()
        before = statements[0]
        with uow() as session:
            service.create_note(session, actor, body, secret=secret)
        held = time.perf_counter() - start
        return held, held, statements[0] - before

    def prepared_first(body: dict[str, Any]) -> tuple[float, float, int]:
        start = time.perf_counter()
        with uow.read() as session:
            draft = new_draft.prepare(session, actor, body, secret=secret)
        locked = time.perf_counter()
        before = statements[0]
        with uow() as session:
            new_draft.store(session, actor, draft, secret=secret)
        end = time.perf_counter()
        return end - start, end - locked, statements[0] - before

    ways: dict[str, Callable[[dict[str, Any]], tuple[float, float, int]]] = {
        "one unit of work (baseline)": one_unit,
        "prepared first (`create_note_in`)": prepared_first,
    }
    taken: dict[str, list[tuple[float, float, int]]] = {name: [] for name in ways}
    feed = iter(bodies)
    for fn in ways.values():  # warm-up: imports, the key opened once, statement caches
        for _ in range(10):
            fn(next(feed))
    for _ in range(args.rounds):
        for name, fn in ways.items():
            taken[name] += [fn(next(feed)) for _ in range(args.creates)]

    base_total = statistics.median(t for t, _h, _s in taken["one unit of work (baseline)"])
    base_held = statistics.median(h for _t, h, _s in taken["one unit of work (baseline)"])
    lines = [
        f"`uv run python -m bench notes_create` — {machine()}; one thread, SQLite, a fresh "
        f"installation with the demo data; {args.creates} varied drafts per way per round, "
        f"{args.rounds} interleaved rounds; medians; shared machine, figures noisy: compare "
        "the ratios.",
        "",
        "| way | per create | inside the write lock | ratio (lock) | statements inside |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, rows in taken.items():
        total = statistics.median(t for t, _h, _s in rows)
        held = statistics.median(h for _t, h, _s in rows)
        inside = statistics.median(s for _t, _h, s in rows)
        lines.append(
            f"| {name} | {total * 1000:.2f} ms (×{total / base_total:.2f}) | "
            f"{held * 1000:.2f} ms | ×{held / base_held:.2f} | {inside:.0f} |"
        )
    text = "\n".join(lines)
    print(text)
    record("notes_create", "### A note create: time inside the write lock\n\n" + text)


if __name__ == "__main__":
    main()
