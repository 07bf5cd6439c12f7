"""A complete, valid example note: wheat from Kostanay (KZH) to Dushanbe II (TDZ) via Uzbekistan.

Why ship one: it is the reference every front end, test and demo starts from, and it shows a
user what a correctly filled note looks like. What is real and what is not:

* **Real** (TR-4 edition 2025-09-25, ``src/temir/data/SOURCES.md``): the ESR codes — Костанай
  684001, Сарыагаш (эксп.) 704101 ↔ Келес (эксп.) 720602, Кудукли (эксп.) 736206 ↔ Пахтаабад
  (эксп.) 746000, Душанбе II 745309 — and the box 38 tariff km, the official TR-4 figures Temir's
  route engine gives for each carrier's section: KZH 2213 and UTI 875 (Book 3 cells), TDZ 63
  (Book 2). ``tests/notes`` recomputes them from the engine, and rule N-038-KM
  warns when a note's box 38 differs from them.
* **Real** (domain.md §4.3): wheat ETSNG 011005 (✅), GNG 10019900 (⚠️ a secondary list).
  Hopper load capacity 70.5 t is the 19-3058 grain hopper's (domain2.md).
* **Synthetic**: the companies, client and payer codes, wagon and seal numbers (the wagon
  numbers carry correct check digits), dates and masses. No charge amounts are given: Temir
  has no verified rate table yet, so boxes 48–63 stay empty rather than invented.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from temir.notes.model import (
    AttachedDocument,
    BorderPassage,
    CarrierSection,
    ChargingSection,
    Delivery,
    GoodsLine,
    Handover,
    Note,
    Party,
    Payment,
    Provider,
    Seal,
    StationRef,
    Wagon,
)

UTC5 = timezone(timedelta(hours=5), "UTC+05")
"""Almaty (since 1 March 2024), Tashkent and Dushanbe all keep UTC+5."""

KOSTANAY = StationRef(esr="684001", name="Костанай", railway="KZH")
SARYAGASH_EXP = StationRef(esr="704101", name="Сарыагаш (эксп.)", railway="KZH")
KELES_EXP = StationRef(esr="720602", name="Келес (эксп.)", railway="UTI")
KUDUKLI_EXP = StationRef(esr="736206", name="Кудукли (эксп.)", railway="UTI")
PAKHTAABAD_EXP = StationRef(esr="746000", name="Пахтаабад (эксп.)", railway="TDZ")
DUSHANBE_II = StationRef(esr="745309", name="Душанбе II", railway="TDZ")

WAGONS = ("95120341", "95121174")
EXAMPLE_NOTE_ID = "00000000-0000-4000-8000-000000000001"


def _at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, 0, tzinfo=UTC5)


def example_note() -> Note:
    """The example note, freshly built (callers may mutate their copy)."""
    hopper = {
        "railway": "KZH",
        "owner": "ТОО «Астық Вагон» (синтетический пример)",
        "wagon_type": "хоппер-зерновоз 19-3058",
        "provided_by": Provider.CONSIGNOR,
        "load_capacity_kg": 70_500,
        "axles": 4,
    }
    lines = (("95120341", 68_000), ("95121174", 67_450))
    return Note(
        note_id=EXAMPLE_NOTE_ID,
        version=1,
        language="ru",
        consignor=Party(
            name="ТОО «Қостанай Астық Экспорт» (синтетический пример)",
            address="Казахстан, 110000, г. Қостанай, ул. Әл-Фараби, 1",
            country="KZ",
            client_code="27004512",
            signatory="Ә. Нұрланұлы",
        ),
        departure=KOSTANAY,
        consignor_declarations="Груз следует без сопровождения.",
        consignee=Party(
            name="ҶДММ «Ғалла-Душанбе» (синтетический пример)",
            address="Тоҷикистон, 734000, ш. Душанбе, кӯч. Ҳофизи Шерозӣ, 7",
            country="TJ",
            client_code="66001278",
        ),
        destination=DUSHANBE_II,
        border_stations=[SARYAGASH_EXP, KELES_EXP, KUDUKLI_EXP, PAKHTAABAD_EXP],
        wagons=[Wagon(number=number, **hopper) for number in WAGONS],  # type: ignore[arg-type]
        goods=[
            GoodsLine(
                description="Пшеница продовольственная 3 класса, урожай 2025 г.",
                gng="10019900",
                etsng="011005",
                wagon_number=wagon,
                packing="навалом",
                mass_kg=mass,
            )
            for wagon, mass in lines
        ],
        goods_total_mass_kg=sum(mass for _, mass in lines),
        seals=[
            Seal(
                count=2,
                marks=[f"КЗХ {wagon[-4:]}-1", f"КЗХ {wagon[-4:]}-2"],
                applied_by=Provider.CONSIGNOR,
                wagon_number=wagon,
            )
            for wagon in WAGONS
        ],
        loaded_by=Provider.CONSIGNOR,
        mass_method="на вагонных весах",
        carriers=[
            CarrierSection(
                carrier="KZH", name="АО «НК «ҚТЖ»", from_station=KOSTANAY, to_station=SARYAGASH_EXP
            ),
            CarrierSection(
                carrier="UTI",
                name="АО «Узбекистон темир йуллари»",
                from_station=KELES_EXP,
                to_station=KUDUKLI_EXP,
            ),
            CarrierSection(
                carrier="TDZ",
                name="ГУП «Рохи охани Тоджикистон»",
                from_station=PAKHTAABAD_EXP,
                to_station=DUSHANBE_II,
            ),
        ],
        payments=[
            Payment(carrier="KZH", payer="ТОО «Қостанай Астық Экспорт»", payer_code="1004512"),
            Payment(
                carrier="UTI",
                payer="ТОО «Транзит Экспедиция» (синтетический пример)",
                payer_code="2907731",
            ),
            Payment(
                carrier="TDZ",
                payer="ҶДММ «Ғалла-Душанбе»",
                payer_code="6601278",
                paid_by_consignor=False,
            ),
        ],
        documents=[
            AttachedDocument(
                name="Фитосанитарный сертификат", number="KZ-FS-000123", issued_on=_at(1, 9)
            ),
            AttachedDocument(
                name="Сертификат происхождения СТ-1", number="KZ-CT1-004455", issued_on=_at(1, 9)
            ),
        ],
        info_not_for_carrier="Контракт поставки № 15/2026 от 10.01.2026",
        contract_date=_at(2, 10),
        consignment_number="EX000001",
        border_passages=[
            BorderPassage(station_esr="704101", at=_at(6, 14)),
            BorderPassage(station_esr="736206", at=_at(9, 8)),
        ],
        handovers=[
            Handover(from_carrier="KZH", to_carrier="UTI", station_esr="704101", at=_at(6, 14)),
            Handover(from_carrier="UTI", to_carrier="TDZ", station_esr="736206", at=_at(9, 8)),
        ],
        arrival_date=_at(10, 7),
        arrival_notice_at=_at(10, 9),
        delivery=Delivery(at=_at(10, 15), station_esr="745309", received_by="Ф. Раҳимов"),
        charges=[
            ChargingSection(
                letter=letter,
                carrier=carrier,
                from_esr=a,
                to_esr=b,
                distance_km=km,
                chargeable_mass_kg=141_000,
                cargo_code="011005",
                tariff_currency_consignor="CHF",
            )
            for letter, carrier, a, b, km in (
                ("А", "KZH", "684001", "704101", 2213),
                ("Б", "UTI", "720602", "736206", 875),
                ("В", "TDZ", "746000", "745309", 63),
            )
        ],
        charge_remarks="Вагоны предоставлены отправителем.",
    )
