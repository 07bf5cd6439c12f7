"""An official TR-4 figure, where TR-4 has one, always wins over the Book 1 fallback (issue 11.4).

Expected values are added up by hand from the shipped books (rows quoted in each docstring), or
recomputed here from the CSV files with the csv module, never read from the engine.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from temir.network.routing import Method, Router
from temir.network.routing.loader import data_dir, shipped
from tests.network.routing.test_engine import MISPRINTED_BOOK2

TR4 = data_dir() / "tr4"


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(shipped())


def test_serkhetyaka_to_razezd_161_is_book2_plus_book3(router: Router) -> None:
    """TRK Серхетяка 756303 → Разъезд № 161 (эксп.) 749901, METHOD.md §3, by hand:

    station_transit_points.csv (Book 2) lists for 756303: Ашгабат 752800 758, Туркменбаши I
    (эксп.) 754609 709, Дашогуз 758101 1252. transit_distances.csv (Book 3): 752800–749901
    933, 754609–749901 1495, 758101–749901 1483. Minimum: 758 + 933 = 1,691 (against 2,204 and
    2,735). The two codes share no Book 1 section (75-020 and 75-002). The old table showed
    the 1,299 km of a chain of Book 1 sections and Book 3 links, marked "not official".
    """
    assert router.tables["TRK"].distance("756303", "749901") == (1691, Method.BOOK3)


@pytest.mark.parametrize("railway", ["TRK", "TDZ"])
def test_every_pair_with_a_book2_book3_figure_is_official(router: Router, railway: str) -> None:
    """For every pair of Book 2 codes on no common section, METHOD.md §3 recomputed here:
    min over the codes' Book 2 points X, Y of Book2(a→X) + Book3(X, Y) + Book2(Y→b). Where it
    gives a figure the engine's is official and no longer than it (a Book 2 row or Book 3 cell
    between the two, itself official, may be shorter or longer and wins); where it gives none
    and no Book 2 row or Book 3 cell or common section joins them, the engine says fallback.
    Misprinted Book 2 rows (SOURCES.md) are left out, as the engine leaves them out.
    """
    b3: dict[frozenset[str], int] = {}
    for r in _csv(TR4 / "transit_distances.csv"):
        if r["railway"] == railway:
            b3[frozenset((r["from_esr"], r["to_esr"]))] = int(r["km"])
    b2: dict[str, dict[str, int]] = defaultdict(dict)
    for r in _csv(TR4 / "station_transit_points.csv"):
        row = (r["esr_code"], r["transit_esr"])
        if r["railway"] == railway and r["transit_esr"] and row not in MISPRINTED_BOOK2:
            b2[r["esr_code"]][r["transit_esr"]] = int(r["km"])
    on_section: dict[str, set[str]] = defaultdict(set)
    for r in _csv(data_dir() / "network" / "section_points.csv"):
        if r["railway"] == railway:
            on_section[r["esr_code"]].add(r["tr4_section"])

    def cell(x: str, y: str) -> int | None:
        return 0 if x == y else b3.get(frozenset((x, y)))

    table = router.tables[railway]
    codes = sorted(b2)
    checked = 0
    for i, a in enumerate(codes):
        for b in codes[i + 1 :]:
            if on_section[a] & on_section[b]:
                continue
            sums = [
                da + c + db
                for x, da in b2[a].items()
                for y, db in b2[b].items()
                if (c := cell(x, y)) is not None
            ]
            got = table.distance(a, b)
            direct = b in b2[a] or a in b2[b] or frozenset((a, b)) in b3
            if got is None:  # northern and southern TDZ meet only through Uzbekistan
                assert not sums, (a, b)
                assert not direct, (a, b)
                continue
            if sums:
                assert got[1] is not Method.FALLBACK, (a, b, got, min(sums))
                if not direct:
                    assert got[0] == min(sums), (a, b, got, min(sums))
                checked += 1
            elif not direct:
                assert got[1] is Method.FALLBACK, (a, b, got)
    assert checked >= {"TRK": 12_000, "TDZ": 150}[railway]
