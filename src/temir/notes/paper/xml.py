"""The note as XML: element names of the customs ``RailwayBill`` schema where a box maps.

Why: customs systems and other railways' software already read the FTS ``RailwayBill`` 5.23.0
document (namespace ``urn:customs.ru:Information:TransportDocuments:Railway:RailwayBill:5.23.0``);
a note exported with its element names is recognisable to them box by box. Where the schema has
no element for a Temir field (or where its type differs — a date where Temir keeps a moment, a
unit not confirmed), the field goes into Temir's own namespace, so nothing is lost and nothing
pretends to be what it is not. The mapping table (``XML_MAPPING.md``, generated from
:data:`NAMES` by :func:`mapping_markdown`) lists every field: box → XML path → source.

Element names come from domain.md §1.3 and the schema's public print form (``RuslanAkhmetov/
ReneLogAsel``, ``1003401E_RailwayBill.xslt``). This is *not* a schema-valid customs document —
the schema's required customs-only parts (``RegistrationDocument``, ...) are not produced.

Round trip: :func:`note_to_xml` then :func:`note_from_xml` gives back an equal note. A few
elements are *derived* for readers of the schema (``PlacesDescription``, ``ContractCarrierDate/
Date``, ``ArrivalDate/Date``): written, and skipped on import.

Safety: input is bounded in size, and any DOCTYPE or ENTITY declaration is refused before the
parser sees it (no entity expansion, no external entities); errors are
:class:`~temir.kit.errors.ValidationFailed` with a code and the element path. Pure module.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime
from enum import Enum
from typing import Any, Final, get_args, get_origin

from pydantic import BaseModel, ValidationError

from temir.kit.errors import Problem, ValidationFailed
from temir.kit.i18n import N_
from temir.kit.text import has_control_characters
from temir.notes.model import (
    AttachedDocument,
    CarrierSection,
    Container,
    GoodsLine,
    Money,
    Note,
    Party,
    Payment,
    Seal,
    StationRef,
    Wagon,
    field_box,
)

RWB: Final = "urn:customs.ru:Information:TransportDocuments:Railway:RailwayBill:5.23.0"
CAT: Final = "urn:customs.ru:CommonAggregateTypes:5.22.0"
TM: Final = "urn:temir:smgs-note:1"
PREFIXES: Final = {"rwb": RWB, "cat_ru": CAT, "tm": TM}
MAX_XML_BYTES: Final = 5_000_000
_FORBIDDEN = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)

for _prefix, _uri in PREFIXES.items():
    ET.register_namespace(_prefix, _uri)

# (model, field) → element path ("prefix:Name", possibly nested "a/b"); missing → tm:<CamelCase>.
NAMES: Final[dict[tuple[type[BaseModel], str], str]] = {
    (Note, "consignor"): "rwb:Consignor",
    (Note, "departure"): "rwb:DepartureStation",
    (Note, "consignor_declarations"): "rwb:ConsignorNotice",
    (Note, "consignee"): "rwb:Consignee",
    (Note, "destination"): "rwb:DestinationStation",
    (Note, "border_stations"): "rwb:BorderStation",
    (Note, "wagons"): "rwb:Carriage",
    (Note, "goods"): "rwb:RWBGoods",
    (Note, "seals"): "rwb:Seal",
    (Note, "mass_method"): "rwb:WeightDefinitionModeDescription",
    (Note, "carriers"): "rwb:Carrier",
    (Note, "payments"): "rwb:PaidRailwayCodeName",
    (Note, "documents"): "rwb:ConsignorDocument",
    (Note, "info_not_for_carrier"): "rwb:ConsignorOptionNotice",
    (Note, "customs_marks"): "rwb:CustomsNotice",
    (Note, "consignment_number"): "rwb:Number",
    (Note, "charges"): "rwb:CarrierCharge",
    (Party, "name"): "cat_ru:OrganizationName",
    (Party, "client_code"): "rwb:RBCode",
    (Party, "signatory"): "rwb:ConsignorSign",
    (StationRef, "esr"): "rwb:StationCode",
    (StationRef, "name"): "rwb:StationName",
    (StationRef, "railway"): "rwb:RailwayCode",
    (Wagon, "number"): "rwb:CarriageID",
    (Wagon, "railway"): "rwb:RWName",
    (Wagon, "owner"): "rwb:OwnerName",
    (Wagon, "axles"): "rwb:AxisQuantity",
    (Wagon, "tank_type"): "rwb:Caliber",
    (GoodsLine, "description"): "cat_ru:GoodsDescription",
    (GoodsLine, "gng"): "rwb:HarmonizedRangeGoods",
    (GoodsLine, "marks"): "cat_ru:GoodsMarking",
    (GoodsLine, "packing"): "rwb:Packing",
    (GoodsLine, "packages"): "rwb:PlacesQuantity",
    (GoodsLine, "mass_kg"): "rwb:GrossWeightQuantity",
    (Container, "number"): "rwb:ContainerNumber",
    (Seal, "count"): "rwb:SealQuantity",
    (Seal, "marks"): "rwb:SealID",
    (CarrierSection, "carrier"): "rwb:CarrierCode",
    (CarrierSection, "name"): "rwb:CarrierName",
    (CarrierSection, "from_station"): "rwb:FromStation",
    (CarrierSection, "to_station"): "rwb:ToStation",
    (Payment, "carrier"): "rwb:PaidRailwayShortName",
    (Payment, "payer"): "rwb:InfoPayer/rwb:PayerName",
    (Payment, "payer_code"): "rwb:InfoPayer/rwb:PayerCode",
    (AttachedDocument, "name"): "cat_ru:PrDocumentName",
    (AttachedDocument, "number"): "cat_ru:PrDocumentNumber",
}
"""Every mapping here is an element the public schema uses for that box (domain.md §1.3 and
the print form). Left in Temir's namespace on purpose: wagon load capacity, tare and mass after
transshipment (schema ``Power``/``Tare``/``GoodsWeight`` units not confirmed), box 8 provider
(schema coding of О/П not confirmed), dates where the schema keeps a date and Temir a moment,
the declared value of the goods (schema ``CargoValue`` is an amount in roubles, without the
currency a :class:`Money` carries)."""

DERIVED: Final[dict[type[BaseModel], tuple[str, ...]]] = {
    Note: ("rwb:ContractCarrierDate", "rwb:ArrivalDate"),
    GoodsLine: ("rwb:PlacesDescription",),
}
"""Elements written for schema readers and skipped on import (their source is another field)."""


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def element_path(model: type[BaseModel], name: str) -> str:
    return NAMES.get((model, name), f"tm:{_camel(name)}")


def _qname(prefixed: str) -> str:
    prefix, local = prefixed.split(":", 1)
    return f"{{{PREFIXES[prefix]}}}{local}"


def _model_of(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """(nested model or ``None``, is a list) for a field annotation."""
    is_list = get_origin(annotation) is list
    candidates = [annotation, *get_args(annotation)]
    for arg in list(candidates):
        candidates += list(get_args(arg))
    for arg in candidates:
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg, is_list
    return None, is_list


# --- export ------------------------------------------------------------------------------------
def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _child(parent: ET.Element, path: str) -> ET.Element:
    """The element at ``path`` under ``parent``; wrapper parts are shared, the leaf is new."""
    parts = path.split("/")
    for part in parts[:-1]:
        found = parent.find(_qname(part))
        parent = found if found is not None else ET.SubElement(parent, _qname(part))
    return ET.SubElement(parent, _qname(parts[-1]))


def _write(parent: ET.Element, obj: BaseModel) -> None:
    model = type(obj)
    for name, info in model.model_fields.items():
        value = getattr(obj, name)
        if value is None:
            continue
        path = element_path(model, name)
        nested, _ = _model_of(info.annotation)
        items = value if isinstance(value, list) else [value]
        for item in items:
            element = _child(parent, path)
            if nested is not None and isinstance(item, BaseModel):
                _write(element, item)
            else:
                element.text = _text(item)
                if has_control_characters(element.text, lines=True):
                    raise _error("notes.xml_control", _CONTROL, name, name=name)
    _write_derived(parent, obj)


# A note stored before control characters were refused may still hold one; XML 1.0 cannot
# carry it, so the export says so instead of writing a file no parser reads back.
_CONTROL = N_("Field {name} holds a control character (such as NUL) that XML cannot carry; "
              "correct the note first.")  # fmt: skip


def _write_derived(parent: ET.Element, obj: BaseModel) -> None:
    if isinstance(obj, Note):
        for path, moment in (
            ("rwb:ContractCarrierDate/rwb:Date", obj.contract_date),
            ("rwb:ArrivalDate/rwb:Date", obj.arrival_date),
        ):
            if moment is not None:
                _child(parent, path).text = moment.date().isoformat()
    elif isinstance(obj, GoodsLine) and obj.packing:
        places = f"{obj.packages} " if obj.packages else ""
        _child(parent, "rwb:PlacesDescription").text = f"{places}{obj.packing}"


def note_to_xml(note: Note) -> bytes:
    """The note as UTF-8 XML, root ``rwb:RailwayBill`` (pretty-printed, with declaration)."""
    root = ET.Element(_qname("rwb:RailwayBill"))
    _write(root, note)
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


# --- import ------------------------------------------------------------------------------------
def _error(code: str, msgid: str, at: str | None = None, **params: Any) -> ValidationFailed:
    return ValidationFailed(msgid, code=code, field=at, **params)


def _local(tag: str) -> str:
    if tag.startswith("{"):
        uri, local = tag[1:].split("}", 1)
        for prefix, known in PREFIXES.items():
            if known == uri:
                return f"{prefix}:{local}"
        return f"{{{uri}}}{local}"
    return tag


def _fields_by_element(model: type[BaseModel]) -> dict[str, list[tuple[str, str]]]:
    """First path part → [(field name, rest of path)] for ``model``."""
    out: dict[str, list[tuple[str, str]]] = {}
    for name in model.model_fields:
        head, _, rest = element_path(model, name).partition("/")
        out.setdefault(head, []).append((name, rest))
    return out


def _read(element: ET.Element, model: type[BaseModel], where: str) -> dict[str, Any]:
    fields = _fields_by_element(model)
    data: dict[str, Any] = {}
    derived = DERIVED.get(model, ())
    for child in element:
        tag = _local(child.tag)
        here = f"{where}/{tag}"
        if tag in derived:
            continue
        targets = fields.get(tag)
        if targets is None:
            raise _error(
                "notes.xml_unknown", "Unexpected element {element} at {where}.", here,
                element=tag, where=where,
            )  # fmt: skip
        if any(rest for _, rest in targets):
            by_leaf = {rest: name for name, rest in targets}
            for leaf in child:
                leaf_tag = _local(leaf.tag)
                if leaf_tag not in by_leaf:
                    raise _error(
                        "notes.xml_unknown", "Unexpected element {element} at {where}.",
                        f"{here}/{leaf_tag}", element=leaf_tag, where=here,
                    )  # fmt: skip
                data[by_leaf[leaf_tag]] = leaf.text or ""
            continue
        ((name, _),) = targets
        info = model.model_fields[name]
        nested, is_list = _model_of(info.annotation)
        value: Any = _read(child, nested, here) if nested is not None else (child.text or "")
        if nested is None and len(child):
            raise _error(
                "notes.xml_unknown", "Element {element} must hold text only.", here, element=tag
            )
        if is_list:
            data.setdefault(name, []).append(value)
        elif name in data:
            raise _error(
                "notes.xml_repeated", "Element {element} may appear only once.", here, element=tag
            )
        else:
            data[name] = value
    return data


def parse_xml(data: bytes | str) -> ET.Element:
    """Parse bounded, declaration-free XML; every failure is a :class:`ValidationFailed`."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > MAX_XML_BYTES:
        raise _error(
            "notes.xml_size", "The XML is {size} bytes; at most {limit} are accepted.", "file",
            size=len(raw), limit=MAX_XML_BYTES,
        )  # fmt: skip
    if _FORBIDDEN.search(raw):
        raise _error(
            "notes.xml_doctype",
            "The XML declares a DOCTYPE or ENTITY; these are refused for safety.",
            "file",
        )
    # DOCTYPE/ENTITY were refused above, so expat sees no entity to expand or fetch.
    parser = ET.XMLParser()  # noqa: S314
    try:
        parser.feed(raw)
        return parser.close()
    except ET.ParseError as exc:
        raise _error(
            "notes.xml_malformed", "The XML is malformed: {detail}.", "file", detail=str(exc)
        ) from exc


