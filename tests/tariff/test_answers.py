"""The quote API keeps rendered answers (temir.tariff.answers): a kept answer is the answer,
and it is not kept past a change of the data it was computed from."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from temir.accounts.model import Actor
from temir.accounts.tables import OrganisationRow
from temir.kit import versions
from temir.kit.db import UnitOfWork
from temir.tariff import answers, service
from temir.tariff.api import QuoteAsked, quote_answer

QUOTE = {"from": "704101", "to": "746000", "cargo": "011005", "mass_kg": "60000"}


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    answers.quote_answers.clear()
    yield
    answers.quote_answers.clear()


def _asked(query: dict[str, str]) -> QuoteAsked:
    return QuoteAsked(query["from"], query["to"], query["cargo"], int(query["mass_kg"]),
                      "carrier", "freight", None, False, (), 5)  # fmt: skip


def _fresh(uow: UnitOfWork, query: dict[str, str], lang: str) -> Any:
    """The answer computed without the cache, as the API encodes it (orjson)."""
    with uow.read() as session:
        return orjson.loads(orjson.dumps(quote_answer(session, _asked(query), lang)))


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_kept_answer_is_the_fresh_answer(client: TestClient, uow: UnitOfWork, lang: str) -> None:
    headers = {"Accept-Language": lang}
    first = client.get("/api/v1/quotes", params=QUOTE, headers=headers)
    again = client.get("/api/v1/quotes", params=QUOTE, headers=headers)
    assert (first.status_code, again.status_code) == (200, 200), first.text
    assert (first.headers["x-cache"], again.headers["x-cache"]) == ("miss", "hit")
    assert again.content == first.content
    assert again.headers["content-type"] == "application/json"
    assert again.json() == _fresh(uow, QUOTE, lang)


def test_each_language_and_option_has_its_own_answer(client: TestClient) -> None:
    en = client.get("/api/v1/quotes", params=QUOTE, headers={"Accept-Language": "en"})
    ru = client.get("/api/v1/quotes", params=QUOTE, headers={"Accept-Language": "ru"})
    heavier = client.get("/api/v1/quotes", params={**QUOTE, "mass_kg": "61000"})
    assert [r.headers["x-cache"] for r in (en, ru, heavier)] == ["miss", "miss", "miss"]
    assert en.content != ru.content
    assert heavier.json()["mass_kg"] == 61000 != en.json()["mass_kg"]


def test_the_old_mass_parameter_is_still_flagged_when_the_answer_is_kept(
    client: TestClient,
) -> None:
    query = {k: v for k, v in QUOTE.items() if k != "mass_kg"} | {"mass": QUOTE["mass_kg"]}
    client.get("/api/v1/quotes", params=QUOTE)  # kept under the new name
    old = client.get("/api/v1/quotes", params=query)
    assert old.headers["x-cache"] == "hit"
    assert old.headers["deprecation"] == "true"


def test_a_rate_table_loaded_in_this_process_is_seen_by_the_next_quote(
    client: TestClient, uow: UnitOfWork, engine: Engine, tmp_path: Path
) -> None:
    client.get("/api/v1/quotes", params=QUOTE)
    assert client.get("/api/v1/quotes", params=QUOTE).headers["x-cache"] == "hit"
    src = tmp_path / "later.csv"
    src.write_text(  # valid in 2040 only: today's answers keep their figures
        "table_id,railway,valid_from,valid_to,consignment,category,km_to,rate_chf\n"
        f"TEST-ANSWERS-{engine.dialect.name},UTI,2040-01-01,2040-12-31,wagon,25t,5000,1.00\n",
        encoding="utf-8",
    )
    with uow() as session:
        service.load_tables(session, Actor.system("tests"), src)
    after = client.get("/api/v1/quotes", params=QUOTE)
    assert after.headers["x-cache"] == "miss"
    assert after.json() == _fresh(uow, QUOTE, "en")


def test_a_write_the_process_did_not_see_is_seen_after_the_check_interval(
    client: TestClient, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process's write (here: a plain connection, which no session event sees) is
    picked up when the edition key is read again — once the interval has passed."""
    monkeypatch.setenv("TEMIR_EDITION_CHECK_SECONDS", "3600")
    client.get("/api/v1/quotes", params=QUOTE)
    assert client.get("/api/v1/quotes", params=QUOTE).headers["x-cache"] == "hit"
    org = OrganisationRow.__table__
    slug = f"test-answers-{uuid.uuid4().hex[:12]}"
    with engine.begin() as conn:  # a synthetic organisation more: the dwell key changes
        conn.execute(sa.insert(org).values(
            slug=slug, name="Test answers", kind="shipper", country="KZ", synthetic=True,
            created_at=datetime.now(UTC),
        ))  # fmt: skip
    try:
        stale = client.get("/api/v1/quotes", params=QUOTE)
        assert stale.headers["x-cache"] == "hit"  # within the interval: the kept answer
        monkeypatch.setenv("TEMIR_EDITION_CHECK_SECONDS", "0")
        assert client.get("/api/v1/quotes", params=QUOTE).headers["x-cache"] == "miss"
    finally:
        with engine.begin() as conn:
            conn.execute(sa.delete(org).where(org.c.slug == slug))


