"""Printed TR-4 figures the engine does not trust as printed (issue 11.3, 11.1).

Every expected km is added up by hand from the shipped books; the docstrings quote the rows.
"""

from __future__ import annotations

from collections import Counter

import pytest

from temir.network.routing import Method, Router
from temir.network.routing.checks import find
from temir.network.routing.loader import data_dir, shipped
from temir.network.routing.quality import disagreements


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(shipped())


def test_beyneu_tudakul_is_not_105_km(router: Router) -> None:
    """Book 2 row ``UTI,730430,Тудакул,736808,26`` prints 26 km to Каракалпакстан (эксп.),
    but Book 1 73-003 puts Тудакул at km 26 from Бухара I (``730002 … 0``, ``730430 … 26``):
    the transit point is misprinted. By hand: KZH Book 3 ``662801,662905,79`` (Бейнеу – Оазис
    (рзд) (эксп.)) + border Оазис/Каракалпакстан 0 + UTI Book 3 ``730002,736808,1238``
    (Бухара I – Каракалпакстан (эксп.)) + Book 1 26 = 1,343 km. The old answer, 79 + 26 = 105,
    put Тудакул next to the Kazakh border.
    """
    routes = router.routes("662801", "730430", limit=5)
    assert 105 not in [r.km for r in routes]
    (via_oazis,) = [r for r in routes if len(r.borders) == 1 and r.borders[0].exit_esr == "662905"]
    assert via_oazis.km == 1343
    assert via_oazis.km_by_railway() == "KZH:79;UTI:1264"
    assert via_oazis.official
    assert via_oazis.legs[1].printed_km == 26


def test_beyneu_tudakul_is_shorter_through_turkmenistan(router: Router) -> None:
    """By hand, KZH → UTI → TRK → UTI: 79 (as above) + UTI Book 3 ``736808,738803,687``
    (Каракалпакстан (эксп.) – Питняк (эксп.)) + TRK Book 3 ``758008,750307,347`` (Газоджак
    (эксп.) – Фарап (эксп.)) + UTI Book 3 ``730002,730801,98`` (Ходжадавлет (эксп.) – Бухара I)
    + Book 1 26 = 1,237 km, shorter than staying in Uzbekistan (1,343)."""
    route = router.shortest("662801", "730430")
    assert route.km == 1237
    assert route.km_by_railway() == "KZH:79;UTI:687;TRK:347;UTI:124"


def test_malik_reads_as_bukhara(router: Router) -> None:
    """``UTI,731221,Малик,736808,67``: Book 1 73-003 puts Малик at km 67 from Бухара I. By
    hand Малик → Каракалпакстан (эксп.) = 67 + Book 3 Бухара I – Каракалпакстан (эксп.) 1238 =
    1,305 (the printed 67 was taken as the whole way)."""
    assert router.tables["UTI"].distance("731221", "736808") == (1305, Method.BOOK3)


def test_bostan_zero_km_is_the_book1_difference(router: Router) -> None:
    """``UTI,744908,Бостан (рзд),736808,0``; Book 1 73-034 has Бостан (рзд) at 348 and
    Каракалпакстан (эксп.) at 431: 431 − 348 = 83 km."""
    assert router.tables["UTI"].distance("744908", "736808") == (83, Method.BOOK2)


def test_khalach_row_to_mary_is_dropped(router: Router) -> None:
    """``TRK,759602,Халач,751309,54``: Халач lies on 75-019 Зергер – Амыдеря (km 165 of 219),
    397 Book 1 km from Мары, and no transit point lies 54 km from it on 75-019 (Керки is 39).
    Without the row, §3 through its other point ``759602,750006,176`` (Туркменабад I) + Book 3
    ``751309,750006,243`` = 419 km."""
    assert router.tables["TRK"].distance("759602", "751309") == (419, Method.BOOK3)


def test_the_misprints_found_are_the_four_listed_in_sources() -> None:
    found = find(shipped()).book2
    got = {(c.railway, c.esr, c.printed_transit_esr, c.action, c.transit_esr) for c in found}
    assert got == {
        ("UTI", "730430", "736808", "misprinted_transit_point", "730002"),
        ("UTI", "731221", "736808", "misprinted_transit_point", "730002"),
        ("UTI", "744908", "736808", "misprinted_km", "736808"),
        ("TRK", "759602", "751309", "dropped", None),
    }
    sources = (data_dir() / "SOURCES.md").read_text(encoding="utf-8")
    for c in found:
        assert f"{c.esr} → {c.printed_transit_esr}" in sources


def test_data_quality_reports_the_misprints_as_not_trusted() -> None:
    rows = [d for d in disagreements(shipped()) if d.kind == "book2_misprint"]
    assert Counter(d.railway for d in rows) == {"UTI": 3, "TRK": 1}
    assert not any(d.trusted for d in rows)
    tudakul = next(d for d in rows if d.from_esr == "730430")
    assert (tudakul.official_km, tudakul.book1_km) == (26, 1026)
    text = tudakul.to_dict("en")["detail"]
    assert "Бухара I 730002" in text
    assert "26 km" in text
    assert "Бухара I" in tudakul.to_dict("ru")["detail"]
    assert "читается как" in tudakul.to_dict("ru")["detail"]
