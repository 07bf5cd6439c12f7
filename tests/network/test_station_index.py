"""The in-memory station index answers exactly what the SQL search it replaced answered.

The expected answers come from that SQL, kept here as the oracle (``_sql_search``: the
statement ``repository.search_stations`` ran, with ``id`` added as the last key — places that
share a Russian name on two railways tied, and the database's choice among them was not
defined), on SQLite and PostgreSQL; the API's bytes are compared with the bytes FastAPI made
of ``list[StationOut]``.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from pydantic import TypeAdapter
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from temir.kit.db import UnitOfWork
from temir.kit.text import fold
from temir.network import service, station_index
from temir.network.api import StationOut
from temir.network.model import Station
from temir.network.tables import (
    DatasetEditionRow,
    RailwayRow,
    StationCodeRow,
    StationRow,
)

# ---------------------------------------------------------------- the oracle: the old SQL path


def _sql_ids(
    session: Session,
    q: str | None = None,
    *,
    railway: str | None = None,
    country: str | None = None,
    kind: str | None = None,
    limit: int = 20,
) -> list[int]:
    """The ids of the places the old statement found, in its order."""
    words, digits = service._query(q)
    limit = max(1, min(limit, service.MAX_LIMIT))
    railway = railway.upper() if railway else None
    country = country.upper() if country else None
    kind = kind.lower() if kind else None
    stmt = sa.select(StationRow.id)
    matches = []
    if words:
        matches.append(sa.and_(*[StationRow.search_text.like(f"% {w}%") for w in words]))
    if digits:
        code_match = sa.select(StationCodeRow.station_id).where(
            StationCodeRow.esr.like(digits + "%")
        )
        matches.append(StationRow.id.in_(code_match))
    if matches:
        stmt = stmt.where(sa.or_(*matches))
    if railway:
        stmt = stmt.where(StationRow.railway == railway)
    if country:
        stmt = stmt.where(StationRow.country == country)
    if kind:
        stmt = stmt.where(StationRow.kind == kind)
    if words:
        stmt = stmt.order_by(sa.case((StationRow.search_text.like(f" {words[0]}%"), 0), else_=1))
    stmt = stmt.order_by(sa.func.length(StationRow.name_ru), StationRow.name_ru, StationRow.id)
    return list(session.scalars(stmt.limit(limit)))


def _sql_search(session: Session, q: str | None = None, **options: object) -> list[Station]:
    """The places the old code answered: its statement, then each place with its codes."""
    return _sql_search_ids(session, _sql_ids(session, q, **options))  # type: ignore[arg-type]


def _sql_search_ids(session: Session, ids: list[int]) -> list[Station]:
    rows = {r.id: r for r in session.scalars(sa.select(StationRow).where(StationRow.id.in_(ids)))}
    codes: dict[int, list[StationCodeRow]] = {i: [] for i in ids}
    for code in session.scalars(
        sa.select(StationCodeRow)
        .where(StationCodeRow.station_id.in_(ids))
        .order_by(StationCodeRow.esr)
    ):
        codes[code.station_id].append(code)
    return [station_index.station_of(rows[i], codes[i]) for i in ids]


# ---------------------------------------------------------------- the corpus


def _names(session: Session) -> list[tuple[str, str]]:
    return [tuple(r) for r in session.execute(sa.select(StationRow.name_ru, StationRow.name_en))]  # type: ignore[misc]


def _prefixes(session: Session) -> list[str]:
    """Every 1–4 letter prefix of every word of every place's ru and en name (folded)."""
    out: set[str] = set()
    for ru, en in _names(session):
        for word in fold(f"{ru} {en}").split():
            out.update(word[:n] for n in range(1, 5))
    return sorted(out)


def _esr_prefixes(session: Session) -> list[str]:
    out: set[str] = set()
    for (esr,) in session.execute(sa.select(StationCodeRow.esr)):
        out.update(esr[:n] for n in range(1, 7))
    return sorted(out)


ODD = [
    None, "", "   ", "Қостанай", "ҚОСТАНАЙ", "Перемётная", "Бурёбоф", "ұзын", "шу", "Шымкент",
    "мар семиглав", "семиглавый мар", "ст. Алматы-1", "almaty 1", "Алматы 1 2", "разъезд 1",
    "68 4001", " 684001 ", "0", "00", "9999999", "1234567", "x", "zz", "ЖЖЖЖ", "%", "_", "a%b",
    "a_b", "'", '"', "\\", "emoji 🚂", "ß", "İstanbul", "٣", "１２", "Ã", "déjà", "й", "Й",
    "ё", "ъ", "a b c d e f g h i j", "кост кост", "№ 10", "разъезд № 10",
]  # fmt: skip

