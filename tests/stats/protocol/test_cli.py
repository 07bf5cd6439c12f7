"""``temir stats forecast | plan | protocol`` end to end through the CLI (both backends)."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from temir.cli import app
from temir.kit import clock, runtime
from temir.kit.db import UnitOfWork
from temir.kit.settings import Settings
from temir.stats.plans import repository as plan_repository
from temir.stats.protocol import repository as protocol_repository
from temir.stats.volumes import repository
from tests.stats.conftest import SECRET
from tests.stats.plans.test_service import fact

SOURCE = "test:cli"


@pytest.fixture
def cli(
    stats_engine: Engine, stats_uow: UnitOfWork, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> CliRunner:
    url = stats_engine.url.render_as_string(hide_password=False)
    settings = Settings(url, tmp_path, SECRET, "127.0.0.1", 8000, False)
    monkeypatch.setattr(runtime, "settings", lambda: settings)
    facts = [
        fact("C1", date(2039, 5, 1), "KG", "TM", 800_000, "cement"),
        fact("C2", date(2040, 5, 1), "KG", "TM", 1_000_000, "cement"),
        fact("C3", date(2041, 2, 1), "KG", "TM", 300_000, "cement"),
    ]
    facts = [dataclasses.replace(f, source=SOURCE) for f in facts]
    with stats_uow() as session:
        repository.delete_source(session, SOURCE)
        for year in (2040, 2041):
            row = protocol_repository.protocol_row(session, f"{year}-KG-TM")
            if row is not None:
                protocol_repository.delete_protocol(session, row)
        plan_repository.delete_plan(session, 2041, "KG", "TM")
        repository.insert_facts(session, facts, clock.now())
    return CliRunner()


def run(cli: CliRunner, *args: str, code: int = 0) -> str:
    result = cli.invoke(app, list(args), env={"TEMIR_LANG": "en", "COLUMNS": "200"})
    assert result.exit_code == code, result.output
    return result.stdout


def test_plan_protocol_sign_verify_and_check(
    cli: CliRunner, tmp_path: Path, railways: dict[str, str]
) -> None:
    pair = ["--between", "KG", "TM"]
    forecast = json.loads(run(cli, "stats", "forecast", "--year", "2041", *pair, "--json"))
    assert forecast["history_years"] == [2039, 2040]
    assert forecast["total"]["tonnes"] == 1_250  # 1,000 t × (1,000 / 800)
    assert forecast["caveats"]
    run(cli, "stats", "plan", "set", "--year", "2041", *pair, "--direction", "export",
        "--commodity", "cement", "--tonnes", "1200")  # fmt: skip
    shown = json.loads(run(cli, "stats", "plan", "show", "--year", "2041", *pair, "--json"))
    assert shown["total"]["plan_tonnes"] == 1_200
    assert shown["total"]["actual_tonnes"] == 300

    run(cli, "stats", "protocol", "create", "--year", "2040", *pair, "--note", "Agreed.")
    outsider = run(cli, "stats", "protocol", "sign", "--year", "2040", *pair, "--as", "t-kzh",
                   "--json", code=1)  # fmt: skip
    assert json.loads(outsider)["error"]["code"] == "stats.protocol.not_a_party_member"
    for user, party in (("t-krg", "KRG"), ("t-trk", "TRK")):
        signed = json.loads(run(cli, "stats", "protocol", "sign", "--year", "2040", *pair,
                                "--as", user, "--json"))  # fmt: skip
        assert (signed["role"], signed["signer"]) == (party, user)
    verified = json.loads(
        run(cli, "stats", "protocol", "verify", "--year", "2040", *pair, "--json")
    )
    assert verified["valid"] is True
    assert [p["party"] for p in verified["parties"]] == ["KRG", "TRK"]

    exported = tmp_path / "protocol.json"
    run(cli, "stats", "protocol", "export", "--year", "2040", *pair, "-o", str(exported))
    keyring = json.loads(run(cli, "keys", "list", "--json"))
    (tmp_path / "keys.json").write_text(json.dumps({"keys": keyring}), encoding="utf-8")
    offline = json.loads(run(cli, "stats", "protocol", "verify", "--file", str(exported),
                             "--keys", str(tmp_path / "keys.json"), "--json"))  # fmt: skip
    assert offline["valid"] is True
    krg_only = [k for k in keyring if k["organisation"] == "t-krg"]
    (tmp_path / "krg.json").write_text(json.dumps(krg_only), encoding="utf-8")
    partial = run(cli, "stats", "protocol", "verify", "--file", str(exported),
                  "--keys", str(tmp_path / "krg.json"), "--json", code=1)  # fmt: skip
    assert [p["problem"] for p in json.loads(partial)["parties"]] == [None, "protocol.unknown_key"]
    half = run(cli, "stats", "protocol", "verify", "--file", str(exported), "--json", code=1)
    assert json.loads(half)["error"]["code"] == "stats.protocol.offline"

    run(cli, "stats", "protocol", "pdf", "--year", "2040", *pair, "--lang", "en",
        "-o", str(tmp_path / "p.pdf"))  # fmt: skip
    assert (tmp_path / "p.pdf").read_bytes().startswith(b"%PDF-")
    run(cli, "stats", "protocol", "xlsx", "--year", "2040", *pair, "-o", str(tmp_path / "p.xlsx"))
    book = load_workbook(tmp_path / "p.xlsx")
    cement = next(r for r in book["results"].iter_rows(values_only=True) if r and r[2] == "cement")
    assert cement[3:5] == (800, 1_000)

    checked = json.loads(run(cli, "stats", "protocol", "check", "--year", "2041", *pair, "--json"))
    assert checked["plan_source"] == "protocol 2040-KG-TM"
    assert checked["total"]["plan_tonnes"] == 1_200
    assert checked["fulfilment_to_date_pct"] == 150.0  # 300 t against Jan–Feb plan of 200 t
    refused = run(cli, "stats", "protocol", "create", "--year", "2040", *pair, "--replace",
                  "--json", code=1)  # fmt: skip
    assert json.loads(refused)["error"]["code"] == "stats.protocol.signed"
