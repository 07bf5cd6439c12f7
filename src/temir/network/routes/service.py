"""Use cases of routes: resolve a station, find routes, route a batch, report data quality.

Entry points (CLI, API, pages, and the quote use case in :mod:`temir.tariff.service`) take the
engine from :mod:`temir.network.provider` and pass it here, so every answer of one request
comes from one edition. Pure of I/O: the engine is all these functions read.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from temir.kit.errors import NotFound, ValidationFailed
from temir.kit.i18n import russian_names
from temir.kit.messages import define
from temir.kit.text import fold
from temir.network.routing import Route, Router, RoutingError
from temir.network.routing.engine import BatchPaths
from temir.network.routing.quality import Disagreement, disagreements

ESR_RE = re.compile(r"^\d{6}$")


def _m(msgid: str) -> str:
    """Declare a user-facing msgid of the routing texts (see temir.kit.messages)."""
    return define("routing", msgid)


def resolve_station(r: Router, text: str, field: str) -> str:
    """An ESR code, or a station name (exact, case- and ё-insensitive; base code preferred)."""
    text = text.strip()
    if ESR_RE.match(text):
        if text not in r.code_railway:
            raise NotFound(
                _m("Unknown station code {esr}."),
                code="route.unknown_station",
                field=field,
                esr=text,
            )
        return text
    wanted = fold(text)
    hits = [esr for esr, name in r.names.items() if fold(name) == wanted]
    hits += [
        esr for esr, name in r.data.name_en.items() if fold(name) == wanted and esr not in hits
    ]
    hits = [h for h in hits if h in r.code_railway]
    if not hits:
        raise NotFound(
            _m("Unknown station {name}."), code="route.unknown_station", field=field, name=text
        )
    if len(hits) > 1:
        raise ValidationFailed(
            _m("Station name {name} is ambiguous: {codes}. Give the ESR code."),
            code="route.ambiguous_station",
            field=field,
            name=text,
            codes=", ".join(sorted(hits)),
        )
    return hits[0]


def _routing_error(error: RoutingError) -> NotFound:
    params: dict[str, Any] = dict(error.params)
    return NotFound(error.msgid, code=error.code, field=error.field, **params)


#: Alternatives kept per engine (per edition): a busy quote page asks the same lanes again and
#: again, and a lane's routes are fixed for an edition. Cleared whole when full (no LRU
#: bookkeeping on the hot path; a full memo refills with the lanes still asked). A quoted
#: route also keeps its plan and its JSON per language (``tariff``), ~70 KB a lane measured
#: with both languages: 4,000 lanes bound that to ~280 MB a process, about what 20,000 bare
#: lanes took before the JSON was kept.
MEMO_SIZE = 4_000
_memos: weakref.WeakKeyDictionary[Router, dict[tuple[Any, ...], list[Route]]] = (
    weakref.WeakKeyDictionary()
)
_memo_lock = threading.Lock()


def _memo(r: Router) -> dict[tuple[Any, ...], list[Route]]:
    """The alternatives memo of ``r``'s edition: routes are immutable, an engine one edition."""
    found = _memos.get(r)
    if found is None:
        with _memo_lock:
            found = _memos.setdefault(r, {})
    return found


def find_routes(
    r: Router, from_text: str, to_text: str, via: Sequence[str] = (), alternatives: int = 5
) -> list[Route]:
    if alternatives < 1:
        raise ValidationFailed(
            _m("alternatives must be at least 1."), code="route.alternatives", field="alternatives"
        )
    a = resolve_station(r, from_text, "from")
    b = resolve_station(r, to_text, "to")
    via_codes = tuple(resolve_station(r, v, "via") for v in via)
    memo = _memo(r)
    key = (a, b, via_codes, alternatives)
    found = memo.get(key)
    if found is None:
        try:
            found = r.routes(a, b, via=via_codes, limit=alternatives)
        except RoutingError as error:
            raise _routing_error(error) from error
        if len(memo) >= MEMO_SIZE:
            memo.clear()
        memo[key] = found
    found = list(found)  # the caller's own list: the memo's stays as the engine gave it
    if not found:
        raise NotFound(
            _m("No freight route from {from_esr} to {to_esr}."),
            code="route.no_path",
            field="to",
            from_esr=a,
            to_esr=b,
        )
    return found


