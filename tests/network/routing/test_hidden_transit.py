"""Book 3 cells and Book 2 rows that hide a foreign transit are not one railway's leg (11.1).

Expected km are added up by hand from the shipped books (the docstrings quote the rows); the
whole-matrix test recomputes the rule from the CSV files with csv and networkx, not the engine.
"""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import networkx as nx
import pytest

from temir.network.routing import Method, Router
from temir.network.routing.loader import data_dir, shipped
from temir.network.routing.quality import disagreements

TR4 = data_dir() / "tr4"
NET = data_dir() / "network"
# UTI border codes paired with two codes of one neighbour that its own lines join
# (border_crossings.csv): the foreign stretch between them is what a hidden cell leaves out.
UTI_GLUES = {
    ("726204", "740108"): "TDZ",  # Бекабад (эксп.)/Спитамен – Сувонобод (эксп.)/Канибадам
    ("734408", "734709"): "TRK",  # Нишан (эксп.)/Талимарджан – Сурханобод (эксп.)/Разъезд 161
    ("744005", "744202"): "KRG",  # Савай (эксп.) – Султанабад (эксп.): Карасу-Узбекский
    ("738004", "738201"): "TRK",  # Джумуртау (эксп.)/Кубадаг – Шават (эксп.)/Дашогуз
}


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(shipped())


def test_saryagash_kanibadam_goes_via_bekabad_spitamen(router: Router) -> None:
    """Old answer 232 = Book 2 ``698305 Сарыагаш → 704101 4`` + UTI Book 3 ``720602,740108,220``
    (Келес (эксп.) – Сувонобод (эксп.)) + TDZ Book 3 ``748106,748006,8``. But 220 is also
    Келес – Бекабад (эксп.) (``726204,720602,220``): the wagon would run Бекабад → Спитамен →
    Канибадам on Tajik track, which the cell does not count; UTI's own lines (Ангрен – Пап) are
    363 km. By hand the shortest is 4 + 220 + TDZ Book 3 ``748006,747501,101`` (Спитамен (эксп.)
    – Канибадам) = 325.
    """
    routes = router.routes("698305", "748006", limit=5)
    assert routes[0].km == 325
    assert routes[0].km_by_railway() == "KZH:4;UTI:220;TDZ:101"
    assert [(b.exit_esr, b.entry_esr) for b in routes[0].borders] == [
        ("704101", "720602"),
        ("726204", "747501"),
    ]
    assert routes[0].official
    via_suvonobod = [r for r in routes if r.borders[-1].exit_esr == "740108"]
    for r in via_suvonobod:  # never the 220 km cell as one UTI leg
        uti = [leg for leg in r.legs if leg.railway == "UTI" and leg.entry_esr == "720602"]
        assert uti[0].km != 220


def test_khavast_kokand_is_not_an_83_km_uti_leg(router: Router) -> None:
    """UTI Book 3 ``740004,725803,83`` (Коканд I – Хаваст) = ``726204,725803,37`` (Хаваст –
    Бекабад (эксп.)) + ``740004,740108,46`` (Сувонобод (эксп.) – Коканд I): a route through
    Tajikistan. As one UTI leg the engine gives UTI's own lines, not official, and says TR-4
    prints 83 for it."""
    leg = router.section("UTI", "725803", "740004")
    assert leg is not None
    assert leg.km > 83
    assert leg.method is Method.FALLBACK
    assert leg.printed_km == 83
    route = router.routes("725803", "740004", limit=1)[0]
    assert "route.not_as_printed" in route.note_codes()


def test_maktaaral_has_no_kzh_distance_to_the_rest_of_kazakhstan(router: Router) -> None:
    """Book 2 ``702905 Мактаарал (эксп.) → 704101 Сарыагаш (эксп.) 0``, ``697001 Мактаарал →
    704101 5``, ``704008 Жетысай → 704101 24``: the enclave (68-078) joins the rest of KZH only
    through Uzbekistan (Сырдарьинская … Келес), so KZH has no distance of its own."""
    assert router.tables["KZH"].distance("684001", "697001") is None
    assert router.section("KZH", "697001", "702905") is not None  # same section 68-078


def test_every_hidden_uti_cell_and_only_those_is_left_out(router: Router) -> None:
    """For every UTI Book 3 cell X–Y, recomputed here: it hides a transit when it is below the
    shortest route over UTI's own freight Book 1 sections (networkx over section_points.csv)
    and equals — within 1 km — Book3(X, e) + Book3(f, Y) for a glue pair (e, f) of UTI_GLUES
    in either order (Book3(t, t) = 0). Exactly those cells are not the engine's distance."""
    b3: dict[frozenset[str], int] = {}
    for r in _csv(TR4 / "transit_distances.csv"):
        if r["railway"] == "UTI":
            b3[frozenset((r["from_esr"], r["to_esr"]))] = int(r["km"])
    passenger = {
        r["tr4_section"] for r in _csv(NET / "sections.csv") if "пассажир" in r["tr4_section_type"]
    }
    graph: nx.Graph = nx.Graph()
    by_section: dict[str, list[tuple[int, str, int]]] = {}
    for r in _csv(NET / "section_points.csv"):
        if r["railway"] == "UTI" and r["tr4_section"] not in passenger:
            by_section.setdefault(r["tr4_section"], []).append(
                (int(r["seq"]), r["esr_code"], int(r["km_from_section_start"]))
            )
    for pts in by_section.values():
        pts.sort()
        for (_, a, ka), (_, b, kb) in itertools.pairwise(pts):
            if not graph.has_edge(a, b) or graph[a][b]["weight"] > abs(kb - ka):
                graph.add_edge(a, b, weight=abs(kb - ka))

    def cell(x: str, y: str) -> int | None:
        return 0 if x == y else b3.get(frozenset((x, y)))

    hidden = set()
    for pair, km in b3.items():
        x, y = sorted(pair)
        try:
            own = nx.dijkstra_path_length(graph, x, y)
        except (nx.NetworkXNoPath, nx.NodeNotFound):
            own = None
        if own is not None and km >= own:
            continue
        for e0, f0 in UTI_GLUES:
            for e, f in ((e0, f0), (f0, e0)):
                for a, b in ((x, y), (y, x)):
                    to_e, from_f = cell(a, e), cell(f, b)
                    if to_e is not None and from_f is not None and 0 <= km - to_e - from_f <= 1:
                        hidden.add(pair)
    table = router.tables["UTI"]
    not_used = {
        pair for pair, km in b3.items() if table.distance(*sorted(pair)) != (km, Method.BOOK3)
    }
    assert len(hidden) == 264
    assert not_used == hidden


def test_data_quality_lists_hidden_transits_with_the_neighbour() -> None:
    rows = {(d.railway, d.kind): d for d in disagreements(shipped()) if d.kind.endswith("transit")}
    assert set(rows) == {
        ("UTI", "book3_hidden_transit"),
        ("UTI", "book2_hidden_transit"),
        ("KZH", "book2_hidden_transit"),
    }
    found = [d for d in disagreements(shipped()) if d.from_esr == "740004" and d.to_esr == "725803"]
    (khavast,) = [d for d in found if d.kind == "book3_hidden_transit"]
    assert not khavast.trusted
    text = khavast.to_dict("en")["detail"]
    assert "through TDZ" in text
    assert "Бекабад (эксп.) 726204" in text
    assert "(83 km)" in text
    assert "через TDZ" in khavast.to_dict("ru")["detail"]
