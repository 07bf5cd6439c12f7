"""Every text of webhooks (code and pages) is in Russian, Kazakh and Tajik with the same
placeholders, and an API error reads in the caller's language."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from temir.kit import i18n
from tests.kit.test_i18n import LITERAL, MESSAGE

PACKAGE = Path(i18n.__file__).resolve().parents[1] / "webhooks"


def webhook_msgids() -> set[str]:
    found: set[str] = set()
    for path in PACKAGE.rglob("*"):
        if path.suffix in (".py", ".html"):
            for match in MESSAGE.finditer(path.read_text(encoding="utf-8")):
                found.add("".join(ast.literal_eval(p) for p in re.findall(LITERAL, match.group(1))))
    return found


@pytest.mark.parametrize("lang", i18n.TRANSLATIONS)
def test_every_webhooks_text_is_translated(lang: str) -> None:
    ids = webhook_msgids()
    assert len(ids) > 40
    assert sorted(m for m in ids if i18n.gettext(m, lang) == m and m[0].isalpha()) == []
    for msgid in ids:
        wanted = set(re.findall(r"{(\w+)}", msgid))
        assert set(re.findall(r"{(\w+)}", i18n.gettext(msgid, lang))) == wanted, (lang, msgid)


def test_a_refused_url_reads_in_kazakh_and_tajik() -> None:
    from temir.kit.errors import ValidationFailed
    from temir.webhooks import rules

    with pytest.raises(ValidationFailed) as caught:
        rules.check_url("https://a:b@example.org/")
    assert "құпия" in caught.value.message("kk")
    assert "парол" in caught.value.message("tg")
