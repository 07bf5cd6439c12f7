"""The SMGS consignment note (накладная СМГС), boxes 1–65 of the form in force since 1 July 2015.

Why a typed model with the box number on every field: the consignor, each carrier and customs all
speak in boxes ("графа 15 не заполнена"), so every field, every rule and every error names the
box it belongs to. The box number and the party that fills it travel as field metadata
(``x-smgs-box``, ``x-smgs-filled-by``) into the JSON Schema, so a form, an importer or another
railway's node can map a field to the paper sheet without a separate table.

Box list, names and who fills what: ``domain.md`` §1.3 (the FTS ``RailwayBill`` 5.23.0 schema and
its print form). "Filled by" is an inference there (⚠️, to confirm against SMGS Annex 1 §8).

Almost every box is optional *in the model*: a draft may be incomplete, and the rules
(:mod:`temir.notes.boxes`) report a missing required box with its number, which a type error
could not. Types still hold firm: mass is integer kg, money a :class:`Money` (Decimal + ISO 4217
currency), every moment timezone-aware, every text bounded in length. Pure: pydantic only.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Final

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from temir.kit.i18n import russian_names

FORM_EDITION: Final = "SMGS-2015"
"""The form whose box numbering this model follows (SMGS as amended from 1 July 2015)."""

SCHEMA_BOX_KEY: Final = "x-smgs-box"
SCHEMA_FILLER_KEY: Final = "x-smgs-filled-by"


class Filler(StrEnum):
    """Which party fills a box (domain.md §1.3 "Filled by", ⚠️ inferred)."""

    CONSIGNOR = "consignor"
    CARRIER = "carrier"
    CONTRACTUAL_CARRIER = "contractual_carrier"
    DESTINATION_CARRIER = "destination_carrier"


class Provider(StrEnum):
    """Box 8 (and containers): who provided the wagon — «О» consignor, «П» carrier."""

    CONSIGNOR = "consignor"
    CARRIER = "carrier"


@dataclass(frozen=True)
class BoxInfo:
    number: int
    name_ru: str
    name_en: str
    filled_by: Filler

    def name(self, lang: str = "en") -> str:
        return self.name_ru if russian_names(lang) else self.name_en


_C, _K, _CC, _DC = (
    Filler.CONSIGNOR,
    Filler.CARRIER,
    Filler.CONTRACTUAL_CARRIER,
    Filler.DESTINATION_CARRIER,
)

BOXES: dict[int, BoxInfo] = {
    b.number: b
    for b in (
        BoxInfo(1, "Отправитель", "Consignor", _C),
        BoxInfo(2, "Станция отправления", "Departure station", _C),
        BoxInfo(3, "Заявления отправителя", "Consignor's declarations", _C),
        BoxInfo(4, "Получатель", "Consignee", _C),
        BoxInfo(5, "Станция назначения", "Destination station", _C),
        BoxInfo(6, "Пограничные станции переходов", "Border crossing stations", _C),
        BoxInfo(7, "Вагон", "Wagon", _C),
        BoxInfo(8, "Предоставлен", "Wagon provided by", _C),
        BoxInfo(9, "Грузоподъёмность", "Load capacity", _C),
        BoxInfo(10, "Оси", "Number of axles", _C),
        BoxInfo(11, "Масса тары", "Tare", _C),
        BoxInfo(12, "Тип цистерны", "Tank type", _C),
        BoxInfo(13, "Масса груза (после перегрузки)", "Goods mass after transshipment", _K),
        BoxInfo(14, "Кол-во мест (после перегрузки)", "Packages after transshipment", _K),
        BoxInfo(15, "Наименование груза", "Description of goods", _C),
        BoxInfo(16, "Род упаковки", "Type of packing", _C),
        BoxInfo(17, "Количество мест", "Number of packages", _C),
        BoxInfo(18, "Масса (в кг)", "Mass (kg)", _C),
        BoxInfo(19, "Пломбы", "Seals", _C),
        BoxInfo(20, "Погружено", "Loaded by", _C),
        BoxInfo(21, "Способ определения массы", "Method of determining the mass", _C),
        BoxInfo(22, "Перевозчики", "Carriers", _C),
        BoxInfo(23, "Уплата провозных платежей", "Payment of carriage charges", _C),
        BoxInfo(24, "Документы, приложенные отправителем", "Documents attached", _C),
        BoxInfo(25, "Информация, не предназначенная для перевозчика", "Info not for carrier", _C),
        BoxInfo(26, "Дата заключения договора перевозки", "Date of contract of carriage", _CC),
        BoxInfo(27, "Дата прибытия", "Date of arrival", _DC),
        BoxInfo(28, "Отметки для таможенных формальностей", "Customs formalities", _C),
        BoxInfo(29, "Отправка №", "Consignment number", _CC),
        BoxInfo(30, "Отметки перевозчика", "Carrier's remarks", _K),
        BoxInfo(31, "Коммерческий акт", "Commercial report", _K),
        BoxInfo(32, "Удлинение срока доставки", "Extension of delivery time", _K),
        BoxInfo(33, "Отметки о передаче груза", "Handover between carriers", _K),
        BoxInfo(34, "Отметки о проследовании пограничных станций", "Border passages", _K),
        BoxInfo(35, "Уведомление о прибытии груза", "Arrival notice", _DC),
        BoxInfo(36, "Отметки о выдаче груза", "Delivery of the goods", _DC),
        BoxInfo(37, "Участок (коды станций)", "Charging section", _K),
        BoxInfo(38, "Расстояние, км", "Distance (km)", _K),
        BoxInfo(39, "Расчётная масса, кг", "Chargeable mass (kg)", _K),
        BoxInfo(40, "Дополнительные сборы", "Additional charges", _K),
        BoxInfo(41, "Тариф", "Tariff", _K),
        BoxInfo(42, "Код груза", "Cargo code for the charge", _K),
        BoxInfo(43, "Курс пересчёта", "Conversion rate", _K),
        BoxInfo(44, "Валюта тарифа (отправитель)", "Tariff currency (consignor)", _K),
        BoxInfo(45, "Валюта платежа (отправитель)", "Payment currency (consignor)", _K),
        BoxInfo(46, "Валюта тарифа (получатель)", "Tariff currency (consignee)", _K),
        BoxInfo(47, "Валюта платежа (получатель)", "Payment currency (consignee)", _K),
        BoxInfo(64, "Отметки для исчисления провозных платежей", "Remarks on charges", _K),
        BoxInfo(65, "Дополнительно взыскать с отправителя", "Additional amount from consignor", _K),
    )
}  # fmt: skip

_SPLIT = (
    ("отправитель, валюта тарифа", "consignor, tariff currency"),
    ("отправитель, валюта платежа", "consignor, payment currency"),
    ("получатель, валюта тарифа", "consignee, tariff currency"),
    ("получатель, валюта платежа", "consignee, payment currency"),
)
for _base, _ru, _en in (
    (48, "Провозная плата", "Carriage charge"),
    (52, "Дополнительные сборы, всего", "Additional charges, total"),
    (56, "Итого", "Section total"),
    (60, "Всего", "Grand total"),
):
    for _k, (_sru, _sen) in enumerate(_SPLIT):
        BOXES[_base + _k] = BoxInfo(_base + _k, f"{_ru} ({_sru})", f"{_en} ({_sen})", _K)
BOXES = dict(sorted(BOXES.items()))

MAX_CHARGING_SECTIONS: Final = 6
CHARGING_LETTERS: Final = ("А", "Б", "В", "Г", "Д", "Е")
"""Box 37 rows: one charging section per letter, at most six (FTS ``CarrierCharge`` 0..6)."""
MAX_EXTENSIONS: Final = 2
MAX_HANDOVERS: Final = 12
MAX_BORDER_PASSAGES: Final = 12
MAX_LIST: Final = 100
"""A ceiling on every other repeatable box, so that no input can make a note unbounded."""

# Bounded text types: huge strings are refused as a typed error, never stored. No control
# character either (NUL cannot be stored in PostgreSQL, and an XML export holding one is a file
# no parser reads back): tab, line feed and carriage return only in a text box that has lines.
# The patterns go into the JSON Schema, so a client sees the rule before it sends.
SINGLE_LINE: Final = r"^[^\u0000-\u001f\u007f\ufffe\uffff]*$"
MULTI_LINE: Final = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffe\uffff]*$"
TEXT_PATTERNS: Final = (SINGLE_LINE, MULTI_LINE)
Name = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300, pattern=SINGLE_LINE)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000, pattern=MULTI_LINE)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40, pattern=SINGLE_LINE)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20, pattern=SINGLE_LINE)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Kg = Annotated[int, Field(ge=0, le=10_000_000)]
"""Mass in whole kilograms; 10,000 t bounds any one note."""


def box(number: int, default: Any = None, **kwargs: Any) -> Any:
    """A model field belonging to SMGS box ``number``; the box and its filler go to the schema."""
    info = BOXES[number]
    extra: dict[str, Any] = {SCHEMA_BOX_KEY: number, SCHEMA_FILLER_KEY: str(info.filled_by)}
    extra.update(kwargs.pop("schema", {}))
    if isinstance(default, list):
        return Field(default_factory=list, json_schema_extra=extra, **kwargs)
    return Field(default=default, json_schema_extra=extra, **kwargs)


class _Part(BaseModel):
    """Common config: unknown keys are errors (a typo must not silently vanish)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=False)