_FILTERS = [
    {"railway": "KZH"}, {"railway": "kzh"}, {"railway": "UTI"}, {"railway": "XXX"},
    {"country": "KZ"}, {"country": "uz"}, {"country": "TJ"}, {"kind": "border"},
    {"kind": "JUNCTION"}, {"kind": "port"}, {"railway": "KZH", "kind": "border"},
    {"railway": "UTI", "country": "UZ", "kind": "station"}, {"railway": ""},
]  # fmt: skip


def _dicts(stations: Sequence[Station]) -> list[dict[str, object]]:
    return [s.to_dict() for s in stations]


def _mismatches(session: Session, cases: Iterator[tuple[str | None, dict]]) -> list[str]:  # type: ignore[type-arg]
    """The cases where the index found other places, or in another order, than the SQL."""
    bad = []
    for q, options in cases:
        got = [st.id for st in service.search_stations(session, q, **options)]
        if got != _sql_ids(session, q, **options):
            bad.append(f"{q!r} {options}")
    return bad


def test_every_place_is_held_as_the_old_code_read_it(uow: UnitOfWork) -> None:
    """Each place and its codes, in the index, as the old code read them from the tables."""
    with uow.read() as s:
        held = {st.id: st.to_dict() for st in station_index.index_for(s).stations}
        every = list(s.scalars(sa.select(StationRow.id)))
        read = {}
        for chunk in range(0, len(every), service.MAX_LIMIT):
            ids = every[chunk : chunk + service.MAX_LIMIT]
            read.update({st.id: st.to_dict() for st in _sql_search_ids(s, ids)})
    assert len(every) > 1000
    assert held == read


def test_every_word_prefix_answers_as_the_sql(uow: UnitOfWork) -> None:
    with uow.read() as s:
        prefixes = _prefixes(s)
        assert len(prefixes) > 1000  # the corpus is what it says
        bad = _mismatches(s, ((p, {}) for p in prefixes))
    assert bad == []


def test_every_esr_prefix_answers_as_the_sql(uow: UnitOfWork) -> None:
    with uow.read() as s:
        prefixes = _esr_prefixes(s)
        assert len(prefixes) > 1500
        bad = _mismatches(s, ((p, {}) for p in prefixes))
    assert bad == []


def test_odd_queries_filters_and_limits_answer_as_the_sql(uow: UnitOfWork) -> None:
    with uow.read() as s:
        sample = _prefixes(s)[::37] + _esr_prefixes(s)[::97] + ODD

        def cases() -> Iterator[tuple[str | None, dict]]:  # type: ignore[type-arg]
            for q in sample:
                for limit in (1, 20, service.MAX_LIMIT, 0, 10_000):
                    yield q, {"limit": limit}
                for options in _FILTERS:
                    yield q, options
            for a, b in zip(sample[::3], sample[1::3], strict=False):
                yield f"{a} {b}", {}
                yield f"{b} {a}", {"limit": 5}

        bad = _mismatches(s, cases())
    assert bad == []


def test_ties_of_one_name_on_two_railways_come_older_first(uow: UnitOfWork) -> None:
    """The order SQL left to the database is fixed: same name, same length — by id."""
    with uow.read() as s:
        shared = s.execute(
            sa.select(StationRow.name_ru).group_by(StationRow.name_ru).having(sa.func.count() > 1)
        ).scalars()
        name = next(iter(shared))
        found = [st for st in service.search_stations(s, name) if st.name_ru == name]
    assert len(found) >= 2
    assert [st.id for st in found] == sorted(st.id for st in found)


# ---------------------------------------------------------------- the API's bytes


def _api_cases(session: Session) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for q in _prefixes(session)[::53] + _esr_prefixes(session)[::211] + ODD:
        params = {"q": q} if q is not None else {}
        out.append(params)
        out.append({**params, "limit": "200"})
        out.append({**params, "railway": "kzh", "limit": "3"})
        out.append({**params, "kind": "border", "country": "KZ"})
    return out


def _expected_bytes(session: Session, params: dict[str, str]) -> bytes:
    """What FastAPI sent for the old route: ``list[StationOut]`` dumped by pydantic."""
    options: dict[str, object] = {k: v for k, v in params.items() if k not in ("q", "limit")}
    found = _sql_search(session, params.get("q"), limit=int(params.get("limit", 20)), **options)  # type: ignore[arg-type]
    adapter = TypeAdapter(list[StationOut])
    return adapter.dump_json(adapter.validate_python([StationOut.of(st) for st in found]))


