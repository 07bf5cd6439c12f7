"""Drawing one sheet of the SMGS form: every box where the form puts it, front and reverse.

One job — the form's layout, box by box — which is why this module is about 480 lines: each
box's position and text is one short block, and the blocks only make sense together. The layout
follows the public print form of the FTS ``RailwayBill`` schema (A4, 1 Отправитель / 4
Получатель / 5 on the left, 2 / 3 on the right, 6 beside the wagon table 7–14, 15–28 below;
the carriers' charging sections А–Е on the reverse), not a scan of the official blank.

Headings come from :mod:`temir.notes.paper.titles` in the print languages (the departure
country's and Russian): ``N  Жөнелтуші / Отправитель`` on one line where it fits, else on two;
a heading is made smaller, never cut, and the tests check on the PDF that none crosses a frame.

Fonts: DejaVu Sans Condensed (vendored with its licence in ``notes/fonts/``) renders Cyrillic,
Latin and the Kazakh and Tajik letters (ә ғ қ ң ө ұ ү һ і, ӣ ӯ ҳ ҷ). Chinese characters (the
Chinese names of border stations such as Khorgos 霍尔果斯) are drawn in a subset of Droid Sans
Fallback (Apache-2.0, Debian ``fonts-droid-fallback``; see src/temir/data/SOURCES.md), run by run.
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from temir.notes.model import CHARGING_LETTERS, Money, Note, Party, StationRef
from temir.notes.paper.sheets import Sheet
from temir.notes.paper.titles import SHEET_RECEIVER, Titles
from temir.notes.signatures import digest

FONT = "DejaVuSansCondensed"
CJK_FONT = "DroidSansFallback-stations"
_FONTS = Path(__file__).resolve().parent.parent / "fonts"
_FONT_FILE = _FONTS / "DejaVuSansCondensed.ttf"
CJK_FONT_FILE = _FONTS / "DroidSansFallback-stations.ttf"


def font() -> str:
    """The form's font (and its CJK companion), registered with ReportLab once.

    Each checked on its own: the protocol's PDF registers the same base font without the CJK
    one, and a process that printed a protocol first then printed no Chinese station name.
    """
    registered = pdfmetrics.getRegisteredFontNames()
    for name, path in ((FONT, _FONT_FILE), (CJK_FONT, CJK_FONT_FILE)):
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, str(path)))
    return FONT


def _cjk(ch: str) -> bool:
    return "\u2e80" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\u3000" <= ch <= "\u303f"


def runs(s: str, base: str) -> list[tuple[str, str]]:
    """``s`` cut into (font, text) runs: CJK characters in the CJK font, the rest in ``base``."""
    out: list[tuple[str, str]] = []
    for ch in s:
        name = CJK_FONT if _cjk(ch) else base
        if out and out[-1][0] == name:
            out[-1] = (name, out[-1][1] + ch)
        else:
            out.append((name, ch))
    return out


def text_width(s: str, base: str, size: float) -> float:
    return float(sum(pdfmetrics.stringWidth(t, name, size) for name, t in runs(s, base)))


# --- what each box says ------------------------------------------------------------------------
def _date(value: datetime | None) -> str:
    return f"{value:%d.%m.%Y %H:%M}" if value else ""


def _money(value: Money | None) -> str:
    return f"{value.amount} {value.currency}" if value else ""


def _party(p: Party) -> str:
    lines = [p.name, p.address]
    extra = " · ".join(x for x in (p.country, p.phone, p.email) if x)
    if extra:
        lines.append(extra)
    return "\n".join(x for x in lines if x)


def _station(s: StationRef) -> str:
    return f"{s.railway + ' / ' if s.railway else ''}{s.name}".strip()


def _provider(value: object) -> str:
    return {"consignor": "О", "carrier": "П"}.get(str(value), "") if value else ""


def _tons(kg: int | None) -> str:
    return f"{kg / 1000:g}" if kg is not None else ""


# --- drawing -----------------------------------------------------------------------------------
LABEL_SIZE = 5.6
TEXT_SIZE = 7.4
MARGIN = 5 * mm
MIN_ONE_LINE = 4.6
"""A two-language heading stays on one line down to this size, else it takes two lines."""
MIN_SIZE = 3.6
"""The smallest print; a heading that does not fit even so overflows (and the tests fail)."""


class Page:
    """Drawing on A4 in millimetres from the top-left corner, as the form is measured."""

    def __init__(self, canvas: Canvas, font: str, titles: Titles | None = None) -> None:
        self.c = canvas
        self.font = font
        self.t = titles or Titles(("ru",))
        self.width, self.height = A4

    def _y(self, y: float) -> float:
        return float(self.height - MARGIN - y * mm)

    def _x(self, x: float) -> float:
        return float(MARGIN + x * mm)

    def rect(self, x: float, y: float, w: float, h: float, width: float = 0.6) -> None:
        self.c.setLineWidth(width)
        self.c.rect(self._x(x), self._y(y + h), w * mm, h * mm)

    def line(self, x1: float, y1: float, x2: float, y2: float, dotted: bool = False) -> None:
        self.c.setLineWidth(0.3)
        if dotted:
            self.c.setDash(1, 1.5)
        self.c.line(self._x(x1), self._y(y1), self._x(x2), self._y(y2))
        self.c.setDash()

    def text(self, x: float, y: float, s: str, size: float = TEXT_SIZE, bold: bool = False) -> None:
        if bold:
            self.c.setFillGray(0)
        at = self._x(x)
        for name, part in runs(s, self.font):
            self.c.setFont(name, size)
            self.c.drawString(at, self._y(y), part)
            at += pdfmetrics.stringWidth(part, name, size)

    def text_right(self, x: float, y: float, s: str, size: float = TEXT_SIZE) -> None:
        self.text(x - text_width(s, self.font, size) / mm, y, s, size)

    def fitting(self, s: str, w: float, size: float, smallest: float = MIN_SIZE) -> float:
        """The largest size, at most ``size`` and not below ``smallest``, at which ``s`` fits."""
        width = float(text_width(s, self.font, size) / mm)
        if width <= w or not width:
            return size
        return float(max(smallest, size * w / width * 0.999))

    def fit(self, x: float, y: float, s: str, w: float, size: float = TEXT_SIZE) -> None:
        """``s`` on one line within ``w`` mm, made smaller if it has to be."""
        self.text(x, y, s, self.fitting(s, w, size))

    def label(
        self, x: float, y: float, w: float, number: int | str | None, key: str | list[str]
    ) -> float:
        """A box's heading in the print languages; returns the extra height (mm) it took.

        One line ``N  Жөнелтуші / Отправитель`` when it fits at :data:`MIN_ONE_LINE` or more;
        otherwise the national heading and the Russian one on two lines.
        """
        lead = f"{number}  " if number is not None else ""
        names = list(dict.fromkeys(self.t.each(key) if isinstance(key, str) else key))
        one = lead + " / ".join(names)
        size = self.fitting(one, w, LABEL_SIZE, 0)
        if size >= MIN_ONE_LINE or len(names) == 1:
            self.text(x, y, one, max(size, MIN_SIZE))
            return 0.0
        first, second = lead + names[0], " " * len(lead) * 2 + names[1]
        self.text(x, y - 0.3, first, self.fitting(first, w, LABEL_SIZE - 0.6))
        self.text(x, y + 1.8, second, self.fitting(second, w, LABEL_SIZE - 0.6))
        return 1.9

    def wrap(self, x: float, y: float, w: float, h: float, s: str, size: float = TEXT_SIZE) -> None:
        """Text wrapped into ``w`` mm, cut with an ellipsis where the box ends."""
        lead = size * 1.18 / mm
        lines: list[str] = []
        for para in s.split("\n"):
            lines += simpleSplit(para, self.font, size, w * mm) or [""]
        room = max(int(h // lead), 0)
        if len(lines) > room and room:
            lines = lines[:room]
            lines[-1] = lines[-1][: max(len(lines[-1]) - 2, 0)] + "…"
        for i, line in enumerate(lines[:room]):
            self.text(x, y + (i + 1) * lead - 0.6, line, size)

    def box(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        number: int | str | None,
        key: str | list[str],
        value: str = "",
        size: float = TEXT_SIZE,
        code: str = "",
    ) -> None:
        """A numbered box: frame, ``number`` and heading ``key`` in small print, the value below.

        ``key`` names a heading of :mod:`temir.notes.paper.titles`, or is the heading already in
        each print language.

        ``code`` goes to the small coded cell in the top-right corner, as on the form.
        """
        self.rect(x, y, w, h)
        cw = max(pdfmetrics.stringWidth(code, self.font, size) / mm + 3, 14) if code else 0.0
        self.c.setFillGray(0.25)
        extra = self.label(x + 1, y + 2.4, w - cw - 2, number, key)
        self.c.setFillGray(0)
        if code:
            self.line(x + w - cw, y, x + w - cw, y + 5, dotted=True)
            self.line(x + w - cw, y + 5, x + w, y + 5, dotted=True)
            self.text(x + w - cw + 1.5, y + 3.8, code, size)
        self.wrap(x + 1.5, y + 3.0 + extra, w - cw - 3, h - 3.4 - extra, value, size)


def sheet_label(t: Titles, sheet: Sheet, lang: str) -> str:
    """``Лист 1 · Оригинал накладной (для получателя)`` in ``lang``."""
    return t.get(
        "sheet",
        lang,
        number=sheet.number,
        name=t.get(f"sheet{sheet.number}", lang),
        receiver=t.get(SHEET_RECEIVER[sheet.number], lang),
    )


def header(page: Page, note: Note, sheet: Sheet, side: str, qr_text: str) -> None:
    """Title, sheet and side in each print language; box 29 (consignment number) beside."""
    p, t = page, page.t
    p.rect(0, 0, 150, 13)
    p.fit(2, 5.2, t.both("title"), 146, 12.5)
    labels = [f"{sheet_label(t, sheet, lang)}  —  {t.get(side, lang)}" for lang in t.langs]
    if len(labels) == 1:
        p.fit(2, 10.3, labels[0], 146, 7.2)
    else:
        p.fit(2, 8.6, labels[0], 146, 6.2)
        p.fit(2, 11.6, labels[1], 146, 6.2)
    p.box(150, 0, 50, 13, 29, "29", note.consignment_number or "", 10)
    del qr_text


def footer(page: Page, note: Note, sheet: Sheet, synthetic: bool, n: int, total: int) -> None:
    p = page
    p.line(0, 283, 200, 283)
    info = (
        f"Temir · {note.form} · id {note.note_id} · версия {note.version} · "
        f"SHA-256 {digest(note)[:16]}… · стр. {n}/{total}"
    )
    p.c.setFillGray(0.3)
    p.fit(0, 286, info, 128, 5.6)
    p.c.setFillGray(0)
    if synthetic:
        warning = p.t.both("synthetic")
        size = p.fitting(warning, 70, 7)
        p.c.setFillColorRGB(0.7, 0.1, 0.1)
        p.text_right(200, 286, warning, size)
        p.c.setFillGray(0)


def _qr_block(page: Page, x: float, y: float, w: float, h: float, qr_text: str) -> None:
    p = page
    p.rect(x, y, w, h)
    qr = segno.make(qr_text, error="m")
    png = io.BytesIO()
    qr.save(png, kind="png", scale=4, border=1)
    png.seek(0)
    side = h - 2
    p.c.drawImage(ImageReader(png), p._x(x + 1), p._y(y + 1 + side), side * mm, side * mm)
    tx = x + side + 3
    p.c.setFillGray(0.25)
    extra = p.label(tx, y + 3, w - side - 4, None, "verification")
    p.c.setFillGray(0)
    p.wrap(
        tx,
        y + 4 + extra,
        w - side - 4,
        h - 11 - extra,
        "Отсканируйте код или введите строку на странице /notes/verify; "
        "или: temir notes verify <файл.pdf> --keys <ключи>. Подписанная накладная вложена в PDF.",
        5.8,
    )
    per_line = int((w - side - 4) * mm / pdfmetrics.stringWidth("0", p.font, 5.0))
    chunks = [qr_text[i : i + per_line] for i in range(0, len(qr_text), per_line)]
    p.wrap(tx, y + h - 10, w - side - 4, 9.6, "\n".join(chunks), 5.0)


def draw_front(page: Page, note: Note, qr_text: str) -> None:
    p, n, t = page, note, page.t
    # Row B: parties left (1, 4, 5), stations and declarations right (2, 3, verification)
    p.box(0, 13, 106, 24, 1, "1", _party(n.consignor), code=n.consignor.client_code or "")
    if n.consignor.signatory:
        p.line(0, 33, 106, 33, dotted=True)
        p.fit(1.5, 36, f"{t.both('signature')}: {n.consignor.signatory}", 103, 6)
    p.box(0, 37, 106, 22, 4, "4", _party(n.consignee), code=n.consignee.client_code or "")
    p.box(0, 59, 106, 14, 5, "5", _station(n.destination), 9, code=n.destination.esr)
    p.box(106, 13, 94, 12, 2, "2", _station(n.departure), 9, code=n.departure.esr)
    declarations = n.consignor_declarations or ""
    if n.declared_value is not None:  # no box of its own on the form: printed with box 3
        value = "\n".join(t.each("declared_value", value=_money(n.declared_value)))
        declarations = f"{declarations}\n{value}" if declarations else value
    p.box(106, 25, 94, 23, 3, "3", declarations)
    _qr_block(p, 106, 48, 94, 25, qr_text)
    # Row C: 6 beside the wagon table 7–14
    border = "\n".join(f"{s.esr}  {_station(s)}" for s in n.border_stations)
    p.box(0, 73, 65, 40, 6, "6", border)
    _wagon_table(p, 65, 73, n)
    # Row D: goods (15–18), seals (19), 20–22 right; 23, 24, 26, 27 left; 25, 28 right
    goods = []
    for g in n.goods:
        line = f"{g.description} — ГНГ {g.gng}" + (f", ЕТСНГ {g.etsng}" if g.etsng else "")
        if g.wagon_number:
            line += f"; вагон {g.wagon_number}"
        if g.container:
            line += f"; контейнер {g.container.number} {g.container.size_type or ''}".rstrip()
        if g.marks:
            line += f"; знаки: {g.marks}"
        if g.un_number or g.hazard_class or g.packing_group:
            line += (
                f"; опасный груз: ООН {g.un_number or '—'}, класс {g.hazard_class or '—'},"
                f" группа упаковки {g.packing_group or '—'}"
            )
        if g.dangerous_goods:
            line += f"; опасный груз: {g.dangerous_goods}"
        goods.append(line)
    p.box(0, 113, 95, 62, 15, "15", "\n".join(goods))
    total = n.goods_total_mass_kg
    mass = str(total) if total is not None else "—"
    p.fit(1.5, 173.5, t.both("total_mass", mass=mass), 92, 6.4)
    pays = "\n".join(
        f"{x.carrier}: {x.payer}{' код ' + x.payer_code if x.payer_code else ''}"
        + ("" if x.paid_by_consignor else " (получатель)")
        for x in n.payments
    )
    p.box(0, 175, 95, 24, 23, "23", pays)
    docs = "\n".join(
        f"{d.name}{' № ' + d.number if d.number else ''}"
        f"{' от ' + format(d.issued_on, '%d.%m.%Y') if d.issued_on else ''}"
        for d in n.documents
    )
    p.box(0, 199, 95, 22, 24, "24", docs)
    p.box(0, 221, 47.5, 20, 26, "26", _date(n.contract_date), 8)
    p.box(47.5, 221, 47.5, 20, 27, "27", _date(n.arrival_date), 8)
    p.box(0, 241, 95, 41, 28, "28", n.customs_marks or "")

    p.box(95, 113, 18, 62, 16, "16", "\n".join(g.packing for g in n.goods))
    p.box(113, 113, 15, 62, 17, "17",
          "\n".join(str(g.packages) if g.packages else "" for g in n.goods))  # fmt: skip
    p.box(128, 113, 22, 62, 18, "18", "\n".join(str(g.mass_kg or "") for g in n.goods))
    _seals(p, 150, 113, 50, 62, n)
    p.box(95, 175, 105, 8, 20, "20", _loaded(n.loaded_by), 7)
    p.box(95, 183, 105, 9, 21, "21", n.mass_method or "", 7)
    _carriers(p, 95, 192, 105, 49, n)
    p.box(95, 241, 105, 17, 25, "25", n.info_not_for_carrier or "")
    p.box(95, 258, 105, 24, 30, "30", "\n".join(n.carrier_remarks))


def _loaded(value: object) -> str:
    return {"consignor": "отправителем", "carrier": "перевозчиком"}.get(str(value), "")


_WAGON_COLS: Final = (
    (7, 45.0), (8, 10.0), (9, 14.0), (10, 8.0), (11, 14.0), (12, 12.0), (13, 17.0), (14, 15.0),
)  # fmt: skip
"""Boxes 7–14: the wagon table's columns and their widths (mm)."""


