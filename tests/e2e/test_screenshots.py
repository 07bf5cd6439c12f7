"""Screenshots of the main pages at 1280 and 390 px wide in en, ru, kk and tg, and what "looks
right" means, measured in the rendered page:

- the document never scrolls sideways (its scrollWidth fits the viewport);
- no element that hides its overflow cuts its own text (scrollWidth > clientWidth);
- on kk and tg pages the main navigation is in that language, never the English msgid;
- every character on the page has a glyph in the fonts the browser has (no "tofu" boxes:
  a character drawn on a canvas in the page's font must not match the missing-glyph box).

PNGs go to ``TEMIR_SCREENSHOTS`` (default /tmp/temir-screenshots/pages), not into the repository,
for a person to look at. One browser context per language (the cookie says the language), and
each page is loaded once and resized from 1280 to 390 px, so the whole run stays short.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from temir.demo import accounts as demo_accounts
from temir.demo import service as demo_service
from temir.kit.i18n import translate
from temir.web.nav import NAV
from tests.e2e.conftest import SCREENSHOTS, LiveServer

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)
LANGUAGES = ("en", "ru", "kk", "tg")
SHOT_HEIGHT = 2400  # px of each page kept in its PNG: the measures above cover the whole page
USER = "demo-admin"  # sees every page: notes, tracking and the administration pages

MEASURE = """() => {
  const root = document.documentElement;
  const clipped = [];
  for (const e of document.body.querySelectorAll('*')) {
    const s = getComputedStyle(e);
    const hides = /hidden|clip/.test(s.overflowX) || s.textOverflow === 'ellipsis';
    const box = e.getBoundingClientRect();  // hidden on purpose: 1 px wide, clipped, off-screen
    const hidden = e.clientWidth <= 1 || box.right <= 0 || s.clip !== 'auto';
    if (!hides || hidden) continue;
    if (e.scrollWidth > e.clientWidth + 1 && (e.innerText || '').trim())
      clipped.push(`${e.tagName.toLowerCase()}.${e.className}: ${e.innerText.trim().slice(0, 40)}`);
  }
  return {scroll: root.scrollWidth, width: root.clientWidth, clipped: clipped,
          nav: [...document.querySelectorAll('nav.mainnav a')].map(a => a.textContent.trim())};
}"""

TOFU = """async () => {
  await document.fonts.ready;
  const font = getComputedStyle(document.body).font;
  const canvas = document.createElement('canvas');
  canvas.width = 40; canvas.height = 40;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  ctx.font = font.replace(/^.*?(\\d+(\\.\\d+)?px)/, '28px');
  const draw = ch => { ctx.clearRect(0, 0, 40, 40); ctx.fillText(ch, 4, 32);
                       return ctx.getImageData(0, 0, 40, 40).data.join(','); };
  const box = draw('\\u0378');  // an unassigned code point: what a missing glyph looks like
  const text = document.body.innerText + [...document.querySelectorAll('input, option')]
    .map(e => e.value || e.textContent).join('');
  const seen = new Set([...text].filter(ch => /\\S/.test(ch) && !/\\p{Cf}/u.test(ch)));
  return [...seen].filter(ch => draw(ch) === box);
}"""


def _pages(page: Any) -> list[tuple[str, str]]:
    """(name, path) of the main pages; a note's id and a border point read from the lists."""
    page.goto("/notes")
    note = page.locator("[data-testid=notes-table] tbody a[href^='/notes/']").first
    note_path = note.get_attribute("href") or "/notes"
    page.goto("/tracking/borders")
    border = page.locator("main a[href^='/tracking/borders/']").first
    border_path = border.get_attribute("href") or "/tracking/borders"
    return [
        ("home", "/"),
        ("stations", "/stations?q=%D0%BA%D0%BE%D1%81"),
        ("station", "/stations/684001"),
        ("quote", "/quote?from=684001&to=745309&cargo=011005&mass_kg=68000"),
        ("notes", "/notes"),
        ("note", note_path),
        ("note-new", "/notes/new"),
        ("tracking", f"/tracking?q={note_path.rsplit('/', 1)[-1]}"),
        ("border", border_path),
        ("stats", "/stats"),
        ("map", "/map"),
        ("admin-users", "/admin/users"),
        ("admin-tokens", "/admin/tokens"),
        ("admin-organisations", "/admin/organisations"),
    ]


@pytest.fixture(scope="module")
def admin_context(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(20_000)
    tab = context.new_page()
    tab.goto("/login?next=/")
    tab.get_by_test_id("login-username").fill(USER)
    password = demo_accounts.demo_password(demo_service.DEFAULT_SEED, USER)
    tab.get_by_test_id("login-password").fill(password)
    tab.get_by_test_id("login-submit").click()
    tab.wait_for_url("**/")
    yield tab
    context.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_main_pages_look_right_at_desktop_and_phone_width(admin_context: Any, lang: str) -> None:
    page = admin_context
    page.goto(f"/lang/{lang}?next=/")
    folder = SCREENSHOTS / "pages"
    folder.mkdir(parents=True, exist_ok=True)
    shown = [item for item in NAV if item.shown_to("admin")]  # the admin is logged in
    english_nav = [item.label for item in shown]
    wanted_nav = [translate(item.label, lang) for item in shown]
    problems: list[str] = []
    for name, path in _pages(page):
        page.set_viewport_size({"width": WIDTHS[0], "height": 800})
        response = page.goto(path)
        assert response is not None
        assert response.status == 200, (path, response.status)
        boxes = page.evaluate(TOFU)  # the characters do not depend on the width
        problems += [f"{lang} {name}: no glyph for {ch!r} U+{ord(ch):04X}" for ch in boxes]
        for width in WIDTHS:  # one load, then resized: the media queries apply on resize
            page.set_viewport_size({"width": width, "height": 800})
            page.wait_for_timeout(120)  # the charts redraw for the new width (ResizeObserver)
            found = page.evaluate(MEASURE)
            where = f"{lang} {width}px {name}"
            if found["scroll"] > found["width"]:
                problems.append(f"{where}: scrolls sideways {found['scroll']}>{found['width']}")
            problems += [f"{where}: text cut in {c}" for c in found["clipped"]]
            if lang in ("kk", "tg"):
                assert found["nav"] == wanted_nav, where
                leaked = [t for t in found["nav"] if t in english_nav]
                problems += [f"{where}: English in the main nav: {t}" for t in leaked]
            shot = folder / f"{name}-{lang}-{width}.png"
            height = min(page.evaluate("document.documentElement.scrollHeight"), SHOT_HEIGHT)
            clip = {"x": 0, "y": 0, "width": width, "height": height}
            page.screenshot(path=str(shot), full_page=True, clip=clip, scale="css")
    assert problems == [], "\n".join(problems)


def test_the_glyph_check_can_see_a_missing_glyph(admin_context: Any) -> None:
    """The tofu probe is not blind: a private-use character has no glyph in any font here."""
    page = admin_context
    page.goto("/")
    page.evaluate("() => { document.querySelector('h1').textContent += ' \\uE123'; }")
    assert "\ue123" in page.evaluate(TOFU)