@pytest.mark.parametrize("route", ["fast", "declared"])
def test_api_answers_are_byte_identical(client: TestClient, uow: UnitOfWork, route: str) -> None:
    """Both ways in: the fast path and the declared route (an unknown parameter sends the
    request on to it)."""
    with uow.read() as s:
        cases = _api_cases(s)
        bad = []
        for params in cases:
            sent = {**params, "also": "1"} if route == "declared" else params
            r = client.get("/api/v1/stations?" + urllib.parse.urlencode(sent))
            assert r.status_code == 200, (params, r.text)
            assert r.headers["content-type"] == "application/json"
            if r.content != _expected_bytes(s, params):
                bad.append(params)
    assert bad == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": "x" * 201}, "q"),
        ({"limit": "0"}, "limit"),
        ({"limit": "201"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": ""}, "limit"),
        ({"country": "KAZ"}, "country"),
        ({"railway": "R" * 9}, "railway"),
        ({"kind": "k" * 17}, "kind"),
    ],
)
def test_bad_parameters_are_still_refused_by_the_declared_route(
    client: TestClient, params: dict[str, str], field: str
) -> None:
    client.get("/api/v1/stations", params={"q": "кост"})  # the index is built and fresh
    r = client.get("/api/v1/stations", params=params)
    assert r.status_code == 422
    assert r.json()["error"]["field"] == field


def test_a_repeated_parameter_is_read_as_the_declared_route_reads_it(
    client: TestClient, uow: UnitOfWork
) -> None:
    r = client.get("/api/v1/stations?q=алма&q=кост&limit=2&limit=3")
    with uow.read() as s:
        assert r.content == _expected_bytes(s, {"q": "кост", "limit": "3"})


# ---------------------------------------------------------------- another process's load


def test_a_load_by_another_process_is_seen_after_the_check_interval(
    private_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows and their edition written on a plain connection (no session event sees them, as
    with a load by another process) are searched once the edition key is read again."""
    uow = UnitOfWork(private_engine)
    monkeypatch.setenv("TEMIR_EDITION_CHECK_SECONDS", "3600")
    with uow.read() as s:
        assert service.search_stations(s, "темиртест") == []
    now = datetime.now(UTC)
    with private_engine.begin() as conn:
        conn.execute(sa.insert(RailwayRow.__table__).values(
            code="TST", numeric_code=None, name_ru="Тест", name_en="Test", short_ru=None,
            country="KZ", timezone=None, source="test"))  # fmt: skip
        station_id = conn.execute(sa.insert(StationRow.__table__).values(
            railway="TST", name_ru="Темиртест", name_en="Temirtest", name_en_estimated=True,
            country="KZ", kind="station", lat=None, lon=None, coord_source=None,
            coord_estimated=True, coord_suspect=None, osm_id=None,
            search_text=" темиртест temirtest ", source="test",
        ).returning(StationRow.__table__.c.id)).scalar_one()  # fmt: skip
        conn.execute(sa.insert(StationCodeRow.__table__).values(
            esr="999990", station_id=station_id, railway="TST", name_ru="Темиртест",
            role="main", point_type=None, kind="station", operations=None,
            transit_point=False, network_node=False, source="test"))  # fmt: skip
        edition = {"edition": "test", "digest": "f" * 64, "rows": 1, "loaded_at": now}
        conn.execute(sa.insert(DatasetEditionRow.__table__).values(dataset="stations", **edition))
    with uow.read() as s:
        assert service.search_stations(s, "темиртест") == []  # within the interval
    monkeypatch.setenv("TEMIR_EDITION_CHECK_SECONDS", "0")
    with uow.read() as s:
        found = service.search_stations(s, "темиртест")
        assert [st.name_ru for st in found] == ["Темиртест"]
        assert _dicts(found) == _dicts(_sql_search(s, "9999"))


def test_a_plain_search_is_answered_from_the_fresh_index_without_the_route(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once built and while its edition is fresh, the index answers before FastAPI routes the
    request: the route's way in (a session, :func:`station_index.index_for`) is not taken."""
    monkeypatch.setenv("TEMIR_EDITION_CHECK_SECONDS", "3600")
    first = client.get("/api/v1/stations", params={"q": "кост"})

    def no_route(_session: Session) -> station_index.StationIndex:
        raise AssertionError("the declared route was taken")

    monkeypatch.setattr(station_index, "index_for", no_route)
    again = client.get("/api/v1/stations", params={"q": "кост"})
    assert again.status_code == 200
    assert again.content == first.content
    assert again.headers["x-content-type-options"] == "nosniff"  # the app's middleware ran
    with pytest.raises(AssertionError):  # the route is what a declined request reaches
        client.get("/api/v1/stations", params={"q": "кост", "also": "1"})