def _column_title(p: Page, x: float, y: float, w: float, number: int) -> None:
    """A wagon-table column heading: its number, then the heading in each language, one a line.

    Columns 13 and 14 sit under "after transshipment", so their number leads the first line.
    """
    names = list(dict.fromkeys(p.t.each(str(number))))
    if number in (13, 14):
        names[0] = f"{number} {names[0]}"
        lines = (6.0, 8.9) if len(names) > 1 else (7.2,)
    else:
        p.text(x, y + 2.6, str(number), LABEL_SIZE)
        lines = (5.6, 8.6) if len(names) > 1 else (6.6,)
    for name, at in zip(names, lines, strict=True):
        p.fit(x, y + at, name, w, 4.6)


def _wagon_table(p: Page, x: float, y: float, n: Note) -> None:
    p.rect(x, y, 135, 40)
    p.line(x + 103, y + 3.5, x + 135, y + 3.5)
    p.c.setFillGray(0.25)
    p.fit(x + 104, y + 2.6, p.t.both("after_transshipment"), 30, LABEL_SIZE)
    head = 10.0
    cx = x
    for number, width in _WAGON_COLS:
        if cx > x:
            p.line(cx, y + (3.5 if number == 14 else 0), cx, y + 40)
        _column_title(p, cx + 0.8, y, width - 1.4, number)
        cx += width
    p.c.setFillGray(0)
    p.line(x, y + head, x + 135, y + head)
    rows = n.wagons[:4]
    for i, w in enumerate(rows):
        ry = y + head + i * 7
        values = [
            f"{w.number} {w.railway or ''}".strip(),
            _provider(w.provided_by),
            _tons(w.load_capacity_kg),
            str(w.axles or ""),
            str(w.tare_kg or ""),
            w.tank_type or "",
            str(w.goods_mass_after_transshipment_kg or ""),
            str(w.packages_after_transshipment or ""),
        ]
        cx = x
        for (number, width), value in zip(_WAGON_COLS, values, strict=True):
            p.fit(cx + 1, ry + 3.3, value, width - 2, 8.5 if number == 7 else TEXT_SIZE)
            cx += width
        owner = " · ".join(v for v in (w.owner, w.wagon_type) if v)
        p.wrap(x + 1, ry + 4.5, 43, 2.3, owner, 5.0)
        p.line(x, ry + 7, x + 135, ry + 7, dotted=True)
    if len(n.wagons) > 4:
        p.text(x + 1, y + 39.4, f"… ещё {len(n.wagons) - 4} ваг. — см. вложенный файл накладной", 5)


