"""GNG codes: format, presence in the shipped nomenclature, names."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from temir.codes.gng import EDITION, check_gng, gng_codes, gng_name, parse_gng
from temir.kit.errors import ValidationFailed

ReadCsv = Callable[[str], list[dict[str, str]]]


@pytest.mark.parametrize(
    "code",
    [
        "10019900",  # wheat (domain.md §4.3)
        "27090090",  # crude oil (KTZ telegram 3172)
        " 10019900 ",
    ],
)
def test_listed_codes_are_valid(code: str) -> None:
    assert check_gng(code) == []
    assert parse_gng(code) == code.strip()


@pytest.mark.parametrize(
    "text", ["1001990", "100199000", "1001990A", "1001 9900", "１００１９９００", "1001-99-00"]
)
def test_malformed_codes_are_format_errors(text: str) -> None:
    [problem] = check_gng(text)
    assert problem.code == "gng.format"
    assert problem.field == "gng"


@pytest.mark.parametrize("text", ["", "  "])
def test_empty_code(text: str) -> None:
    assert [p.code for p in check_gng(text)] == ["gng.empty"]


def test_well_formed_code_absent_from_the_list_is_unknown(packaged_csv: ReadCsv) -> None:
    listed = {row["gng"] for row in packaged_csv("gng.csv")}
    absent = "99999999"
    assert absent not in listed  # checked against the CSV directly, not via the module
    [problem] = check_gng(absent)
    assert problem.code == "gng.unknown"
    assert problem.params["value"] == absent
    with pytest.raises(ValidationFailed) as caught:
        parse_gng(absent)
    assert caught.value.code == "gng.unknown"


def test_shipped_list_has_the_documented_size(packaged_csv: ReadCsv) -> None:
    rows = packaged_csv("gng.csv")
    # SOURCES.md: 12,286 codes, each 8 digits
    assert len(rows) == 12286
    assert gng_codes() == {row["gng"] for row in rows}
    assert all(len(code) == 8 and code.isascii() and code.isdigit() for code in gng_codes())


def test_every_gng_in_commodities_is_in_the_shipped_list(packaged_csv: ReadCsv) -> None:
    commodities = packaged_csv("commodities.csv")
    wanted = [row["gng"] for row in commodities]
    assert len(wanted) >= 20
    assert [code for code in wanted if check_gng(code)] == []


def test_names_agree_with_the_commodities_list(packaged_csv: ReadCsv) -> None:
    # commodities.csv carries its own GNG names: an independent source for the lookup
    truncated = " (name truncated in source)"
    for row in packaged_csv("commodities.csv"):
        name = row["gng_name_ru"]
        if name.endswith(truncated):
            assert (gng_name(row["gng"]) or "").startswith(name.removesuffix(truncated))
        elif name:
            assert gng_name(row["gng"]) == name, row["gng"]


def test_name_lookup() -> None:
    assert gng_name("10019900") == "Пшеница прочая и меслин, кроме семенных"
    assert gng_name("99999999") is None
    assert gng_name("01000000") == "Животные живые"


def test_edition_is_stated_as_unknown() -> None:
    assert "unknown" in EDITION


def test_sources_file_carries_provenance() -> None:
    from importlib import resources

    text = resources.files("temir").joinpath("data", "cargo", "SOURCES.md").read_text("utf-8")
    assert "Bazilio050/ady-calculator" in text
    assert "d24c608775d295c2bba3ac7ecf6b63460928dad3" in text
    assert "edition unknown" in text.lower()
