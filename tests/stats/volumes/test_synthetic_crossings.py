"""The synthetic KZ↔TJ consignments cross into Uzbekistan where the tariff route really does.

Expected values come from the border-crossing reference file and from Temir's routing engine
(``shipped_router``, the engine behind ``temir route``), never from the generator or lanes.csv.
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path

import temir
from temir.network.routing import Route
from temir.network.routing.loader import shipped_router
from temir.stats.volumes import synthetic
from temir.stats.volumes.model import Fact

NETWORK = Path(temir.__file__).resolve().parent / "data" / "network"
LANES_CSV = Path(temir.__file__).resolve().parent / "data" / "stats" / "lanes.csv"
OAZIS = frozenset({"662905", "736808"})  # Оазис (рзд) (эксп.) – Каракалпакстан (эксп.)
ATYRAU = "661705"


@functools.cache
def facts() -> tuple[Fact, ...]:
    return tuple(synthetic.generate(3))


@functools.cache
def crossings() -> dict[frozenset[str], dict[str, str]]:
    """Real border pairs, unordered, with the railway and country of each code."""
    with (NETWORK / "border_crossings.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    out: dict[frozenset[str], dict[str, str]] = {}
    for r in rows:
        if r["a_esr"] and r["b_esr"]:
            out[frozenset({r["a_esr"], r["b_esr"]})] = {
                r["a_esr"]: r["a_railway"],
                r["b_esr"]: r["b_railway"],
                f"country:{r['a_esr']}": r["a_country"],
                f"country:{r['b_esr']}": r["b_country"],
            }
    return out


def kz_uz_pairs() -> set[frozenset[str]]:
    """KZ–UZ crossings: a KZH code on Kazakh territory paired with a UTI code in Uzbekistan."""
    out = set()
    for pair, info in crossings().items():
        railways = {info[code] for code in pair}
        countries = {info[f"country:{code}"] for code in pair}
        if railways == {"KZH", "UTI"} and countries == {"KZ", "UZ"}:
            out.add(pair)
    return out


@functools.cache
def engine_route(origin: str, destination: str) -> Route:
    return shipped_router().shortest(origin, destination)


def kz_tj_2025() -> list[Fact]:
    return [
        f
        for f in facts()
        if f.departure_date.year == 2025
        and {f.origin_country, f.destination_country} == {"KZ", "TJ"}
    ]


def test_kz_tj_2025_facts_use_at_least_two_kz_uz_crossings() -> None:
    real = kz_uz_pairs()
    assert OAZIS in real
    used: dict[frozenset[str], int] = {}
    for f in kz_tj_2025():
        here = [frozenset(c.split("/")) for c in f.border_crossings]
        kz_uz = [p for p in here if p in real]
        assert len(kz_uz) == 1, (f.consignment_no, f.border_crossings)
        used[kz_uz[0]] = used.get(kz_uz[0], 0) + f.mass_kg
    assert len(used) >= 2
    assert OAZIS in used
    assert frozenset({"704101", "720602"}) in used  # Сарыагаш–Келес stays the main crossing
    assert max(used.values()) < sum(used.values())  # no crossing carries 100 %


def test_every_crossing_in_the_facts_is_a_real_pair_in_route_order() -> None:
    real = crossings()
    for f in facts():
        assert len(f.route_railways) == len(f.border_crossings) + 1
        for i, crossing in enumerate(f.border_crossings):
            exit_esr, entry_esr = crossing.split("/")
            info = real.get(frozenset({exit_esr, entry_esr}))
            assert info is not None, crossing
            assert info[exit_esr] == f.route_railways[i], (crossing, f.route_railways)
            assert info[entry_esr] == f.route_railways[i + 1], (crossing, f.route_railways)


def test_every_fact_has_the_engines_route_and_km_for_its_lane() -> None:
    for f in facts():
        route = engine_route(f.origin_esr, f.destination_esr)
        assert f.tariff_km == route.km, (f.origin_esr, f.destination_esr)
        assert f.route_railways == route.railways
        assert f.border_crossings == tuple(f"{b.exit_esr}/{b.entry_esr}" for b in route.borders)


def test_every_lane_row_is_the_engines_route() -> None:
    with LANES_CSV.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert any(r["origin_esr"] == ATYRAU for r in rows)
    for r in rows:
        route = engine_route(r["origin_esr"], r["destination_esr"])
        assert r["km_by_railway"] == route.km_by_railway(), r["lane"]
        assert int(r["tariff_km"]) == route.km, r["lane"]
        assert r["crossings"].split() == [f"{b.exit_esr}/{b.entry_esr}" for b in route.borders]
        assert r["tariff_km_official"] == ("yes" if route.official else "no"), r["lane"]


def test_atyrau_oil_products_go_via_oazis_at_the_documented_demo_share() -> None:
    oil = [f for f in kz_tj_2025() if f.commodity_group == "oil_products"]
    total = sum(f.mass_kg for f in oil)
    via_oazis = [f for f in oil if any(set(c.split("/")) == OAZIS for c in f.border_crossings)]
    assert via_oazis
    assert all(f.origin_esr == ATYRAU for f in via_oazis)
    # SOURCES.md: Атырау 30 % of the consignments (a demo assumption); masses vary by draw.
    assert 0.2 <= sum(f.mass_kg for f in via_oazis) / total <= 0.4
