"""Every string of the note pages (templates and ``temir.notes.web*``) has a Russian, Kazakh and
Tajik translation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from temir.kit.i18n import TRANSLATIONS, gettext

NOTES = Path(__file__).resolve().parents[2] / "src" / "temir" / "notes"
TEMPLATE_MESSAGE = re.compile(r"""_\(\s*"([^"]+)"|_\(\s*'([^']+)'""")
CODE_MESSAGE = re.compile(r'(?<![A-Za-z0-9])N_\(\s*((?:"[^"]*"\s*)+)')
NOT_MESSAGES = {"draft", "submitted", "accepted", "in_transit", "arrived", "delivered", "refused"}


def msgids() -> list[str]:
    found: list[str] = []
    for path in sorted((NOTES / "templates").glob("*.html")):
        for match in TEMPLATE_MESSAGE.finditer(path.read_text(encoding="utf-8")):
            found.append(match.group(1) or match.group(2))
    for module in sorted(NOTES.glob("web*.py")):
        for match in CODE_MESSAGE.finditer(module.read_text(encoding="utf-8")):
            found.append("".join(re.findall(r'"([^"]*)"', match.group(1))))
    return sorted(set(found))


def test_the_extraction_finds_the_new_step_forms() -> None:
    assert "Accept for carriage" in msgids()
    assert "Add a wagon" in msgids()
    assert "Edit the draft" in msgids()


@pytest.mark.parametrize("lang", TRANSLATIONS)
@pytest.mark.parametrize("msgid", msgids())
def test_every_page_string_has_a_translation(msgid: str, lang: str) -> None:
    translated = gettext(msgid, lang)
    assert translated != msgid or msgid in {"SHA-256", "ETSNG", "GNG"}
    assert set(re.findall(r"\{\w+\}", translated)) == set(re.findall(r"\{\w+\}", msgid))
