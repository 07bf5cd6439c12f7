"""The printed sheet: a PDF with the embedded Cyrillic font and a QR payload to verify."""

from __future__ import annotations

import json

from temir.notes.model import Note
from temir.notes.pdf import qr_payload, render_pdf
from temir.notes.signing import digest


def test_pdf_renders_with_embedded_font(note: Note) -> None:
    pdf = render_pdf(note)
    assert pdf.startswith(b"%PDF")
    assert b"DejaVuSansCondensed" in pdf


def test_qr_payload_names_id_version_digest(note: Note) -> None:
    payload = json.loads(qr_payload(note))
    assert payload == {"id": note.note_id, "v": 1, "sha256": digest(note), "keys": []}
