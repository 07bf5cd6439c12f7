"""check(kind, code): the registry of kinds and the shape front ends receive."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

from temir.codes import KINDS, CodeCheck, check

VALID = {
    "esr": ("888004", "888004"),
    "etsng": ("011005", "011005"),
    "gng": ("10019900", "10019900"),
    "wagon": ("24119703", "24119703"),
    "uic-wagon": ("21-81-2471217-3", "218124712173"),
    "container": ("csqu 305438 3", "CSQU3054383"),
    "railway": ("кзх", "27"),
}

INVALID = {
    "esr": ("888005", "esr.check_digit"),
    "etsng": ("011006", "etsng.check_digit"),
    "gng": ("1001990", "gng.format"),
    "wagon": ("24119704", "wagon.check_digit"),
    "uic-wagon": ("21-81-2471217-4", "uic.check_digit"),
    "container": ("MSCU6639871", "container.check_digit"),
    "railway": ("XX", "railway.unknown"),
}


def test_registry_has_exactly_the_documented_kinds() -> None:
    assert set(KINDS) == {"esr", "etsng", "gng", "wagon", "uic-wagon", "container", "railway"}


@pytest.mark.parametrize("kind", sorted(VALID))
def test_valid_code_of_every_kind(kind: str) -> None:
    text, normalized = VALID[kind]
    result = check(kind, text)
    assert result == CodeCheck(kind, text, normalized, True, ())


@pytest.mark.parametrize("kind", sorted(INVALID))
def test_invalid_code_of_every_kind(kind: str) -> None:
    text, code = INVALID[kind]
    result = check(kind, text)
    assert result.valid is False
    assert result.normalized is None
    assert [p.code for p in result.problems] == [code]
    assert all(p.field == kind for p in result.problems)


def test_to_dict_shape_and_messages() -> None:
    body = check("esr", "888005").to_dict("ru")
    assert body["code"] == "888005"
    assert body["kind"] == "esr"
    assert body["valid"] is False
    assert body["normalized"] is None
    [error] = body["errors"]
    assert error["code"] == "esr.check_digit"
    assert error["rule"] == "check_digit"
    assert error["messages"]["en"] == "The ESR check digit is 5, expected 4."
    assert set(error["messages"]) == {"en", "ru", "kk", "tg"}  # every language Temir ships
    assert error["messages"]["kk"] == "ЕСР кодының бақылау цифры 5, ал 4 болуы керек."
    assert error["messages"]["tg"] == "Рақами назоратии коди ЕСР 5 аст, аммо бояд 4 бошад."
    ru = error["messages"]["ru"]
    assert error["message"] == ru
    assert ru != error["messages"]["en"]
    assert "5" in ru
    assert "4" in ru
    assert any("а" <= ch <= "я" for ch in ru.lower())


def test_to_dict_of_a_valid_code_has_no_errors() -> None:
    assert check("wagon", "24119703").to_dict() == {
        "code": "24119703",
        "kind": "wagon",
        "valid": True,
        "normalized": "24119703",
        "errors": [],
    }


def test_unknown_kind_is_a_problem_not_an_exception() -> None:
    result = check("isbn", "123")
    assert result.valid is False
    assert result.normalized is None
    [problem] = result.problems
    assert problem.code == "codes.unknown_kind"
    assert problem.params["kind"] == "isbn"
    assert "esr" in problem.message("en")
    assert result.to_dict("ru")["errors"][0]["code"] == "codes.unknown_kind"


def test_code_check_is_frozen() -> None:
    result = check("esr", "888004")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.valid = False  # type: ignore[misc]


def test_package_is_pure() -> None:
    # Importing and using every checker must not pull in I/O frameworks.
    program = (
        "import sys\n"
        "from temir.codes import KINDS, check\n"
        "for kind in KINDS: check(kind, '0')\n"
        "banned = {'sqlalchemy', 'fastapi', 'httpx', 'typer', 'jinja2', 'starlette'}\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & banned))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize(
    ("kind", "text", "code"),
    [
        # each passes its check digit (0 is the check digit of 0…0) but names nothing
        ("esr", "000000", "esr.all_zero"),
        ("etsng", "000000", "etsng.all_zero"),
        ("wagon", "00000000", "wagon.all_zero"),
        ("uic-wagon", "000000000000", "uic.all_zero"),
        ("uic-wagon", "00 00 000 0 000-0", "uic.all_zero"),
        ("gng", "00000000", "gng.all_zero"),  # an unnamed row of the shipped list
    ],
)
def test_all_zero_codes_are_refused(kind: str, text: str, code: str) -> None:
    problems = check(kind, text).problems
    assert [p.code for p in problems] == [code]
    assert "0000" in problems[0].message("ru")
    assert problems[0].message("ru") != problems[0].message("en")


def test_a_single_nonzero_digit_is_checked_as_before() -> None:
    # 000019: body 00001 → weights 1..5 give 5 → check digit 5, so 000019 is a check-digit
    # error, not a zeros-only code
    assert [p.code for p in check("esr", "000019").problems] == ["esr.check_digit"]
    assert check("esr", "000015").problems == ()
