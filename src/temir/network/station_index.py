"""Every station of the loaded edition in memory: station search as one pass in Python.

Why: ``GET /api/v1/stations`` cost 5–8 ms of CPU per request in process while its two SQL
statements took about 0.5 ms — the rest was building the ORM statement, loading rows into
objects, the :class:`~temir.network.model.Station` dataclasses and pydantic validating and
serialising the answer. The reference network changes only when ``temir ref load`` loads a
new edition (1,428 places, 1,569 codes today), so the places are read once per edition, and a
search is a filter over them; each place's JSON is rendered once (:meth:`StationIndex.memo`).

The search means exactly what the SQL it replaced meant, on SQLite and PostgreSQL alike:

* each folded word of the query begins a word of the place's ``search_text`` (stored folded
  and framed by spaces: ``LIKE '% word%'`` is ``" word" in search_text``); or, when the query
  is only digits, one of the place's ESR codes begins with them (``esr LIKE 'digits%'``);
* railway, country and kind are equalities;
* best first: a place whose ``search_text`` begins with the first word, then by the length of
  ``name_ru`` in characters, then ``name_ru`` by code point (SQLite's BINARY collation and
  PostgreSQL's ``C`` collation of the project's databases), then ``id`` — places sharing a
  Russian name on two railways (19 such pairs) tied in SQL, whose order was the database's
  choice (PostgreSQL put the two «Разъезд № 10» one way at ``LIMIT 20`` and the other at
  ``LIMIT 200``); here it is the older place first.

Why keyed by the load digests (:func:`temir.network.provider.digest`): as for the route
engine, the key is remembered per database and read again at most once per
:func:`temir.kit.versions.check_seconds` (at once after this process loaded an edition), so a
load by another process is seen within that interval. The key also holds the database URL:
station ids are surrogate keys of one database.
"""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from temir.network import provider
from temir.network import repository as repo
from temir.network.model import Station, StationCode
from temir.network.tables import StationCodeRow, StationRow

T = TypeVar("T")
EDITIONS_KEPT = 4


class StationIndex:
    """The places of one edition, in the search's order of ties (see the module docstring)."""

    def __init__(self, places: Sequence[tuple[Station, str]]) -> None:
        """``places``: each station with its ``search_text``."""
        ordered = sorted(places, key=lambda p: (len(p[0].name_ru), p[0].name_ru, p[0].id))
        self.stations: tuple[Station, ...] = tuple(s for s, _ in ordered)
        self._texts = tuple(t for _, t in ordered)
        # " 684001 684002": a code starts with d exactly when " " + d is in it (digits only)
        self._codes = tuple("".join(" " + c.esr for c in s.codes) for s, _ in ordered)
        self._railways = tuple(s.railway for s, _ in ordered)
        self._countries = tuple(s.country for s, _ in ordered)
        self._kinds = tuple(s.kind for s, _ in ordered)
        self._memo: dict[str, Any] = {}
        self._lock = threading.Lock()

    def search(
        self,
        words: Sequence[str],
        digits: str | None,
        railway: str | None,
        country: str | None,
        kind: str | None,
        limit: int,
    ) -> list[int]:
        """Positions in :attr:`stations` of the best ``limit`` matches, best first."""
        texts = self._texts
        needles = [" " + w for w in words]
        found: Iterable[int] = range(len(texts))
        if needles or digits:
            by_words: list[int] = []
            if needles:
                first, *others = needles
                by_words = [i for i, text in enumerate(texts) if first in text]
                for needle in others:
                    by_words = [i for i in by_words if needle in texts[i]]
            if digits:
                code = " " + digits
                by_code = [i for i, codes in enumerate(self._codes) if code in codes]
                found = sorted({*by_words, *by_code}) if by_words else by_code
            else:
                found = by_words
        for wanted, values in ((railway, self._railways), (country, self._countries),
                               (kind, self._kinds)):  # fmt: skip
            if wanted:
                found = [i for i in found if values[i] == wanted]
        if not needles:
            return list(itertools.islice(found, limit))
        start = needles[0]
        best = [i for i in found if texts[i].startswith(start)]
        if len(best) >= limit:
            return best[:limit]
        return (best + [i for i in found if not texts[i].startswith(start)])[:limit]

    def memo(self, name: str, make: Callable[[StationIndex], T]) -> T:
        """``make(self)`` computed once per index (e.g. each place's rendered JSON)."""
        found = self._memo.get(name)
        if found is None:
            with self._lock:
                found = self._memo.get(name)
                if found is None:
                    found = self._memo[name] = make(self)
        return found


_ROLE_ORDER = {"main": 0, "export": 1, "transshipment": 2, "other": 3}


def station_of(row: StationRow, codes: Sequence[StationCodeRow]) -> Station:
    """The place with its codes, main first (then export, transshipment, other; by code)."""
    ordered = sorted(codes, key=lambda c: (_ROLE_ORDER.get(c.role, 9), c.esr))
    return Station(
        id=row.id,
        name_ru=row.name_ru,
        name_en=row.name_en,
        name_en_estimated=row.name_en_estimated,
        railway=row.railway,
        country=row.country,
        kind=row.kind,
        lat=row.lat,
        lon=row.lon,
        coord_estimated=row.coord_estimated,
        coord_source=row.coord_source,
        coord_suspect=row.coord_suspect,
        codes=tuple(
            StationCode(
                esr=c.esr,
                name_ru=c.name_ru,
                role=c.role,
                railway=c.railway,
                point_type=c.point_type,
                operations=c.operations,
                transit_point=c.transit_point,
                network_node=c.network_node,
            )
            for c in ordered
        ),
    )


_lock = threading.Lock()
_built: OrderedDict[tuple[str, str], StationIndex] = OrderedDict()


def index_for(session: Session) -> StationIndex:
    """The index of the edition loaded in ``session``'s database (built on first use)."""
    key = (str(session.get_bind().engine.url), provider.digest(session))
    found = _built.get(key)
    if found is not None:
        return found
    with _lock:
        found = _built.get(key)
        if found is None:
            rows = repo.all_stations(session)
            places = [(station_of(r, codes), r.search_text) for r, codes in rows]
            found = _built[key] = StationIndex(places)
            while len(_built) > EDITIONS_KEPT:
                _built.popitem(last=False)
        return found


def fresh_index(engine: Engine) -> StationIndex | None:
    """The index of ``engine``'s database when its edition need not be read again, else None:
    a search is then answered without a session or a thread."""
    url = str(engine.url)
    digest = provider.fresh_digest(url)
    return _built.get((url, digest)) if digest is not None else None
