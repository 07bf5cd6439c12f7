"""Every text tracking shows exists in Russian, Kazakh and Tajik, with the same placeholders."""

from __future__ import annotations

import importlib
import re

import pytest

from temir.kit.i18n import TRANSLATIONS, gettext
from temir.kit.messages import registry

MODULES = ("temir.tracking.rules", "temir.tracking.service", "temir.tracking.cli")


@pytest.mark.parametrize("lang", TRANSLATIONS)
def test_every_declared_tracking_message_is_translated(lang: str) -> None:
    for name in MODULES:
        importlib.import_module(name)
    ids = registry()["tracking"]
    assert len(ids) >= 20
    assert sorted(m for m in ids if gettext(m, lang) == m) == []
    for msgid in ids:
        wanted = set(re.findall(r"{(\w+)}", msgid))
        assert set(re.findall(r"{(\w+)}", gettext(msgid, lang))) == wanted, (lang, msgid)


def test_a_flag_reads_in_the_readers_language() -> None:
    from temir.kit.messages import Message
    from temir.tracking.rules import FLAG_OFF_ROUTE

    assert Message.of(FLAG_OFF_ROUTE, esr="700007").text("ru") == (
        "Станция 700007 не на маршруте накладной."
    )
