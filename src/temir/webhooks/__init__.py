"""Webhooks: a shipper, forwarder or consignee subscribes a URL to the events of its notes.

Pure: ``model`` (what a subscription, delivery and attempt are), ``rules`` (which URLs and event
types, who sees what, backoff, the signature headers). Stored: ``tables``, ``repository``.
``outbox`` queues a delivery in the transaction that writes the event (a listener of
:mod:`temir.kit.changes`); ``delivery`` is the worker that POSTs, retries and logs each attempt;
``service`` the use cases; ``api``, ``web``, ``cli`` the entry points.
"""
