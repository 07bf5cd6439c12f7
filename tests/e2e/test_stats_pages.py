"""The statistics dashboard in headless Chromium: charts drawn, totals shown, filters, export."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from temir.accounts.model import Actor
from temir.kit.db import UnitOfWork, make_engine
from temir.stats.volumes import service
from temir.stats.volumes.model import Breakdown
from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def with_facts(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> int:
    """The live server's 2025 KZ–TJ total in tonnes, generating the demo facts if needed.

    ``temir demo`` may not yet write statistics; then the synthetic 2024–2025 facts are
    written here through the service, into the live server's database file.
    """
    (database,) = tmp_path_factory.getbasetemp().glob("e2e-home[0-9]*/temir.sqlite3")
    engine = make_engine(f"sqlite:///{database}")
    uow = UnitOfWork(engine)
    with uow.read() as session:
        total = service.volumes(session, 2025, "KZ", "TJ", Breakdown.TOTAL).total.tonnes
    if total == 0:
        with uow() as session:
            service.generate_synthetic(session, Actor.system("e2e-tests"), seed=2025)
        with uow.read() as session:
            total = service.volumes(session, 2025, "KZ", "TJ", Breakdown.TOTAL).total.tonnes
    engine.dispose()
    return total


def test_dashboard_draws_charts_and_follows_the_year_filter(
    page: Any, with_facts: int, screenshot: Callable[[str], Path]
) -> None:
    assert with_facts > 0
    page.goto("/stats")
    page.get_by_role("link", name="Statistics").wait_for()
    total_2025 = page.get_by_test_id("total-tonnes").inner_text()
    assert total_2025.replace("\u00a0", " ") == f"{with_facts:,} t"
    assert page.get_by_test_id("synthetic-badge").is_visible()
    # Chart.js has drawn on the canvas: it sets the canvas size and keeps a chart per canvas.
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.querySelector('[data-testid=chart-month]'))"
    )
    drawn = page.evaluate(
        "() => [...document.querySelectorAll('canvas[data-chart]')]"
        ".filter(c => Chart.getChart(c) && c.width > 100).length"
    )
    assert drawn == 5
    assert page.get_by_test_id("chart-month").get_attribute("aria-label")
    screenshot("stats-dashboard")

    page.get_by_test_id("filter-year").select_option("2024")
    page.wait_for_url("**/stats?*year=2024*")
    page.get_by_test_id("stats-scope").filter(has_text="2024").wait_for()
    assert "2024" in page.get_by_test_id("kpi-total").inner_text()
    assert page.get_by_test_id("total-tonnes").inner_text() != total_2025
    page.wait_for_function(
        "() => Chart.getChart(document.querySelector('[data-testid=chart-commodity]'))"
    )
    csv_link = page.get_by_test_id("csv-month")
    assert "year=2024" in (csv_link.get_attribute("href") or "")
    with page.expect_download() as download:
        csv_link.click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("key,label,tonnes,mt")


LABELS_FIT = """() => [...document.querySelectorAll('canvas[data-chart]')].map(c => {
  const chart = Chart.getChart(c);
  const axis = chart.options.indexAxis === 'y' ? chart.scales.y : chart.scales.x;
  if (chart.options.indexAxis !== 'y') return [c.dataset.testid, true];
  chart.ctx.font = Chart.helpers.toFont(axis.options.ticks.font).string;
  const widest = Math.max(...axis.ticks.flatMap(t => [].concat(t.label))
    .map(line => chart.ctx.measureText(line).width));
  return [c.dataset.testid, widest <= axis.width];
})"""
FIGURES_IN_CARDS = """() => [...document.querySelectorAll('.kpi')].flatMap(card => {
  const box = card.getBoundingClientRect();
  return [...card.children].filter(e => e.getBoundingClientRect().right > box.right + .5)
    .map(e => e.innerText);
})"""
TABLES_CUT = """() => [...document.querySelectorAll('.tablewrap')]
  .filter(w => w.scrollWidth > w.clientWidth + 1)
  .map(w => w.querySelector('table').dataset.testid)"""


@pytest.mark.parametrize("width", [1280, 390])
def test_totals_labels_and_tables_fit_at_desktop_and_phone_width(
    page: Any, with_facts: int, screenshot: Callable[[str], Path], width: int
) -> None:
    """Russian has the longest figures ("5,900 млн т"): the total stays inside its card, every
    bar chart's category labels fit beside it, and at 1280 px every table column is in view (on a
    phone a wide table scrolls in its panel, its row names staying in view), the page never."""
    assert with_facts > 0
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/lang/ru?next=/stats")
    page.wait_for_function(
        "() => window.Chart && [...document.querySelectorAll('canvas[data-chart]')]"
        ".every(c => Chart.getChart(c))"
    )
    assert page.evaluate(FIGURES_IN_CARDS) == []
    assert all(fits for _, fits in page.evaluate(LABELS_FIT)), page.evaluate(LABELS_FIT)
    root = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    assert root[0] <= root[1]
    if width >= 1280:
        assert page.evaluate(TABLES_CUT) == []
    else:
        sticky = page.locator("[data-testid=table-crossing] tbody th").first
        assert sticky.evaluate("e => getComputedStyle(e).position") == "sticky"
    screenshot(f"stats-ru-{width}")
