"""``temir notes``: example, validate (exit codes, JSON shape), verify."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from temir.cli import app

runner = CliRunner()


def test_example_json_validates_with_exit_0(tmp_path: Path) -> None:
    out = runner.invoke(app, ["notes", "example", "--json"])
    assert out.exit_code == 0
    note = json.loads(out.stdout)
    assert note["departure"]["esr"] == "684001"
    assert note["destination"]["esr"] == "745309"
    path = tmp_path / "note.json"
    path.write_text(out.stdout, encoding="utf-8")
    result = runner.invoke(app, ["notes", "validate", str(path), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"valid": True, "issues": []}


def test_validate_broken_note_exits_1_with_issues(tmp_path: Path) -> None:
    note = json.loads(runner.invoke(app, ["notes", "example", "--json"]).stdout)
    note["goods"][0]["gng"] = "1001"
    path = tmp_path / "note.json"
    path.write_text(json.dumps(note), encoding="utf-8")
    result = runner.invoke(app, ["notes", "validate", str(path), "--json"])
    assert result.exit_code == 1
    body = json.loads(result.stdout)
    assert body["valid"] is False
    assert {"rule": "N-015-GNG", "box": 15, "severity": "error"}.items() <= body["issues"][
        0
    ].items()
    assert set(body["issues"][0]) >= {"rule", "box", "severity", "message"}


def test_validate_broken_json_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"goods": [', encoding="utf-8")
    result = runner.invoke(app, ["notes", "validate", str(path), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["issues"][0]["rule"] == "N-000-JSON"
    missing = runner.invoke(app, ["notes", "validate", str(tmp_path / "nope.json"), "--json"])
    assert missing.exit_code == 1
    assert json.loads(missing.stdout)["issues"][0]["rule"] == "N-000-READ"


def test_verify_signed_demo_and_detect_tampering(tmp_path: Path) -> None:
    assert runner.invoke(app, ["notes", "demo-signed", str(tmp_path)]).exit_code == 0
    signed, keys = tmp_path / "note.signed.json", tmp_path / "keys.json"
    ok = runner.invoke(app, ["notes", "verify", str(signed), "--keys", str(keys), "--json"])
    assert ok.exit_code == 0
    assert json.loads(ok.stdout)["current_version"] == 2
    data = json.loads(signed.read_text(encoding="utf-8"))
    data["versions"][1]["note"]["destination"]["esr"] = "745205"
    signed.write_text(json.dumps(data), encoding="utf-8")
    bad = runner.invoke(app, ["notes", "verify", str(signed), "--keys", str(keys), "--json"])
    assert bad.exit_code == 1
    problems = json.loads(bad.stdout)["problems"]
    assert {(p["code"], p["version"]) for p in problems} == {("signature.changed", 2)}
