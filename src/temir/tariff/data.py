"""Read the tariff data files (rate tables, coefficients, delivery norms) into the pure model.

Why files and not constants: norms and rates change per legal regime and year; a new edition is
a new file (or a ``temir tariff load``), never a code change.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from temir.kit import tabular
from temir.kit.messages import Message, define
from temir.network.routing.loader import data_dir
from temir.tariff.model import Coefficients, DeliveryNorms, RateTable


def tariff_dir() -> Path:
    return data_dir() / "tariff"


def read_rate_rows(path: Path) -> list[dict[str, str]]:
    """Rows of a rate file in the ``demo_rates.csv`` layout (CSV or the first XLSX sheet)."""
    read = tabular.read_xlsx if path.suffix.lower() == ".xlsx" else tabular.read_csv
    _header, rows = read(path)
    out = []
    for _number, values in rows:
        row = {k: ("" if v is None else str(v)).strip() for k, v in values.items() if k}
        if any(row.values()):
            out.append(row)
    return out


def tables_from_rows(
    rows: list[dict[str, str]], meta: dict[str, dict[str, Any]]
) -> list[RateTable]:
    """Group rate rows by table id into :class:`RateTable` objects (anchors sorted by km)."""
    grouped: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in rows:
        grouped[r["table_id"]].append(r)
    out = []
    for tid, rs in grouped.items():
        info = meta.get(tid, {})
        rates: dict[str, list[tuple[int, Decimal]]] = defaultdict(list)
        for r in rs:
            rates[r["category"]].append((int(r["km_to"]), Decimal(r["rate_chf"])))
        railways = {r["railway"] for r in rs}
        first = rs[0]
        out.append(
            RateTable(
                id=tid,
                railways=None if "*" in railways else frozenset(railways),
                consignment=first["consignment"],
                valid_from=date.fromisoformat(first["valid_from"]),
                valid_to=date.fromisoformat(first["valid_to"]),
                mode=str(info.get("mode", "band")),
                demo=bool(info.get("demo", str(first.get("demo", "")).lower() == "true")),
                source=str(info.get("source", first.get("source", ""))),
                derivation=str(info.get("derivation", "")),
                rates={k: tuple(sorted(v)) for k, v in rates.items()},
            )
        )
    return out


@lru_cache(maxsize=1)
def _tables_json() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((tariff_dir() / "tables.json").read_text("utf-8"))
    return loaded


def shipped_tables() -> list[RateTable]:
    """The shipped tables (read once per process: a quote without a session asks every time)."""
    return list(_shipped_tables())


@lru_cache(maxsize=1)
def _shipped_tables() -> tuple[RateTable, ...]:
    meta = {t["id"]: t for t in _tables_json()["tables"]}
    return tuple(tables_from_rows(read_rate_rows(tariff_dir() / "demo_rates.csv"), meta))


@lru_cache(maxsize=1)
def coefficients() -> Coefficients:
    c = _tables_json()["coefficients"]
    unverified = tuple(k for k, v in c.items() if not v.get("verified", False))
    empty = c["empty_run_chf_per_axle_km"]
    return Coefficients(
        wagon_owner_other=Decimal(c["wagon_owner_other"]["value"]),
        empty_run_per_axle_km={2: Decimal(empty["2"]), 4: Decimal(empty["4"])},
        high_speed=Decimal(c["high_speed"]["value"]),
        tariff_class={k: Decimal(v) for k, v in c["tariff_class"].items() if k.isdigit()},
        min_chargeable_t={
            k: int(v)
            for k, v in c["min_chargeable_t"].items()
            if isinstance(v, int) and k != "verified"
        },
        unverified=unverified,
    )


@lru_cache(maxsize=1)
def delivery_norms() -> DeliveryNorms:
    d = json.loads((tariff_dir() / "delivery_norms.json").read_text("utf-8"))
    return DeliveryNorms(
        regime=d["regime"],
        version=define("tariff", d["version"]),
        unverified=bool(d["unverified"]),
        # The file's English warning is the msgid; its Russian lives in tariff.po (registered
        # here, so a changed warning without a translation fails the catalog test).
        warning=Message(define("tariff", d["warning"])),
        dispatch_days=int(d["dispatch_days"]),
        km_per_day={s: {k: int(v) for k, v in m.items()} for s, m in d["km_per_day"].items()},
        gauge_change_days=int(d["extra_days"]["gauge_change_or_transshipment"]),
    )
