"""What every entry point wires before it runs: the listeners of :mod:`temir.kit.hooks`.

Why one list here: the writers (tracking, notes) sit below the capabilities that react to
them (webhooks), so only an entry point may name both; ``temir.app`` and ``temir.cli`` call
:func:`install`. Light on purpose — naming a listener imports nothing until something is
written.
"""

from __future__ import annotations

from typing import Final

from temir.kit import hooks

LISTENERS: Final = ("temir.webhooks.outbox:enqueue",)


def install() -> None:
    for target in LISTENERS:
        hooks.listen(target)
