"""Quotes: delivery time per carrier, charge lines, demo flags, marks, and bad input."""

from __future__ import annotations

from decimal import Decimal

import pytest

from temir.kit.errors import NotFound, ValidationFailed
from temir.network.routing import Router
from temir.network.routing.loader import shipped
from temir.tariff import service


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(shipped())


def test_quote_has_km_days_charge_and_demo_flag(router: Router) -> None:
    q = service.quote(router, "684001", "745309", etsng="011005", mass_kg=65_000)
    assert q.demo
    assert any("DEMO" in n.text("en") for n in q.notes)
    assert any("UNVERIFIED" in n.text("en") for n in q.notes)
    assert {"quote.demo_rates", "quote.unverified_norms"} <= {n.code for n in q.notes}
    best = q.alternatives[0]
    assert best.route.km == 3151
    # Unverified SMGS norm: 1 dispatch day + ceil(3151 km / 200) = 16 over the whole route
    # (issue 11.5: 17 days, not the 1 + 12 + 5 + 1 = 19 of rounding each railway's leg up)
    assert [c.days for c in best.delivery.per_carrier] == [12, 5, 1]  # shares, for information
    assert best.delivery.run_days == 16
    assert best.delivery.extra_days == 0  # 1520/1520 borders only
    assert best.delivery.total_days == 17
    assert best.delivery.unverified
    assert best.charge_chf == sum(line.amount_chf for line in best.lines)
    # only UTI's transit leg is priced; KZH's export and TDZ's import legs are national
    assert {line.railway for line in best.lines} == {"UTI"}
    assert best.partial
    assert best.tables_used == ("DEMO-ETT7-WAGON-2026",)
    assert all("[DEMO RATE]" in line.text("en") for line in best.lines if line.what == "base")


# Сарыагаш (эксп.) KZH 704101 → Пахтаабад (эксп.) TDZ 746000: 0 km on KZH and TDZ, so every
# charged km is UTI transit: Келес (эксп.) → Кудукли (эксп.) 875 km (TR-4 UTI Book 3), the
# UTI leg of METHOD.md's worked example Костанай → Душанбе II (2213 + 875 + 63 km).
SARYAGASH_EXP, PAKHTAABAD_EXP = "704101", "746000"


def test_cheapest_fastest_shortest_are_marked(router: Router) -> None:
    q = service.quote(router, SARYAGASH_EXP, PAKHTAABAD_EXP, etsng="011005", mass_kg=65_000)
    shortest = min(a.route.km for a in q.alternatives)
    assert all(("shortest" in a.marks) == (a.route.km == shortest) for a in q.alternatives)
    whole = [a for a in q.alternatives if not a.partial]
    assert len(whole) >= 2
    cheapest = min(a.charge_chf for a in whole)
    assert [a.charge_chf for a in q.alternatives if "cheapest" in a.marks] == [cheapest]
    assert any("fastest" in a.marks for a in q.alternatives)


def test_grain_minimum_mass_and_interpolated_demo_rate(router: Router) -> None:
    # UTI 875 km; 30 t of wheat is raised to the 60 t minimum (ADY ⚠️).
    q = service.quote(router, SARYAGASH_EXP, PAKHTAABAD_EXP, etsng="011005", mass_kg=30_000)
    line = q.alternatives[0].lines[0]
    assert "minimum chargeable 60 t" in line.text("en")
    # 25 t column (domain2.md §2.1): 84.54 at 800 km, 92.70 at 900 km; 875 km is 3/4 of the
    # way: 84.54 + 0.75 × 8.16 = 90.66 CHF/t.
    assert line.amount_chf == Decimal("90.66") * 60


def test_wagon_of_other_owner_is_085_and_empty_run_per_axle_km(router: Router) -> None:
    base = service.quote(router, SARYAGASH_EXP, PAKHTAABAD_EXP, etsng="011005", mass_kg=60_000)
    other = service.quote(
        router,
        SARYAGASH_EXP,
        PAKHTAABAD_EXP,
        etsng="011005",
        mass_kg=60_000,
        wagon_owner="other",
        empty_return=True,
    )
    b = base.alternatives[0].lines[0].amount_chf
    lines = {line.what: line.amount_chf for line in other.alternatives[0].lines}
    assert lines["base"] + lines["wagon_owner"] == (b * Decimal("0.85")).quantize(Decimal("0.01"))
    assert lines["empty_run"] == Decimal("0.10") * 4 * 875


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"etsng": "011005", "mass_kg": 0}, "mass_kg"),
        ({"etsng": "011006", "mass_kg": 1000}, "cargo"),
        ({"etsng": "011013", "mass_kg": 1000}, "cargo"),
    ],
)
def test_bad_quote_input_names_the_field(router: Router, kwargs: dict, field: str) -> None:
    with pytest.raises((ValidationFailed, NotFound)) as err:
        service.quote(router, "684001", "745309", **kwargs)
    assert err.value.field == field
