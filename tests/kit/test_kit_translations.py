"""Every message of the shared machinery (kit) and the page shell (web) has a Russian text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from temir.kit.i18n import gettext

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "temir"
SOURCES = (PACKAGE / "kit", PACKAGE / "web")
SAME_IN_RUSSIAN = {"API"}
MESSAGE = re.compile(r'(?<![A-Za-z0-9])(?:N_|_|translate)\(\s*((?:"[^"]*"\s*)+)')


def msgids() -> list[str]:
    found: list[str] = []
    for path in sorted(p for source in SOURCES for p in source.rglob("*")):
        if path.suffix in (".py", ".html") and "vendor" not in path.parts:
            for match in MESSAGE.finditer(path.read_text(encoding="utf-8")):
                msgid = "".join(re.findall(r'"([^"]*)"', match.group(1)))
                if msgid and msgid not in found:
                    found.append(msgid)
    return found


def test_the_extraction_finds_the_messages() -> None:
    assert "Internal error. It has been logged." in msgids()
    assert any("Idempotency-Key" in m for m in msgids())


@pytest.mark.parametrize("msgid", msgids())
def test_every_message_has_a_russian_translation(msgid: str) -> None:
    translated = gettext(msgid, "ru")
    assert translated != msgid or msgid in SAME_IN_RUSSIAN
    for placeholder in re.findall(r"\{\w+\}", msgid):
        assert placeholder in translated
