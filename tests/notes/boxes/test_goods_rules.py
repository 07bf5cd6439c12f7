"""Issue 11.7 rules: dangerous goods (box 15), packages (17), seals (19), the carriers' boxes
30–32 before acceptance, and zeros-only codes — each fires on a note broken in exactly that way.

Which codes are dangerous, and as which UN entries, comes from ``data/cargo/dangerous_goods.csv``
(ADR 2017 Table A, matched to GNG/ETSNG names by name; its SOURCES.md gives each row). The UN
numbers, classes and packing groups expected below are typed from the ADR 2017 Table A entries
as printed in github seerdaryilmazz/OOB
``order-service/src/main/resources/db/insert_adr_class_details_2017.sql``
@bfa3b2082462e5b4bae39706cee184d2f4b53fb7 (line numbers of that file given per constant), not
read from the CSV.
"""

from __future__ import annotations

import csv
from importlib import resources
from typing import Any

import pytest

from temir.codes import dangerous
from temir.codes.etsng import examine_etsng
from temir.codes.gng import examine_gng
from temir.network.view import EngineNetworkView
from temir.notes.boxes import Stage
from temir.notes.model import Note
from tests.notes.boxes.test_rules import assert_fires, broken

GASOLINE_GNG = "27101245"  # shared/data/cargo/commodities.csv: Бензины … 95–98
# ADR 2017 Table A, line 2935: '1203','MOTOR SPIRIT or GASOLINE or PETROL','3','F1','II'
GASOLINE_UN = {"un_number": "1203", "hazard_class": "3", "packing_group": "II"}
PROPANE_GNG = "27111200"  # commodities.csv: Пропан сжиженный
# ADR 2017 Table A, line 6558: '1978','PROPANE','2','2F','' (class 2: no packing group)
PROPANE_UN = {"un_number": "1978", "hazard_class": "2"}
DIESEL_ETSNG = "214043"  # commodities.csv: Топливо дизельное … вспышки ниже 61с
# ADR 2017 Table A, line 2917: '1202','GAS OIL or DIESEL FUEL … (flash-point not more than
# 60 °C)','3','F1','III'
DIESEL_UN = {"un_number": "1202", "hazard_class": "3", "packing_group": "III"}
Data = dict[str, Any]


def goods(**fields: Any) -> Any:
    def change(d: Data) -> None:
        d["goods"][0].update(etsng=None, **fields)

    return change


def gasoline(**extra: Any) -> Any:
    return goods(description="Бензин моторный АИ-95", gng=GASOLINE_GNG, **extra)


def dg_rules(result: Any) -> set[str]:
    return {r for r in result.rule_ids() if r.startswith("N-015-")}


def test_gasoline_without_a_un_number_is_refused_naming_the_entry(
    note: Note, network: EngineNetworkView
) -> None:
    result = broken(note, network, gasoline())
    assert_fires(result, "N-015-DG-REQ", 15)
    issue = next(i for i in result.issues if i.rule == "N-015-DG-REQ")
    assert issue.path == "goods[0].un_number"
    assert "ADR 2017 Table A: UN 1203" in issue.message("en")
    assert "(27101245)" in issue.message("en")
    assert "опасный груз" in issue.message("ru")
    half = broken(note, network, gasoline(un_number="1203", hazard_class="3"))
    assert "N-015-DG-REQ" in half.rule_ids()  # class 3 has packing groups: II must be given


def test_gasoline_declared_as_un_1203_class_3_group_ii_is_accepted(
    note: Note, network: EngineNetworkView
) -> None:
    result = broken(note, network, gasoline(**GASOLINE_UN))
    assert dg_rules(result) == set()
    assert result.valid


def test_a_un_number_of_other_goods_is_refused(note: Note, network: EngineNetworkView) -> None:
    result = broken(note, network, gasoline(**DIESEL_UN))
    assert_fires(result, "N-015-DG-UN", 15)
    issue = next(i for i in result.issues if i.rule == "N-015-DG-UN")
    assert issue.path == "goods[0].un_number"
    assert "UN 1203" in issue.message("en")
    assert "1202" in issue.message("en")


@pytest.mark.parametrize(
    "change",
    [
        gasoline(un_number="1203", hazard_class="3", packing_group="III"),
        gasoline(un_number="1203", hazard_class="8", packing_group="II"),
        goods(gng=PROPANE_GNG, un_number="1978", hazard_class="2", packing_group="II"),
    ],
)
def test_class_and_packing_group_must_be_the_entrys(
    note: Note, network: EngineNetworkView, change: Any
) -> None:
    result = broken(note, network, change)
    assert_fires(result, "N-015-DG-ENTRY", 15)
    issue = next(i for i in result.issues if i.rule == "N-015-DG-ENTRY")
    assert issue.path == "goods[0].hazard_class"


@pytest.mark.parametrize("klass", ["2", "2.1"])
def test_liquefied_propane_needs_un_number_and_class_but_no_packing_group(
    note: Note, network: EngineNetworkView, klass: str
) -> None:
    assert_fires(broken(note, network, goods(gng=PROPANE_GNG)), "N-015-DG-REQ", 15)
    declared = broken(
        note, network, goods(gng=PROPANE_GNG, **{**PROPANE_UN, "hazard_class": klass})
    )
    assert dg_rules(declared) == set()


