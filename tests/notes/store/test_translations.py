"""Every message the note store shows has a Russian, Kazakh and Tajik translation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from temir.kit.i18n import TRANSLATIONS, gettext

PACKAGE = Path(__file__).resolve().parents[3] / "src" / "temir"
SOURCES = tuple(
    PACKAGE / name
    for name in (
        "notes/lifecycle.py",
        "signing/sealing.py",
        "notes/store/service.py",
        "notes/store/records.py",
        "notes/store/checks.py",
        "signing/service.py",
        "notes/store/bulk_import.py",
        "notes/store/cli.py",
        "demo/notes.py",
    )
)
MESSAGE = re.compile(r'(?<![A-Za-z0-9])N_\(\s*((?:"[^"]*"\s*)+)')


def msgids() -> list[str]:
    found: list[str] = []
    for path in SOURCES:
        for match in MESSAGE.finditer(path.read_text(encoding="utf-8")):
            msgid = "".join(re.findall(r'"([^"]*)"', match.group(1)))
            if msgid not in found:
                found.append(msgid)
    return found


def test_the_extraction_finds_the_messages() -> None:
    assert "Only a shipper user of the consignor's organisation may do this." in msgids()
    assert len(msgids()) > 20


@pytest.mark.parametrize("lang", TRANSLATIONS)
@pytest.mark.parametrize("msgid", msgids())
def test_every_message_has_a_translation(msgid: str, lang: str) -> None:
    translated = gettext(msgid, lang)
    assert translated != msgid
    assert set(re.findall(r"\{\w+\}", translated)) == set(re.findall(r"\{\w+\}", msgid))
