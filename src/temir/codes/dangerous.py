"""Which cargo codes are dangerous goods: the designation table shipped with its sources.

Why a table and not a rule of thumb: the SMGS note must carry the UN number, class and packing
group of dangerous goods (box 15), and whether goods are dangerous is a fact of the
nomenclature (SMGS Annex 2, the ETSNG dangerous-goods mark), not something to guess from a
name. ``temir/data/cargo/dangerous_goods.csv`` holds rows only where a public source prints the
designation; its ``SOURCES.md`` says why it has none yet. Read once, lazily, like the GNG list.
"""

from __future__ import annotations

import csv
import functools
import io
from importlib import resources

KINDS = ("etsng", "etsng_position", "gng", "gng_heading")


@functools.cache
def _table() -> dict[tuple[str, str], str]:
    """(kind, code) → source, from the packaged CSV."""
    source = resources.files("temir").joinpath("data", "cargo", "dangerous_goods.csv")
    rows = csv.DictReader(io.StringIO(source.read_text(encoding="utf-8")))
    return {(r["kind"], r["code"].strip()): r["source"] for r in rows if r["kind"] in KINDS}


def dangerous_designation(
    etsng: str | None, gng: str | None, table: dict[tuple[str, str], str] | None = None
) -> str | None:
    """The source that designates the goods dangerous, or None when no source does.

    Matches the ETSNG code, its tariff position (first 3 digits), the GNG code or its HS heading
    (first 4 digits); ``table`` replaces the shipped one (for a loaded edition, or a test).
    """
    rows = _table() if table is None else table
    if not rows:
        return None
    keys: list[tuple[str, str]] = []
    if etsng:
        keys += [("etsng", etsng), ("etsng_position", etsng[:3])]
    if gng:
        keys += [("gng", gng), ("gng_heading", gng[:4])]
    return next((rows[k] for k in keys if k in rows), None)
