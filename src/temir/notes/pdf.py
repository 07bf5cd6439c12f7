"""A printable sheet of the note: numbered boxes in the SMGS order, and a QR code to verify it.

Why: paper still travels with the wagon; whoever holds it must be able to read the boxes by
their numbers and check it offline — the QR code carries the note id, version, digest and the
key ids of its signers. DejaVu Sans Condensed (vendored, licence beside it) renders Cyrillic and
the Kazakh/Tajik letters (ә ғ қ ң ө ұ ү һ і ҳ ҷ ӣ ӯ). A first layout: a grid of numbered boxes
on A4, not yet the exact drawing of the six sheets.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from temir.notes.model import BOXES, Note
from temir.notes.signing import Signature, digest

FONT = "DejaVuSansCondensed"
_FONT_FILE = Path(__file__).parent / "fonts" / "DejaVuSansCondensed.ttf"


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(_FONT_FILE)))
    return FONT


def qr_payload(note: Note, signatures: list[Signature] | None = None) -> str:
    """What the QR code carries: enough to look up and verify this exact version offline."""
    return json.dumps(
        {"id": note.note_id, "v": note.version, "sha256": digest(note),
         "keys": [s.key_id for s in signatures or []]},
        separators=(",", ":"),
    )  # fmt: skip


def _box_texts(n: Note) -> dict[int, str]:
    def st(ref: object) -> str:
        return f"{getattr(ref, 'esr', '')} {getattr(ref, 'name', '')}".strip()

    return {
        1: f"{n.consignor.name}\n{n.consignor.address}",
        2: st(n.departure),
        3: n.consignor_declarations or "",
        4: f"{n.consignee.name}\n{n.consignee.address}",
        5: st(n.destination),
        6: "; ".join(st(s) for s in n.border_stations),
        7: "; ".join(f"{w.number} {w.railway or ''} {w.wagon_type or ''}" for w in n.wagons),
        9: "; ".join(f"{w.load_capacity_kg} kg" for w in n.wagons if w.load_capacity_kg),
        15: "\n".join(f"{g.description} ГНГ {g.gng} ЕТСНГ {g.etsng or '—'}" for g in n.goods),
        16: "; ".join(g.packing for g in n.goods),
        18: "; ".join(str(g.mass_kg) for g in n.goods) + f" = {n.goods_total_mass_kg}",
        19: "; ".join(", ".join(s.marks) for s in n.seals),
        21: n.mass_method or "",
        22: "\n".join(f"{c.carrier} {c.from_station.esr}–{c.to_station.esr}" for c in n.carriers),
        23: "; ".join(f"{p.carrier}: {p.payer}" for p in n.payments),
        24: "; ".join(f"{d.name} {d.number or ''}" for d in n.documents),
        25: n.info_not_for_carrier or "",
        26: n.contract_date.isoformat() if n.contract_date else "",
        27: n.arrival_date.isoformat() if n.arrival_date else "",
        29: n.consignment_number or "",
        33: "; ".join(f"{h.from_carrier}→{h.to_carrier} {h.station_esr}" for h in n.handovers),
        34: "; ".join(f"{b.station_esr} {b.at:%d.%m.%Y}" if b.at else b.station_esr
                      for b in n.border_passages),
        37: "; ".join(f"{c.letter} {c.from_esr}–{c.to_esr} {c.distance_km or ''} км"
                      for c in n.charges),
        64: n.charge_remarks or "",
    }  # fmt: skip


def render_pdf(note: Note, signatures: list[Signature] | None = None) -> bytes:
    """The note as a one-page A4 PDF with numbered boxes and the verification QR code."""
    font = _font()
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4)
    width, height = A4
    canvas.setTitle(f"СМГС {note.note_id} v{note.version}")
    canvas.setFont(font, 13)
    canvas.drawString(12 * mm, height - 14 * mm, "Накладная СМГС / SMGS consignment note")
    canvas.setFont(font, 8)
    header = f"№ {note.consignment_number or '—'} · id {note.note_id} · версия {note.version}"
    canvas.drawString(12 * mm, height - 19 * mm, header)
    qr = segno.make(qr_payload(note, signatures), error="m")
    png = io.BytesIO()
    qr.save(png, kind="png", scale=4, border=1)
    png.seek(0)
    canvas.drawImage(ImageReader(png), width - 42 * mm, height - 42 * mm, 32 * mm, 32 * mm)
    texts = _box_texts(note)
    col_w = (width - 24 * mm) / 2
    x0, y = 12 * mm, height - 46 * mm
    col = 0
    for number, text in texts.items():
        lines = simpleSplit(text or "", font, 7, col_w - 4 * mm)[:6] or [""]
        box_h = (len(lines) + 1) * 3.4 * mm + 2 * mm
        if y - box_h < 12 * mm:
            if col == 1:
                canvas.showPage()
                y, col = height - 14 * mm, 0
            else:
                col, y = 1, height - 46 * mm
        x = x0 + col * col_w
        canvas.rect(x, y - box_h, col_w - 2 * mm, box_h)
        canvas.setFont(font, 6.5)
        canvas.drawString(x + 1.5 * mm, y - 3.5 * mm, f"{number}  {BOXES[number].name_ru}")
        canvas.setFont(font, 7)
        for i, line in enumerate(lines):
            canvas.drawString(x + 1.5 * mm, y - (7.5 + i * 3.4) * mm, line)
        y -= box_h + 1 * mm
    canvas.showPage()
    canvas.save()
    return buf.getvalue()
