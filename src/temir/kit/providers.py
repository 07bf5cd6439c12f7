"""Figures a lower capability shows but a higher one computes, named by the entry points.

Why: the quote (tariff) shows the observed border dwell beside km and days, but the dwell is
measured by tracking, which sits above tariff in the layers. The entry points
(:mod:`temir.wiring`) name the provider as ``"module:function"``; tariff asks for it by name and
goes without when none is named (a process with no database). No I/O here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

_PROVIDERS: dict[str, str] = {}


def provide(name: str, target: str) -> None:
    """Name ``"module:function"`` as the provider of ``name`` (e.g. ``border_dwell``)."""
    _PROVIDERS[name] = target


def provided(name: str) -> Callable[..., Any] | None:
    """The provider of ``name``, imported now, or None when no entry point named one."""
    target = _PROVIDERS.get(name)
    if target is None:
        return None
    module, attribute = target.split(":")
    found: Callable[..., Any] = getattr(importlib.import_module(module), attribute)
    return found
