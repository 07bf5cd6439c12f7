"""Observed border dwell beside a quote's km, days and charge. Pure.

Why apart: km, days and charge are the tariff's own figures (TR-4, the norms, the rates); the
dwell is *observed* — from the handover acts this installation has tracked (arrival at the
border point → act accepted) — so it is flagged as observed, with the number of wagons behind
each figure, and a crossing nobody has observed yet says so instead of showing zero. Tracking
computes it (it sits above tariff); entry points hand it in as a mapping keyed by
``(exit code, entry code)`` whose values have ``count``, ``median_hours``, ``mean_hours`` and
``p90_hours`` and ``synthetic`` (:class:`temir.tracking.dwell.DwellStat`): a figure drawn
from demo data is labelled synthetic, as all demo data is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

DWELL_MONTHS = 12
"""The window the observed figures cover (:func:`temir.tracking.borders.observed_dwell`)."""


def border_dwell(
    borders: Iterable[tuple[str, str | None]], observed: Mapping[tuple[str, str | None], Any]
) -> dict[str, Any]:
    """The ``border_dwell`` of one alternative: per crossing and in total."""
    crossings: list[dict[str, Any]] = []
    total = Decimal("0")
    samples = 0
    for exit_esr, entry_esr in borders:
        stat = observed.get((exit_esr, entry_esr))
        if stat is None:
            crossings.append({"exit_esr": exit_esr, "entry_esr": entry_esr, "observed": False,
                              "samples": 0, "median_hours": None, "mean_hours": None,
                              "p90_hours": None, "synthetic": False})  # fmt: skip
            continue
        total += Decimal(str(stat.median_hours))
        samples += int(stat.count)
        crossings.append({
            "exit_esr": exit_esr, "entry_esr": entry_esr, "observed": True,
            "samples": int(stat.count), "median_hours": str(stat.median_hours),
            "mean_hours": str(stat.mean_hours), "p90_hours": str(stat.p90_hours),
            "synthetic": bool(getattr(stat, "synthetic", False)),
        })  # fmt: skip
    seen = [c for c in crossings if c["observed"]]
    return {
        "kind": "observed",
        "months": DWELL_MONTHS,
        "median_hours": str(total) if seen else None,
        "samples": samples,
        "all_crossings_observed": bool(crossings) and len(seen) == len(crossings),
        "synthetic": any(c["synthetic"] for c in seen),
        "crossings": crossings,
    }
