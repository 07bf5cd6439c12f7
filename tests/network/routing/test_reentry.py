"""Routes that re-enter a railway: one leg per railway crossing, ranked with the rest (11.2).

Every expected km is added up by hand from the shipped books; the docstrings quote the rows.
"""

from __future__ import annotations

import pytest

from temir.network.routing import Method, Router
from temir.network.routing.engine import MAX_LEGS
from temir.network.routing.loader import shipped


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(shipped())


def test_atyrau_khoshady_via_turkmenistan_and_back(router: Router) -> None:
    """By hand, KZH → UTI → TRK → UTI → TDZ:

    KZH Book 2 ``661705 Атырау → 661103 Макат 123`` + Book 3 ``661103,662905,379`` (Макат –
    Оазис (рзд) (эксп.)) = 502; UTI Book 3 ``736808,738803,687`` (Каракалпакстан (эксп.) –
    Питняк (эксп.)); TRK Book 3 Газоджак (эксп.) – Разъезд № 161 (эксп.) 694; UTI Book 3
    ``736507,734709,131`` (Сурханобод (эксп.) – Амузанг (эксп.)); TDZ Book 2 ``746706 Хошады →
    746805 45``. 502 + 687 + 694 + 131 + 45 = 2,059 km, against 2,321 staying in Uzbekistan
    (UTI Каракалпакстан – Амузанг 1,774), which was the shortest offered before.
    """
    routes = router.routes("661705", "746706", limit=5)
    best = routes[0]
    assert best.km == 2059
    assert best.km_by_railway() == "KZH:502;UTI:687;TRK:694;UTI:131;TDZ:45"
    assert [(b.exit_esr, b.entry_esr) for b in best.borders] == [
        ("662905", "736808"),
        ("738803", "758008"),
        ("749901", "734709"),
        ("736507", "746805"),
    ]
    assert best.official
    assert "route.reenters" in best.note_codes()
    assert 2321 in [r.km for r in routes]
    km, itin, errors = router.batch_shortest(["661705"], ["746706"])
    assert errors == [None]
    assert int(km[0]) == 2059
    assert router.route_for("661705", "746706", int(itin[0])).km_by_railway() == (
        best.km_by_railway()
    )


def test_kostanay_maktaaral_goes_through_uzbekistan(router: Router) -> None:
    """The Мактаарал enclave has no KZH route of its own. By hand, KZH → UTI → KZH: KZH Book 3
    ``684001,704101,2213`` (Костанай – Сарыагаш (эксп.)) + UTI Book 3 ``720602,725305,122``
    (Келес (эксп.) – Сырдарьинская (эксп.)) + KZH Book 1 68-078 Мактаарал (эксп.) 0 →
    Мактаарал 5 = 2,340 km."""
    route = router.shortest("684001", "697001")
    assert route.km == 2340
    assert route.km_by_railway() == "KZH:2213;UTI:122;KZH:5"
    assert route.official


def test_a_domestic_pair_keeps_its_own_lines_first(router: Router) -> None:
    """UTI Хаваст → Коканд I: UTI's own lines (via Ангрен – Пап, chained Book 1, not official)
    come first; through Tajikistan is listed after it: Book 3 ``726204,725803,37`` (Хаваст –
    Бекабад (эксп.)) + TDZ Book 3 ``748106,747501,109`` (Спитамен (эксп.) – Канибадам (эксп.))
    + UTI Book 3 ``740004,740108,46`` (Сувонобод (эксп.) – Коканд I) = 192 km."""
    own, through, *_ = router.routes("725803", "740004", limit=5)
    assert own.railways == ("UTI",)
    assert own.legs[0].method is Method.FALLBACK
    assert through.km == 192
    assert through.km_by_railway() == "UTI:37;TDZ:109;UTI:46"
    assert through.official
    km, itin, _errors = router.batch_shortest(["725803"], ["740004"])
    assert int(km[0]) == own.km
    assert int(itin[0]) == -1


def test_andijan_sultanabad_goes_through_kyrgyzstan(router: Router) -> None:
    """No UTI line joins Андижан I and Султанабад. By hand: UTI Book 3 Андижан I – Савай (эксп.)
    49 + KRG Book 1 Карасу-Узбекский (эксп. на Савай) – (эксп. на Султанабад) 3 + UTI Book 1
    73-023 Султанабад (эксп.) – Султанабад 5 = 57 km (TR-4 Book 2 prints Султанабад → Андижан I
    54, the Kyrgyz km left out)."""
    route = router.shortest("743604", "744019")
    assert route.km == 57
    assert route.km_by_railway() == "UTI:49;KRG:3;UTI:5"


def test_reentering_routes_use_each_crossing_once(router: Router) -> None:
    for a, b in (("684001", "745309"), ("661705", "746706"), ("698305", "748006")):
        for r in router.routes(a, b, limit=20, sensible_factor=None):
            assert len(r.legs) <= MAX_LEGS
            pairs = [frozenset((x.exit_esr, x.entry_esr)) for x in r.borders]
            assert len(set(pairs)) == len(pairs)
            for prev, nxt, border in zip(r.legs, r.legs[1:], r.borders, strict=False):
                assert prev.railway != nxt.railway
                assert (prev.exit_esr, nxt.entry_esr) == (border.exit_esr, border.entry_esr)
                assert nxt.entry_esr in router.border_partners(prev.exit_esr)
