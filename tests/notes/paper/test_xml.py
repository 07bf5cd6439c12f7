"""XML export/import: RailwayBill element names, exact round trip, hostile XML refused."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest

from temir.kit.errors import ValidationFailed
from temir.notes.model import Container, Money, Note
from temir.notes.paper.xml import RWB, TM, mapping_markdown, note_from_xml, note_to_xml

NS = {"rwb": RWB, "tm": TM}


def test_round_trip_json_xml_json_is_equal(note: Note) -> None:
    back = note_from_xml(note_to_xml(note))
    assert back.model_dump(mode="json") == note.model_dump(mode="json")


def test_round_trip_keeps_containers_money_and_unicode(note: Note) -> None:
    note.goods[0].container = Container(number="CSQU3054383", size_type="22G1", tare_kg=2200)
    note.goods[0].packages = 12
    note.charges[0].carriage_charge_consignor_tariff = Money(amount=Decimal("1234.50"),
                                                             currency="CHF")  # fmt: skip
    note.charges[0].conversion_rate = Decimal("1.234567")
    note.carrier_remarks = ["Ҳамлу нақл: ӯ ӣ ҷ & <ok>", "второе"]
    back = note_from_xml(note_to_xml(note))
    assert back.model_dump(mode="json") == note.model_dump(mode="json")


def test_round_trip_keeps_the_declared_value(note: Note) -> None:
    note.declared_value = Money(amount=Decimal("48000000.00"), currency="KZT")
    xml = note_to_xml(note)
    element = ET.fromstring(xml).find("tm:DeclaredValue", NS)
    assert element is not None
    assert element.findtext("tm:Amount", namespaces=NS) == "48000000.00"
    assert element.findtext("tm:Currency", namespaces=NS) == "KZT"
    back = note_from_xml(xml)
    assert back.declared_value == note.declared_value
    assert Note.model_validate_json(note.model_dump_json()).declared_value == note.declared_value


def test_boxes_use_railwaybill_element_names(note: Note) -> None:
    root = ET.fromstring(note_to_xml(note))
    assert root.tag == f"{{{RWB}}}RailwayBill"
    assert root.findtext("rwb:Number", namespaces=NS) == note.consignment_number  # box 29
    assert root.findtext("rwb:Consignor/rwb:RBCode", namespaces=NS) == "27004512"  # box 1
    assert root.findtext("rwb:DepartureStation/rwb:StationCode", namespaces=NS) == "684001"
    assert [e.text for e in root.findall("rwb:Carriage/rwb:CarriageID", NS)] == [
        w.number for w in note.wagons
    ]
    goods = root.findall("rwb:RWBGoods", NS)
    assert goods[0].findtext("rwb:HarmonizedRangeGoods", namespaces=NS) == "10019900"
    assert goods[0].findtext("rwb:GrossWeightQuantity", namespaces=NS) == "68000"
    assert goods[0].findtext("rwb:PlacesDescription", namespaces=NS) == "навалом"  # derived
    carriers = root.findall("rwb:Carrier", NS)
    assert [c.findtext("rwb:CarrierCode", namespaces=NS) for c in carriers] == ["KZH", "UTI",
                                                                                "TDZ"]  # fmt: skip
    assert carriers[0].findtext("rwb:ToStation/rwb:StationCode", namespaces=NS) == "704101"
    assert len(root.findall("rwb:CarrierCharge", NS)) == 3
    assert root.findtext("rwb:ContractCarrierDate/rwb:Date", namespaces=NS) == "2026-03-02"
    assert root.findtext("tm:NoteId", namespaces=NS) == note.note_id  # no box: Temir's own


def _refused(data: bytes | str) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as err:
        note_from_xml(data)
    return err.value


def test_malformed_xml_is_a_structured_error() -> None:
    error = _refused(b"<rwb:RailwayBill xmlns:rwb='x'><unclosed></rwb:RailwayBill>")
    assert error.code == "notes.xml_malformed"
    assert "повреждён" in error.message("ru")


def test_entity_expansion_and_doctype_are_refused_before_parsing() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b"<lolz>&lol2;</lolz>"
    )
    assert _refused(bomb).code == "notes.xml_doctype"
    external = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    assert _refused(external).code == "notes.xml_doctype"


def test_huge_xml_is_refused() -> None:
    assert _refused(b"<a>" + b"x" * 5_000_001 + b"</a>").code == "notes.xml_size"


def test_wrong_root_unknown_element_and_bad_values(note: Note) -> None:
    assert _refused(b"<note/>").code == "notes.xml_root"
    xml = note_to_xml(note).decode()
    unknown = xml.replace("<rwb:Number>", "<rwb:Bogus>x</rwb:Bogus><rwb:Number>")
    error = _refused(unknown)
    assert (error.code, error.field) == ("notes.xml_unknown", "RailwayBill/rwb:Bogus")
    bad_mass = xml.replace("<rwb:GrossWeightQuantity>68000<", "<rwb:GrossWeightQuantity>lots<")
    error = _refused(bad_mass)
    assert error.code == "notes.xml_field"
    assert error.field == "goods.0.mass_kg"
    huge = xml.replace("<rwb:Number>EX000001<", f"<rwb:Number>{'9' * 10_000}<")
    assert _refused(huge).field == "consignment_number"


def test_mapping_table_file_is_up_to_date() -> None:
    path = Path(__file__).parents[3] / "src/temir/notes/paper/XML_MAPPING.md"
    assert path.read_text(encoding="utf-8") == mapping_markdown()
    table = mapping_markdown()
    assert "| 7 | `rwb:RailwayBill/rwb:Carriage/rwb:CarriageID` | `wagons[].number` |" in table
    assert "| 29 | `rwb:RailwayBill/rwb:Number` | `consignment_number` | RailwayBill" in table
