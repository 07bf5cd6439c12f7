"""``temir handover offer --seal UNIT:SEAL --mass-kg UNIT:KG``: the act carries the seals and
masses found at the border instead of boxes 19 and 18, as the API's ``seals``/``masses`` do;
a malformed option is refused naming it."""

from __future__ import annotations

import pytest

from tests.tracking.helpers import Shipment
from tests.tracking.test_api_cli import cli_database, run

__all__ = ["cli_database"]  # the fixture, used by name


@pytest.mark.usefixtures("cli_database")
def test_the_cli_offer_records_seals_and_masses_found_at_the_border(shipment: Shipment) -> None:
    w, (first, second) = shipment.world, shipment.wagons
    code, bad = run("handover", "offer", shipment.note_id, "--as", w.kzh.label,
                    "--mass-kg", f"{first}:heavy")  # fmt: skip
    assert (code, bad["error"]["code"], bad["error"]["field"]) == (1, "handover.option_text",
                                                                   "mass_kg")  # fmt: skip
    code, bad = run("handover", "offer", shipment.note_id, "--as", w.kzh.label, "--seal", "x")
    assert (code, bad["error"]["field"]) == (1, "seal")
    code, offered = run("handover", "offer", shipment.note_id, "--as", w.kzh.label,
                        "--seal", f"{first}:KZ 111", "--seal", f"{first}:KZ 112",
                        "--mass-kg", f"{second.lower()}:64200")  # fmt: skip
    assert code == 0, offered
    units = {u["number"]: u for u in offered["acts"][0]["offer"]["units"]}
    assert units[first]["seals"] == ["KZ 111", "KZ 112"]
    assert units[second]["mass_kg"] == 64200
    assert units[second]["seals"] != ["KZ 111", "KZ 112"]  # the other keeps box 19's
