"""Offline verification of a note file, the PDF and the QR line, with public keys only."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from temir.cli import app
from temir.kit.errors import ValidationFailed
from temir.notes.model import Note
from temir.notes.paper.pdf import render_pdf
from temir.notes.paper.qr import QrPayload, parse_qr
from temir.notes.paper.sheets import qr_payload
from temir.notes.paper.verify import Kind, read_evidence, verify_evidence
from temir.notes.signatures import SignedNote, SignedVersion, digest, next_version, sign_note
from temir.signing.algorithms import Ed25519Signer
from temir.signing.keyring import KeyRing, load_keys, public_entry

AT = datetime(2026, 3, 2, tzinfo=UTC)
runner = CliRunner()


Chain = tuple[SignedNote, Ed25519Signer, Ed25519Signer]


@pytest.fixture
def chain(note: Note) -> Chain:
    consignor, kzh = Ed25519Signer.generate(), Ed25519Signer.generate()
    v2 = next_version(note, {"carrier_remarks": ["Принято к перевозке."]})
    signed = SignedNote(
        versions=[
            SignedVersion(note=note, signatures=[sign_note(note, consignor, signed_at=AT)]),
            SignedVersion(note=v2, signatures=[sign_note(v2, consignor, signed_at=AT,
                                                         signer_name="consignor"),
                                               sign_note(v2, kzh, signed_at=AT,
                                                         signer_name="KZH")]),
        ]
    )  # fmt: skip
    return signed, consignor, kzh


def _ring(*signers: Ed25519Signer) -> KeyRing:
    return KeyRing(public_entry(s, "org") for s in signers)


def test_qr_line_round_trip_with_awkward_ids() -> None:
    payload = QrPayload("id:with,odd/chars ü", 12, "ab" * 32, ("ed25519:00ff", "gost:1,2"))
    line = payload.encode()
    assert line.startswith("TEMIR1:")
    assert line.count(":") == 4
    assert parse_qr(line) == payload
    assert len(QrPayload("x", 1, "00" * 32).encode().split(":")[3]) == 43


@pytest.mark.parametrize(
    "line",
    ["TEMIR2:a:1:" + "A" * 43 + ":", "TEMIR1:a:0:" + "A" * 43 + ":", "TEMIR1:a:1:short:",
     "TEMIR1::1:" + "A" * 43 + ":", "TEMIR1:a:1:" + "A" * 43, "TEMIR1:" + "x" * 3000],
)  # fmt: skip
def test_bad_qr_lines_are_structured_errors(line: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        parse_qr(line)
    assert err.value.code == "notes.qr"


def test_pdf_verifies_itself_and_names_current_version(chain: Chain) -> None:
    signed, consignor, kzh = chain
    current = signed.versions[-1]
    pdf = render_pdf(current.note, current.signatures, signed=signed, sheets=[1])
    verdict = verify_evidence(read_evidence(pdf), _ring(consignor, kzh))
    assert verdict.kind == Kind.PDF
    assert verdict.valid
    assert verdict.report is not None
    assert verdict.report.current_version == 2


def test_changed_box_after_signing_names_the_signature(chain: Chain) -> None:
    signed, consignor, kzh = chain
    data = json.loads(signed.model_dump_json())
    data["versions"][1]["note"]["goods"][0]["mass_kg"] = 60_000
    verdict = verify_evidence(read_evidence(json.dumps(data).encode()), _ring(consignor, kzh))
    assert not verdict.valid
    body = verdict.to_dict("ru")
    failing = {(p["version"], p["key_id"]) for p in body["problems"]}
    assert failing == {(2, consignor.key_id), (2, kzh.key_id)}
    assert [s["valid"] for s in body["signatures"]] == [True, False, False]


def test_qr_alone_cannot_be_confirmed(chain: Chain) -> None:
    signed, consignor, _ = chain
    v1 = signed.versions[0]
    evidence = read_evidence(qr_payload(v1.note, v1.signatures).encode())
    verdict = verify_evidence(evidence, _ring(consignor))
    assert evidence.kind == Kind.QR
    assert not verdict.valid
    assert [f.code for f in verdict.findings] == ["qr.needs_note"]


def test_qr_against_the_note_flags_outdated_and_forged_paper(chain: Chain) -> None:
    signed, consignor, kzh = chain
    ring = _ring(consignor, kzh)
    v1, v2 = signed.versions
    old = verify_evidence(read_evidence(qr_payload(v1.note, v1.signatures).encode()), ring, signed)
    assert old.valid  # genuine, but not the current version: a warning
    assert [(f.code, f.warning) for f in old.findings] == [("qr.not_current", True)]
    current = verify_evidence(
        read_evidence(qr_payload(v2.note, v2.signatures).encode()), ring, signed
    )
    assert current.valid
    assert not current.findings
    forged = QrPayload(v2.note.note_id, 2, digest(v1.note), (consignor.key_id,)).encode()
    verdict = verify_evidence(read_evidence(forged.encode()), ring, signed)
    assert not verdict.valid
    assert "qr.digest_mismatch" in [f.code for f in verdict.findings]
    unknown = QrPayload(v2.note.note_id, 2, digest(v2.note), ("ed25519:feedfeedfeedfeed",))
    verdict = verify_evidence(read_evidence(unknown.encode().encode()), ring, signed)
    assert [f.code for f in verdict.findings] == ["qr.unknown_key"]


def test_keys_in_all_three_formats(chain: Chain) -> None:
    _, consignor, _ = chain
    entry = public_entry(consignor, "consignor").model_dump()
    short = {"keys": [{"key_id": entry["key_id"], "org": "consignor",
                       "public_key": entry["public_key"]}]}  # fmt: skip
    api = {"keys": [{**entry, "organisation": "consignor", "current": True, "owner": None}]}
    for value in ([entry], short, api):
        assert load_keys(value).get(consignor.key_id) is not None
    for bad in ({"keys": "x"}, [1], [{"key_id": 5}], "text"):
        with pytest.raises(ValidationFailed):
            load_keys(bad)


def test_unknown_input_is_refused() -> None:
    for data in (b"hello", b"\xff\xfe", b"{not json", b'{"versions": 3}'):
        with pytest.raises(ValidationFailed):
            read_evidence(data)


# --- CLI ---------------------------------------------------------------------------------------
def _files(tmp_path: Path) -> tuple[Path, Path]:
    out = runner.invoke(app, ["notes", "demo-signed", str(tmp_path)])
    assert out.exit_code == 0, out.output
    return tmp_path / "note.signed.json", tmp_path / "keys.json"


def test_cli_pdf_then_verify_the_pdf_offline(tmp_path: Path) -> None:
    note, keys = _files(tmp_path)
    pdf = tmp_path / "note.pdf"
    out = runner.invoke(app, ["notes", "pdf", str(note), "-o", str(pdf), "--sheets", "1,4"])
    assert out.exit_code == 0, out.output
    out = runner.invoke(app, ["notes", "verify", str(pdf), "--keys", str(keys), "--json"])
    assert out.exit_code == 0, out.output
    body = json.loads(out.stdout)
    assert (body["kind"], body["valid"], body["current_version"]) == ("pdf", True, 2)
    # without the keys nothing can be trusted
    out = runner.invoke(app, ["notes", "verify", str(pdf), "--json"])
    assert out.exit_code == 1
    assert {p["code"] for p in json.loads(out.stdout)["problems"]} == {"signature.unknown_key"}


def test_cli_verify_qr_line_against_the_note(tmp_path: Path) -> None:
    note, keys = _files(tmp_path)
    signed = SignedNote.model_validate_json(note.read_text())
    v2 = signed.versions[1]
    line = qr_payload(v2.note, v2.signatures)
    args = ["notes", "verify", line, "--keys", str(keys), "--note", str(note), "--json"]
    out = runner.invoke(app, args)
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["qr"]["version"] == 2
    out = runner.invoke(app, ["notes", "verify", line, "--json"])
    assert out.exit_code == 1
    assert json.loads(out.stdout)["findings"][0]["code"] == "qr.needs_note"


def test_cli_bad_inputs_exit_1_with_codes(tmp_path: Path) -> None:
    note, _keys = _files(tmp_path)
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.7 nothing here")
    out = runner.invoke(app, ["notes", "verify", str(junk), "--json"])
    assert out.exit_code == 1
    assert json.loads(out.stdout)["error"]["code"] == "notes.pdf_no_note"
    out = runner.invoke(app, ["notes", "pdf", str(note), "-o", str(tmp_path / "x.pdf"),
                              "--sheets", "9"])  # fmt: skip
    assert out.exit_code == 1
    assert "notes.sheets" in out.output
    out = runner.invoke(app, ["notes", "pdf", str(note), "-o", str(tmp_path / "x.pdf"),
                              "--lang", "zh"])  # fmt: skip
    assert out.exit_code == 1
    assert "notes.print_language" in out.output
    assert not (tmp_path / "x.pdf").exists()


def test_cli_export_xml_and_import_xml(tmp_path: Path) -> None:
    note, _ = _files(tmp_path)
    xml = tmp_path / "note.xml"
    out = runner.invoke(app, ["notes", "export", str(note), "--format", "xml", "-o", str(xml)])
    assert out.exit_code == 0, out.output
    assert b"<rwb:RailwayBill" in xml.read_bytes()
    out = runner.invoke(app, ["notes", "import-xml", str(xml), "--json"])
    assert out.exit_code == 0, out.output
    body = json.loads(out.stdout)
    signed = SignedNote.model_validate_json(note.read_text())
    assert Note.model_validate(body["note"]) == signed.versions[-1].note
    assert body["valid"] is True
    out = runner.invoke(app, ["notes", "export", str(note), "--format", "json"])
    assert SignedNote.model_validate_json(out.stdout) == signed
    bomb = tmp_path / "bomb.xml"
    bomb.write_bytes(b'<!DOCTYPE a [<!ENTITY a "aaaa">]><a>&a;</a>')
    out = runner.invoke(app, ["notes", "import-xml", str(bomb), "--json"])
    assert out.exit_code == 1
    assert json.loads(out.stdout)["error"]["code"] == "notes.xml_doctype"


def test_import_xml_stdout_is_json_alone_with_or_without_json(tmp_path: Path) -> None:
    """The verdict line used to be mixed into the JSON on stdout; now stdout always parses."""
    note, _ = _files(tmp_path)
    xml = tmp_path / "note.xml"
    runner.invoke(app, ["notes", "export", str(note), "--format", "xml", "-o", str(xml)])
    as_json = runner.invoke(app, ["notes", "import-xml", str(xml), "--json"])
    assert as_json.exit_code == 0, as_json.output
    assert set(json.loads(as_json.stdout)) == {"note", "valid", "issues"}
    plain = runner.invoke(app, ["notes", "import-xml", str(xml)])
    assert plain.exit_code == 0, plain.output
    assert Note.model_validate(json.loads(plain.stdout)).note_id is not None
    assert "valid" in plain.stderr
