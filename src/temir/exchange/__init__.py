"""Exchange between railway nodes: peers, signed envelopes, outbox and inbox, delivery.

Every railway runs its own Temir node (own database, own keys); nodes talk directly. What a
node writes about a note it shares with other railways (versions, signatures, events, the
halves of handover acts) is announced by the lower capabilities through
:mod:`temir.kit.changes`; :mod:`~temir.exchange.outbox` writes one signed envelope per peer in
the same transaction; :mod:`~temir.exchange.worker` delivers them with retries; the receiver
(:mod:`~temir.exchange.inbox`) checks, deduplicates, orders and applies each one in one
transaction — its effect written into the node's own notes, tracking and key stores
(:mod:`~temir.exchange.effects`) — and answers with a signed receipt.

Pure: ``model``, ``rules``. SQL: ``repository``. Use cases: ``peers``, ``outbox``, ``inbox``,
``effects``, ``handover``, ``service`` (status, retry, what a node holds of a note).
"""
