"""The printed note: the six sheets of the SMGS form, a QR code, and the signed note inside.

Why: paper still travels with the wagon. Whoever holds a sheet must find each box where the form
puts it (numbered boxes in the form's arrangement: consignor and consignee on the left, stations
on the right, the wagon table, goods, carriers; the carriers' charging sections А–Е on the
reverse), and must be able to check it offline. So every sheet carries:

* a QR code with the note id, version, digest and signer key ids (:mod:`temir.notes.paper.qr`), the
  same line printed under it for typing in by hand;
* the signed note itself, embedded as a PDF file attachment ``note.signed.json`` (format
  ``temir-smgs-signed/1``), so the PDF is self-verifying: ``temir notes verify FILE.pdf``
  extracts it (:func:`embedded_signed_note`) and checks it against public keys;
* the sheet's number, name and receiver on every page, and a PDF outline naming each page.

Headings are printed in the departure country's language and in Russian
(:mod:`temir.notes.paper.languages`: Kazakh + Russian from Kazakhstan, Tajik + Russian from
Tajikistan, Russian alone otherwise); ``lang`` overrides the choice.

The sheets are :mod:`temir.notes.paper.sheets`; the drawing of each is
:mod:`temir.notes.paper.layout`. This module makes the file and reads it back.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Iterable, Sequence
from typing import Final

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFStream, PDFString
from reportlab.pdfgen.canvas import Canvas

from temir.kit.errors import ValidationFailed
from temir.notes.model import Note
from temir.notes.paper.languages import print_languages
from temir.notes.paper.layout import Page, draw_front, draw_reverse, font, footer, header
from temir.notes.paper.sheets import ALL_SHEETS, SHEETS, is_synthetic, qr_payload
from temir.notes.paper.titles import Titles
from temir.notes.signatures import SignedNote, SignedVersion
from temir.signing.model import Signature

ATTACHMENT: Final = "note.signed.json"


# --- the PDF file ------------------------------------------------------------------------------
def _attach(canvas: Canvas, name: str, data: bytes, description: str) -> None:
    """Embed ``data`` as a standard PDF file attachment (catalog ``/Names /EmbeddedFiles``)."""
    doc = canvas._doc
    stream = PDFStream(
        PDFDictionary({"Type": PDFName("EmbeddedFile"), "Length1": len(data)}),
        content=zlib.compress(data),
    )
    stream.dictionary["Filter"] = PDFName("FlateDecode")
    spec = PDFDictionary({
        "Type": PDFName("Filespec"), "F": PDFString(name), "UF": PDFString(name),
        "EF": PDFDictionary({"F": doc.Reference(stream)}), "Desc": PDFString(description),
    })  # fmt: skip
    names = PDFArray([PDFString(name), doc.Reference(spec)])
    doc.Catalog.Names = PDFDictionary({"EmbeddedFiles": PDFDictionary({"Names": names})})


def render_pdf(
    note: Note,
    signatures: Sequence[Signature] | None = None,
    *,
    sheets: Iterable[int] = ALL_SHEETS,
    signed: SignedNote | None = None,
    synthetic: bool | None = None,
    lang: str | None = None,
) -> bytes:
    """The chosen sheets of ``note`` (front and reverse of each) as one A4 PDF.

    ``signed``: the note's whole signed history to embed (defaults to this version with
    ``signatures``); the printed version must be its last one. ``synthetic``: print the
    "synthetic demo data" footer (``None``: decided by :func:`is_synthetic`). ``lang``: ``kk``,
    ``tg`` (with Russian) or ``ru`` (alone); ``None``/``auto``: from the departure railway.
    """
    titles = Titles(print_languages(note, lang))
    chosen = [SHEETS[s] for s in sorted(set(sheets))]
    if not chosen:
        raise ValidationFailed("Choose at least one sheet.", code="notes.sheets", field="sheets")
    if signed is None:
        signed = SignedNote(versions=[SignedVersion(note=note, signatures=list(signatures or []))])
    if signatures is None and signed.versions:
        signatures = signed.versions[-1].signatures
    synthetic = is_synthetic(note) if synthetic is None else synthetic
    qr_text = qr_payload(note, signatures)
    form_font = font()
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4, pageCompression=1, invariant=1)
    canvas.setTitle(f"Накладная СМГС {note.consignment_number or note.note_id} v{note.version}")
    canvas.setSubject(qr_text)
    canvas.setAuthor("Temir")
    canvas.setKeywords(f"SMGS; {qr_text}" + ("; synthetic" if synthetic else ""))
    canvas.setCreator("Temir (temir.notes.pdf)")
    canvas.setProducer(f"Temir; print languages {'+'.join(titles.langs)}")
    page = Page(canvas, form_font, titles)
    total = 2 * len(chosen)
    number = 0
    for sheet in chosen:
        for side, draw in (("front", draw_front), ("reverse", draw_reverse)):
            number += 1
            key = f"sheet{sheet.number}{'f' if draw is draw_front else 'r'}"
            canvas.bookmarkPage(key)
            canvas.addOutlineEntry(f"{sheet.label} — {titles.get(side, 'ru')}", key, level=0)
            header(page, note, sheet, side, qr_text)
            if draw is draw_front:
                draw_front(page, note, qr_text)
            else:
                draw_reverse(page, note)
            footer(page, note, sheet, synthetic, number, total)
            canvas.showPage()
    data = signed.model_dump_json(exclude_none=True).encode("utf-8")
    _attach(canvas, ATTACHMENT, data, "Signed SMGS note (temir-smgs-signed/1)")
    canvas.save()
    return buf.getvalue()


# --- reading our PDFs back (pure Python, no PDF library) --------------------------------------
MAX_PDF_BYTES: Final = 20_000_000
_EMBEDDED = re.compile(
    rb"<<(?:(?!>>).)*?/Type\s*/EmbeddedFile(?:(?!>>).)*>>\s*stream\r?\n", re.DOTALL
)
_LENGTH = re.compile(rb"/Length\s+(\d+)(?!\s+\d+\s+R)")


def _no_note() -> ValidationFailed:
    return ValidationFailed(
        "The PDF carries no signed Temir note (was it printed by Temir?).",
        code="notes.pdf_no_note",
        field="file",
    )


def embedded_signed_note(pdf: bytes) -> bytes:
    """The ``note.signed.json`` a Temir PDF carries, as bytes (then parsed by the caller).

    Reads the embedded-file stream this module writes (Flate-compressed, direct ``/Length``);
    a PDF re-saved by another program may store it differently and is refused clearly.
    """
    if not pdf.startswith(b"%PDF") or len(pdf) > MAX_PDF_BYTES:
        raise _no_note()
    match = _EMBEDDED.search(pdf)
    if match is None:
        raise _no_note()
    length = _LENGTH.search(match.group(0))
    if length is None:
        raise _no_note()
    raw = pdf[match.end() : match.end() + int(length.group(1))]
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(raw, MAX_PDF_BYTES)
    except zlib.error as exc:
        raise _no_note() from exc
    if inflater.unconsumed_tail:
        raise _no_note()
    return data
