"""Volume cells give exactly the figures the facts give, however the facts were written.

Reports read :class:`temir.stats.tables.VolumeCellRow` instead of scanning facts. These tests
write varied facts (pairs, transit routes, crossings, synthetic or not, several sources), delete
and replace some, and compare every report with one computed here from a plain SELECT of the
fact rows and :func:`temir.stats.volumes.rules.classify` — on SQLite and PostgreSQL.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from temir.accounts.model import Actor
from temir.kit import clock, migrate
from temir.kit.db import UnitOfWork, make_engine
from temir.stats.volumes import repository, rules, service
from temir.stats.volumes.model import Breakdown, Direction, Fact
from tests.conftest import fresh_database_url, worker_suffix

ACTOR = Actor.system("tests")
COUNTRY_RAILWAY = {"KZ": "KZH", "TJ": "TDZ", "UZ": "UTI", "RU": "RZD", "KG": "KRG", "TM": "TRK"}
ROUTES = [
    "KZ,UZ,TJ", "TJ,UZ,KZ", "RU,KZ,UZ,TJ", "TJ,UZ,KZ,RU", "KZ,UZ", "UZ,KZ", "RU,KZ",
    "KG,KZ,RU", "TM,UZ,KZ", "KZ", "UZ,TJ", "RU,KZ,UZ,TM", "KZ,UZ,KZ,KG", "KG,UZ,TJ",
]  # fmt: skip
CROSSINGS = ["", "704101/720602", "720602/704101 726204/747501", "704101/720602 736206/746000"]
GROUPS = ["grain", "flour", "cement", "cotton", "oil_products", "aluminium"]


def varied_facts(rng: random.Random, count: int, source: str, prefix: str) -> list[Fact]:
    facts = []
    for i in range(count):
        route = tuple(rng.choice(ROUTES).split(","))
        wagons = rng.randint(1, 57)
        facts.append(
            Fact(
                consignment_no=f"{prefix}{i:06d}",
                departure_date=date(rng.choice((2023, 2024, 2025)), rng.randint(1, 12), 1),
                arrival_date=None,
                origin_esr="700007",
                origin_railway=COUNTRY_RAILWAY[route[0]],
                origin_country=route[0],
                destination_esr="745309",
                destination_railway=COUNTRY_RAILWAY[route[-1]],
                destination_country=route[-1],
                route_countries=route,
                route_railways=tuple(COUNTRY_RAILWAY[c] for c in route),
                border_crossings=tuple(rng.choice(CROSSINGS).split()),
                commodity_group=rng.choice(GROUPS),
                etsng=None,
                gng=None,
                wagons=wagons,
                containers_teu=0,
                mass_kg=wagons * rng.randint(20_000, 69_999),
                tariff_km=None,
                source=source,
                synthetic=rng.random() < 0.3,
            )
        )
    return facts


def _aborted_write(uow: UnitOfWork, rng: random.Random) -> None:
    with uow() as session:
        repository.insert_facts(session, varied_facts(rng, 500, "import:c.csv", "C"), clock.now())
        repository.delete_source(session, "import:b.csv")
        raise RuntimeError("abort the unit of work")


@pytest.fixture(scope="module")
def cells_db(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Engine, UnitOfWork]]:
    """A database of its own: these facts would change the shared statistics fixtures."""
    url = fresh_database_url(
        backend, f"temir_cells_{worker_suffix()}", tmp_path_factory.mktemp("cells")
    )
    engine = make_engine(url)
    migrate.upgrade(engine)
    uow = UnitOfWork(engine)
    rng = random.Random(20261202)
    with uow() as session:  # several sources and batches, some cells shared between them
        repository.insert_facts(session, varied_facts(rng, 3000, "import:a.csv", "A"), clock.now())
        repository.insert_facts(session, varied_facts(rng, 2000, "import:b.csv", "B"), clock.now())
        repository.insert_facts(session, varied_facts(rng, 1500, "synthetic", "S"), clock.now())
    with uow() as session:  # a corrected file replaces its facts; part of another goes
        repository.delete_source(session, "import:a.csv")
        repository.insert_facts(session, varied_facts(rng, 2500, "import:a.csv", "A"), clock.now())
        repository.delete_source(session, "synthetic", [2024])
    with pytest.raises(RuntimeError):  # a failed write leaves no trace, in facts or cells
        _aborted_write(uow, rng)
    yield engine, uow
    engine.dispose()


def _fact_rows(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                text(
                    "SELECT year, month, commodity_group, origin_country, destination_country,"
                    " route_countries, route_railways, border_crossings, mass_kg, wagons,"
                    " synthetic FROM stats_shipment_facts"
                )
            ).all()
        )


def _keys(row: tuple[object, ...], by: Breakdown, direction: Direction) -> list[str]:
    month, group, railways, crossings = row[1], row[2], row[6], row[7]
    if by is Breakdown.MONTH:
        return [f"{month:02d}"]
    if by is Breakdown.QUARTER:
        return [f"Q{(int(str(month)) - 1) // 3 + 1}"]
    if by is Breakdown.COMMODITY:
        return [str(group)]
    if by is Breakdown.DIRECTION:
        return [str(direction)]
    if by is Breakdown.RAILWAY:
        return sorted(set(str(railways).split(",")))
    if by is Breakdown.CROSSING:
        pairs = {"/".join(sorted(p.split("/"))) for p in str(crossings).split()}
        return sorted(pairs) or ["none"]
    return ["total"]


def expected(
    rows: list[tuple[object, ...]],
    year: int,
    a: str,
    b: str,
    by: Breakdown,
    group: str | None = None,
    months: list[int] | None = None,
) -> dict[str, tuple[int, int, int, int, int]]:
    """key → (tonnes, wagons, consignments, previous tonnes, previous wagons), from the rows."""
    sums: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in rows:
        y, m, g, o, d, route = row[:6]
        if y not in (year, year - 1) or (group and g != group) or (months and m not in months):
            continue
        direction = rules.classify(str(o), str(d), str(route).split(","), a, b)
        if direction is None:
            continue
        for key in [*_keys(row, by, direction), "__total__"]:
            entry = sums[(int(str(y)), key)]
            entry[0] += int(str(row[8]))
            entry[1] += int(str(row[9]))
            entry[2] += 1
    out = {}
    for key in {k for _, k in sums}:
        now, before = sums.get((year, key), [0, 0, 0]), sums.get((year - 1, key), [0, 0, 0])
        out[key] = (
            rules.tonnes_of(now[0]), now[1], now[2], rules.tonnes_of(before[0]), before[1]
        )  # fmt: skip
    return out


def reported(report_rows: list[object]) -> dict[str, tuple[int, int, int, int, int]]:
    return {
        r.key: (r.tonnes, r.wagons, r.facts, r.previous_tonnes, r.previous_wagons)  # type: ignore[attr-defined]
        for r in report_rows
    }


@pytest.mark.parametrize("by", list(Breakdown))
@pytest.mark.parametrize("pair", [("KZ", "TJ"), ("UZ", "KZ"), ("KG", "TJ")])
def test_every_breakdown_matches_the_facts(
    cells_db: tuple[Engine, UnitOfWork], by: Breakdown, pair: tuple[str, str]
) -> None:
    engine, cells_uow = cells_db
    rows = _fact_rows(engine)
    for year in (2024, 2025):
        want = expected(rows, year, *pair, by)
        with cells_uow.read() as session:
            report = service.volumes(session, year, *pair, by)
        got = reported(list(report.rows)) if by is not Breakdown.TOTAL else {}
        got["__total__"] = reported([report.total])["total"]
        if by is Breakdown.TOTAL:
            want = {"__total__": want["__total__"]}
        assert got == want
        assert want["__total__"][2] > 0  # the pair has traffic: the comparison is not vacuous


def test_filters_match_the_facts(cells_db: tuple[Engine, UnitOfWork]) -> None:
    engine, cells_uow = cells_db
    rows = _fact_rows(engine)
    want = expected(rows, 2025, "KZ", "TJ", Breakdown.DIRECTION, "grain", [1, 2, 3, 10])
    with cells_uow.read() as session:
        report = service.volumes(
            session, 2025, "KZ", "TJ", Breakdown.DIRECTION, "grain", [1, 2, 3, 10]
        )
    assert reported(list(report.rows)) == {k: v for k, v in want.items() if k != "__total__"}
    assert reported([report.total])["total"] == want["__total__"]


def test_maintained_cells_equal_the_cells_rebuilt_from_the_facts(
    cells_db: tuple[Engine, UnitOfWork],
) -> None:
    engine, cells_uow = cells_db
    query = text(
        "SELECT year, month, commodity_group, origin_country, destination_country,"
        " route_countries, route_railways, border_crossings, mass_kg, wagons, facts,"
        " synthetic_facts FROM stats_volume_cells"
    )
    with engine.connect() as conn:
        maintained = sorted(tuple(r) for r in conn.execute(query))
    with cells_uow() as session:
        count = service.rebuild_cells(session, ACTOR)
    with engine.connect() as conn:
        rebuilt = sorted(tuple(r) for r in conn.execute(query))
    assert maintained == rebuilt
    assert count == len(rebuilt) > 100
    with engine.connect() as conn:
        facts, synthetic = conn.execute(
            text(
                "SELECT COUNT(*), SUM(CASE WHEN synthetic THEN 1 ELSE 0 END)"
                " FROM stats_shipment_facts"
            )
        ).one()
    assert sum(int(r[10]) for r in rebuilt) == facts
    assert sum(int(r[11]) for r in rebuilt) == synthetic
    with cells_uow.read() as session:  # nothing of the aborted write, all of what it deleted
        assert repository.count_source(session, "import:c.csv") == 0
        assert repository.count_source(session, "import:b.csv") == 2000


def test_the_cells_and_the_fact_scan_give_the_same_cells(
    cells_db: tuple[Engine, UnitOfWork],
) -> None:
    _engine, cells_uow = cells_db
    with cells_uow.read() as session:
        for pair in (("KZ", "TJ"), ("RU", "TJ")):
            over_cells = repository.volume_cells(session, [2025, 2024], *pair)
            over_facts = repository.volume_cells(session, [2025, 2024], *pair, over_facts=True)
            assert sorted(over_cells, key=repr) == sorted(over_facts, key=repr)
            assert any(c.synthetic for c in over_cells)


def test_migration_fills_the_cells_from_facts_already_stored(backend: str, tmp_path: Path) -> None:
    engine = make_engine(
        fresh_database_url(backend, f"temir_cells_mig_{worker_suffix()}", tmp_path)
    )
    migrate.upgrade(engine, "0012")
    facts = varied_facts(random.Random(7), 400, "import:old.csv", "O")
    with engine.begin() as conn:
        for fact in facts:
            values = repository.fact_values(fact, clock.now())
            conn.execute(repository.T.insert().values(values))
    migrate.upgrade(engine)
    uow = UnitOfWork(engine)
    rows = _fact_rows(engine)
    with uow.read() as session:
        report = service.volumes(session, 2025, "KZ", "TJ", Breakdown.MONTH)
    want = expected(rows, 2025, "KZ", "TJ", Breakdown.MONTH)
    assert reported([report.total])["total"] == want["__total__"]
    assert want["__total__"][2] > 0
    engine.dispose()
