"""A port through which capabilities announce what they wrote, inside the writing transaction.

Why a port: the exchange between railway nodes must write its outgoing envelope in the *same*
transaction as the change it carries (an outbox), yet notes and tracking sit below exchange and
must not import it. So they :func:`publish` a :class:`Change` with the session they write
through, and whoever sits above subscribes once per process (``temir serve``, the CLI, a test).
A subscriber that raises aborts the change: the caller's unit of work rolls back both.

Subscribers may be given as ``"module:function"`` so that a process that never writes (``temir
--help``) does not import them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Change:
    """One written record: its ``kind`` (``note_version``, ``event``, ...), the note it belongs
    to, a key naming it for ever, and its JSON payload as stored."""

    kind: str
    note_id: str
    key: str
    payload: Mapping[str, Any] = field(default_factory=dict)


Subscriber = Callable[["Session", Change], None]
_subscribers: list[Subscriber | str] = []


def subscribe(subscriber: Subscriber | str) -> None:
    """Call ``subscriber`` for every change published from now on (once, however often asked)."""
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)


def unsubscribe(subscriber: Subscriber | str) -> None:
    if subscriber in _subscribers:
        _subscribers.remove(subscriber)


def _resolve(index: int) -> Subscriber:
    found = _subscribers[index]
    if isinstance(found, str):
        module, attribute = found.split(":")
        resolved: Subscriber = getattr(importlib.import_module(module), attribute)
        _subscribers[index] = resolved
        return resolved
    return found


def publish(session: Session, change: Change) -> None:
    """Tell every subscriber about ``change`` (written through ``session``, not yet committed)."""
    for index in range(len(_subscribers)):
        _resolve(index)(session, change)


def active() -> bool:
    """Whether anyone listens (publishers skip building payloads nobody reads)."""
    return bool(_subscribers)