def note_from_xml(data: bytes | str) -> Note:
    """Read a note exported by :func:`note_to_xml` (or written to the same mapping)."""
    root = parse_xml(data)
    if _local(root.tag) != "rwb:RailwayBill":
        raise _error(
            "notes.xml_root", "The root element must be rwb:RailwayBill, not {element}.",
            "file", element=_local(root.tag),
        )  # fmt: skip
    content = _read(root, Note, "RailwayBill")
    try:
        return Note.model_validate(content)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False, include_input=False)[:20]:
            where = ".".join(str(p) for p in err["loc"])
            problems.append(
                Problem(
                    "notes.xml_field",
                    "Field {field} is invalid: {detail}.",
                    where,
                    {"field": where, "detail": err["msg"]},
                )
            )
        raise ValidationFailed.from_problems(problems) from exc


# --- the mapping table -------------------------------------------------------------------------
def _rows(model: type[BaseModel], prefix: str, xml: str) -> Iterator[tuple[str, str, str, str]]:
    for name, info in model.model_fields.items():
        path = element_path(model, name)
        nested, is_list = _model_of(info.annotation)
        source = "RailwayBill 5.23.0" if (model, name) in NAMES else "Temir"
        box = field_box(model, name)
        field = f"{prefix}{name}{'[]' if is_list else ''}"
        if nested is not None and nested is not Money:
            yield (str(box or ""), f"{xml}/{path}", field, source)
            yield from _rows(nested, f"{field}.", f"{xml}/{path}")
        else:
            yield (str(box or ""), f"{xml}/{path}", field, source)


