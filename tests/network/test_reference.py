"""How TR-4 sections and border crossings become rows (pure: files in, rows out)."""

from __future__ import annotations

from temir.network import reference


def test_passenger_only_section_is_not_for_freight_and_ferry_has_no_km() -> None:
    sections = reference.build_sections(reference.DATA_DIR)
    passenger = [s for s in sections if not s["freight"]]
    assert [s["tr4_section"] for s in passenger] == ["68-089"]
    ferry = [s for s in sections if s["from_esr"] == "689409" and s["to_esr"] == "757005"]
    assert ferry[0]["km"] is None


def test_border_pairings_below_high_confidence_are_estimated() -> None:
    crossings = reference.build_border_crossings(reference.DATA_DIR)
    assert {c["confidence"] for c in crossings} == {"high", "medium", "low"}
    for c in crossings:
        assert c["estimated"] == (c["confidence"] != "high")
