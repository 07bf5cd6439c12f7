"""The one port through which capabilities announce what they wrote, inside the writing
transaction.

Why a port: two capabilities above notes and tracking must act in the *same* transaction as a
write — the exchange writes the outgoing envelope to peer railways (its outbox), webhooks queue
a delivery to subscribers (theirs) — so nothing committed is missed and nothing rolled back is
sent. Notes and tracking sit below both and must not import them. So they :func:`publish` the
:class:`Change` records they wrote, with the session they wrote through, and the entry points
(:mod:`temir.wiring`) subscribe the listeners once per process. A subscriber that raises aborts
the change: the caller's unit of work rolls back both.

Subscribers may be given as ``"module:function"`` so that a process that never writes (``temir
--help``) does not import them; each gets every change and ignores kinds it does not handle.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Change:
    """One written record: its ``kind`` (``note_version``, ``note_signature``, ``note_step``,
    ``event``, ``handover_offer|accept|dispute``, ``handover_status``), the note it belongs to,
    a key naming it for ever, and its JSON-ready payload."""

    kind: str
    note_id: str
    key: str
    payload: Mapping[str, Any] = field(default_factory=dict)


Subscriber = Callable[["Session", Sequence[Change]], None]
"""``(session, changes)``: called once per :func:`publish`, in the writer's transaction."""

_subscribers: list[Subscriber | str] = []
_loaded: dict[str, Subscriber] = {}


def subscribe(subscriber: Subscriber | str) -> None:
    """Call ``subscriber`` for every change published from now on (once, however often asked)."""
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)


def unsubscribe(subscriber: Subscriber | str) -> None:
    if subscriber in _subscribers:
        _subscribers.remove(subscriber)


def _resolved(subscriber: Subscriber | str) -> Subscriber:
    if not isinstance(subscriber, str):
        return subscriber
    found = _loaded.get(subscriber)
    if found is None:
        module, attribute = subscriber.split(":")
        found = _loaded[subscriber] = getattr(importlib.import_module(module), attribute)
    return found


def publish(session: Session, changes: Sequence[Change]) -> None:
    """Tell every subscriber about ``changes`` (written through ``session``, not yet committed)."""
    if not changes:
        return
    for subscriber in list(_subscribers):
        _resolved(subscriber)(session, changes)


def active() -> bool:
    """Whether anyone listens (publishers skip building payloads nobody reads)."""
    return bool(_subscribers)
