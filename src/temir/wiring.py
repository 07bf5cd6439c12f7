"""What every entry point wires before it runs: the subscribers of :mod:`temir.kit.changes`
and the providers of :mod:`temir.kit.providers`.

Why one list here: the writers (tracking, notes) sit below the capabilities that react to
them (exchange, webhooks), and tariff below tracking, so only an entry point may name both
sides; ``temir.app`` and ``temir.cli`` call :func:`install`. Light on purpose — naming a
subscriber imports nothing until something is written.
"""

from __future__ import annotations

from typing import Final

from temir.kit import changes, providers

SUBSCRIBERS: Final = (
    "temir.exchange.outbox:on_changes",  # envelopes to peer railways
    "temir.webhooks.outbox:on_changes",  # deliveries to subscribed URLs
)
PROVIDERS: Final = {
    "border_dwell": "temir.tracking.borders:observed_dwell",
    "border_dwell_key": "temir.tracking.borders:observed_dwell_key",
    "received_act_decision": "temir.exchange.handover:decide_received",
}
"""Figures a lower capability shows and a higher one computes: the observed border dwell a
quote carries (API, page, ``temir quote --json``) comes from tracking; the decision on an act
a peer node offered (``temir handover accept|dispute``) goes over the wire through the
exchange."""


def install() -> None:
    for target in SUBSCRIBERS:
        changes.subscribe(target)
    for name, target in PROVIDERS.items():
        providers.provide(name, target)