def _seals(p: Page, x: float, y: float, w: float, h: float, n: Note) -> None:
    p.rect(x, y, w, h)
    p.c.setFillGray(0.25)
    p.label(x + 1, y + 2.4, w - 2, 19, "19")
    p.fit(x + 1, y + 6, p.t.both("seal_count", sep="/"), 8.6, LABEL_SIZE)
    p.fit(x + 11, y + 6, p.t.both("seal_marks"), w - 12, LABEL_SIZE)
    p.c.setFillGray(0)
    p.line(x, y + 7, x + w, y + 7)
    p.line(x + 10, y + 7, x + 10, y + h)
    for i, seal in enumerate(n.seals[:10]):
        ry = y + 7 + (i + 1) * 5.2
        p.text(x + 2, ry - 1.4, str(seal.count))
        p.wrap(x + 11, ry - 4.4, w - 12, 3.4, ", ".join(seal.marks), 6.2)
        p.line(x, ry, x + w, ry, dotted=True)


def _carriers(p: Page, x: float, y: float, w: float, h: float, n: Note) -> None:
    p.rect(x, y, w, h)
    p.c.setFillGray(0.25)
    p.label(x + 1, y + 2.6, 33, 22, "22")
    p.label(x + 36, y + 2.6, w - 57, None, "carrier_sections")
    p.label(x + w - 19, y + 2.6, 18, None, "carrier_codes")
    p.c.setFillGray(0)
    p.line(x, y + 4.6, x + w, y + 4.6)
    p.line(x + 35, y + 4.6, x + 35, y + h, dotted=True)
    p.line(x + w - 20, y + 4.6, x + w - 20, y + h, dotted=True)
    for i, c in enumerate(n.carriers[:5]):
        ry = y + 4.0 + i * 9
        p.text(x + 1, ry + 3.6, c.carrier, 8)
        p.wrap(x + 1, ry + 4.0, 33, 5, c.name or "", 5.6)
        p.wrap(x + 36, ry + 0.2, w - 57, 4.4, c.from_station.name, 6.8)
        p.wrap(x + 36, ry + 4.4, w - 57, 4.4, c.to_station.name, 6.8)
        p.text(x + w - 18.5, ry + 3.6, c.from_station.esr, 7.4)
        p.text(x + w - 18.5, ry + 7.8, c.to_station.esr, 7.4)
        p.line(x, ry + 9, x + w, ry + 9, dotted=True)


