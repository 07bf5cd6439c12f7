"""The six sheets of the SMGS form, which of them to print, and what the QR code says. Pure.

Sheets and receivers: domain.md §1.2 (six-sheet form since 2015; receivers from a forwarder's
page ⚠️, sheet 6 corroborated by a form drawing). The QR code carries the note id, version,
digest and signer key ids (:mod:`temir.notes.paper.qr`); demo notes print a "synthetic" footer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from temir.kit.errors import ValidationFailed
from temir.notes.example import EXAMPLE_NOTE_ID
from temir.notes.model import Note
from temir.notes.paper.qr import QrPayload
from temir.notes.signatures import digest
from temir.signing.model import Signature

SYNTHETIC_MARKERS: Final = ("синтетический пример", "synthetic")


@dataclass(frozen=True)
class Sheet:
    number: int
    name_ru: str
    name_en: str
    receiver_ru: str
    receiver_en: str

    @property
    def label(self) -> str:
        return f"Лист {self.number} · {self.name_ru} ({self.receiver_ru})"

    @property
    def label_en(self) -> str:
        return f"Sheet {self.number} · {self.name_en} ({self.receiver_en})"


SHEETS: Final = {
    s.number: s
    for s in (
        Sheet(1, "Оригинал накладной", "Original of the note", "для получателя",
              "for the consignee"),
        Sheet(2, "Дорожная ведомость", "Road waybill", "для перевозчика, выдающего груз",
              "for the carrier delivering the goods"),
        Sheet(3, "Лист выдачи груза", "Delivery sheet", "для перевозчика, выдающего груз",
              "for the carrier handing over the goods"),
        Sheet(4, "Дубликат накладной", "Duplicate of the note", "для отправителя",
              "for the consignor"),
        Sheet(5, "Лист приёма груза", "Acceptance sheet", "для договорного перевозчика",
              "for the contractual carrier"),
        Sheet(6, "Лист уведомления о прибытии груза", "Arrival notice sheet", "для получателя",
              "for the consignee"),
    )
}  # fmt: skip
ALL_SHEETS: Final = tuple(SHEETS)


def parse_sheets(text: str) -> tuple[int, ...]:
    """``"1,4"`` → ``(1, 4)``; ``"all"`` or empty → all six; anything else is refused."""
    text = text.strip().lower()
    if text in ("", "all"):
        return ALL_SHEETS
    chosen: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if not part.isdigit() or int(part) not in SHEETS:
            raise ValidationFailed(
                "Sheets are numbered 1 to 6 (e.g. 1,4); got {value}.",
                code="notes.sheets",
                field="sheets",
                value=part or text,
            )
        if int(part) not in chosen:
            chosen.append(int(part))
    return tuple(sorted(chosen))


def qr_payload(note: Note, signatures: Sequence[Signature] | None = None) -> str:
    """What the QR code carries (``TEMIR1`` line, see :mod:`temir.notes.paper.qr`)."""
    keys = tuple(dict.fromkeys(s.key_id for s in signatures or ()))
    return QrPayload(note.note_id, note.version, digest(note), keys).encode()


def is_synthetic(note: Note) -> bool:
    """Demo data says so: the example note, or parties/wagon owners marked synthetic."""
    names = [note.consignor.name, note.consignee.name, note.consignor_declarations or "",
             *(w.owner or "" for w in note.wagons)]  # fmt: skip
    return note.note_id == EXAMPLE_NOTE_ID or any(
        marker in name.lower() for name in names for marker in SYNTHETIC_MARKERS
    )
