"""The printed headings of the SMGS form, in Russian and in the departure country's language. Pure.

Why two sources: the Russian headings are the form's own wording (the FTS print form of the
``RailwayBill`` schema, shared/reference/domain.md §1.3; abbreviated where the cell is narrow,
as the printed form does), so they are written here and never translated. The Kazakh and
Tajik headings are translations of the English message ids through the catalogs
(``locale/{kk,tg}/LC_MESSAGES/notes_print.po`` and the web catalogs for the shared terms);
there is no official Kazakh or Tajik text of the form, so unsure terms carry a review mark
(``locale/REVIEW.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from temir.kit.i18n import N_, translate
from temir.notes.paper.languages import RUSSIAN


@dataclass(frozen=True)
class Heading:
    ru: str
    msgid: str


def _h(ru: str, msgid: str) -> Heading:
    return Heading(ru, msgid)


HEADINGS: Final[dict[str, Heading]] = {
    "title": _h("Накладная СМГС", N_("SMGS consignment note")),
    "front": _h("лицевая сторона", N_("front side")),
    "reverse": _h("оборот", N_("reverse side")),
    "sheet": _h("Лист {number} · {name} ({receiver})", N_("Sheet {number} · {name} ({receiver})")),
    "sheet1": _h("Оригинал накладной", N_("Original of the note")),
    "sheet2": _h("Дорожная ведомость", N_("Road waybill")),
    "sheet3": _h("Лист выдачи груза", N_("Delivery sheet")),
    "sheet4": _h("Дубликат накладной", N_("Duplicate of the note")),
    "sheet5": _h("Лист приёма груза", N_("Acceptance sheet")),
    "sheet6": _h("Лист уведомления о прибытии груза", N_("Arrival notice sheet")),
    "for_consignee": _h("для получателя", N_("for the consignee")),
    "for_delivering_carrier": _h(
        "для перевозчика, выдающего груз", N_("for the carrier delivering the goods")
    ),
    "for_consignor": _h("для отправителя", N_("for the consignor")),
    "for_contractual_carrier": _h("для договорного перевозчика", N_("for the contractual carrier")),
    # boxes, front
    "1": _h("Отправитель", N_("Consignor")),
    "2": _h("Станция отправления", N_("Departure station")),
    "3": _h("Заявления отправителя", N_("Consignor's declarations")),
    "4": _h("Получатель", N_("Consignee")),
    "5": _h("Станция назначения", N_("Destination station")),
    "6": _h("Пограничные станции переходов", N_("Border crossing stations")),
    "7": _h("Вагон", N_("Wagon")),
    "8": _h("Предост.", N_("Prov. by")),
    "9": _h("Грузоп., т", N_("Capacity, t")),
    "10": _h("Оси", N_("Axles")),
    "11": _h("Тара, кг", N_("Tare, kg")),
    "12": _h("Тип цист.", N_("Tank type")),
    "13": _h("Масса, кг", N_("Mass, kg")),
    "14": _h("Мест", N_("Packages")),
    "after_transshipment": _h("После перегрузки", N_("After transshipment")),
    "15": _h("Наименование груза", N_("Description of goods")),
    "16": _h("Род упаковки", N_("Packing")),
    "17": _h("К-во мест", N_("Number of packages")),
    "18": _h("Масса (в кг)", N_("Mass (kg)")),
    "19": _h("Пломбы", N_("Seals")),
    "seal_count": _h("к-во", N_("count")),
    "seal_marks": _h("знаки", N_("marks")),
    "20": _h("Погружено", N_("Loaded by")),
    "21": _h("Способ определения массы", N_("Method of determining the mass")),
    "22": _h("Перевозчики", N_("Carriers")),
    "carrier_sections": _h("(участки от/до)", N_("(sections from/to)")),
    "carrier_codes": _h("(коды станций)", N_("(station codes)")),
    "23": _h("Уплата провозных платежей", N_("Payment of carriage charges")),
    "24": _h("Документы, приложенные отправителем", N_("Documents attached by the consignor")),
    "25": _h(
        "Информация, не предназначенная для перевозчика",
        N_("Information not intended for the carrier"),
    ),
    "26": _h("Дата заключения договора", N_("Date of the contract of carriage")),
    "27": _h("Дата прибытия", N_("Date of arrival")),
    "28": _h(
        "Отметки для таможенных и др. формальностей",
        N_("Marks for customs and other formalities"),
    ),
    "29": _h("Отправка №", N_("Consignment number")),
    "30": _h("Отметки перевозчика", N_("Carrier's remarks")),
    "signature": _h("Подпись", N_("Signature")),
    "total_mass": _h("Итого масса (графа 18): {mass} кг", N_("Total mass (box 18): {mass} kg")),
    "declared_value": _h(
        "Объявленная ценность груза: {value}", N_("Declared value of the goods: {value}")
    ),
    "verification": _h("Проверка подлинности", N_("Verification of authenticity")),
    # boxes, reverse
    "31": _h("Коммерческий акт", N_("Commercial act")),
    "32": _h("Удлинение срока доставки", N_("Extension of the delivery time")),
    "33": _h("Отметки о передаче груза", N_("Marks on the handover of the goods")),
    "34": _h("Проследование погран. станций", N_("Passage of border stations")),
    "35": _h("Уведомление о прибытии груза", N_("Notice of arrival of the goods")),
    "36": _h("Отметки о выдаче груза", N_("Marks on the delivery of the goods")),
    "charges": _h(
        "Расчёт провозных платежей (графы 37–63)",
        N_("Calculation of carriage charges (boxes 37–63)"),
    ),
    "collected_from": _h("Взыскано с: {who}", N_("Collected from: {who}")),
    "consignor": _h("отправитель", N_("the consignor")),
    "consignee": _h("получатель", N_("the consignee")),
    "37": _h("Участок (коды станций)", N_("Section (station codes)")),
    "38": _h("Расст., км", N_("Distance, km")),
    "39": _h("Расч. масса, кг", N_("Chargeable mass, kg")),
    "40": _h("Дополнительные сборы", N_("Additional charges")),
    "41": _h("Тариф", N_("Tariff")),
    "42": _h("Код груза", N_("Cargo code")),
    "43": _h("Курс пересч.", N_("Conversion rate")),
    "currency": _h("валюта", N_("currency")),
    "carriage_charge": _h("провозная плата", N_("carriage charge")),
    "additional_total": _h("доп. сборы", N_("additional charges")),
    "section_total": _h("итого", N_("total")),
    "grand_total": _h("Всего ({who})", N_("Grand total ({who})")),
    "64": _h("Отметки для исчисления провозных платежей", N_("Remarks on the carriage charges")),
    "65": _h("Дополнительно взыскать с отправителя", N_("Additional amount from the consignor")),
    "synthetic": _h("СИНТЕТИЧЕСКИЕ ДАННЫЕ", N_("SYNTHETIC DEMO DATA")),
}
"""Every heading the form prints, by key (box number or a name). Russian first, as printed."""


class Titles:
    """The headings in the print languages: ``langs`` is ``("kk", "ru")``, ``("ru",)``, …"""

    def __init__(self, langs: tuple[str, ...]) -> None:
        self.langs = langs

    @property
    def national(self) -> str | None:
        """The departure country's language, or ``None`` when the note prints in Russian only."""
        return next((lang for lang in self.langs if lang != RUSSIAN), None)

    def get(self, key: str, lang: str, **params: object) -> str:
        heading = HEADINGS[key]
        if lang == RUSSIAN:
            return heading.ru.format(**params) if params else heading.ru
        return translate(heading.msgid, lang, **params)

    def each(self, key: str, **params: object) -> list[str]:
        """The heading in every print language, national first."""
        return [self.get(key, lang, **params) for lang in self.langs]

    def both(self, key: str, sep: str = " / ", **params: object) -> str:
        """``"Жөнелтуші / Отправитель"``: the heading in every print language on one line."""
        return sep.join(dict.fromkeys(self.each(key, **params)))


#: Who receives each sheet (the Russian matches :data:`temir.notes.paper.sheets.SHEETS`).
SHEET_RECEIVER: Final = {
    1: "for_consignee", 2: "for_delivering_carrier", 3: "for_delivering_carrier",
    4: "for_consignor", 5: "for_contractual_carrier", 6: "for_consignee",
}  # fmt: skip
