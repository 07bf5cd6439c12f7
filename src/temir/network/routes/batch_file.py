"""``temir route --pairs``: a CSV of O/D pairs in, the same rows with their route out.

Why DuckDB and columns: a million-pair file used to take ~45 s — a Python dict and a Route
object per row, and the csv module on both sides — while the engine answers the million in
well under a second. Here DuckDB reads and writes the CSV (in C, in parallel), the codes go to
the engine as two numpy arrays (:meth:`Router.batch_paths`), and the texts per row are picked
from the few distinct paths' texts. The rows, their order and every input column come out as
the csv-module version wrote them; ``tests/network/routes/test_batch_file.py`` pins that.

The output is written to a temporary file next to ``out`` and renamed when complete, so an
interrupted or failed run never leaves a half-written file behind.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from temir.kit.errors import ValidationFailed
from temir.kit.messages import define
from temir.network.routes.service import BATCH_ERRORS, batch_columns
from temir.network.routing import Router

EXTRA = ("km", "km_by_railway", "tariff_by_railway", "borders", "error")
STEPS = 4  # read, encode + route, write, done: the ticks given to ``progress``


def _m(msgid: str) -> str:
    """Declare a user-facing msgid of the routing texts (see temir.kit.messages)."""
    return define("routing", msgid)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def route_file(r: Router, pairs: Path, out: Path, progress: Callable[[int], None]) -> int:
    """Route every row of ``pairs`` into ``out``; returns the number of rows written."""
    import duckdb

    con = duckdb.connect()
    try:
        try:
            con.execute(
                "CREATE TEMP TABLE pairs AS SELECT * FROM read_csv(?, header = true, all_varchar"
                " = true, delim = ',', quote = '\"', escape = '\"', null_padding = true)",
                [str(pairs)],
            )
        except duckdb.Error as error:
            raise ValidationFailed(
                _m("The pairs file is not a readable CSV: {detail}"),
                code="route.pairs_file",
                field="pairs",
                detail=str(error).splitlines()[0],
            ) from error
        columns = [row[0] for row in con.execute("DESCRIBE pairs").fetchall()]
        if not {"from_esr", "to_esr"} <= set(columns):
            raise ValidationFailed(
                _m("The pairs file needs columns from_esr,to_esr."),
                code="route.pairs_columns",
                field="pairs",
            )
        progress(1)
        r.encode(())  # the engine's code ids are the positions in code_railway
        codes = list(r.code_railway)
        con.register(
            "codes",
            {"code": np.array(codes, dtype=object), "gid": np.arange(len(codes), dtype=np.int64)},
        )
        # The codes are matched in SQL (a hash join on 2 small tables), so no Python string
        # per row is made; ``rowid`` keeps the file's order.
        ids = con.execute(
            "SELECT coalesce(ca.gid, -1) AS a, coalesce(cb.gid, -1) AS b FROM pairs p "
            "LEFT JOIN codes ca ON ca.code = trim(p.from_esr) "
            "LEFT JOIN codes cb ON cb.code = trim(p.to_esr) ORDER BY p.rowid"
        ).fetchnumpy()
        a = np.ascontiguousarray(ids["a"], dtype=np.int64)
        b = np.ascontiguousarray(ids["b"], dtype=np.int64)
        paths, error_idx = batch_columns(r, a, b)
        progress(1)
        found = paths.path >= 0
        # The few distinct path texts are picked per row here, by numpy indexing (each row
        # refers to one of the same few Python strings); DuckDB then only concatenates. Picking
        # them in SQL from list parameters (``($1)[x.path + 1]``) cost ~4 times as long for a
        # million rows: the lists, one entry per distinct path, were handled per vector.
        texts = r.path_texts
        picked = np.maximum(paths.path, 0)

        def per_row(values: list[str | None]) -> np.ndarray:
            column = np.array(values, dtype=object)[picked]
            column[~found] = None
            return column

        con.register(
            "answer",
            {
                "km": np.where(found, paths.km, -1),
                "path": paths.path,
                "first_km": paths.first_km,
                "last_km": paths.last_km,
                "head": per_row([t.head for t in texts]),
                "middle": per_row([t.middle for t in texts]),
                "borders": per_row([t.borders or None for t in texts]),
                "tariff": per_row([t.tariff or None for t in texts]),
                "error": np.array([e or None for e in BATCH_ERRORS], dtype=object)[error_idx],
            },
        )
        computed = {
            "km": "CASE WHEN x.km >= 0 THEN CAST(x.km AS VARCHAR) END",
            "km_by_railway": "CASE WHEN x.path < 0 THEN NULL "
            "WHEN x.middle IS NULL THEN x.head || x.first_km "
            "ELSE x.head || x.first_km || x.middle || x.last_km END",
            "tariff_by_railway": "x.tariff",
            "borders": "x.borders",
            "error": "x.error",
        }
        select = [
            f"{computed[c]} AS {_ident(c)}" if c in computed else f"p.{_ident(c)}" for c in columns
        ]
        select += [f"{computed[c]} AS {_ident(c)}" for c in EXTRA if c not in columns]
        partial = out.with_name(f".{out.name}.{os.getpid()}.partial")
        try:
            # Identifiers are quoted by _ident, the path is a quoted literal: no injection.
            con.execute(
                f"COPY (SELECT {', '.join(select)} FROM pairs p POSITIONAL JOIN answer x) "  # noqa: S608
                f"TO {_literal(partial)} (HEADER, DELIMITER ',')"
            )
            progress(1)
            partial.replace(out)
        finally:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()
        progress(1)
        return len(a)
    finally:
        con.close()