_AMOUNT: dict[str, Any] = {
    "anyOf": [
        {"type": "integer", "minimum": 0, "maximum": 10**16 - 1},
        {"type": "string", "pattern": r"^[0-9]{1,16}(\.[0-9]{1,2})?$"},
    ]
}
"""What pydantic's own schema of a Decimal leaves out: a text amount is digits, at most 16
before the point and 2 after it (the same limits ``max_digits``/``decimal_places`` check)."""

_CONVERSION_RATE: dict[str, Any] = {
    "anyOf": [
        {"type": "integer", "minimum": 1, "maximum": 10**12 - 1},
        {"type": "string", "pattern": r"^([1-9][0-9]{0,11}(\.[0-9]{1,6})?|0\.[0-9]{0,5}[1-9])$"},
        {"type": "null"},
    ]
}
"""Box 43's rate as the schema declares it: more than zero, 12 digits before the point, 6
after it (``gt``, ``max_digits``, ``decimal_places`` below)."""


class Money(_Part):
    amount: Decimal = Field(max_digits=18, decimal_places=2, ge=0, json_schema_extra=_AMOUNT)
    currency: Currency


class Party(_Part):
    """Boxes 1 (consignor) and 4 (consignee)."""

    name: Name = ""
    address: Text = ""
    country: Country | None = None
    client_code: Code | None = Field(
        default=None,
        description="Client code assigned by the carrier, 4–16 digits (railagent 1425 ⚠️).",
    )
    tax_id: Code | None = None
    phone: Short | None = None
    email: Short | None = None
    signatory: Name | None = Field(
        default=None, description="Box 1: consignor's representative who signs."
    )


