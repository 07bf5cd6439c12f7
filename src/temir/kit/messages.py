"""User-facing texts as data: an English message id plus parameters, rendered per language.

Why not f-strings: a quote or a route is computed once and shown in English on one screen and in
Russian on another (CLI with ``TEMIR_LANG``, the API with ``?lang=``, the web page). So the rules
return :class:`Message` values — the msgid and its parameters (numbers stay numbers) — and each
entry point renders them in its user's language at the last moment.

Every msgid a capability can produce is declared once with :func:`define`, which records it in a
registry. A test walks the registry and demands a translation for each language we ship, so a new
sentence without its Russian fails the build instead of leaking English into a Russian page.
Pure module (babel is read lazily, through :mod:`temir.kit.i18n`).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

_REGISTRY: dict[str, set[str]] = {}


def define(domain: str, msgid: str) -> str:
    """Declare ``msgid`` as one of ``domain``'s user-facing texts and return it unchanged."""
    _REGISTRY.setdefault(domain, set()).add(msgid)
    return msgid


def registry() -> dict[str, frozenset[str]]:
    """Every declared msgid by domain (modules declare theirs when imported)."""
    return {domain: frozenset(ids) for domain, ids in _REGISTRY.items()}


@dataclass(frozen=True)
class Message:
    """A text to be shown: ``msgid`` with ``{name}`` placeholders filled from ``params``.

    A parameter may itself be a :class:`Message` (a reason inside a sentence); it is rendered in
    the same language. Decimals keep their own number of places; ints get thousands separators.
    """

    msgid: str
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    @classmethod
    def of(cls, msgid: str, **params: Any) -> Message:
        return cls(msgid, params)

    def text(self, lang: str = "en") -> str:
        # A message is a value: rendered once per language and kept on the instance (shared
        # messages — a route's notes, a factor's line, the mass reason of every leg — are
        # shown many times).
        cache: dict[str, str] | None = self.__dict__.get("_texts")
        if cache is None:
            cache = self.__dict__["_texts"] = {}
        found = cache.get(lang)
        if found is None:
            found = cache[lang] = self._render(lang)
        return found

    def _render(self, lang: str) -> str:
        from temir.kit.i18n import translate

        if not self.params:
            return translate(self.msgid, lang)
        shown: dict[str, str] = {}
        for name, value in self.params.items():  # render_value, its common types inlined
            kind = type(value)
            if kind is str:
                shown[name] = value
            elif kind is int:
                shown[name] = _localise(f"{value:,}", lang)
            elif kind is Message:
                shown[name] = value.text(lang)
            elif kind is Decimal and value.is_finite():
                shown[name] = _localise(f"{value:,f}", lang)
            else:
                shown[name] = render_value(value, lang)
        return translate(self.msgid, lang, **shown)

    def __str__(self) -> str:
        return self.text("en")

    def to_dict(self) -> dict[str, Any]:
        """The machine form: msgid and JSON-safe params (numbers as plain strings/ints)."""
        params: dict[str, Any] = {}
        for name, value in self.params.items():  # _plain, its common types inlined
            kind = type(value)
            if kind is str or kind is int:
                params[name] = value
            elif kind is Decimal:
                params[name] = str(value)
            else:
                params[name] = _plain(value)
        return {"msgid": self.msgid, "params": params}


def _plain(value: Any) -> Any:
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is Message:
        return value.to_dict()
    if isinstance(value, Message):
        return value.to_dict()
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def render_value(value: Any, lang: str) -> str:
    """One parameter as the user reads it: numbers in the language's format, dates ISO.

    The exact types a message carries (str, int, Decimal, Message) are tried first by
    ``type`` — a quote renders some hundred parameters — before the general ``isinstance``
    checks, which decide every other value exactly as before.
    """
    kind = type(value)
    if kind is str:
        return value  # type: ignore[no-any-return]
    if kind is int:
        return _localise(f"{value:,}", lang)
    if kind is Decimal and value.is_finite():
        return _localise(f"{value:,f}", lang)  # ``f`` keeps the value's own places
    if isinstance(value, Message):
        return value.text(lang)
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return _number(Decimal(value), 0, lang)
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        return _number(value, places, lang)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _number(value: Decimal, places: int, lang: str) -> str:
    """``value`` with thousands separators and ``places`` decimals, in ``lang``'s symbols.

    Why not Babel's ``format_decimal`` per call: it parsed the pattern and looked the locale
    up on every number — about half of a quote's rendering time. The ``#,##0[.00…]`` pattern
    only needs the locale's group and decimal symbols and minus sign, taken from Babel once per
    language; ``tests/kit/test_messages.py`` checks the result equals ``format_decimal``.
    """
    return _localise(f"{value:,.{places}f}", lang)


def _localise(text: str, lang: str) -> str:
    """A number written with ``,`` groups, ``.`` decimals and ``-`` in ``lang``'s symbols."""
    group, decimal, minus = _symbols(lang)
    if text[0] == "-" and minus != "-":
        text = minus + text[1:]
    if group == "," and decimal == ".":
        return text
    return text.replace(",", "\x00").replace(".", decimal).replace("\x00", group)


@functools.cache
def _symbols(lang: str) -> tuple[str, str, str]:
    from babel.numbers import get_decimal_symbol, get_group_symbol, get_minus_sign_symbol

    from temir.kit.i18n import normalise_language

    locale = normalise_language(lang)
    return get_group_symbol(locale), get_decimal_symbol(locale), get_minus_sign_symbol(locale)


def texts(messages: tuple[Message, ...] | list[Message], lang: str) -> list[str]:
    return [m.text(lang) for m in messages]
