"""Use cases of tariffs: rate tables, cargo, and the quote that prices the routes network found.

Routes come from :mod:`temir.network.routes` over the engine the entry point took from
:mod:`temir.network.provider` (one per loaded edition), so a quote's km are the very km the
note rules check in box 38.
"""

from __future__ import annotations

import csv
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from temir.accounts import audit
from temir.accounts.model import Actor
from temir.codes.etsng import check_etsng
from temir.kit import clock, providers, versions
from temir.kit.errors import NotFound, ValidationFailed
from temir.kit.messages import Message, define
from temir.network.routes.service import find_routes
from temir.network.routing import Router
from temir.network.routing.loader import data_dir
from temir.tariff import data as tariff_data
from temir.tariff import repository as repo
from temir.tariff.model import (
    Alternative,
    Cargo,
    Quote,
    QuoteNote,
    QuoteRequest,
    RateTable,
    Speed,
    WagonOwner,
)
from temir.tariff.rules import TariffRuleError, TransitCharge, charge_route, mark, route_plan
from temir.tariff.tables import RateRow, RateTableRow

DEMO_RATES = define("tariff", "DEMO RATES: charges come from demo tables, not an official tariff.")
UNVERIFIED_COEFF = define("tariff", "Unverified coefficients: {names}.")
NATIONAL_NOT_LOADED = define(
    "tariff",
    "National tariffs not loaded ({railways}): their export, import and domestic legs have no"
    " charge; a total with such legs covers the transit legs only and is never marked cheapest.",
)


# The same nine digits the quote page accepts: far above any consignment (a whole train is
# some 10,000 t), low enough that an absurd number is refused instead of priced.
MAX_MASS_KG = 999_999_999


def _m(msgid: str) -> str:
    """Declare a user-facing msgid of the tariff catalog (see temir.kit.messages)."""
    return define("tariff", msgid)


