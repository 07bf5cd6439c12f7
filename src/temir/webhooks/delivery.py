"""The delivery worker: takes due deliveries, POSTs them signed, logs every attempt, retries
with exponential backoff and jitter, gives up after ``max_attempts`` (failed; redeliverable).

Each attempt is three short steps: claim the delivery in one transaction (a lease: its next
attempt time moves forward, so two workers — two ``temir serve`` processes, or the CLI worker
beside one — never send it at once, and a worker killed mid-send loses nothing: the lease runs
out and it is sent again, with the same delivery id for the receiver to dedupe); POST outside
any transaction; record the answer in another. Redirects are not followed (they would lead the
POST where the URL rules did not look) and count as a failure.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

import httpx

from temir import __version__
from temir.accounts.model import Actor
from temir.kit import clock
from temir.kit.db import UnitOfWork
from temir.signing.algorithms import Signer
from temir.webhooks import repository, rules, service
from temir.webhooks.model import DeliveryStatus, Outcome
from temir.webhooks.tables import WebhookAttemptRow

log = logging.getLogger(__name__)

USER_AGENT: Final = f"Temir-Webhooks/{__version__}"
ERROR_MAX: Final = 400


@dataclass(frozen=True)
class WorkerConfig:
    """How the worker retries; defaults suit a receiver that is down for minutes to hours."""

    max_attempts: int = rules.MAX_ATTEMPTS
    base_delay: float = rules.BASE_DELAY
    max_delay: float = rules.MAX_DELAY
    timeout: float = 10.0
    batch: int = 50
    lease: float = 120.0
    interval: float = 2.0


def _error(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:ERROR_MAX]


def attempt(
    uow: UnitOfWork,
    delivery_id: str,
    signer: Signer,
    client: httpx.Client,
    config: WorkerConfig,
    spin: Callable[[], float] = random.random,
) -> Outcome | None:
    """One attempt of one delivery, if it is due and no other worker took it (else None)."""
    now = clock.now()
    with uow() as session:
        if not repository.claim(session, delivery_id, now, now + timedelta(seconds=config.lease)):
            return None
        row = repository.delivery_row(session, delivery_id)
        assert row is not None  # claimed just now
        url, secret, removed = service.subscription_secret(session, row.subscription_id)
        number = row.attempts + 1
        payload = rules.body(row.id, row.event_type, repository.aware(row.occurred_at).isoformat(),
                             row.payload)  # fmt: skip
        event_type = row.event_type
    status_code: int | None = None
    error: str | None = None
    started = time.perf_counter()
    if removed is not None:
        error = "subscription removed"
    else:
        timestamp = int(time.time())
        headers = rules.headers(
            delivery_id=delivery_id, event_type=event_type, attempt=number, timestamp=timestamp,
            payload=payload, secret=secret, signer=signer, user_agent=USER_AGENT,
        )  # fmt: skip
        try:
            response = client.post(url, content=payload, headers=headers)
            status_code = response.status_code
            if not 200 <= status_code < 300:
                error = f"HTTP {status_code}"
        except httpx.HTTPError as exc:
            error = _error(exc)
    latency = int((time.perf_counter() - started) * 1000)
    return _record(uow, delivery_id, number, status_code, latency, error, removed is not None,
                   config, spin)  # fmt: skip


def _record(
    uow: UnitOfWork,
    delivery_id: str,
    number: int,
    status_code: int | None,
    latency: int,
    error: str | None,
    give_up: bool,
    config: WorkerConfig,
    spin: Callable[[], float],
) -> Outcome:
    now = clock.now()
    with uow() as session:
        row = repository.delivery_row(session, delivery_id, for_update=True)
        assert row is not None
        repository.add_attempt(
            session,
            WebhookAttemptRow(delivery_id=delivery_id, attempt=number, at=now,
                              status_code=status_code, latency_ms=latency, error=error),
        )  # fmt: skip
        row.attempts = number
        row.round_attempts += 1
        row.last_status_code = status_code
        row.last_error = error
        if error is None:
            row.status = str(DeliveryStatus.DELIVERED)
            row.delivered_at = now
        elif give_up or row.round_attempts >= config.max_attempts:
            row.status = str(DeliveryStatus.FAILED)
        else:
            wait = rules.backoff(row.round_attempts, spin(), config.base_delay, config.max_delay)
            row.status = str(DeliveryStatus.PENDING)
            row.next_attempt_at = now + timedelta(seconds=wait)
        status = DeliveryStatus(row.status)
    return Outcome(delivery_id, number, status, status_code, latency, error)


def signer_for(uow: UnitOfWork, secret: str) -> Signer:
    """The node's webhook signer (its key made on first need)."""
    with uow() as session:
        return service.node_signer(session, secret)


def run_once(
    uow: UnitOfWork,
    secret: str,
    config: WorkerConfig | None = None,
    *,
    signer: Signer | None = None,
    client: httpx.Client | None = None,
    only: Collection[str] | None = None,
) -> list[Outcome]:
    """Attempt every delivery due now (up to ``config.batch``; ``only``: of these
    subscriptions); what each came to."""
    config = config or WorkerConfig()
    signer = signer or signer_for(uow, secret)
    with uow.read() as session:
        due = repository.due_ids(session, clock.now(), config.batch, only)
    if not due:
        return []
    own = client is None
    http = client or httpx.Client(timeout=config.timeout, follow_redirects=False)
    try:
        outcomes = [attempt(uow, d, signer, http, config) for d in due]
    finally:
        if own:
            http.close()
    return [o for o in outcomes if o is not None]


class Worker(threading.Thread):
    """The worker as a daemon thread (``temir serve``) or in the foreground (``temir webhooks
    worker``): runs :func:`run_once` until stopped; an error is logged, never fatal."""

    def __init__(
        self,
        uow: UnitOfWork,
        secret: str,
        config: WorkerConfig | None = None,
        on_outcome: Callable[[Outcome], None] | None = None,
    ) -> None:
        super().__init__(name="temir-webhooks", daemon=True)
        self.uow, self.secret, self.config = uow, secret, config or WorkerConfig()
        self.on_outcome = on_outcome
        self.stopping = threading.Event()

    def run(self) -> None:
        signer: Signer | None = None
        with httpx.Client(timeout=self.config.timeout, follow_redirects=False) as client:
            while not self.stopping.is_set():
                busy = False
                try:
                    signer = signer or signer_for(self.uow, self.secret)
                    outcomes = run_once(self.uow, self.secret, self.config, signer=signer,
                                        client=client)  # fmt: skip
                    busy = len(outcomes) >= self.config.batch
                    for outcome in outcomes:
                        if self.on_outcome is not None:
                            self.on_outcome(outcome)
                except Exception:
                    log.exception("webhook delivery round failed; trying again")
                if not busy:
                    self.stopping.wait(self.config.interval)

    def stop(self, timeout: float = 15.0) -> None:
        self.stopping.set()
        if self.is_alive():
            self.join(timeout)


def send_test(
    uow: UnitOfWork,
    actor: Actor,
    subscription_id: str,
    secret: str,
    config: WorkerConfig | None = None,
) -> Outcome:
    """Queue a signed ``webhook.test`` and attempt it now; a failure is retried as usual."""
    config = config or WorkerConfig()
    with uow() as session:
        delivery_id = service.queue_test(session, actor, subscription_id)
    signer = signer_for(uow, secret)
    with httpx.Client(timeout=config.timeout, follow_redirects=False) as client:
        outcome = attempt(uow, delivery_id, signer, client, config)
    return outcome or Outcome(delivery_id, 0, DeliveryStatus.PENDING, None, 0, None)
