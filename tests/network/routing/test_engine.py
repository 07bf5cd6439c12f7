"""The engine against TR-4's own tables and METHOD.md's worked examples.

Expected values are read straight from the shipped CSV files with the csv module (not through
the engine's loader) or copied from METHOD.md, never from the engine's output.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from temir.network.routing import Method, Router, RoutingError
from temir.network.routing.loader import data_dir, shipped

TR4 = data_dir() / "tr4"


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(shipped())


def code(router: Router, name: str) -> str:
    hits = [esr for esr, n in router.names.items() if n == name]
    assert len(hits) == 1, (name, hits)
    return hits[0]


def test_every_kzh_book3_cell_is_the_engine_distance(router: Router) -> None:
    rows = [r for r in _csv(TR4 / "transit_distances.csv") if r["railway"] == "KZH"]
    assert len(rows) == 1378
    table = router.tables["KZH"]
    wrong = [
        (r["from_esr"], r["to_esr"], r["km"], table.distance(r["from_esr"], r["to_esr"]))
        for r in rows
        if table.distance(r["from_esr"], r["to_esr"]) != (int(r["km"]), Method.BOOK3)
    ]
    assert wrong == []


@pytest.mark.parametrize("railway", ["TRK", "TDZ"])
def test_book3_cells_of_other_railways_are_official(router: Router, railway: str) -> None:
    """UTI: 264 cells count only UTI's km of a route through a neighbour and are left out
    (test_hidden_transit.py recomputes which); every other UTI cell is official there too."""
    table = router.tables[railway]
    for r in _csv(TR4 / "transit_distances.csv"):
        if r["railway"] == railway:
            assert table.distance(r["from_esr"], r["to_esr"]) == (int(r["km"]), Method.BOOK3)


# Book 2 rows misprinted in the 2025-09-25 edition (SOURCES.md "TR-4 figures the engine does not
# use as printed"; tests/network/routing/test_source_checks.py pins what is used instead).
MISPRINTED_BOOK2 = {
    ("730430", "736808"),  # Тудакул → Каракалпакстан (эксп.) 26: is Бухара I 26
    ("731221", "736808"),  # Малик → Каракалпакстан (эксп.) 67: is Бухара I 67
    ("744908", "736808"),  # Бостан (рзд) → Каракалпакстан (эксп.) 0: Book 1 gives 83
    ("759602", "751309"),  # Халач → Мары 54: no transit point 54 km from Халач
}
# Book 2 rows that count only this railway's km of a route through a neighbour (not one leg).
HIDDEN_TRANSIT_BOOK2 = {
    ("702905", "704101"),  # Мактаарал (эксп.) → Сарыагаш (эксп.) 0: through Uzbekistan
    ("697001", "704101"),  # Мактаарал → Сарыагаш (эксп.) 5
    ("704008", "704101"),  # Жетысай → Сарыагаш (эксп.) 24
    ("744019", "743604"),  # Султанабад → Андижан I 54: through Kyrgyzstan (Карасу)
    ("744109", "743604"),  # Ханабад → Андижан I 60
}


def test_every_book2_station_to_transit_point_distance(router: Router) -> None:
    checked = 0
    for r in _csv(TR4 / "station_transit_points.csv"):
        row = (r["esr_code"], r["transit_esr"])
        if not r["transit_esr"] or row in MISPRINTED_BOOK2 | HIDDEN_TRANSIT_BOOK2:
            continue
        got = router.tables[r["railway"]].distance(r["esr_code"], r["transit_esr"])
        assert got is not None
        assert got[0] == int(r["km"]), r
        checked += 1
    assert checked > 2900


def test_method_example_aktobe_kyzylorda(router: Router) -> None:
    route = router.shortest(code(router, "Актобе I"), code(router, "Кызылорда"))
    assert route.km == 1033
    assert route.legs[0].method is Method.BOOK3


def test_method_example_dostyk_aktau_port(router: Router) -> None:
    assert router.tables["KZH"].distance("708507", "663503") == (3086, Method.BOOK3)


def test_method_example_kostanay_dushanbe_via_saryagash_kudukli(router: Router) -> None:
    kostanay, dushanbe = "684001", code(router, "Душанбе II")
    route = router.shortest(kostanay, dushanbe, via=["704101", "736206"])
    assert route.km_by_railway() == "KZH:2213;UTI:875;TDZ:63"
    assert route.km == 3151
    assert [(b.exit_esr, b.entry_esr) for b in route.borders] == [
        ("704101", "720602"),
        ("736206", "746000"),
    ]
    assert route.official


def test_kz_to_tj_alternatives_cover_the_corridors(router: Router) -> None:
    routes = router.routes("684001", code(router, "Душанбе II"), limit=20, sensible_factor=None)
    rail = [r.km for r in routes if not r.ferry]
    assert rail == sorted(rail)
    # the Caspian ferry's sea leg has no km: ferry routes come after every all-rail one
    ferry_flags = [r.ferry for r in routes]
    assert ferry_flags == sorted(ferry_flags)
    firsts = {r.borders[0].exit_esr for r in routes}
    assert {"704101", "662905", "664703"} <= firsts  # Сарыагаш, Оазис, Болашак (TM by land)
    tj_entries = {r.borders[-1].entry_esr for r in routes}
    assert {"746000", "746805"} <= tj_entries  # Пахтаабад, Хошады
    assert routes[0].km == 3151


def test_north_tajikistan_goes_via_bekabad_spitamen(router: Router) -> None:
    route = router.shortest("684001", code(router, "Худжанд"))
    assert [(b.exit_esr, b.entry_esr) for b in route.borders][-1] == ("726204", "747501")


def test_no_leg_cuts_through_a_neighbour(router: Router) -> None:
    """The Мактаарал enclave is joined to Сарыагаш in Book 2; a route to Tashkent exits there."""
    route = router.shortest(code(router, "Мактаарал"), code(router, "Ташкент"))
    assert route.borders[0].exit_esr == "702905"
    assert route.borders[0].confidence == "medium"
    assert route.low_confidence_borders


def test_no_route_returns_through_the_crossing_it_came_by(router: Router) -> None:
    """A railway may come back (test_reentry.py), but never over a crossing already used."""
    for r in router.routes("684001", code(router, "Душанбе II"), limit=50, sensible_factor=None):
        pairs = [frozenset((b.exit_esr, b.entry_esr)) for b in r.borders]
        assert len(set(pairs)) == len(pairs)


def test_same_section_uses_book1_difference(router: Router) -> None:
    # METHOD.md §2: KRG 70-001 Карабалта 94 km, Токмак 216 km -> 122.
    got = router.tables["KRG"].distance(code(router, "Карабалта"), code(router, "Токмак"))
    assert got == (122, Method.BOOK1)


def test_passenger_only_line_carries_no_freight(router: Router) -> None:
    # 73-043 Тукимачи - Ташкент-Пассажирский - Салар is 4 + 4 km, passenger only.
    got = router.tables["UTI"].distance(code(router, "Тукимачи"), code(router, "Салар"))
    assert got is not None
    assert got[0] != 8


def test_blank_book3_cell_is_a_flagged_fallback(router: Router) -> None:
    route = router.shortest(code(router, "Душанбе I"), code(router, "Хатлон"))
    assert route.legs[0].method is Method.FALLBACK
    assert not route.official
    assert any("Book 1" in n.text("en") for n in route.notes())


def test_ferry_is_a_link_without_rail_km(router: Router) -> None:
    routes = router.routes("663503", code(router, "Туркменбаши I"), limit=10)
    ferry = [r for r in routes if r.ferry]
    assert ferry
    assert any("ferry" in n.text("en") for n in ferry[0].notes())


def test_via_station_splits_the_route(router: Router) -> None:
    tashkent = code(router, "Ташкент")
    route = router.shortest("684001", code(router, "Душанбе II"), via=[tashkent])
    uti = [leg for leg in route.legs if leg.railway == "UTI"]
    assert len(uti) == 1
    parts = (
        router.tables["UTI"].distance("720602", tashkent),
        router.tables["UTI"].distance(tashkent, "736206"),
    )
    assert parts[0] is not None
    assert parts[1] is not None
    assert uti[0].km == parts[0][0] + parts[1][0]


def test_unknown_station_names_the_field(router: Router) -> None:
    with pytest.raises(RoutingError) as err:
        router.routes("684001", "999999")
    assert err.value.field == "to"
    assert err.value.code == "route.unknown_station"


def test_batch_matches_single_routes(router: Router) -> None:
    import random

    rng = random.Random(7)
    codes = sorted(router.code_railway)
    a = [rng.choice(codes) for _ in range(300)] + ["684001", "999999"]
    b = [rng.choice(codes) for _ in range(300)] + ["745309", "684001"]
    km, itin, errors = router.batch_shortest(a, b)
    assert errors[-1] == "route.unknown_station:from"
    for k in range(len(a) - 1):
        single = router.routes(a[k], b[k], limit=1)
        if not single:
            assert km[k] == -1
            continue
        assert km[k] == single[0].km, (a[k], b[k])
        assert router.route_for(a[k], b[k], int(itin[k])).km == single[0].km


def test_ferry_route_is_ranked_after_all_rail_unless_forced(router: Router) -> None:
    """Актау-Порт → Туркменбаши I: the ferry has 5 rail km, the land route via Болашак 1047."""
    routes = router.routes("663503", "754505", limit=5)
    assert [r.ferry for r in routes] == [False, True]
    assert routes[0].borders[0].exit_esr == "664703"  # Болашак
    assert routes[1].to_dict()["ferry_km_unknown"] is True
    forced = router.routes("663503", "754505", via=["689409"], limit=5)
    assert forced[0].ferry
    assert forced[0].km == 5


def test_batch_prefers_all_rail_to_the_ferry(router: Router) -> None:
    rail = next(r for r in router.routes("663503", "754505", limit=5) if not r.ferry)
    km, _itin, errors = router.batch_shortest(["663503"], ["754505"])
    assert errors == [None]
    assert int(km[0]) == rail.km > 5


def test_border_partners_are_the_crossing_pairs_of_the_csv(router: Router) -> None:
    rows = _csv(data_dir() / "network" / "border_crossings.csv")
    want: dict[str, set[str]] = {}
    for r in rows:
        if r["a_esr"] and r["b_esr"]:
            want.setdefault(r["a_esr"], set()).add(r["b_esr"])
            want.setdefault(r["b_esr"], set()).add(r["a_esr"])
    assert {esr: set(router.border_partners(esr)) for esr in want} == want
    assert router.border_partners("684001") == frozenset()  # Костанай is no border code


def test_a_section_stays_on_its_own_railway(router: Router) -> None:
    # Костанай - Мактаарал: TR-4 Book 2 ties Мактаарал to Сарыагаш (эксп.), but the way runs
    # through Uzbekistan: KZH has no distance of its own (it was a KZH figure before issue 11).
    cell = [
        r
        for r in _csv(TR4 / "transit_distances.csv")
        if r["railway"] == "KZH" and {r["from_esr"], r["to_esr"]} == {"684001", "704101"}
    ]
    leg = router.section("KZH", "684001", "704101")
    assert leg is not None
    assert leg.km == int(cell[0]["km"])
    assert leg.method is Method.BOOK3
    assert router.tables["KZH"].distance("684001", "697001") is None
    assert router.section("KZH", "684001", "697001") is None
    assert router.section("ZZZ", "684001", "704101") is None
    assert router.section("KZH", "684001", "999999") is None


def test_batch_paths_print_what_the_route_objects_print(router: Router) -> None:
    """The columnar batch gives each row the km, km per railway and borders of route_for."""
    import random

    rng = random.Random(11)
    codes = sorted(router.code_railway)
    a = [rng.choice(codes) for _ in range(400)] + ["684001", "999999", "684001"]
    b = [rng.choice(codes) for _ in range(400)] + ["745309", "684001", "12"]
    km, itin, errors = router.batch_shortest(a, b)
    got = router.batch_paths(router.encode(a), router.encode(b))
    for k in range(len(a)):
        if errors[k]:
            assert got.path[k] == -1
            continue
        route = router.route_for(a[k], b[k], int(itin[k]))
        text = router.path_texts[int(got.path[k])]
        assert int(got.km[k]) == route.km == km[k]
        assert text.km_by_railway(int(got.first_km[k]), int(got.last_km[k])) == (
            route.km_by_railway()
        ), (a[k], b[k])
        assert text.borders == route.borders_text()
    assert {t.middle is None for t in router.path_texts} == {True, False}
