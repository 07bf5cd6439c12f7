"""Every text the exchange shows exists in Russian, Kazakh and Tajik, same placeholders."""

from __future__ import annotations

import importlib
import re

import pytest

from temir.kit.i18n import TRANSLATIONS, gettext
from temir.kit.messages import registry

MODULES = (
    "temir.exchange.rules",
    "temir.exchange.service",
    "temir.exchange.inbox",
    "temir.exchange.handover",
    "temir.exchange.cli",
)


@pytest.mark.parametrize("lang", TRANSLATIONS)
def test_every_declared_exchange_message_is_translated(lang: str) -> None:
    for name in MODULES:
        importlib.import_module(name)
    ids = registry()["exchange"]
    assert len(ids) >= 30
    assert sorted(m for m in ids if gettext(m, lang) == m) == []
    for msgid in ids:
        wanted = set(re.findall(r"{(\w+)}", msgid))
        assert set(re.findall(r"{(\w+)}", gettext(msgid, lang))) == wanted, (lang, msgid)


def test_a_refusal_reads_in_russian() -> None:
    from temir.exchange.rules import KEY_NOT_VALID
    from temir.kit.i18n import translate

    assert translate(KEY_NOT_VALID, "ru", key_id="k", peer="KZH", signed_at="t") == (
        "Ключ k партнёра KZH не действовал в t."
    )
