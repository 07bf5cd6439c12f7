"""A Kazakh or Tajik reader picks their language in the header and reads the main pages in it.

Headless Debian Chromium against a live server (fixtures in conftest.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

Shot = Callable[[str], Path]

PAGES = {
    "kk": {
        "name": "Қазақша",
        "/": "Орталық Азияның 1520 мм теміржолдарындағы мемлекетаралық жүк тасымалы",
        "/quote": "Маршруттар мен есептеу",
        "/stats": "Тасымал статистикасы",
        "nav": "Басты бет",
    },
    "tg": {
        "name": "Тоҷикӣ",
        "/": "Боркашонии байнидавлатӣ дар роҳҳои оҳани 1520 мм-и Осиёи Марказӣ",
        "/quote": "Масирҳо ва ҳисоб",
        "/stats": "Омори боркашонӣ",
        "nav": "Саҳифаи асосӣ",
    },
}


@pytest.mark.parametrize("lang", sorted(PAGES))
def test_switch_to_kazakh_or_tajik_in_the_header(page: Any, screenshot: Shot, lang: str) -> None:
    texts = PAGES[lang]
    page.goto("/")
    switch = page.locator(f".langs a[data-lang='{lang}']")
    expect(switch).to_have_text(texts["name"])  # offered by its own name, not a code
    switch.click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("h1")).to_have_text(texts["/"])
    expect(page.locator("nav.mainnav a[href='/']")).to_have_text(texts["nav"])
    expect(page.locator(".langs strong")).to_have_text(texts["name"])
    screenshot(f"home-{lang}")
    for path in ("/quote", "/stats"):
        page.goto(path)  # the choice is remembered by the cookie
        expect(page.locator("html")).to_have_attribute("lang", lang)
        expect(page.locator("h1")).to_have_text(texts[path])
        expect(page.locator("nav.mainnav a[href='/']")).to_have_text(texts["nav"])
        screenshot(f"{path.strip('/')}-{lang}")
    page.locator(".langs a[data-lang='en']").click()
    expect(page.locator("h1")).to_have_text("Freight statistics")