@lru_cache(maxsize=1)
def _commodities() -> dict[str, Cargo]:
    out: dict[str, Cargo] = {}
    with (data_dir() / "cargo" / "commodities.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["etsng"]:
                out[row["etsng"]] = Cargo(row["etsng"], row["etsng_name_ru"], row["group"])
    return out


def cargo(etsng: str) -> Cargo:
    """A known ETSNG code of the shipped commodity list (check digit verified first)."""
    known = _known_cargo(etsng)
    if known is not None:
        return known
    return _checked_cargo(etsng)


@lru_cache(maxsize=4096)
def _known_cargo(etsng: str) -> Cargo | None:
    """The cargo of a code that passes every check, else None (memoised: asked per quote)."""
    if check_etsng(etsng):
        return None
    return _commodities().get(etsng.strip())


def _checked_cargo(etsng: str) -> Cargo:
    problems = check_etsng(etsng)
    if problems:
        raise ValidationFailed.from_problems(
            [type(p)(p.code, p.msgid, "cargo", p.params, p.severity) for p in problems]
        )
    known = _commodities().get(etsng.strip())
    if known is None:
        raise NotFound(
            _m("Unknown cargo code {etsng}: not in the commodity list."),
            code="quote.unknown_cargo",
            field="cargo",
            etsng=etsng,
        )
    return known


_loaded_lock = threading.Lock()
_loaded: OrderedDict[tuple[tuple[str, str], ...], tuple[RateTable, ...]] = OrderedDict()
TABLE_VERSIONS_KEPT = 4
versions.watch("tariff_rate_tables")
_table_versions: versions.Remembered[tuple[tuple[str, str], ...]] = versions.Remembered()


def rate_tables(session: Session | None = None) -> list[RateTable]:
    """Shipped demo tables plus every official table loaded into the database.

    Why cached: every quote needs them, and reading and converting every rate row per request
    cost more than the quote. The key is the (id, loaded at) of each loaded table — one small
    read, at most once a second — which changes whenever ``temir tariff load`` loads or
    replaces a table: seen at once in this process, within a second from another one.
    """
    tables = tariff_data.shipped_tables()
    if session is None:
        return tables
    where = str(session.get_bind().engine.url)  # read once a second: see temir.kit.versions
    key = _table_versions.get(where, lambda: repo.rate_table_versions(session))
    if not key:
        return tables
    with _loaded_lock:
        found = _loaded.get(key)
        if found is not None:
            _loaded.move_to_end(key)
            return tables + list(found)
    loaded = tuple(_read_loaded_tables(session))
    with _loaded_lock:
        _loaded[key] = loaded
        while len(_loaded) > TABLE_VERSIONS_KEPT:
            _loaded.popitem(last=False)
    return tables + list(loaded)


def _read_loaded_tables(session: Session) -> list[RateTable]:
    metas, rows = repo.loaded_rate_rows(session)
    meta = {
        m.id: {"mode": m.mode, "demo": m.demo, "source": m.source, "derivation": ""} for m in metas
    }
    by_id = {m.id: m for m in metas}
    flat = [
        {
            "table_id": r.table_id,
            "railway": r.railway,
            "valid_from": by_id[r.table_id].valid_from.isoformat(),
            "valid_to": by_id[r.table_id].valid_to.isoformat(),
            "consignment": by_id[r.table_id].consignment,
            "category": r.category,
            "km_to": str(r.km_to),
            "rate_chf": str(r.rate_chf),
        }
        for r in rows
    ]
    return tariff_data.tables_from_rows(flat, meta)


def load_tables(session: Session, actor: Actor, path: Path) -> list[dict[str, Any]]:
    """Load official rate tables from CSV/XLSX (``demo_rates.csv`` layout, ``mode`` band).

    Each ``table_id`` is one version with its validity dates; loading it again replaces it.
    """
    try:
        raw = tariff_data.read_rate_rows(path)
        tables = tariff_data.tables_from_rows(raw, {})
    except (KeyError, ValueError, ArithmeticError) as error:
        raise ValidationFailed(
            _m("Cannot read rate file: {detail}."),
            code="tariff.bad_file",
            field="file",
            detail=str(error),
        ) from error
    if not tables:
        raise ValidationFailed(
            _m("The rate file has no rows."), code="tariff.bad_file", field="file"
        )
    out = []
    for t in tables:
        if t.valid_to < t.valid_from:
            raise ValidationFailed(
                _m("valid_to is before valid_from in table {table}."),
                code="tariff.validity",
                field="valid_to",
                table=t.id,
            )
        demo = any(str(r.get("demo", "")).lower() == "true" for r in raw if r["table_id"] == t.id)
        head = RateTableRow(
            id=t.id,
            consignment=t.consignment,
            valid_from=t.valid_from,
            valid_to=t.valid_to,
            mode="band",
            demo=demo,
            source=str(path.name),
            loaded_at=clock.now(),
            loaded_by=actor.label,
        )
        rows = [
            RateRow(table_id=t.id, railway=rw, category=cat, km_to=km, rate_chf=rate)
            for rw in sorted(t.railways or {"*"})
            for cat, anchors in t.rates.items()
            for km, rate in anchors
        ]
        repo.replace_rate_table(session, head, rows)
        audit.record(session, actor, "tariff.load", "rate_table", t.id, {"rows": len(rows)})
        out.append(
            {
                "table_id": t.id,
                "rows": len(rows),
                "valid_from": t.valid_from.isoformat(),
                "valid_to": t.valid_to.isoformat(),
                "demo": demo,
            }
        )
    return out


# The quote's notices, one object per distinct text, so each renders once per language.
_DEMO_NOTE = QuoteNote("quote.demo_rates", Message(DEMO_RATES))


@lru_cache(maxsize=256)
def _national_note(railways: str) -> QuoteNote:
    return QuoteNote(
        "quote.national_not_loaded", Message.of(NATIONAL_NOT_LOADED, railways=railways)
    )


@lru_cache(maxsize=64)
def _coefficients_note(names: str) -> QuoteNote:
    return QuoteNote("quote.unverified_coefficients", Message.of(UNVERIFIED_COEFF, names=names))


_OWNERS = frozenset(str(w) for w in WagonOwner)
_SPEEDS = frozenset(str(s) for s in Speed)


def quote(
    r: Router,
    from_text: str,
    to_text: str,
    *,
    etsng: str,
    mass_kg: int,
    wagon_owner: str = "carrier",
    speed: str = "freight",
    container: str | None = None,
    empty_return: bool = False,
    via: Sequence[str] = (),
    alternatives: int = 5,
    on: date | None = None,
    tables: list[RateTable] | None = None,
) -> Quote:
    """Alternatives with km, delivery days and the charge in CHF, each line explained."""
    if mass_kg <= 0:
        raise ValidationFailed(
            _m("Mass must be a positive number of kg."), code="quote.mass", field="mass_kg"
        )
    if mass_kg > MAX_MASS_KG:
        raise ValidationFailed(
            _m("Mass must be at most {max} kg."),
            code="quote.mass",
            field="mass_kg",
            max=MAX_MASS_KG,
        )
    if wagon_owner not in _OWNERS:
        raise ValidationFailed(
            _m("wagon_owner must be carrier or other."), code="quote.option", field="wagon_owner"
        )
    if speed not in _SPEEDS:
        raise ValidationFailed(
            _m("speed must be freight or high."), code="quote.option", field="speed"
        )
    owner, spd = WagonOwner(wagon_owner), Speed(speed)
    goods = cargo(etsng)
    routes = find_routes(r, from_text, to_text, via, alternatives)
    req = QuoteRequest(
        routes[0].from_esr,
        routes[0].to_esr,
        goods,
        mass_kg,
        owner,
        spd,
        container,
        empty_return,
        on=on or date.today(),
    )
    tables = tables if tables is not None else rate_tables()
    norms, coeff = tariff_data.delivery_norms(), tariff_data.coefficients()
    consignment = "container" if container else "wagon"
    demo_ids = {t.id for t in tables if t.demo}
    shared: dict[tuple[str, int], TransitCharge] = {}  # the alternatives share most legs
    alts: list[Alternative] = []
    for route in routes:
        try:
            lines, used, legs = charge_route(route, req, tables, coeff, shared)
        except TariffRuleError as error:
            params: dict[str, Any] = dict(error.params)
            raise ValidationFailed(
                error.msgid, code=error.code, field=error.field, **params
            ) from error
        alts.append(
            Alternative(
                route,
                route_plan(route).delivery(route, norms, spd, consignment),
                tuple(lines),
                tuple(used),
                not demo_ids.isdisjoint(used),
                legs=tuple(legs),
            )
        )
    notes: list[QuoteNote] = []
    if any(a.demo for a in alts):
        notes.append(_DEMO_NOTE)
    national = sorted({c.railway for a in alts for c in a.uncharged})
    if national:
        notes.append(_national_note(", ".join(national)))
    if norms.unverified:
        notes.append(QuoteNote("quote.unverified_norms", norms.warning))
    if coeff.unverified:
        notes.append(_coefficients_note(", ".join(coeff.unverified)))
    used_ids = {t for a in alts for t in a.tables_used}
    return Quote(req, tuple(mark(alts)), tuple(notes), tuple(t for t in tables if t.id in used_ids))


def observed_dwell(session: Session) -> Mapping[tuple[str, str | None], Any]:
    """Observed border dwell per (exit, entry) crossing, for quotes to show beside km and days.

    Tracking measures it, and tracking sits above tariff in the layers, so the entry points name
    the provider (:mod:`temir.wiring`); without one (no tracking wired) there is none.
    """
    provider = providers.provided("border_dwell")
    if provider is None:
        return {}
    found: Mapping[tuple[str, str | None], Any] = provider(session)
    return found
