"""What the store shows of a note: its summary (lists) and its detail (one note). Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from temir.notes.boxes import Issue
from temir.notes.lifecycle import NoteStatus


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


@dataclass(frozen=True)
class NoteSummary:
    id: str
    number: str | None
    status: NoteStatus
    version: int
    consignor: str | None
    departure_esr: str | None
    destination_esr: str | None
    cargo_etsng: str | None
    cargo_gng: str | None
    carriers: tuple[str, ...]
    custody: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "number": self.number,
            "status": str(self.status),
            "version": self.version,
            "consignor": self.consignor,
            "departure_esr": self.departure_esr,
            "destination_esr": self.destination_esr,
            "cargo_etsng": self.cargo_etsng,
            "cargo_gng": self.cargo_gng,
            "carriers": list(self.carriers),
            "custody": self.custody,
            "created_by": self.created_by,
            "created_at": _iso(self.created_at),
            "updated_at": _iso(self.updated_at),
        }


@dataclass(frozen=True)
class NoteDetail:
    summary: NoteSummary
    document: dict[str, Any]
    digest: str
    signatures: tuple[dict[str, Any], ...]
    warnings: tuple[Issue, ...] = ()

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            **self.summary.to_dict(),
            "digest": self.digest,
            "document": self.document,
            "signatures": list(self.signatures),
            "warnings": [w.to_dict(lang) for w in self.warnings],
        }
