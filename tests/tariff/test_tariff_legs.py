"""Which tariff prices which leg (issue 11.6): the transit table only on transit legs.

Export, import and domestic legs are under the departure's or destination's national tariff;
no national tariff is loaded (none was found in a public source, see data/tariff/SOURCES.md),
so they have no charge and say why, and a total with such legs says it is partial.

The figures are worked by hand from the 25 t column of the ETT Table 7 rows quoted in
reference/domain2.md §2.1 (the demo table's anchors), interpolated linearly between them:

- UTI 875 km (Келес (эксп.) → Кудукли (эксп.), TR-4 UTI Book 3, METHOD.md's worked example):
  84.54 (800 km) + 0.75 × (92.70 − 84.54) = 90.66 CHF/t; × 65 t = 5892.90 CHF.
- UTI 604 km: 65.61 (600 km) + 0.04 × (75.72 − 65.61) = 66.01 CHF/t; × 65 t = 4290.65.
- TRK 194 km (Талимарджан ↔ Разъезд № 161 in TRK's Book 3): 18.28 (150 km)
  + 44/50 × (23.61 − 18.28) = 22.97 CHF/t; × 65 t = 1493.05.
- UTI 231 km: 23.61 (200 km) + 0.31 × (34.92 − 23.61) = 27.12 CHF/t; × 65 t = 1762.80.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from temir.network.routing import Router
from temir.network.routing.loader import shipped
from temir.network.routing.model import LegRole, leg_roles, tariff_by_railway
from temir.tariff import service

KOSTANAY, DUSHANBE_II = "684001", "745309"
AKTOBE_I, KYZYLORDA = "689503", "671707"
SARYAGASH_EXP, PAKHTAABAD_EXP = "704101", "746000"
EX, TR, IM, DO = LegRole.EXPORT, LegRole.TRANSIT, LegRole.IMPORT, LegRole.DOMESTIC


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(shipped())


@pytest.mark.parametrize(
    ("railways", "roles"),
    [
        (("KZH",), (DO,)),
        (("KZH", "UTI", "TDZ"), (EX, TR, IM)),
        # re-entering the departure railway keeps it national (the goods are Uzbek exports)
        (("UTI", "TRK", "UTI", "TDZ"), (EX, TR, EX, IM)),
        # a transit railway entered twice is transit both times
        (("KZH", "UTI", "TRK", "UTI", "TDZ"), (EX, TR, TR, TR, IM)),
        # a domestic pair routed through a neighbour: out, through, back
        (("KZH", "UTI", "KZH"), (EX, TR, IM)),
    ],
)
def test_leg_roles(railways: tuple[str, ...], roles: tuple[LegRole, ...]) -> None:
    assert leg_roles(railways) == roles
    assert tariff_by_railway(railways) == ";".join(
        f"{rw}:{'transit' if role is TR else 'national'}"
        for rw, role in zip(railways, roles, strict=True)
    )


def test_export_and_import_legs_are_national_and_not_charged(router: Router) -> None:
    q = service.quote(router, KOSTANAY, DUSHANBE_II, etsng="011005", mass_kg=65_000)
    best = q.alternatives[0]
    assert best.route.km_by_railway() == "KZH:2213;UTI:875;TDZ:63"
    assert [(c.railway, c.role, c.tariff) for c in best.legs] == [
        ("KZH", "export", "national"),
        ("UTI", "transit", "transit"),
        ("TDZ", "import", "national"),
    ]
    kzh, uti, tdz = best.legs
    assert (kzh.amount_chf, kzh.reason) == (None, "tariff.national_not_loaded")
    assert (tdz.amount_chf, tdz.reason) == (None, "tariff.national_not_loaded")
    assert uti.amount_chf == Decimal("5892.90")  # 90.66 CHF/t × 65 t, by hand (docstring)
    assert {line.railway for line in best.lines} == {"UTI"}
    assert best.partial
    assert best.charge_known == Decimal("5892.90")
    assert "quote.national_not_loaded" in {n.code for n in q.notes}
    assert all("cheapest" not in a.marks for a in q.alternatives)

    data = q.to_dict("en")["alternatives"][0]
    assert data["charge"] == {
        "amount": "5892.90",
        "currency": "CHF",
        "partial": True,
        "not_charged": [0, 2],
    }
    first = data["leg_charges"][0]
    assert (first["amount_chf"], first["reason"], first["role"]) == (
        None,
        "tariff.national_not_loaded",
        "export",
    )
    assert first["text"] == "KZH, 2,213 km: national tariff — not loaded"
    assert q.to_dict("ru")["alternatives"][0]["leg_charges"][2]["text"] == (
        "TDZ, 63 км: национальный тариф — не загружен"
    )


def test_a_domestic_route_has_no_charge_at_all(router: Router) -> None:
    q = service.quote(router, AKTOBE_I, KYZYLORDA, etsng="011005", mass_kg=60_000)
    alt = q.alternatives[0]
    assert alt.route.railways == ("KZH",)
    assert alt.lines == ()
    assert alt.tables_used == ()
    assert [(c.role, c.amount_chf) for c in alt.legs] == [("domestic", None)]
    assert alt.charge_known is None
    charge = q.to_dict("en")["alternatives"][0]["charge"]
    assert (charge["amount"], charge["partial"]) == (None, True)


def test_re_entered_transit_railway_is_charged_leg_by_leg(router: Router) -> None:
    q = service.quote(router, SARYAGASH_EXP, PAKHTAABAD_EXP, etsng="011005", mass_kg=65_000)
    by_path = {a.route.km_by_railway(): a for a in q.alternatives}
    alt = by_path["KZH:0;UTI:604;TRK:194;UTI:231;TDZ:0"]
    assert [(c.railway, c.role, c.amount_chf) for c in alt.legs] == [
        ("KZH", "export", Decimal("0.00")),  # 0 km at KZH's border code: nothing to charge
        ("UTI", "transit", Decimal("4290.65")),
        ("TRK", "transit", Decimal("1493.05")),
        ("UTI", "transit", Decimal("1762.80")),
        ("TDZ", "import", Decimal("0.00")),
    ]
    assert not alt.partial
    assert alt.charge_chf == Decimal("4290.65") + Decimal("1493.05") + Decimal("1762.80")
    # whole charges compete for "cheapest": the direct UTI 875 km, 5892.90 CHF
    direct = by_path["KZH:0;UTI:875;TDZ:0"]
    assert direct.charge_chf == Decimal("5892.90")
    assert "cheapest" in direct.marks
    assert "cheapest" not in alt.marks


def test_api_cli_and_page_show_national_legs_as_not_loaded(client: TestClient) -> None:
    params = {"from": KOSTANAY, "to": DUSHANBE_II, "cargo": "011005", "mass_kg": "65000"}
    body = client.get("/api/v1/quotes", params=params).json()
    first = body["alternatives"][0]
    assert [c["amount_chf"] for c in first["leg_charges"]] == [None, "5892.90", None]
    assert first["charge"]["partial"] is True
    assert [leg["tariff"] for leg in first["route"]["legs"]] == ["national", "transit", "national"]
    assert "quote.national_not_loaded" in body["note_codes"]

    html = client.get("/quote", params=params).text
    card = html.split('data-testid="alternative"')[1]
    assert card.count('data-testid="leg-not-charged"') == 2
    assert 'data-reason="tariff.national_not_loaded"' in card
    assert "national tariff — not loaded" in card
    assert 'data-testid="partial-charge"' in card


def test_cli_quote_json_and_table_say_partial(tmp_path: Path) -> None:
    from temir.cli import app

    args = ["quote", KOSTANAY, DUSHANBE_II, "--cargo", "011005", "--mass-kg", "65000", "-n", "1"]
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    alt = json.loads(result.output)["alternatives"][0]
    assert alt["charge"]["amount"] == "5892.90"
    assert alt["charge"]["partial"] is True
    assert [c["reason"] for c in alt["leg_charges"]] == [
        "tariff.national_not_loaded",
        None,
        "tariff.national_not_loaded",
    ]
    table = CliRunner().invoke(app, args)
    text = " ".join(table.output.split())  # Rich wraps cells: "(transit" / "legs only)"
    assert "5892.90" in text
    assert "(transit" in text
    assert "KZH, 2,213 km: national tariff — not loaded" in text


def test_route_file_names_the_tariff_of_each_leg(tmp_path: Path) -> None:
    from temir.network.provider import shipped_network
    from temir.network.routes import batch_file

    src = tmp_path / "pairs.csv"
    src.write_text(
        f"from_esr,to_esr\n{KOSTANAY},{DUSHANBE_II}\n{AKTOBE_I},{KYZYLORDA}\n", encoding="utf-8"
    )
    out = tmp_path / "out.csv"
    batch_file.route_file(shipped_network().router, src, out, lambda n: None)
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["tariff_by_railway"] for r in rows] == [
        "KZH:national;UTI:transit;TDZ:national",
        "KZH:national",
    ]


def test_page_of_a_domestic_route_shows_no_total(client: TestClient) -> None:
    params = {"from": AKTOBE_I, "to": KYZYLORDA, "cargo": "011005", "mass_kg": "60000"}
    page = client.get("/quote", params=params)
    assert page.status_code == 200
    card = page.text.split('data-testid="alternative"')[1]
    total = card.split('data-testid="total-charge"')[1]
    assert total.startswith(' data-partial="true">—<')
    assert card.count('data-testid="leg-not-charged"') == 1
    assert 'data-testid="mark-cheapest"' not in page.text
