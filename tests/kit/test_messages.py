"""Numbers in messages read as Babel's ``format_decimal`` writes them, in every language."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from temir.kit.i18n import available_languages, translate
from temir.kit.messages import render_value

LANGS = [*available_languages(), "ru-RU", "xx"]


@pytest.mark.parametrize("lang", LANGS)
@settings(deadline=None)  # the first number of a language loads its Babel data: no timing here
@given(
    value=st.decimals(min_value=-(10**12), max_value=10**12, places=None, allow_nan=False),
    places=st.integers(min_value=0, max_value=4),
)
def test_decimals_render_as_babel_formats_them(lang: str, value: Decimal, places: int) -> None:
    value = value.quantize(Decimal(1).scaleb(-places))
    expected = format_decimal(
        value, format="#,##0" + ("." + "0" * places if places else ""), locale=_babel(lang)
    )
    assert render_value(value, lang) == expected


@pytest.mark.parametrize("lang", LANGS)
@settings(deadline=None)
@given(value=st.integers(min_value=-(10**15), max_value=10**15))
def test_integers_render_as_babel_formats_them(lang: str, value: int) -> None:
    assert render_value(value, lang) == format_decimal(value, format="#,##0", locale=_babel(lang))


def _babel(lang: str) -> str:
    from temir.kit.i18n import normalise_language

    return normalise_language(lang)


def test_unknown_placeholders_stay_visible_and_known_ones_are_filled() -> None:
    assert translate("{a} and {b}", "en", a=1) == "1 and {b}"
    assert translate("{a:>3}|", "en", a="x") == "  x|"