def draw_reverse(page: Page, note: Note) -> None:
    p, n = page, note
    reports = "\n".join(
        f"№ {r.number}, ст. {r.station_esr} {_date(r.drawn_up_at)}" for r in n.commercial_reports
    )
    p.box(0, 13, 66, 22, 31, "31", reports)
    ext = "\n".join(
        f"{e.days} сут., ст. {e.station_esr}: {e.reason} {_date(e.recorded_at)}"
        for e in n.extensions
    )
    p.box(66, 13, 67, 22, 32, "32", ext)
    p.box(133, 13, 67, 22, 35, "35", _date(n.arrival_notice_at), 8)
    hand = "\n".join(
        f"{h.from_carrier} → {h.to_carrier}, ст. {h.station_esr}, {_date(h.at)}"
        for h in n.handovers
    )
    p.box(0, 35, 100, 26, 33, "33", hand)
    passes = "\n".join(f"ст. {b.station_esr}  {_date(b.at)}" for b in n.border_passages)
    p.box(100, 35, 55, 26, 34, "34", passes)
    d = n.delivery
    delivered = (
        f"{_date(d.at)}\nст. {d.station_esr or ''}\n{d.received_by or ''}".strip() if d else ""
    )
    p.box(155, 35, 45, 26, 36, "36", delivered)
    _charges(p, 0, 63, n)


