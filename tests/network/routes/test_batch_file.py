"""``temir route --pairs`` through DuckDB writes what the row-by-row version wrote."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from temir.kit.errors import ValidationFailed
from temir.network.provider import shipped_network
from temir.network.routes import batch_file, service
from temir.network.routing import Router


@pytest.fixture(scope="module")
def router() -> Router:
    return shipped_network().router


def _run(router: Router, src: Path, out: Path) -> list[dict[str, str]]:
    ticks: list[int] = []
    assert batch_file.route_file(router, src, out, ticks.append) >= 0
    assert sum(ticks) == batch_file.STEPS
    with out.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_every_row_matches_the_route_service(router: Router, tmp_path: Path) -> None:
    rng = random.Random(5)
    codes = sorted(router.code_railway)
    pairs = [(rng.choice(codes), rng.choice(codes)) for _ in range(500)]
    pairs += [(" 684001 ", "745309"), ("999999", "684001"), ("684001", ""), ("", "")]
    src = tmp_path / "in.csv"
    with src.open("w", encoding="utf-8-sig", newline="") as fh:  # with a BOM, as Excel saves
        writer = csv.writer(fh)
        writer.writerow(["ref", "from_esr", "to_esr", "note"])
        writer.writerows(
            [f"r{k}", a, b, 'x, "y"' if k % 7 else ""] for k, (a, b) in enumerate(pairs)
        )
    rows = _run(router, src, tmp_path / "out.csv")
    expected = list(service.batch_routes(router, pairs))
    assert len(rows) == len(pairs)
    assert list(rows[0]) == ["ref", "from_esr", "to_esr", "note", *batch_file.EXTRA]
    for k, (row, want) in enumerate(zip(rows, expected, strict=True)):
        assert row["ref"] == f"r{k}"
        assert (row["from_esr"], row["to_esr"]) == pairs[k]
        assert row["note"] == ('x, "y"' if k % 7 else "")
        assert row["km"] == ("" if want.km is None else str(want.km))
        assert (row["km_by_railway"], row["borders"], row["error"]) == (
            want.km_by_railway,
            want.borders,
            want.error,
        )
        assert row["tariff_by_railway"] == want.tariff_by_railway
    assert rows[-4]["km_by_railway"] == "KZH:2213;UTI:875;TDZ:63"
    assert rows[-4]["tariff_by_railway"] == "KZH:national;UTI:transit;TDZ:national"
    assert rows[-3]["error"] == "route.unknown_station:from"
    assert rows[-2]["error"] == "route.unknown_station:to"


def test_existing_result_columns_are_replaced_in_place(router: Router, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("km,from_esr,to_esr\nold,684001,745309\n", encoding="utf-8")
    rows = _run(router, src, tmp_path / "out.csv")
    assert list(rows[0]) == [
        "km",
        "from_esr",
        "to_esr",
        "km_by_railway",
        "tariff_by_railway",
        "borders",
        "error",
    ]
    assert rows[0]["km"] == "3151"


def test_missing_columns_are_refused_and_nothing_is_written(router: Router, tmp_path: Path) -> None:
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text("a,b\n684001,745309\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught:
        batch_file.route_file(router, src, out, lambda _n: None)
    assert caught.value.code == "route.pairs_columns"
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [src]


def test_a_header_only_file_gives_a_header_only_answer(router: Router, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("from_esr,to_esr\n", encoding="utf-8")
    assert _run(router, src, tmp_path / "out.csv") == []
    assert (tmp_path / "out.csv").read_text(encoding="utf-8").startswith("from_esr,to_esr,km,")


def test_an_unreadable_file_is_a_user_error(router: Router, tmp_path: Path) -> None:
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_bytes(b'from_esr,to_esr\n"684001,745309\n')
    with pytest.raises(ValidationFailed) as caught:
        batch_file.route_file(router, src, out, lambda _n: None)
    assert (caught.value.code, caught.value.field) == ("route.pairs_file", "pairs")
    assert not out.exists()


def test_a_large_file_keeps_its_row_order(router: Router, tmp_path: Path) -> None:
    """Beyond DuckDB's row groups (122,880 rows) and its threads the rows stay in file order."""
    codes = sorted(router.code_railway)
    src = tmp_path / "in.csv"
    n = 300_000
    with src.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["from_esr", "to_esr", "ref"])
        writer.writerows([codes[k % len(codes)], codes[(k * 7) % len(codes)], k] for k in range(n))
    rows = _run(router, src, tmp_path / "out.csv")
    assert [int(r["ref"]) for r in rows] == list(range(n))
    assert all(r["from_esr"] == codes[int(r["ref"]) % len(codes)] for r in rows)
