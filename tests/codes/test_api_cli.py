"""``temir codes check``: exit status and JSON shape."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from temir.cli import app

runner = CliRunner()


def test_all_valid_exits_zero_with_json_in_input_order() -> None:
    result = runner.invoke(app, ["codes", "check", "esr", "708507", "684001", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert [v["code"] for v in body] == ["708507", "684001"]
    assert all(v["valid"] and v["errors"] == [] for v in body)


def test_one_invalid_exits_non_zero_and_names_the_rule() -> None:
    result = runner.invoke(app, ["codes", "check", "wagon", "52171246", "52171247", "--json"])
    assert result.exit_code == 1
    body = json.loads(result.stdout)
    assert [v["valid"] for v in body] == [True, False]
    error = body[1]["errors"][0]
    assert error["code"] == "wagon.check_digit"
    assert error["message"]


def test_unknown_kind_is_an_invalid_verdict() -> None:
    result = runner.invoke(app, ["codes", "check", "nope", "1", "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)[0]["errors"][0]["code"] == "codes.unknown_kind"


def test_table_output() -> None:
    result = runner.invoke(app, ["codes", "check", "container", "CSQU3054383"])
    assert result.exit_code == 0, result.output
    assert "CSQU3054383" in result.stdout


# ADR 2017 Table A (github seerdaryilmazz/OOB insert_adr_class_details_2017.sql, line 2935):
# '1203','MOTOR SPIRIT or GASOLINE or PETROL','3','F1','II' — typed from the source, not the CSV.
def test_dangerous_lookup_names_the_entry_gasoline_is() -> None:
    result = runner.invoke(app, ["codes", "dangerous", "--gng", "27101245", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["dangerous"] is True
    assert [(e["un_number"], e["hazard_class"], e["packing_group"]) for e in body["entries"]] == [
        ("1203", "3", "II")
    ]
    assert body["entries"][0]["entry"] == "UN 1203 MOTOR SPIRIT or GASOLINE or PETROL"


def test_dangerous_lookup_of_wheat_finds_nothing_and_no_code_is_an_error() -> None:
    wheat = runner.invoke(app, ["codes", "dangerous", "--gng", "10019900", "--json"])
    assert json.loads(wheat.stdout) == {
        "etsng": None,
        "gng": "10019900",
        "dangerous": False,
        "entries": [],
    }
    bare = runner.invoke(app, ["codes", "dangerous", "--json"])
    assert bare.exit_code == 1
    assert json.loads(bare.stdout)["error"]["code"] == "dangerous.no_code"