@dataclass(frozen=True)
class BatchRow:
    from_esr: str
    to_esr: str
    km: int | None
    km_by_railway: str
    borders: str
    error: str
    tariff_by_railway: str = ""  # which legs the transit tariff prices (national otherwise)


BATCH_ERRORS = ("", "route.unknown_station:from", "route.unknown_station:to", "route.no_path")


def batch_columns(
    r: Router, a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]
) -> tuple[BatchPaths, npt.NDArray[np.int8]]:
    """Encoded pairs → the batch answer in columns and an index into :data:`BATCH_ERRORS`.

    An unknown origin is reported before an unknown destination, as for a single route.
    """
    paths = r.batch_paths(a, b)
    error = np.where(a < 0, 1, np.where(b < 0, 2, np.where(paths.path < 0, 3, 0))).astype(np.int8)
    return paths, error


def batch_routes(
    r: Router,
    pairs: Sequence[tuple[str, str]],
    progress: Callable[[int], None] | None = None,
    chunk: int = 50_000,
) -> Iterable[BatchRow]:
    """Shortest route per pair; unroutable rows carry an error code instead of raising."""
    for start in range(0, len(pairs), chunk):
        part = pairs[start : start + chunk]
        a = [p[0].strip() for p in part]
        b = [p[1].strip() for p in part]
        paths, error = batch_columns(r, r.encode(a), r.encode(b))
        for k in range(len(part)):
            if error[k]:
                yield BatchRow(a[k], b[k], None, "", "", BATCH_ERRORS[error[k]], "")
                continue
            text = r.path_texts[int(paths.path[k])]
            first, last = int(paths.first_km[k]), int(paths.last_km[k])
            kmr = text.km_by_railway(first, last)
            yield BatchRow(a[k], b[k], int(paths.km[k]), kmr, text.borders, "", text.tariff)
        if progress is not None:
            progress(len(part))


def quality_report(r: Router) -> list[Disagreement]:
    return disagreements(r.data, findings=r.findings)


def station_name(r: Router, esr: str, lang: str) -> str:
    """The code's station name in ``lang``: Russian for ru/kk/tg (:func:`russian_names`),
    otherwise English where known, else Russian, else the code."""
    if not russian_names(lang) and r.data.name_en.get(esr):
        return r.data.name_en[esr]
    return r.names.get(esr, esr)


def route_dict(r: Router, route: Route, lang: str = "en") -> dict[str, Any]:
    """A route as JSON with station names beside codes, its notes in ``lang``."""
    return with_names(r, route.to_dict(lang))


def with_names(r: Router, out: dict[str, Any]) -> dict[str, Any]:
    """``out`` (a route's JSON, changed in place and returned) with station names beside codes.

    Why apart from :func:`route_dict`: a quote's JSON already holds each alternative's route,
    rendered once per route and language (:func:`temir.tariff.model.route_dict`); naming that
    one costs a few look-ups, rendering the route again cost a quarter of a quote answer.
    """
    out["from_name"] = r.names.get(out["from_esr"], "")
    out["to_name"] = r.names.get(out["to_esr"], "")
    for leg in out["legs"]:
        leg["entry_name"] = r.names.get(leg["entry_esr"], "")
        leg["exit_name"] = r.names.get(leg["exit_esr"], "")
    for b in out["borders"]:
        b["exit_name"] = r.names.get(b["exit_esr"], "")
        b["entry_name"] = r.names.get(b["entry_esr"], "")
    return out