_SIDES: Final = (("consignor", (44, 45), (48, 49), (52, 53), (56, 57)),
                 ("consignee", (46, 47), (50, 51), (54, 55), (58, 59)))  # fmt: skip


def _charges(p: Page, x: float, y: float, n: Note) -> None:
    """Boxes 37–63, one row per charging section А–Е, split consignor / consignee as printed."""
    t = p.t
    left, side_w, row_h = 108.0, 46.0, 27.0
    p.rect(x, y, 200, 8)
    heads = t.each("charges")
    for i, head in enumerate(heads):
        p.fit(x + 1.5, y + (5.4 if len(heads) == 1 else 3.4 + i * 3.2), head, left - 3, 8)
    for k, (who, *_rest) in enumerate(_SIDES):
        sx = x + left + k * side_w
        p.line(sx, y, sx, y + 8)
        for i, lang in enumerate(t.langs):
            line = t.get("collected_from", lang, who=t.get(who, lang))
            p.fit(sx + 1.5, y + (5.4 if len(t.langs) == 1 else 3.4 + i * 3.2), line, side_w - 3, 7)
    sections = {c.letter: c for c in n.charges}
    for i, letter in enumerate(CHARGING_LETTERS):
        ry = y + 8 + i * row_h
        c = sections.get(letter)
        p.rect(x, ry, 6, row_h)
        p.text(x + 1.4, ry + row_h / 2 + 1.4, letter, 10)
        cells = [
            (37, f"{c.from_esr} – {c.to_esr}" if c else "", 31, 0),
            (38, str(c.distance_km or "") if c else "", 15, 0),
            (39, str(c.chargeable_mass_kg or "") if c else "", 21, 0),
            (41, (c.tariff or "") if c else "", 17, 0),
            (42, (c.cargo_code or "") if c else "", 18, 0),
            (40, _additional(c) if c else "", 51, 1),
            (43, str(c.conversion_rate or "") if c else "", 51, 1),
        ]
        cx_top, cx_bot = x + 6, x + 6
        for number, value, width, row in cells:
            if row == 0:
                p.box(cx_top, ry, width, row_h / 2, number, str(number), value, 7.6)
                cx_top += width
            else:
                p.box(cx_bot, ry + row_h / 2, width, row_h / 2, number, str(number), value, 6.6)
                cx_bot += width
        for k, (_who, cur, carriage, extra, total) in enumerate(_SIDES):
            sx = x + left + k * side_w
            p.rect(sx, ry, side_w, row_h)
            rows = [
                (cur, "currency", " / ".join(_currencies(c, k)) if c else ""),
                (carriage, "carriage_charge", _pair(c, "carriage_charge", k) if c else ""),
                (extra, "additional_total", _pair(c, "additional_total", k) if c else ""),
                (total, "section_total", _pair(c, "total", k) if c else ""),
            ]
            for j, (numbers, key, value) in enumerate(rows):
                yy = ry + j * row_h / 4
                if j:
                    p.line(sx, yy, sx + side_w, yy, dotted=True)
                p.c.setFillGray(0.25)
                title = f"{numbers[0]}/{numbers[1]} {t.both(key)}"
                p.fit(sx + 1, yy + 2.2, title, side_w - 2, 5.0)
                p.c.setFillGray(0)
                p.fit(sx + 1, yy + 5.6, value, side_w - 2, 6.6)
    ty = y + 8 + 6 * row_h
    tot = n.totals
    for k, (who, *_r) in enumerate(_SIDES):
        sx = x + left + k * side_w
        numbers = (60, 61) if k == 0 else (62, 63)
        value = ""
        if tot is not None:
            pair = (tot.consignor_tariff, tot.consignor_payment) if k == 0 else (
                tot.consignee_tariff, tot.consignee_payment)  # fmt: skip
            value = " / ".join(_money(m) for m in pair if m)
        names = [t.get("grand_total", lang, who=t.get(who, lang)) for lang in t.langs]
        p.box(sx, ty, side_w, 10, f"{numbers[0]}/{numbers[1]}", names, value, 7)
    p.box(x, ty, left, 10, 64, "64", n.charge_remarks or "", 6.8)
    p.box(x, ty + 10, 200, 9, 65, "65", _money(n.collect_from_consignor), 7.4)


def _additional(c: Any) -> str:
    return "; ".join(
        f"{a.code} {a.name or ''} {_money(a.amount)}".strip() for a in c.additional_charges
    )


def _currencies(c: Any, side: int) -> list[str]:
    names = ("consignor", "consignee")[side]
    return [
        getattr(c, f"tariff_currency_{names}") or "—",
        getattr(c, f"payment_currency_{names}") or "—",
    ]


def _pair(c: Any, prefix: str, side: int) -> str:
    who = ("consignor", "consignee")[side]
    a, b = getattr(c, f"{prefix}_{who}_tariff"), getattr(c, f"{prefix}_{who}_payment")
    return " / ".join(_money(m) for m in (a, b) if m)