class StationRef(_Part):
    """A station as the note names it: 6-digit ESR code, name, railway (boxes 2, 5, 6, 22)."""

    esr: Code = ""
    name: Name = ""
    railway: Code | None = Field(
        default=None, description="OSJD code or abbreviation: 27 / KZH / КЗХ."
    )


class Wagon(_Part):
    """Boxes 7–12, one row per wagon (and 13–14 after a transshipment)."""

    number: Code = box(7, "", description="8-digit 1520 mm number or 12-digit UIC number.")
    railway: Code | None = box(7, description="Railway of the wagon's owner (OSJD code).")
    owner: Name | None = box(7, description="Owner or lessor of the wagon.")
    wagon_type: Short | None = box(7, description="e.g. хоппер-зерновоз.")
    provided_by: Provider | None = box(8)
    load_capacity_kg: Kg | None = box(9, description="Load capacity, kg (printed in t).")
    axles: Annotated[int, Field(ge=2, le=32)] | None = box(10)
    tare_kg: Kg | None = box(11)
    tank_type: Short | None = box(12)
    goods_mass_after_transshipment_kg: Kg | None = box(13)
    packages_after_transshipment: Annotated[int, Field(ge=0, le=10_000_000)] | None = box(14)


class Container(_Part):
    """A container listed in box 15 with its goods."""

    number: Code = box(15, "", description="ISO 6346, e.g. CSQU3054383.")
    size_type: Short | None = box(15, description="ISO size/type code, e.g. 22G1.")
    provided_by: Provider | None = box(15)
    tare_kg: Kg | None = box(15)


class GoodsLine(_Part):
    """Boxes 15–18, one line per kind of goods (per wagon or container when several)."""

    description: Text = box(15, "")
    gng: Code = box(15, "", description="8-digit GNG code (required in box 15).")
    etsng: Code | None = box(15, description="6-digit ETSNG code (required for RZD legs).")
    wagon_number: Code | None = box(15, description="Which wagon of box 7 carries this line.")
    container: Container | None = box(15)
    marks: Text | None = box(15, description="Marks and numbers of packages.")
    dangerous_goods: Text | None = box(15, description="Dangerous goods remarks, emergency card.")
    un_number: Code | None = box(15, description="UN number of dangerous goods (4 digits).")
    hazard_class: Short | None = box(15, description="Dangerous-goods class, e.g. 3 or 2.1.")
    packing_group: Short | None = box(15, description="Packing group: I, II or III.")
    packing: Short = box(16, "", description="Type of packing; «навалом»/«наливом» for bulk.")
    packages: Annotated[int, Field(ge=0, le=10_000_000)] | None = box(17)
    mass_kg: Kg | None = box(18)


