"""Quote and route texts are message ids rendered per language, never English baked in."""

from __future__ import annotations

import importlib
import re
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from temir.kit.i18n import TRANSLATIONS, gettext
from temir.kit.messages import Message, registry
from temir.network.routing import Router
from temir.network.routing.loader import shipped
from temir.tariff import data as tariff_data
from temir.tariff import rules, service

KOSTANAY_DUSHANBE = {"from": "684001", "to": "745309", "cargo": "011005", "mass_kg": "60000"}
MODULES = (
    "temir.network.routing.model",
    "temir.network.routing.engine",
    "temir.network.routes.service",
    "temir.network.routes.cli",
    "temir.network.routes.batch_file",
    "temir.network.routes.api",
    "temir.network.routing.quality",
    "temir.tariff.rules",
    "temir.tariff.service",
    "temir.tariff.cli",
    "temir.tariff.api",
)


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(shipped())


@pytest.mark.parametrize("lang", TRANSLATIONS)
def test_every_tariff_and_routing_msgid_has_a_translation(lang: str) -> None:
    for name in MODULES:
        importlib.import_module(name)
    tariff_data.delivery_norms()  # registers the data file's warning and version texts
    declared = registry()
    ids = declared["tariff"] | declared["routing"]
    assert len(ids) > 30
    missing = sorted(m for m in ids if gettext(m, lang) == m)
    assert missing == []
    for msgid in ids:
        wanted = set(re.findall(r"{(\w+)}", msgid))
        assert set(re.findall(r"{(\w+)}", gettext(msgid, lang))) == wanted, (lang, msgid)


def test_numbers_stay_numbers_until_rendered() -> None:
    line = Message.of(rules.BASE_CONTAINER, km=1668, container="5t", rate=Decimal("1234.50"))
    assert line.params["km"] == 1668
    assert line.text("en") == "1,668 km, container 5t: 1,234.50 CHF per container"
    assert line.text("ru") == "1\u00a0668 км, контейнер 5t: 1\u00a0234,50 CHF за контейнер"
    assert line.to_dict()["params"] == {"km": 1668, "container": "5t", "rate": "1234.50"}


def test_a_quote_renders_its_lines_and_notes_in_russian(router: Router) -> None:
    q = service.quote(router, "704101", "746000", etsng="011005", mass_kg=30_000)
    data = q.to_dict("ru")
    base = data["alternatives"][0]["lines"][0]
    assert base["code"] == "base"
    assert "повышено до минимальной расчётной массы 60 т" in base["text"]
    assert "[ДЕМО-СТАВКА]" in base["text"]
    assert base["message"]["msgid"] == rules.DEMO_RATE
    assert any(n.startswith("ДЕМО-СТАВКИ") for n in data["notes"])
    assert "quote.demo_rates" in data["note_codes"]
    assert data["alternatives"][0]["delivery"]["warning"].startswith("НЕ ПРОВЕРЕНО")
    assert q.to_dict("en")["alternatives"][0]["lines"][0]["text"].startswith("875 km")


def english_sentences(html: str) -> list[str]:
    """Explanation items of the page that still read as English (Latin words of 4+ letters)."""
    items = re.findall(r'<li data-code="[a-z_]+">(.*?)</li>', html, re.S)
    assert items
    text = [re.sub(r"<[^>]+>", " ", item).split("—", 1)[1] for item in items]
    allowed = {"DEMO", "ETT7", "WAGON", "CHF"}
    return [t for t in text if set(re.findall(r"[A-Za-z][A-Za-z0-9]{3,}", t)) - allowed - {"CHF/t"}]


def test_russian_quote_page_explains_the_charge_in_russian(client: TestClient) -> None:
    page = client.get("/quote", params={**KOSTANAY_DUSHANBE, "lang": "ru"})
    assert page.status_code == 200
    html = page.text
    assert english_sentences(html) == []
    assert "фактическая масса 60\u00a0000 кг → 60 т" in html
    assert "[ДЕМО-СТАВКА]" in html
    assert gettext(tariff_data.delivery_norms().warning.msgid, "ru")[:30] in html
    assert "actual mass" not in html
    assert "DEMO RATE]" not in html
    english = client.get("/quote", params=KOSTANAY_DUSHANBE).text
    assert "actual mass 60,000 kg → 60 t" in english


def test_quote_api_follows_lang_and_accept_language(client: TestClient) -> None:
    params = {"from": "684001", "to": "745309", "cargo": "011005", "mass_kg": 60000}
    ru = client.get("/api/v1/quotes", params={**params, "lang": "ru"}).json()
    line = ru["alternatives"][0]["lines"][0]
    assert line["code"] == "base"
    assert "км, графа" in line["text"]
    by_header = client.get("/api/v1/quotes", params=params, headers={"Accept-Language": "ru-RU"})
    assert by_header.json()["alternatives"][0]["lines"][0]["text"] == line["text"]
    en = client.get("/api/v1/quotes", params=params).json()
    assert "km, column" in en["alternatives"][0]["lines"][0]["text"]


def test_cli_quote_speaks_temir_lang(monkeypatch: pytest.MonkeyPatch) -> None:
    from temir.cli import app

    monkeypatch.setenv("TEMIR_LANG", "ru")
    result = CliRunner().invoke(
        app, ["quote", "704101", "746000", "--cargo", "011005", "--mass-kg", "30000", "-n", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "ДЕМО-СТАВКИ" in result.output
    assert "минимальной расчётной массы" in result.output
    assert "actual" not in result.output


@pytest.mark.parametrize(
    ("lang", "demo_mark", "minimum"),
    [
        ("kk", "[ДЕМО-МӨЛШЕРЛЕМЕ]", "ең аз есептік масса 60 т-ға дейін арттырылды"),
        ("tg", "[НАРХИ НАМОИШӢ]", "то вазни ҳадди ақали ҳисобӣ 60 т зиёд карда шуд"),
    ],
)
def test_kazakh_and_tajik_quote_pages_explain_the_charge(
    client: TestClient, lang: str, demo_mark: str, minimum: str
) -> None:
    html = client.get("/quote", params={**KOSTANAY_DUSHANBE, "lang": lang}).text
    assert f'<html lang="{lang}">' in html
    assert english_sentences(html) == []
    assert demo_mark in html
    assert "60\u00a0000 кг → 60 т" in html  # Babel's kk/tg grouping: a no-break space
    assert gettext(tariff_data.delivery_norms().warning.msgid, lang)[:30] in html
    light = client.get("/quote", params={**KOSTANAY_DUSHANBE, "mass_kg": "30000", "lang": lang})
    assert minimum in light.text


@pytest.mark.parametrize(
    ("lang", "notice", "minimum"),
    [
        ("kk", "ДЕМО-МӨЛШЕРЛЕМЕЛЕР", "ең аз есептік масса"),
        ("tg", "НАРХҲОИ НАМОИШӢ", "вазни ҳадди ақали ҳисобӣ"),
    ],
)
def test_cli_quote_speaks_kazakh_and_tajik(
    monkeypatch: pytest.MonkeyPatch, lang: str, notice: str, minimum: str
) -> None:
    from temir.cli import app

    monkeypatch.setenv("TEMIR_LANG", lang)
    result = CliRunner().invoke(
        app, ["quote", "704101", "746000", "--cargo", "011005", "--mass-kg", "30000", "-n", "1"]
    )
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())  # Rich wraps long lines at the terminal width
    assert notice in text
    assert minimum in text
    assert "actual" not in text
    assert "ДЕМО-СТАВКИ" not in text  # not Russian either
