"""Every response says what a browser may load, frame and sniff; inline code is allowed only
where a page really needs it."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from temir.web.headers import INLINE_HANDLERS

SRC = Path(__file__).resolve().parents[2] / "src" / "temir"


def _directives(policy: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


@pytest.mark.parametrize(
    "path", ["/", "/stations?q=Достык", "/map", "/login", "/quote", "/nowhere"]
)
def test_pages_carry_the_security_headers(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-frame-options"] == "DENY"
    csp = _directives(response.headers["content-security-policy"])
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]


def test_api_and_static_answers_carry_them_too(client: TestClient) -> None:
    for path in ("/api/v1/railways", "/static/temir.css"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "content-security-policy" in response.headers


def test_swagger_page_may_run_its_own_inline_start_script(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert "<script>" in response.text  # FastAPI starts Swagger UI inline
    csp = _directives(response.headers["content-security-policy"])
    assert "'unsafe-inline'" in csp["script-src"]
    assert csp["frame-ancestors"] == ["'none'"]


def _hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


def test_every_inline_handler_in_the_templates_is_allowed_by_hash(client: TestClient) -> None:
    """A new ``onclick=...`` in a template would be silently blocked by the browser."""
    handlers = set()
    for template in SRC.glob("*/templates/*.html"):
        for match in re.finditer(r'\son[a-z]+="([^"]*)"', template.read_text(encoding="utf-8")):
            handlers.add(html.unescape(match.group(1)))
    assert handlers == set(INLINE_HANDLERS)
    script_src = _directives(client.get("/").headers["content-security-policy"])["script-src"]
    for handler in handlers:
        assert _hash(handler) in script_src
    assert "'unsafe-hashes'" in script_src


def test_no_inline_script_element_in_templates() -> None:
    """script-src has no 'unsafe-inline': a ``<script>`` without ``src`` would not run."""
    for template in SRC.glob("*/templates/*.html"):
        for tag in re.findall(r"<script\b[^>]*>", template.read_text(encoding="utf-8")):
            assert "src=" in tag or 'type="application/json"' in tag, (template, tag)
