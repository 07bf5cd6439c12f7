"""What the import benchmarks share: a scratch table for the floor baseline, a Rich bar, the ratio.

Why a floor: an import's rate alone does not say what Temir's own work (validation, canonical
digest, indexing) costs. The floor gets the same input into the same database the plainest way
— parse each line, executemany the raw values into a scratch table with the same batches and
transactions — so ``Temir time ÷ floor time`` is the price of that work.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from sqlalchemy import Column, Integer, MetaData, Table, Text
from sqlalchemy.engine import Engine

console = Console()


def temir_cli(env: dict[str, str], *args: str, timeout: float = 900) -> str:
    """Run ``temir ARGS`` as a user would, in ``env``; its standard output (raises if it fails)."""
    done = subprocess.run(
        [sys.executable, "-m", "temir.cli", *args],
        env=env, capture_output=True, text=True, check=True, timeout=timeout,
    )  # fmt: skip
    return done.stdout


def machine() -> str:
    return (
        f"machine: {platform.machine()}, Python {platform.python_version()}, {os.cpu_count()} cores"
    )


@contextmanager
def scratch_table(engine: Engine, name: str, columns: Sequence[str]) -> Iterator[Table]:
    """A table of text columns (plus an integer ``line``) that is dropped however the run ends.

    Dropped in ``finally``: Ctrl-C in the middle of the floor leaves nothing behind (the batch
    in flight is rolled back by its unit of work first).
    """
    table = Table(
        name,
        MetaData(),
        Column("line", Integer, nullable=False),
        *(Column(c, Text) for c in columns),
    )
    table.drop(engine, checkfirst=True)
    table.create(engine)
    try:
        yield table
    finally:
        table.drop(engine, checkfirst=True)


@contextmanager
def bar(label: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A Rich progress bar; yields ``update(done)``. Transient, so the figures stay readable."""
    with Progress(
        TextColumn(f"{label:<28}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task(label, total=total)

        def update(done: int) -> None:
            progress.update(task, completed=done)

        yield update


def print_ratio(unit: str, temir: tuple[int, float], floor: tuple[int, float]) -> None:
    """Both rates and the ratio Temir ÷ floor (time per item), e.g. ``× 6.2``."""
    (t_count, t_seconds), (f_count, f_seconds) = temir, floor
    t_rate, f_rate = t_count / t_seconds, f_count / f_seconds
    print(f"  floor  {f_rate:>10,.0f} {unit}/s  ({f_count:,} in {f_seconds:.1f} s)")
    print(f"  Temir  {t_rate:>10,.0f} {unit}/s  ({t_count:,} in {t_seconds:.1f} s)")
    print(
        f"  ratio Temir ÷ floor (time per {unit.rstrip('s')}): ×{f_rate / t_rate:.2f}"
        f"  (Temir runs at {100 * t_rate / f_rate:.0f} % of the floor's rate)"
    )
