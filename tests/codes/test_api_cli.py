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