def test_a_committed_write_to_a_watched_table_moves_the_generation(uow: UnitOfWork) -> None:
    org = OrganisationRow.__table__
    nothing = sa.update(org).where(org.c.id == -1).values(synthetic=True)
    start = versions.generation()

    def rolled_back() -> None:
        with uow() as session:
            session.execute(nothing)
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        rolled_back()
    assert versions.generation() == start  # a rolled-back write changed nothing
    with uow() as session:
        session.execute(nothing)
        assert versions.generation() == start  # not before the commit
    assert versions.generation() == start + 1
    with uow() as session:
        session.execute(sa.select(org.c.id))
    assert versions.generation() == start + 1  # reads do not count


def test_the_cache_is_bounded_by_bytes_and_drops_the_least_recent() -> None:
    kept = answers.Answers(max_bytes=10)
    for key in ("a", "b"):
        kept.get_or_make(key, lambda: b"1234")
    assert kept.get("a") == b"1234"  # "a" is now the most recent
    kept.get_or_make("c", lambda: b"5678")
    assert (kept.get("a"), kept.get("b"), kept.get("c")) == (b"1234", None, b"5678")
    assert kept.get_or_make("big", lambda: b"x" * 11) == b"x" * 11  # larger than all: not kept
    assert kept.get("big") is None
    assert (kept.counts.hits, kept.counts.misses) == (3, 4)


def test_an_error_is_not_kept(client: TestClient) -> None:
    unknown = {**QUOTE, "from": "000000"}
    for _ in range(2):
        answer = client.get("/api/v1/quotes", params=unknown)
        assert answer.status_code == 404 or answer.status_code == 422, answer.text
        assert "x-cache" not in answer.headers
        assert json.loads(answer.content)["error"]["field"] == "from"
    assert len(answers.quote_answers) == 0


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_each_alternatives_route_is_the_route_api_form_of_its_route(
    client: TestClient, uow: UnitOfWork, lang: str
) -> None:
    """The quote names the route JSON ``Quote.to_dict`` rendered (kept per route and language)
    instead of rendering it again: it must stay the routes API's form of the same route, in
    the same key order, and the names must not leak into the kept rendering."""
    from temir.network.provider import router_for
    from temir.network.routes.service import route_dict

    for mass in ("60000", "61000", "62000"):  # the lane's routes rendered, then kept, then copied
        got = client.get("/api/v1/quotes", params={**QUOTE, "mass_kg": mass},
                         headers={"Accept-Language": lang})  # fmt: skip
        assert got.status_code == 200, got.text
    with uow.read() as session:
        r = router_for(session)
        q = service.quote(r, QUOTE["from"], QUOTE["to"], etsng=QUOTE["cargo"], mass_kg=62000,
                          tables=service.rate_tables(session))  # fmt: skip
        expected = [json.dumps(route_dict(r, alt.route, lang)) for alt in q.alternatives]
        kept = [a["route"] for a in q.to_dict(lang)["alternatives"]]
    shown = [json.dumps(a["route"]) for a in json.loads(got.content)["alternatives"]]
    assert len(shown) >= 2
    assert shown == expected
    assert all("from_name" not in k and "entry_name" not in k["legs"][0] for k in kept)


def test_a_kept_border_dwell_follows_the_observed_figures(uow: UnitOfWork) -> None:
    """The API keeps each route's ``border_dwell`` JSON while the same observed figures stand
    behind it: a new figure for one of its crossings is shown at once, none is shown as none."""
    from decimal import Decimal

    from temir.network.provider import router_for
    from temir.tariff.api import _dwell_json
    from temir.tariff.dwell import border_dwell
    from temir.tracking.dwell import DwellStat

    with uow.read() as session:
        r = router_for(session)
        q = service.quote(r, QUOTE["from"], QUOTE["to"], etsng=QUOTE["cargo"], mass_kg=60000,
                          tables=service.rate_tables(session))  # fmt: skip
    route = next(a.route for a in q.alternatives if a.route.borders)
    b = route.borders[0]
    crossings = [(x.exit_esr, x.entry_esr) for x in route.borders]

    def stat(median: str) -> DwellStat:
        return DwellStat(b.exit_esr, b.entry_esr, "A", "B", None, 3, Decimal("5.0"),
                         Decimal(median), Decimal("9.0"), Decimal("9.5"))  # fmt: skip

    def shown(observed: dict[Any, DwellStat]) -> Any:
        return orjson.loads(orjson.dumps({"d": _dwell_json(route, observed)}))["d"]

    first, second = (
        {(b.exit_esr, b.entry_esr): stat("4.5")},
        {(b.exit_esr, b.entry_esr): stat("7.25")},
    )
    for observed in ({}, first, first, second, {}):
        assert shown(observed) == json.loads(json.dumps(border_dwell(crossings, observed)))
    assert shown(second)["median_hours"] == "7.25"