def test_diesel_below_61_degrees_is_designated_by_its_etsng_code(
    note: Note, network: EngineNetworkView
) -> None:
    def diesel(**extra: Any) -> Any:
        return lambda d: d["goods"][0].update(etsng=DIESEL_ETSNG, gng="27101943", **extra)

    assert_fires(broken(note, network, diesel()), "N-015-DG-REQ", 15)
    assert dg_rules(broken(note, network, diesel(**DIESEL_UN))) == set()
    # ETSNG 214039 (flash point above 61 °C) is not designated: it may be above 100 °C
    above = lambda d: d["goods"][0].update(etsng="214039", gng="27101943")  # noqa: E731
    assert dg_rules(broken(note, network, above)) == set()


def test_goods_no_source_designates_ask_for_nothing(note: Note, network: EngineNetworkView) -> None:
    assert note.goods[0].gng == "10019900"  # the example's wheat
    assert dangerous.designations(note.goods[0].etsng, note.goods[0].gng) == ()
    assert dg_rules(broken(note, network, lambda d: None)) == set()


def test_designations_match_the_most_specific_code() -> None:
    d = dangerous.Designation("1203", "3", "II", "UN 1203 X", "List 2020 (x); y")
    e = dangerous.Designation("1993", "3", "III", "UN 1993 Y", "List 2020 (x); y")
    table = {("gng_heading", "2710"): (e,), ("gng", GASOLINE_GNG): (d,)}
    assert dangerous.designations(None, GASOLINE_GNG, table) == (d,)
    assert dangerous.designations(None, "27101241", table) == (e,)
    assert dangerous.designations("011005", "10019900", table) == ()
    assert dangerous.designations("211005", None, {("etsng_position", "211"): (e,)}) == (e,)
    assert dangerous.dangerous_designation(None, GASOLINE_GNG, table) == "List 2020: UN 1203"
    assert dangerous.matched_code("214039", GASOLINE_GNG, table) == GASOLINE_GNG
    assert dangerous.matched_code("211005", None, {("etsng_position", "211"): (e,)}) == "211005"
    assert d.admits("3", "II")
    assert not d.admits("3", None)
    assert not d.admits("3.1", "II")  # class 3 has no divisions
    gas = dangerous.Designation("1978", "2", None, "UN 1978 PROPANE", "List 2020 (x); y")
    assert gas.admits("2.1", None)
    assert not gas.admits("2.1", "III")


def _shipped_rows() -> list[dict[str, str]]:
    text = resources.files("temir").joinpath("data", "cargo", "dangerous_goods.csv").read_text()
    return list(csv.DictReader(text.splitlines()))


def test_every_shipped_designation_is_a_known_code_and_a_whole_entry() -> None:
    rows = _shipped_rows()
    assert len(rows) > 20
    for r in rows:
        assert r["kind"] in dangerous.KINDS, r
        outcome = examine_gng(r["code"]) if r["kind"] == "gng" else examine_etsng(r["code"])
        assert outcome.valid, (r, outcome.problems)  # a GNG code of the shipped list, or ETSNG
        assert len(r["un_number"]) == 4, r
        assert r["un_number"].isdigit(), r
        needs = dangerous.needs_packing_group(r["class"])
        assert bool(r["packing_group"]) == needs, r  # PG exactly where the class has them
        assert r["basis"].startswith(f"by name: {r['kind'].upper()} {r['code']} "), r
        assert f"= {r['entry']}" in r["basis"], r
        assert r["entry"].startswith(f"UN {r['un_number']} "), r
        assert r["source"].startswith("ADR 2017 Table A"), r


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


def test_a_division_class_without_packing_group_is_accepted(
    note: Note, network: EngineNetworkView
) -> None:
    details = {"un_number": "1965", "hazard_class": "2.1"}  # class 2: no packing group
    result = broken(note, network, lambda d: d["goods"][0].update(**details))
    assert dg_rules(result) == set()


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


@pytest.mark.parametrize(
    ("value", "rule", "path"),
    [
        ({"amount": "0.00", "currency": "KZT"}, "N-000-VALUE", "declared_value.amount"),
        (
            {"amount": "100.00", "currency": "ABC"},
            "N-000-VALUE-CURRENCY",
            "declared_value.currency",
        ),
        (
            {"amount": "100.00", "currency": "SUR"},
            "N-000-VALUE-CURRENCY",
            "declared_value.currency",
        ),
    ],
)
def test_a_declared_value_is_a_positive_amount_in_a_currency_in_use(
    note: Note, network: EngineNetworkView, value: Data, rule: str, path: str
) -> None:
    result = broken(note, network, lambda d: d.update(declared_value=value))
    assert_fires(result, rule, None)
    assert next(i for i in result.issues if i.rule == rule).path == path


@pytest.mark.parametrize("currency", ["KZT", "TJS", "RUB", "USD", "CHF"])
def test_a_declared_value_in_tenge_somoni_or_francs_is_accepted(
    note: Note, network: EngineNetworkView, currency: str
) -> None:
    value = {"amount": "48000000.00", "currency": currency}
    result = broken(note, network, lambda d: d.update(declared_value=value))
    assert not {r for r in result.rule_ids() if r.startswith("N-000-VALUE")}
    assert result.valid


@pytest.mark.parametrize(
    "value",
    [{"amount": "-1", "currency": "KZT"}, {"amount": "1.001", "currency": "KZT"},
     {"amount": "1", "currency": "kzt"}, {"amount": "1"}],
)  # fmt: skip
def test_a_malformed_declared_value_is_a_schema_error_naming_the_field(
    note: Note, network: EngineNetworkView, value: Data
) -> None:
    result = broken(note, network, lambda d: d.update(declared_value=value))
    issue = next(i for i in result.issues if i.rule == "N-000-SCHEMA")
    assert issue.path.startswith("declared_value")