class Seal(_Part):
    """Box 19: seals — count, marks, and who applied them."""

    count: Annotated[int, Field(ge=1, le=100)] = box(19, 1)
    marks: list[Short] = box(19, [], max_length=MAX_LIST)
    applied_by: Provider | None = box(19)
    wagon_number: Code | None = box(19)


class CarrierSection(_Part):
    """Box 22: a carrier and the section of the route it carries (from/to station codes)."""

    carrier: Code = box(22, "", description="OSJD code or abbreviation of the carrier.")
    name: Name | None = box(22)
    from_station: StationRef = box(22, StationRef())
    to_station: StationRef = box(22, StationRef())


class Payment(_Part):
    """Box 23: who pays the carriage charges on which carrier's section."""

    carrier: Code = box(23, "")
    payer: Name = box(23, "")
    payer_code: Code | None = box(23)
    paid_by_consignor: bool = box(23, True)


class AttachedDocument(_Part):
    """Box 24."""

    name: Name = box(24, "")
    number: Short | None = box(24)
    issued_on: AwareDatetime | None = box(24)


class CommercialReport(_Part):
    """Box 31."""

    number: Short = box(31, "")
    station_esr: Code = box(31, "")
    drawn_up_at: AwareDatetime | None = box(31)


class Extension(_Part):
    """Box 32: an extension of the delivery time (at most two)."""

    reason: Text = box(32, "")
    days: Annotated[int, Field(ge=1, le=365)] = box(32, 1)
    station_esr: Code = box(32, "")
    recorded_at: AwareDatetime | None = box(32)


class Handover(_Part):
    """Box 33: the goods handed from one carrier to the next at a border."""

    from_carrier: Code = box(33, "")
    to_carrier: Code = box(33, "")
    station_esr: Code = box(33, "")
    at: AwareDatetime | None = box(33)


class BorderPassage(_Part):
    """Box 34: a border station passed."""

    station_esr: Code = box(34, "")
    at: AwareDatetime | None = box(34)


class Delivery(_Part):
    """Box 36: delivery stamp and marks."""

    at: AwareDatetime | None = box(36)
    station_esr: Code | None = box(36)
    received_by: Name | None = box(36)


class AdditionalCharge(_Part):
    """Box 40: one additional charge on a charging section."""

    code: Code = box(40, "")
    name: Name | None = box(40)
    amount: Money | None = box(40)


class ChargingSection(_Part):
    """Boxes 37–59: one charging row (А–Е) of the carriers' part."""

    letter: Short = box(37, "", description="А, Б, В, Г, Д or Е.")
    carrier: Code | None = box(37)
    from_esr: Code = box(37, "")
    to_esr: Code = box(37, "")
    distance_km: Annotated[int, Field(ge=0, le=30_000)] | None = box(38)
    chargeable_mass_kg: Kg | None = box(39)
    additional_charges: list[AdditionalCharge] = box(40, [], max_length=MAX_LIST)
    tariff: Short | None = box(41)
    cargo_code: Code | None = box(42)
    conversion_rate: Decimal | None = box(
        43, max_digits=18, decimal_places=6, gt=0, schema=_CONVERSION_RATE
    )
    tariff_currency_consignor: Currency | None = box(44)
    payment_currency_consignor: Currency | None = box(45)
    tariff_currency_consignee: Currency | None = box(46)
    payment_currency_consignee: Currency | None = box(47)
    carriage_charge_consignor_tariff: Money | None = box(48)
    carriage_charge_consignor_payment: Money | None = box(49)
    carriage_charge_consignee_tariff: Money | None = box(50)
    carriage_charge_consignee_payment: Money | None = box(51)
    additional_total_consignor_tariff: Money | None = box(52)
    additional_total_consignor_payment: Money | None = box(53)
    additional_total_consignee_tariff: Money | None = box(54)
    additional_total_consignee_payment: Money | None = box(55)
    total_consignor_tariff: Money | None = box(56)
    total_consignor_payment: Money | None = box(57)
    total_consignee_tariff: Money | None = box(58)
    total_consignee_payment: Money | None = box(59)


