"""Box 38 carries the official TR-4 tariff km the route engine computes, and says when it does not.

Expected figures come from the engine (``temir.network.routing``) or straight from the TR-4 CSV
files, never from the note code under test.
"""

from __future__ import annotations

import csv

import pytest

from temir.kit.i18n import TRANSLATIONS, gettext
from temir.network.routing import Method, Router
from temir.network.routing.distances import book1_shortest, shortest_from
from temir.network.routing.loader import data_dir, shipped, shipped_router
from temir.network.view import EngineNetworkView
from temir.notes.boxes import validate_note
from temir.notes.boxes.rules import KM_38, METHOD_NAMES, NO_KM_38
from temir.notes.example import example_note
from temir.notes.model import Note


@pytest.fixture(scope="module")
def router() -> Router:
    return shipped_router()


def _code(router: Router, name: str) -> str:
    hits = [esr for esr, n in router.names.items() if n == name]
    assert len(hits) == 1, (name, hits)
    return hits[0]


def test_example_box_38_is_the_engines_route_through_its_borders(router: Router) -> None:
    note = example_note()
    borders = [s.to_station.esr for s in note.carriers[:-1]]
    route = router.shortest(note.departure.esr, note.destination.esr, via=borders)
    assert route.official
    assert [(c.carrier, c.from_esr, c.to_esr, c.distance_km) for c in note.charges] == [
        (leg.railway, leg.entry_esr, leg.exit_esr, leg.km) for leg in route.legs
    ]
    assert [(s.from_station.esr, s.to_station.esr) for s in note.carriers] == [
        (leg.entry_esr, leg.exit_esr) for leg in route.legs
    ]


def test_example_uti_km_is_the_book3_cell() -> None:
    with (data_dir() / "tr4" / "transit_distances.csv").open(encoding="utf-8") as fh:
        cells = {
            (r["railway"], frozenset((r["from_esr"], r["to_esr"]))): int(r["km"])
            for r in csv.DictReader(fh)
        }
    uti = example_note().charges[1]
    assert uti.distance_km == cells[("UTI", frozenset((uti.from_esr, uti.to_esr)))]


def _book1_shortest_km(railway: str, a: str, b: str) -> int:
    index, adjacency = book1_shortest(shipped(), railway)
    return shortest_from(adjacency, index[a])[index[b]]


def test_a_book1_shortest_path_in_box_38_is_flagged_with_the_official_figure(
    note: Note, network: EngineNetworkView
) -> None:
    uti = note.charges[1]
    official = network.tariff_distance("UTI", uti.from_esr, uti.to_esr)
    assert official is not None
    assert official.method is Method.BOOK3
    book1 = _book1_shortest_km("UTI", uti.from_esr, uti.to_esr)
    assert book1 != official.km  # the figure the old network model put in box 38
    uti.distance_km = book1
    result = validate_note(note, network)
    assert result.valid  # a warning: the carrier decides, the note is not refused
    [issue] = [i for i in result.issues if i.rule == KM_38.id]
    assert (issue.box, issue.path) == (38, "charges[1].distance_km")
    en, ru = issue.message("en"), issue.message("ru")
    for figure in (book1, official.km):
        assert str(figure) in en
        assert str(figure) in ru
    assert "TR-4 Book 3, official" in en
    assert "ТР-4, книга 3, официальное" in ru
    assert "Графа 38" in ru


def test_a_fallback_distance_is_named_as_not_official(
    note: Note, network: EngineNetworkView, router: Router
) -> None:
    # TR-4 leaves the Душанбе I – Хатлон Book 3 cell blank: the engine's figure is a fallback.
    a, b = _code(router, "Душанбе I"), _code(router, "Хатлон")
    leg = network.tariff_distance("TDZ", a, b)
    assert leg is not None
    assert leg.method is Method.FALLBACK
    tdz = note.charges[2]
    tdz.from_esr, tdz.to_esr, tdz.distance_km = a, b, leg.km + 1
    [issue] = [i for i in validate_note(note, network).issues if i.rule == KM_38.id]
    assert "not an official TR-4 figure" in issue.message("en")
    assert "не официальное значение ТР-4" in issue.message("ru")


def test_no_own_line_distance_for_a_charging_section(
    note: Note, network: EngineNetworkView
) -> None:
    # Kostanay – Мактаарал: KZH's own lines do not join them (the way runs through Uzbekistan).
    note.charges[0].to_esr = "697001"
    result = validate_note(note, network)
    assert result.valid
    [issue] = [i for i in result.issues if i.rule == NO_KM_38.id]
    assert issue.box == 38
    assert "697001" in issue.message("ru")


def test_box_38_left_empty_is_not_checked(note: Note, network: EngineNetworkView) -> None:
    for section in note.charges:
        section.distance_km = None
    rules = validate_note(note, network).rule_ids()
    assert KM_38.id not in rules
    assert NO_KM_38.id not in rules


@pytest.mark.parametrize("lang", TRANSLATIONS)
def test_every_method_name_has_a_translation(lang: str) -> None:
    assert set(METHOD_NAMES) == set(Method)
    assert [m for m in METHOD_NAMES.values() if gettext(m, lang) == m] == []
