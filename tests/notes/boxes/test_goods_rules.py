"""Issue 11.7 rules: dangerous goods (box 15), packages (17), seals (19), the carriers' boxes
30–32 before acceptance, and zeros-only codes — each fires on a note broken in exactly that way.

Which codes are dangerous comes from ``data/cargo/dangerous_goods.csv``; it has no rows, because
no public source at hand designates ETSNG/GNG codes as dangerous (its SOURCES.md says what was
looked at). So gasoline (GNG 27101245) is not asked for a UN number by its code, and the rule
that would ask is tested with a designation table of the test's own.
"""

from __future__ import annotations

from typing import Any

import pytest

from temir.codes import dangerous
from temir.network.view import EngineNetworkView
from temir.notes.boxes import Stage
from temir.notes.model import Note
from tests.notes.boxes.test_rules import assert_fires, broken

GASOLINE_GNG = "27101245"  # shared/data/cargo/commodities.csv: Бензины … 95–98
Data = dict[str, Any]


def gasoline(d: Data) -> None:
    d["goods"][0].update(description="Бензин моторный АИ-95", gng=GASOLINE_GNG, etsng=None)


def test_no_dangerous_designation_is_shipped_so_gasoline_passes_by_code(
    note: Note, network: EngineNetworkView
) -> None:
    assert dangerous._table() == {}
    assert dangerous.dangerous_designation(None, GASOLINE_GNG) is None
    result = broken(note, network, gasoline)
    assert not {r for r in result.rule_ids() if r.startswith("N-015-DG")}


def test_a_designated_code_needs_un_number_class_and_packing_group(
    note: Note, network: EngineNetworkView, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = {("gng_heading", "2710"): "test designation"}
    assert dangerous.dangerous_designation(None, GASOLINE_GNG, table) == "test designation"
    assert dangerous.dangerous_designation("011005", "10019900", table) is None
    assert dangerous.dangerous_designation("211005", None, {("etsng_position", "211"): "x"}) == "x"
    monkeypatch.setattr(dangerous, "_table", lambda: table)
    result = broken(note, network, gasoline)
    assert_fires(result, "N-015-DG-REQ", 15)
    issue = next(i for i in result.issues if i.rule == "N-015-DG-REQ")
    assert issue.path == "goods[0].un_number"
    assert "test designation" in issue.message("en")

    def declared(d: Data) -> None:
        gasoline(d)
        d["goods"][0].update(un_number="1203", hazard_class="3", packing_group="II")

    done = broken(note, network, declared)
    assert not {r for r in done.rule_ids() if r.startswith("N-015-")}


@pytest.mark.parametrize(
    ("details", "rule"),
    [
        ({"un_number": "1203"}, "N-015-DG-PART"),
        ({"un_number": "1203", "hazard_class": "3"}, "N-015-DG-PART"),
        ({"un_number": "0000", "hazard_class": "3", "packing_group": "II"}, "N-015-UN"),
        ({"un_number": "12a3", "hazard_class": "3", "packing_group": "II"}, "N-015-UN"),
        ({"un_number": "1203", "hazard_class": "10", "packing_group": "II"}, "N-015-DG-CLASS"),
        ({"un_number": "1203", "hazard_class": "3", "packing_group": "IV"}, "N-015-DG-GROUP"),
    ],
)
def test_dangerous_goods_details_are_whole_and_well_formed(
    note: Note, network: EngineNetworkView, details: Data, rule: str
) -> None:
    result = broken(note, network, lambda d: d["goods"][0].update(**details))
    assert_fires(result, rule, 15)


def test_a_division_class_is_accepted(note: Note, network: EngineNetworkView) -> None:
    details = {"un_number": "1965", "hazard_class": "2.1", "packing_group": "III"}
    result = broken(note, network, lambda d: d["goods"][0].update(**details))
    assert not {r for r in result.rule_ids() if r.startswith("N-015-")}


def test_packed_goods_need_the_number_of_packages(note: Note, network: EngineNetworkView) -> None:
    result = broken(note, network, lambda d: d["goods"][0].update(packing="мешки"))
    assert_fires(result, "N-017-REQ", 17)
    counted = broken(note, network, lambda d: d["goods"][0].update(packing="мешки", packages=1360))
    assert "N-017-REQ" not in counted.rule_ids()
    assert counted.valid


def test_bulk_goods_leave_box_17_empty(note: Note, network: EngineNetworkView) -> None:
    assert note.goods[0].packing == "навалом"
    result = broken(note, network, lambda d: d["goods"][0].update(packages=12))
    assert_fires(result, "N-017-BULK", 17)
    assert result.valid  # a warning


def test_seal_rules(note: Note, network: EngineNetworkView) -> None:
    other = broken(note, network, lambda d: d["seals"][0].update(wagon_number="52171246"))
    assert_fires(other, "N-019-WAGON", 19)
    unknown = broken(note, network, lambda d: d["seals"][0].update(applied_by=None))
    assert_fires(unknown, "N-019-BY", 19)
    assert unknown.valid


@pytest.mark.parametrize(
    ("field", "value", "rule", "box"),
    [
        ("carrier_remarks", ["Продлено"], "N-030-CARRIER", 30),
        ("commercial_reports", [{"number": "17", "station_esr": "704101"}], "N-031-CARRIER", 31),
        (
            "extensions",
            [{"reason": "сам себе", "days": 30, "station_esr": "704101"}],
            "N-032-CARRIER",
            32,
        ),
    ],
)
def test_a_consignors_note_leaves_the_carriers_boxes_empty(
    note: Note, network: EngineNetworkView, field: str, value: Any, rule: str, box: int
) -> None:
    def fill(d: Data) -> None:
        d.update(contract_date=None, consignment_number=None, **{field: value})

    assert_fires(broken(note, network, fill), rule, box)
    # after acceptance (box 26 is there) these boxes are the carriers' to fill
    accepted = broken(note, network, lambda d: d.update(**{field: value}), Stage.ACCEPTANCE)
    assert rule not in accepted.rule_ids()


@pytest.mark.parametrize(
    ("change", "rule", "cause"),
    [
        (lambda d: d["departure"].update(esr="000000"), "N-002-ESR", "esr.all_zero"),
        (lambda d: d["goods"][0].update(gng="00000000"), "N-015-GNG", "gng.all_zero"),
        (lambda d: d["goods"][0].update(etsng="000000"), "N-015-ETSNG", "etsng.all_zero"),
        (lambda d: d["wagons"][0].update(number="00000000"), "N-007-WAGON", "wagon.all_zero"),
        (lambda d: d["wagons"][0].update(number="000000000000"), "N-007-WAGON", "uic.all_zero"),
    ],
)
def test_zeros_only_codes_are_refused_in_their_box(
    note: Note, network: EngineNetworkView, change: Any, rule: str, cause: str
) -> None:
    result = broken(note, network, change)
    issue = next(i for i in result.issues if i.rule == rule)
    assert issue.cause is not None
    assert issue.cause.code == cause
    assert not result.valid
