"""What every entry point wires before it runs: the listeners and providers of
:mod:`temir.kit.hooks`.

Why one list here: the writers (tracking, notes) sit below the capabilities that react to
them (webhooks), so only an entry point may name both; ``temir.app`` and ``temir.cli`` call
:func:`install`. Light on purpose — naming a listener imports nothing until something is
written.
"""

from __future__ import annotations

from typing import Final

from temir.kit import hooks

LISTENERS: Final = ("temir.webhooks.outbox:enqueue",)
PROVIDERS: Final = {"border_dwell": "temir.tracking.borders:observed_dwell"}
"""Figures a lower capability shows and a higher one computes: the observed border dwell a
quote carries (``temir quote --json``) comes from tracking."""


def install() -> None:
    for target in LISTENERS:
        hooks.listen(target)
    for name, target in PROVIDERS.items():
        hooks.provide(name, target)
