"""The import's fast path (used at scale) changes speed, never outcome: for every row it either
declines (None) or returns exactly what the full row check returns."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from temir.stats import data
from temir.stats.volumes import imports

GROUPS = set(data.commodity_groups())
GOOD: dict[str, Any] = {
    "consignment_no": "H-1",
    "departure_date": "2024-05-04",
    "origin_esr": "684001",
    "origin_railway": "KZH",
    "origin_country": "KZ",
    "destination_esr": "745309",
    "destination_railway": "TDZ",
    "destination_country": "TJ",
    "commodity_group": "grain",
    "wagons": "2",
    "mass_kg": "134000",
    "arrival_date": "2024-05-12",
    "route_countries": "KZ,UZ,TJ",
    "route_railways": "KZH;UTI;TDZ",
    "border_crossings": "704101/720602 736206/746000",
    "etsng": "011005",
    "gng": "10019900",
    "containers_teu": "",
    "tariff_km": "2871",
}
ODD = ["", " ", "x", "0", "-1", "12a", "2024-13-01", "2024-05-01", "KZ", "KZH", "KZ,,UZ",
       "704101/720602  ", "1.5", "00", " 684001 ", "Grain", None, "٣"]  # fmt: skip


def same_or_declined(row: dict[str, Any]) -> None:
    fast = imports._fast_row(row, "import:t.csv", GROUPS)
    slow = imports.parse_row(2, row, "import:t.csv", GROUPS)
    assert fast is None or fast == slow, (row, fast, slow)


def test_a_good_row_takes_the_fast_path_to_the_same_fact() -> None:
    fast = imports._fast_row(GOOD, "import:t.csv", GROUPS)
    assert fast is not None
    assert fast == imports.parse_row(2, GOOD, "import:t.csv", GROUPS)
    assert fast.route_railways == ("KZH", "UTI", "TDZ")
    assert fast.containers_teu == 0


def test_every_single_odd_value_in_every_column() -> None:
    for column in imports.COLUMNS:
        for value in ODD:
            same_or_declined({**GOOD, column: value})


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(imports.COLUMNS),
        st.one_of(st.sampled_from(ODD), st.text(max_size=12), st.integers(-5, 10**6)),
        max_size=6,
    )
)
def test_random_damage_never_changes_the_outcome(damage: dict[str, Any]) -> None:
    same_or_declined({**GOOD, **damage})
