"""Each rule family fires on a note broken in exactly that way, naming its rule id and box."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from temir.kit.i18n import TRANSLATIONS, gettext
from temir.network.view import EngineNetworkView
from temir.notes.boxes import RULES, Stage, ValidationResult, validate_document, validate_note
from temir.notes.model import Note, StationRef

Data = dict[str, Any]


def broken(
    note: Note,
    network: EngineNetworkView,
    change: Callable[[Data], None],
    stage: Stage = Stage.SUBMISSION,
) -> ValidationResult:
    data = copy.deepcopy(note.model_dump(mode="json"))
    change(data)
    return validate_document(data, network, stage)


def assert_fires(result: ValidationResult, rule: str, box: int | None) -> None:
    matching = [i for i in result.issues if i.rule == rule]
    assert matching, f"{rule} did not fire; got {sorted(result.rule_ids())}"
    assert all(i.box == box for i in matching)
    if RULES[rule].severity == "error":
        assert not result.valid


def test_example_note_is_valid(note: Note, network: EngineNetworkView) -> None:
    result = validate_note(note, network, Stage.ACCEPTANCE)
    assert result.valid
    assert result.issues == ()


@pytest.mark.parametrize("lang", TRANSLATIONS)
def test_every_rule_message_has_a_translation(lang: str) -> None:
    missing = [r.id for r in RULES.values() if gettext(r.msgid, lang) == r.msgid]
    assert missing == []


@pytest.mark.parametrize(
    ("change", "rule", "box"),
    [
        (lambda d: d["consignor"].update(name=""), "N-001-REQ", 1),
        (lambda d: d["consignee"].update(address=""), "N-004-REQ", 4),
        (lambda d: d["consignor"].update(client_code="12"), "N-001-CODE", 1),
        (lambda d: d["departure"].update(esr=""), "N-002-REQ", 2),
        (lambda d: d["destination"].update(esr=""), "N-005-REQ", 5),
        (lambda d: d.update(wagons=[]), "N-007-REQ", 7),
        (lambda d: d["wagons"][0].update(provided_by=None), "N-008-REQ", 8),
        (lambda d: d.update(goods=[]), "N-015-REQ", 15),
        (lambda d: d["goods"][0].update(description=""), "N-015-DESC", 15),
        (lambda d: d["goods"][0].update(packing=""), "N-016-REQ", 16),
        (lambda d: d["goods"][0].update(mass_kg=None), "N-018-REQ", 18),
        (lambda d: d.update(carriers=[]), "N-022-REQ", 22),
    ],
)
def test_required_boxes(
    note: Note, network: EngineNetworkView, change: Callable[[Data], None], rule: str, box: int
) -> None:
    assert_fires(broken(note, network, change), rule, box)


def test_acceptance_needs_contract_date_and_consignment_number(
    note: Note, network: EngineNetworkView
) -> None:
    def change(d: Data) -> None:
        d.update(contract_date=None, consignment_number=None, arrival_date=None)

    assert broken(note, network, change).valid  # a submission does not need them yet
    result = broken(note, network, change, Stage.ACCEPTANCE)
    assert_fires(result, "N-026-REQ", 26)
    assert_fires(result, "N-029-REQ", 29)


@pytest.mark.parametrize(
    ("change", "rule", "box"),
    [
        # 684001 Kostanay with the check digit changed
        (lambda d: d["departure"].update(esr="684002"), "N-002-ESR", 2),
        (lambda d: d["destination"].update(esr="745308"), "N-005-ESR", 5),
        (lambda d: d["border_stations"][0].update(esr="704102"), "N-006-ESR", 6),
        (lambda d: d["carriers"][1]["from_station"].update(esr="72060"), "N-022-ESR", 22),
        (lambda d: d["charges"][0].update(to_esr="704100"), "N-037-ESR", 37),
        (lambda d: d["handovers"][0].update(station_esr="704109"), "N-033-ESR", 33),
        (lambda d: d["border_passages"][0].update(station_esr="ABCDEF"), "N-034-ESR", 34),
        # 95120341 with the last digit changed (Luhn)
        (lambda d: d["wagons"][0].update(number="95120342"), "N-007-WAGON", 7),
        (lambda d: d["wagons"][1].update(number="95120341"), "N-007-DUP", 7),
        (lambda d: d["wagons"][0].update(railway="XX"), "N-007-RAILWAY", 7),
        (lambda d: d["goods"][0].update(etsng="011006"), "N-015-ETSNG", 15),
        (lambda d: d["goods"][0].update(gng="1001990"), "N-015-GNG", 15),
        (lambda d: d["goods"][0].update(gng="99999999"), "N-015-GNG-UNKNOWN", 15),
        # CSQU3054383 is valid (domain.md §3.4); ...384 is not
        (
            lambda d: d["goods"][0].update(container={"number": "CSQU3054384"}),
            "N-015-CONTAINER",
            15,
        ),
        (lambda d: d["carriers"][0].update(carrier="ZZZ"), "N-022-CARRIER", 22),
        (lambda d: d["payments"][0].update(carrier="ZZZ"), "N-023-CARRIER", 23),
    ],
)
def test_codes_and_check_digits(
    note: Note, network: EngineNetworkView, change: Callable[[Data], None], rule: str, box: int
) -> None:
    assert_fires(broken(note, network, change), rule, box)


def test_valid_container_passes(note: Note, network: EngineNetworkView) -> None:
    result = broken(
        note, network, lambda d: d["goods"][0].update(container={"number": "CSQU3054383"})
    )
    assert "N-015-CONTAINER" not in result.rule_ids()


def test_twelve_digit_uic_wagon_number_is_checked_as_uic(
    note: Note, network: EngineNetworkView
) -> None:
    def to_uic(d: Data, number: str) -> None:
        d["wagons"][0]["number"] = number
        d["goods"][0]["wagon_number"] = number
        d["seals"][0]["wagon_number"] = number

    good = broken(note, network, lambda d: to_uic(d, "218124712173"))  # domain.md §3.5
    assert "N-007-WAGON" not in good.rule_ids()
    assert_fires(broken(note, network, lambda d: to_uic(d, "218124712174")), "N-007-WAGON", 7)


@pytest.mark.parametrize(
    ("change", "rule", "box"),
    [
        # 684105 passes the check digit but is not a station of the network
        (lambda d: d["departure"].update(esr="684105"), "N-002-UNKNOWN", 2),
        # Сарыагаш (эксп.) 704101 is a border code: no freight operations of its own
        (lambda d: d["destination"].update(esr="704101"), "N-005-FREIGHT", 5),
        (lambda d: d["departure"].update(railway="UTI"), "N-002-RAILWAY", 2),
        (lambda d: d["destination"].update(esr="684001"), "N-005-SAME", 5),
        # Бекабад 726100 is a station, not a border code
        (
            lambda d: d["border_stations"].append({"esr": "726100", "name": "Бекабад"}),
            "N-006-NOT-BORDER",
            6,
        ),
    ],
)
def test_stations_on_the_network(
    note: Note, network: EngineNetworkView, change: Callable[[Data], None], rule: str, box: int
) -> None:
    assert network.station("684105") is None
    assert_fires(broken(note, network, change), rule, box)


def test_route_must_start_at_departure(note: Note, network: EngineNetworkView) -> None:
    # Арысь/Shymkent side: the KZH section starts at Сарыагаш 698305 instead of Kostanay
    result = broken(note, network, lambda d: d["carriers"][0]["from_station"].update(esr="698305"))
    assert_fires(result, "N-022-START", 22)


def test_route_must_end_at_destination(note: Note, network: EngineNetworkView) -> None:
    result = broken(note, network, lambda d: d["carriers"][2]["to_station"].update(esr="745205"))
    assert_fires(result, "N-022-END", 22)


def test_carrier_section_on_its_own_railway(note: Note, network: EngineNetworkView) -> None:
    # The UTI section is declared as carried by TDZ
    result = broken(note, network, lambda d: d["carriers"][1].update(carrier="TDZ"))
    assert_fires(result, "N-022-OWN", 22)


def test_sections_join_at_real_border_pairs(note: Note, network: EngineNetworkView) -> None:
    # UTI enters via Мактаарал's partner Сырдарьинская (эксп.) 725305, not Келес (эксп.)
    def change(d: Data) -> None:
        d["carriers"][1]["from_station"]["esr"] = "725305"

    result = broken(note, network, change)
    assert_fires(result, "N-022-JOIN", 22)


def test_section_must_not_cut_through_a_neighbour(note: Note, network: EngineNetworkView) -> None:
    # Мактаарал is a KZH station reached from Kostanay only through Uzbekistan: TR-4 Book 2
    # ties it to Сарыагаш (эксп.), a figure that leaves the Uzbek km out, so KZH has no figure
    # of its own (issue 11) and one KZH section is refused.
    maktaaral = network.station("697001")
    assert maktaaral is not None
    assert maktaaral.railway == "KZH"
    assert network.router.tables["KZH"].distance("684001", "697001") is None
    single = note.model_copy(deep=True)
    single.carriers = single.carriers[:1]
    single.carriers[0].to_station = StationRef(esr="697001", name="Мактаарал", railway="KZH")
    single.destination = single.carriers[0].to_station
    assert_fires(validate_note(single, network), "N-022-SECTION", 22)
    assert "N-022-SECTION" not in validate_note(note, network).rule_ids()


def test_box_6_must_match_the_route(note: Note, network: EngineNetworkView) -> None:
    # Бекабад (эксп.) is a real border code, but not on this route
    extra = broken(note, network, lambda d: d["border_stations"].append({"esr": "726204"}))
    assert_fires(extra, "N-006-ROUTE", 6)
    missing = broken(note, network, lambda d: d.update(border_stations=d["border_stations"][:2]))
    assert_fires(missing, "N-006-MISSING", 6)


def test_payment_missing_for_a_carrier_is_a_warning(note: Note, network: EngineNetworkView) -> None:
    result = broken(note, network, lambda d: d.update(payments=d["payments"][:2]))
    assert_fires(result, "N-023-MISSING", 23)
    assert result.valid


@pytest.mark.parametrize(
    ("change", "rule", "box"),
    [
        (lambda d: d.update(goods_total_mass_kg=135_000), "N-018-TOTAL", 18),
        (lambda d: d["goods"][0].update(mass_kg=0), "N-018-ZERO", 18),
        (lambda d: d["goods"][0].update(wagon_number="24119703"), "N-018-WAGON", 18),
        (lambda d: d["goods"][0].update(wagon_number=None), "N-018-ASSIGN", 18),
        (lambda d: d["wagons"][0].update(load_capacity_kg=60_000), "N-009-CAPACITY", 9),
        (lambda d: d["charges"][0].update(chargeable_mass_kg=100_000), "N-039-MASS", 39),
        (lambda d: d["seals"][0].update(count=3), "N-019-COUNT", 19),
    ],
)
def test_masses_consistent(
    note: Note, network: EngineNetworkView, change: Callable[[Data], None], rule: str, box: int
) -> None:
    assert_fires(broken(note, network, change), rule, box)


def test_capacity_counts_all_lines_of_a_wagon(note: Note, network: EngineNetworkView) -> None:
    # both lines (68,000 + 67,450 kg) in the first 70.5 t hopper
    def change(d: Data) -> None:
        d["goods"][1]["wagon_number"] = d["wagons"][0]["number"]

    result = broken(note, network, change)
    assert_fires(result, "N-009-CAPACITY", 9)
    assert_fires(result, "N-007-EMPTY", 7)


@pytest.mark.parametrize(
    ("change", "rule", "box"),
    [
        (lambda d: d.update(arrival_date="2026-03-01T00:00:00+05:00"), "N-027-ORDER", 27),
        (lambda d: d["handovers"][0].update(at="2026-03-01T00:00:00+05:00"), "N-033-ORDER", 33),
        (
            lambda d: d["border_passages"][1].update(at="2026-03-11T00:00:00+05:00"),
            "N-034-ORDER",
            34,
        ),
        (lambda d: d.update(arrival_notice_at="2026-03-10T06:00:00+05:00"), "N-035-ORDER", 35),
        (lambda d: d["delivery"].update(at="2026-03-10T06:59:00+05:00"), "N-036-ORDER", 36),
    ],
)
def test_dates_in_order(
    note: Note, network: EngineNetworkView, change: Callable[[Data], None], rule: str, box: int
) -> None:
    assert_fires(broken(note, network, change), rule, box)


def test_dates_compare_instants_across_time_zones(note: Note, network: EngineNetworkView) -> None:
    # 07:00+05:00 arrival; 02:30 UTC is 07:30+05:00: after arrival, so the notice is in order
    ok = broken(note, network, lambda d: d.update(arrival_notice_at="2026-03-10T02:30:00+00:00"))
    assert "N-035-ORDER" not in ok.rule_ids()


def test_language_of_departure_country(note: Note, network: EngineNetworkView) -> None:
    result = broken(note, network, lambda d: d.update(language="en"))
    assert_fires(result, "N-000-LANG", None)
    script = broken(note, network, lambda d: d["goods"][0].update(description="Wheat"))
    assert_fires(script, "N-015-SCRIPT", 15)


def test_rzd_leg_needs_etsng(note: Note, network: EngineNetworkView) -> None:
    result = broken(
        note,
        network,
        lambda d: (d["goods"][0].update(etsng=None), d["carriers"].append({"carrier": "RZD"})),
    )
    assert_fires(result, "N-015-ETSNG-RZD", 15)


def _money(amount: str, currency: str = "CHF") -> Data:
    return {"amount": amount, "currency": currency}


def test_charges_letters_currencies_and_sums(note: Note, network: EngineNetworkView) -> None:
    def change(d: Data) -> None:
        a, b = d["charges"][0], d["charges"][1]
        a.update(
            carriage_charge_consignor_tariff=_money("100.00"),
            additional_total_consignor_tariff=_money("5.00"),
            total_consignor_tariff=_money("106.00"),
        )
        b.update(
            letter="В",
            total_consignor_tariff=_money("50.00"),
            carriage_charge_consignor_tariff=_money("50.00", "USD"),
        )
        d["totals"] = {"consignor_tariff": _money("150.00")}

    result = broken(note, network, change)
    assert_fires(result, "N-037-LETTER", 37)
    assert_fires(result, "N-048-CURRENCY", 48)
    assert_fires(result, "N-056-SUM", 56)
    assert_fires(result, "N-060-SUM", 60)


@pytest.mark.parametrize(
    ("document", "rule"),
    [
        ("{not json", "N-000-JSON"),
        ("[]", "N-000-SCHEMA"),
        ('{"goods": "many"}', "N-000-SCHEMA"),
        ('{"consignor": {"name": "' + "Ж" * 5000 + '"}}', "N-000-SCHEMA"),
        (b'{"a": "' + b"x" * 2_100_000 + b'"}', "N-000-SIZE"),
    ],
)
def test_bad_input_gives_structured_issues(
    network: EngineNetworkView, document: str | bytes, rule: str
) -> None:
    result = validate_document(document, network)
    assert not result.valid
    assert result.issues[0].rule == rule


def test_schema_issue_names_the_box(network: EngineNetworkView) -> None:
    result = validate_document({"goods": [{"mass_kg": "heavy"}]}, network)
    (issue,) = result.issues
    assert issue.rule == "N-000-SCHEMA"
    assert issue.box == 18
    assert issue.path == "goods[0].mass_kg"


def test_messages_in_russian(note: Note, network: EngineNetworkView) -> None:
    result = broken(note, network, lambda d: d["departure"].update(esr="684002"))
    (issue,) = [i for i in result.issues if i.rule == "N-002-ESR"]
    assert issue.message("ru").startswith("Графа 2: неверный код станции 684002")
    assert issue.to_dict("en")["box"] == 2
