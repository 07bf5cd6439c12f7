"""The data-quality report lists the disagreements README.md counts."""

from __future__ import annotations

from collections import Counter

from temir.network.routing.loader import shipped
from temir.network.routing.quality import disagreements


def test_disagreement_counts_match_the_readme() -> None:
    found = disagreements(shipped())
    count = Counter((d.railway, d.kind) for d in found)
    # README: 46 of 2,016 station->TP pairs on a common section differ (KZH + UTI).
    assert count[("KZH", "book2_vs_book1")] + count[("UTI", "book2_vs_book1")] == 46
    # README: TRK Book 3 differs from Book 1 in 123 cells.
    assert count[("TRK", "book3_vs_book1")] == 123
    # README: KZH Book 3 is 7 km longer (through Берлик I) in 51 pairs.
    kzh = [d for d in found if d.railway == "KZH" and d.kind == "book3_vs_book1"]
    assert len(kzh) == 51
    assert {d.delta for d in kzh} == {7}
