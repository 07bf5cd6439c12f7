"""The Content-Security-Policy blocks nothing the pages really use: no violation is reported
while htmx searches, Chart.js draws, the log-in form posts and Swagger UI starts."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.browser

VIOLATIONS = """() => window.__cspViolations || []"""
LISTEN = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e =>
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));
"""


def _watch(page: Any) -> list[str]:
    console: list[str] = []
    page.add_init_script(LISTEN)
    page.on(
        "console",
        lambda m: console.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return console


@pytest.mark.parametrize("path", ["/", "/map", "/stations/684001", "/quote", "/stats", "/docs"])
def test_page_loads_without_a_policy_violation(page: Any, path: str) -> None:
    console = _watch(page)
    response = page.goto(path)
    assert response.status == 200
    assert "content-security-policy" in response.headers
    page.wait_for_load_state("networkidle")
    assert page.evaluate(VIOLATIONS) == []
    assert console == []


def test_live_search_and_quote_work_under_the_policy(page: Any) -> None:
    console = _watch(page)
    page.goto("/stations")
    page.fill("input[name=q]", "Достык")
    page.wait_for_selector('a[href="/stations/708403"]')
    page.goto("/quote?from=684001&to=745309&cargo=011005&mass_kg=60000")
    page.wait_for_load_state("networkidle")
    assert page.evaluate(VIOLATIONS) == []
    assert console == []


def test_log_in_works_under_the_policy(page: Any, live_server: LiveServer) -> None:
    console = _watch(page)
    page.goto("/login")
    page.fill("input[name=username]", live_server.demo.username)
    page.fill("input[name=password]", live_server.demo.password)
    page.click("[data-testid=login-submit]")
    page.wait_for_selector("[data-testid=current-user]")
    assert page.evaluate(VIOLATIONS) == []
    assert console == []
