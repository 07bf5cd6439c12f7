"""The printed sheets: six SMGS sheets or a choice, fonts, QR line, embedded signed note."""

from __future__ import annotations

import re
import zlib
from datetime import UTC, datetime

import pytest

from temir.kit.errors import ValidationFailed
from temir.notes.model import Note
from temir.notes.paper.pdf import embedded_signed_note, render_pdf
from temir.notes.paper.qr import parse_qr
from temir.notes.paper.sheets import SHEETS, is_synthetic, parse_sheets, qr_payload
from temir.notes.signatures import SignedNote, digest, sign_note
from temir.signing.algorithms import Ed25519Signer

AT = datetime(2026, 3, 2, tzinfo=UTC)


def _streams(pdf: bytes) -> list[bytes]:
    """Every Flate stream of the PDF, inflated (pure Python: enough for our own files)."""
    out = []
    for m in re.finditer(rb"stream\r?\n", pdf):
        try:
            out.append(zlib.decompressobj().decompress(pdf[m.end() : m.end() + 2_000_000]))
        except zlib.error:
            continue
    return out


_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _literal(raw: bytes) -> bytes:
    """A PDF literal string's bytes: octal and character escapes resolved."""

    def unescape(m: re.Match[bytes]) -> bytes:
        tail = m.group(1)
        if tail[:1].isdigit():
            return bytes([int(tail, 8)])
        return _ESCAPES.get(tail, tail)

    return re.sub(rb"\\([0-7]{1,3}|.)", unescape, raw, flags=re.DOTALL)


def _outline_titles(pdf: bytes) -> list[str]:
    """Outline entry titles (UTF-16BE strings after /Title) — one per page, naming the sheet."""
    titles = []
    for raw in re.findall(rb"/Title\s*\(((?:\\.|[^\\)])*)\)", pdf, re.DOTALL):
        text = _literal(raw)
        if text.startswith(b"\xfe\xff"):
            titles.append(text[2:].decode("utf-16-be"))
    return titles


def test_all_six_sheets_front_and_reverse_each_named(note: Note) -> None:
    pdf = render_pdf(note)
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 12
    titles = [t for t in _outline_titles(pdf) if t.startswith("Лист")]
    assert len(titles) == 12
    for number, sheet in SHEETS.items():
        mine = [t for t in titles if t.startswith(f"Лист {number} ")]
        assert len(mine) == 2, number
        assert sheet.name_ru in mine[0]
        assert sheet.receiver_ru in mine[0]
    assert any("Дорожная ведомость" in t for t in titles)
    assert any("Лист уведомления о прибытии груза (для получателя)" in t for t in titles)


def test_a_chosen_subset_of_sheets(note: Note) -> None:
    titles = [t for t in _outline_titles(render_pdf(note, sheets=[4, 1])) if t.startswith("Лист")]
    assert [t.split(" · ")[0] for t in titles] == ["Лист 1", "Лист 1", "Лист 4", "Лист 4"]
    assert len(re.findall(rb"/Type\s*/Page[^s]", render_pdf(note, sheets=[2]))) == 2


def test_parse_sheets() -> None:
    assert parse_sheets("1,4") == (1, 4)
    assert parse_sheets(" 4, 1,4 ") == (1, 4)
    assert parse_sheets("all") == (1, 2, 3, 4, 5, 6)
    for bad in ("0", "7", "1,x", "1;2"):
        with pytest.raises(ValidationFailed) as err:
            parse_sheets(bad)
        assert err.value.code == "notes.sheets"


KAZAKH = "әғқңөұүһі ӘҒҚҢӨҰҮҺІ"
TAJIK = "ӣӯҳҷ ӢӮҲҶ ғқ"


def test_kazakh_and_tajik_letters_are_in_the_embedded_font(note: Note) -> None:
    """The embedded font's ToUnicode map lists every glyph drawn, so each letter has a glyph."""
    note.consignor.address = KAZAKH
    note.consignee.address = TAJIK
    pdf = render_pdf(note, sheets=[1])
    assert b"DejaVuSansCondensed" in pdf
    cmaps = b"".join(s for s in _streams(pdf) if b"begincmap" in s).upper()
    for letter in (KAZAKH + TAJIK + "Латиница Latin").replace(" ", ""):
        assert f"<{ord(letter):04X}>".encode() in cmaps, letter


def test_qr_line_names_id_version_digest_and_signers(note: Note) -> None:
    a, b = Ed25519Signer.generate(), Ed25519Signer.generate()
    sigs = [sign_note(note, s, signed_at=AT) for s in (a, b)]
    payload = parse_qr(qr_payload(note, sigs))
    assert payload.note_id == note.note_id
    assert payload.version == note.version
    assert payload.digest == digest(note)
    assert payload.key_ids == (a.key_id, b.key_id)


def test_pdf_carries_qr_line_and_the_signed_note(note: Note) -> None:
    signer = Ed25519Signer.generate()
    sig = sign_note(note, signer, signed_at=AT, signer_name="consignor")
    pdf = render_pdf(note, [sig], sheets=[1])
    line = qr_payload(note, [sig])
    assert line.encode() in pdf  # in the document info (Subject, Keywords)
    signed = SignedNote.model_validate_json(embedded_signed_note(pdf))
    assert signed.versions[0].note == note
    assert signed.versions[0].signatures == [sig]


def test_synthetic_footer_only_for_demo_data(note: Note) -> None:
    assert is_synthetic(note)
    real = note.model_copy(deep=True)
    real.note_id = "a2b7e3d0-0000-4000-8000-00000000abcd"
    real.consignor.name = "ТОО «Зерно»"
    real.consignee.name = "ООО «Нон»"
    for wagon in real.wagons:
        wagon.owner = "АО «Вагоны»"
    assert not is_synthetic(real)
    assert b"; synthetic" in render_pdf(note, sheets=[1])
    assert b"; synthetic" not in render_pdf(real, sheets=[1])


def test_pdf_without_a_note_is_refused() -> None:
    for data in (b"%PDF-1.4\n%%EOF", b"not a pdf", b"%PDF" + b"\x00" * 100):
        with pytest.raises(ValidationFailed) as err:
            embedded_signed_note(data)
        assert err.value.code == "notes.pdf_no_note"
