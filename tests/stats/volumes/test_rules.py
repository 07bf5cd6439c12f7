"""Direction rules relative to a country pair, on hand-made routes."""

from __future__ import annotations

import pytest

from temir.stats.volumes.model import Direction
from temir.stats.volumes.rules import change_pct, classify, quarter_of, share_pct


@pytest.mark.parametrize(
    ("origin", "destination", "route", "expected"),
    [
        ("KZ", "TJ", ("KZ", "UZ", "TJ"), Direction.EXPORT),
        ("TJ", "KZ", ("TJ", "UZ", "KZ"), Direction.IMPORT),
        ("RU", "TJ", ("RU", "KZ", "UZ", "TJ"), Direction.TRANSIT),  # Russian oil via KZ
        ("TJ", "RU", ("TJ", "UZ", "KZ", "RU"), Direction.TRANSIT),
        ("KZ", "AF", ("KZ", "UZ", "TJ", "AF"), Direction.TRANSIT),  # through B
        ("UZ", "TJ", ("UZ", "TJ"), None),  # one end in the pair, never touches KZ
        ("RU", "UZ", ("RU", "KZ", "UZ"), None),  # passes KZ, no end in the pair
        ("KZ", "KZ", ("KZ",), None),  # domestic
        ("TJ", "TJ", ("TJ", "UZ", "KZ", "UZ", "TJ"), None),
        ("CN", "RU", ("CN", "KZ", "RU"), None),
    ],
)
def test_direction_relative_to_kz_tj(
    origin: str, destination: str, route: tuple[str, ...], expected: Direction | None
) -> None:
    assert classify(origin, destination, route, "KZ", "TJ") == expected


def test_direction_is_seen_from_the_first_country() -> None:
    assert classify("KZ", "TJ", ("KZ", "UZ", "TJ"), "TJ", "KZ") is Direction.IMPORT


def test_a_pair_needs_two_countries() -> None:
    with pytest.raises(ValueError, match="two different"):
        classify("KZ", "TJ", ("KZ", "TJ"), "KZ", "KZ")


def test_change_and_share() -> None:
    assert change_pct(5_900_000, 5_125_977) == 15.1
    assert change_pct(2_600_000, 2_416_357) == 7.6
    assert change_pct(10, 0) is None
    assert share_pct(1, 4) == 25.0
    assert share_pct(1, 0) is None
    assert [quarter_of(m) for m in (1, 3, 4, 9, 10, 12)] == [1, 1, 2, 3, 4, 4]