def mapping_markdown() -> str:
    """The content of ``XML_MAPPING.md`` (a test keeps the file equal to it)."""
    lines = [
        "# SMGS note ↔ XML mapping",
        "",
        "Generated from `temir.notes.paper.xml.NAMES` (`uv run python -m temir.notes.paper.xml "
        "> src/temir/notes/paper/XML_MAPPING.md`); a test keeps this file in step with the code.",
        "",
        f"Root `rwb:RailwayBill`. Namespaces: `rwb` = `{RWB}`, `cat_ru` = `{CAT}` (customs "
        f"common aggregate types, as the schema's print form uses them), `tm` = `{TM}` "
        "(Temir's own elements, where the schema has no element for the box or its type "
        "differs).",
        "",
        "Source *RailwayBill 5.23.0*: the element the public FTS schema uses for that box "
        "(domain.md §1.3; print form `1003401E_RailwayBill.xslt`). Source *Temir*: our own "
        "element. Money is `tm:Amount` + `tm:Currency` inside its element. Derived elements, "
        "written for schema readers and skipped on import: "
        "`rwb:ContractCarrierDate/rwb:Date` (box 26, date of `contract_date`), "
        "`rwb:ArrivalDate/rwb:Date` (box 27, date of `arrival_date`), "
        "`rwb:RWBGoods/rwb:PlacesDescription` (box 15–17: packages and packing).",
        "",
        "| box | XML path | note field | source |",
        "| ---: | --- | --- | --- |",
    ]
    for box, path, field, source in _rows(Note, "", "rwb:RailwayBill"):
        lines.append(f"| {box} | `{path}` | `{field}` | {source} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(mapping_markdown(), end="")
