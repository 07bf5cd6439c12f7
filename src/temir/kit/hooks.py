"""Facts a capability has just written, offered to whoever reacts in the same transaction.

Why: a subscriber's webhook (:mod:`temir.webhooks`) must be queued in the very transaction
that writes the tracking event, handover act or note step it reports (an outbox), so a write
rolled back queues nothing and a committed one is never missed. The writers sit below the
subscribers in the layers, so they cannot call them; they :func:`publish` what they wrote,
and the entry points (``temir.app``, ``temir.cli``) name the listeners with :func:`listen` as
``"module:function"`` — imported on the first publish, so a command that writes nothing pays
nothing. A listener runs inside the writer's session and never commits; if it raises, the
write fails with it. No I/O here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

Listener = Callable[[Any, str, Sequence[Mapping[str, Any]]], None]
"""``(session, topic, items)``: called once per publish, in the writer's transaction."""

_TARGETS: list[str] = []
_RESOLVED: list[Listener] = []


def listen(target: str) -> None:
    """Add the listener ``"module:function"`` (once; adding it again changes nothing)."""
    if target not in _TARGETS:
        _TARGETS.append(target)
        _RESOLVED.clear()


def forget(target: str) -> None:
    """Remove a listener (tests that need a writer alone)."""
    if target in _TARGETS:
        _TARGETS.remove(target)
        _RESOLVED.clear()


def listeners() -> tuple[str, ...]:
    return tuple(_TARGETS)


def _resolved() -> list[Listener]:
    if len(_RESOLVED) != len(_TARGETS):
        _RESOLVED.clear()
        for target in _TARGETS:
            module, name = target.split(":")
            _RESOLVED.append(getattr(importlib.import_module(module), name))
    return _RESOLVED


def publish(session: Any, topic: str, items: Sequence[Mapping[str, Any]]) -> None:
    """Tell every listener that ``items`` of ``topic`` were written in ``session``'s transaction.

    Topics: ``tracking.event`` (event rows), ``handover.offered|accepted|disputed`` (acts),
    ``note.<action>`` (a lifecycle step of a note).
    """
    if not items or not _TARGETS:
        return
    for listener in list(_resolved()):
        listener(session, topic, items)


_PROVIDERS: dict[str, str] = {}


def provide(name: str, target: str) -> None:
    """Name ``"module:function"`` as the provider of ``name`` (e.g. ``border_dwell``): a figure
    a lower capability shows but a higher one computes (tariff's quote, tracking's dwell)."""
    _PROVIDERS[name] = target


def provided(name: str) -> Callable[..., Any] | None:
    """The provider of ``name``, imported now, or None when no entry point named one."""
    target = _PROVIDERS.get(name)
    if target is None:
        return None
    module, attribute = target.split(":")
    found: Callable[..., Any] = getattr(importlib.import_module(module), attribute)
    return found