class GrandTotals(_Part):
    """Boxes 60–63."""

    consignor_tariff: Money | None = box(60)
    consignor_payment: Money | None = box(61)
    consignee_tariff: Money | None = box(62)
    consignee_payment: Money | None = box(63)


class Note(_Part):
    """One version of an SMGS consignment note: every box 1–65.

    ``note_id`` names the consignment across versions; ``version`` counts from 1, and
    ``previous_digest`` carries the SHA-256 of the previous version's canonical form, so the
    versions form a chain that :mod:`temir.notes.signatures` verifies.
    """

    form: Short = Field(default=FORM_EDITION, description="Form edition the box numbers follow.")
    note_id: Short = Field(default="", description="Stable id of the consignment across versions.")
    version: Annotated[int, Field(ge=1, le=10_000)] = 1
    previous_digest: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = None
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")] = Field(
        "ru", description="ISO 639-1 language the note is filled in."
    )
    consignor: Party = box(1, Party())
    departure: StationRef = box(2, StationRef())
    consignor_declarations: Text | None = box(3)
    declared_value: Money | None = Field(
        default=None,
        description=(
            "Declared value of the goods (объявленная ценность груза), given by the consignor."
            " FTS RailwayBill 5.23.0 has it as CargoValue with no SMGS box number, and the form"
            " at hand numbers no box for it: it has none here and is printed with box 3."
        ),
        json_schema_extra={SCHEMA_FILLER_KEY: str(Filler.CONSIGNOR)},
    )
    consignee: Party = box(4, Party())
    destination: StationRef = box(5, StationRef())
    border_stations: list[StationRef] = box(6, [], max_length=MAX_LIST)
    wagons: list[Wagon] = box(7, [], max_length=MAX_LIST)
    goods: list[GoodsLine] = box(15, [], max_length=MAX_LIST)
    goods_total_mass_kg: Kg | None = box(18, description="Total of box 18 («Итого»).")
    seals: list[Seal] = box(19, [], max_length=MAX_LIST)
    loaded_by: Provider | None = box(20)
    mass_method: Short | None = box(21, description="e.g. на вагонных весах, по трафарету.")
    carriers: list[CarrierSection] = box(22, [], max_length=MAX_LIST)
    payments: list[Payment] = box(23, [], max_length=MAX_LIST)
    documents: list[AttachedDocument] = box(24, [], max_length=MAX_LIST)
    info_not_for_carrier: Text | None = box(25, description="Incl. the sales contract number.")
    contract_date: AwareDatetime | None = box(26)
    arrival_date: AwareDatetime | None = box(27)
    customs_marks: Text | None = box(28)
    consignment_number: Short | None = box(29)
    carrier_remarks: list[Text] = box(30, [], max_length=MAX_LIST)
    commercial_reports: list[CommercialReport] = box(31, [], max_length=MAX_LIST)
    extensions: list[Extension] = box(32, [], max_length=MAX_EXTENSIONS)
    handovers: list[Handover] = box(33, [], max_length=MAX_HANDOVERS)
    border_passages: list[BorderPassage] = box(34, [], max_length=MAX_BORDER_PASSAGES)
    arrival_notice_at: AwareDatetime | None = box(35)
    delivery: Delivery | None = box(36)
    charges: list[ChargingSection] = box(37, [], max_length=MAX_CHARGING_SECTIONS)
    totals: GrandTotals | None = box(60)
    charge_remarks: Text | None = box(64)
    collect_from_consignor: Money | None = box(65)


def note_json_schema() -> dict[str, Any]:
    """The JSON Schema of :class:`Note`; every box field carries ``x-smgs-box`` and its filler."""
    schema = Note.model_json_schema(mode="validation")
    schema["x-smgs-form"] = FORM_EDITION
    schema["x-smgs-boxes"] = {
        str(n): {"ru": b.name_ru, "en": b.name_en, "filled_by": str(b.filled_by)}
        for n, b in BOXES.items()
    }
    return schema


def field_box(model: type[BaseModel], name: str) -> int | None:
    """The box number declared on ``model.name``, or ``None`` for a note-level field."""
    field = model.model_fields.get(name)
    extra = field.json_schema_extra if field is not None else None
    if isinstance(extra, dict):
        number = extra.get(SCHEMA_BOX_KEY)
        return number if isinstance(number, int) else None
    return None
