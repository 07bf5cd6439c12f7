from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

from temir.kit import i18n


def test_russian_catalog_translates_and_fills_placeholders() -> None:
    assert i18n.translate("Invalid input in {field}: {detail}", "ru", field="mass", detail="x") == (
        "Неверные данные в поле mass: x"
    )


def test_unknown_language_and_missing_message_fall_back_to_english() -> None:
    assert i18n.translate("Not found.", "xx") == "Not found."
    assert i18n.translate("A message nobody translated {n}", "ru", n=3) == (
        "A message nobody translated 3"
    )


def test_normalise_language_accepts_regional_forms() -> None:
    assert i18n.normalise_language("ru-RU") == "ru"
    assert i18n.normalise_language("RU") == "ru"
    assert i18n.normalise_language(None) == "en"
    assert i18n.normalise_language("de") == "en"


def test_every_catalog_parses_and_keeps_placeholders() -> None:
    """A translation must use exactly the placeholders of its English message."""
    for path in sorted(i18n.LOCALE_DIR.glob("*/LC_MESSAGES/*.po")):
        with Path(path).open("rb") as fh:
            catalog = read_po(fh)
        for message in catalog:
            if not message.id or not message.string:
                continue
            assert isinstance(message.id, str)
            wanted = set(re.findall(r"{(\w+)}", message.id))
            got = set(re.findall(r"{(\w+)}", str(message.string)))
            assert wanted == got, f"{path.name}: {message.id!r} → {message.string!r}"
