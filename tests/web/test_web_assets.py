"""No page and no static file makes the browser fetch anything from outside Temir."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from temir.app import STATIC

URL = re.compile(r"https?://", re.I)
# Where a URL would be *loaded*: attributes that fetch, CSS url()/@import, JS fetch targets.
LOADED = re.compile(
    r"""(?:\b(?:src|srcset|data|poster|action|formaction|xlink:href)\s*=\s*["']?\s*https?://"""
    r"""|<link\b[^>]*href\s*=\s*["']?\s*https?://"""
    r"""|url\(\s*["']?\s*https?://|@import\s+["']?\s*(?:url\()?\s*https?://)""",
    re.I,
)
# XML namespace names (e.g. inside inline SVG data: URIs) are identifiers, never fetched.
NAMESPACE = re.compile(r"https?://www\.w3\.org/[\w/.]+")
PAGES = ["/", "/stations", "/stations?q=Алматы", "/stations/708403", "/map", "/stations/1", "/docs"]


def _navigation_only(text: str) -> list[str]:
    """Every http(s) URL in ``text`` that is not the href of a plain ``<a>`` link."""
    bad = []
    for match in URL.finditer(text):
        before = text[max(0, match.start() - 200) : match.start()]
        anchor = re.search(r"<a\b[^>]*\bhref\s*=\s*[\"']?\s*$", before, re.I)
        if anchor is None:
            bad.append(text[max(0, match.start() - 60) : match.end() + 40])
    return bad


@pytest.mark.parametrize("path", PAGES)
def test_rendered_pages_load_nothing_from_outside(client: TestClient, path: str) -> None:
    for lang in ("en", "ru", "kk", "tg"):
        page = client.get(path, headers={"accept-language": lang}).text
        assert LOADED.findall(page) == []
        assert _navigation_only(page) == []


def test_static_files_reference_nothing_outside() -> None:
    files = [p for p in Path(STATIC).rglob("*") if p.is_file()]
    assert any(p.suffix == ".css" for p in files)
    assert any(p.suffix == ".js" for p in files)
    for path in files:
        if path.suffix not in {".css", ".js", ".html", ".svg"}:
            continue
        text = path.read_text(encoding="utf-8")
        assert LOADED.findall(text) == [], path.name
        if path.suffix == ".css":
            assert not URL.search(NAMESPACE.sub("", text)), path.name


def test_every_script_and_stylesheet_is_served_by_temir(client: TestClient) -> None:
    page = client.get("/").text
    assets = re.findall(r'<(?:script|link)\b[^>]*(?:src|href)="([^"]+)"', page)
    assert assets
    for asset in assets:
        assert asset.startswith("/static/")
        assert client.get(asset).status_code == 200
