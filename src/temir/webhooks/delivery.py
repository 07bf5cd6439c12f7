"""The delivery worker: takes due deliveries, POSTs them signed, logs every attempt, retries
with exponential backoff and jitter, gives up after ``max_attempts`` (failed; redeliverable).

Each round is three steps: claim the due deliveries in one transaction (a lease: their next
attempt time moves forward, so two workers — two ``temir serve`` processes, or the CLI worker
beside one — never send one at once, and a worker killed mid-send loses nothing: the lease runs
out and it is sent again, with the same delivery id for the receiver to dedupe); POST each
outside any transaction; record every answer in another. Two commits a round, not two a
delivery (``bench/RESULTS.md``). Redirects are not followed (they would lead the POST where the
URL rules did not look) and count as a failure.
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


@dataclass(frozen=True)
class _Job:
    """A claimed delivery, ready to POST (read in the claiming transaction)."""

    delivery_id: str
    number: int
    url: str
    secret: str
    removed: bool
    event_type: str
    payload: bytes


@dataclass(frozen=True)
class _Answer:
    job: _Job
    status_code: int | None
    latency_ms: int
    error: str | None


def _claim(
    uow: UnitOfWork,
    config: WorkerConfig,
    *,
    only: Collection[str] | None = None,
    ids: Collection[str] | None = None,
) -> list[_Job]:
    """Take due deliveries for one round; the lease outlasts the round's POSTs."""
    now = clock.now()
    lease = max(config.lease, config.batch * config.timeout + 30)
    with uow() as session:
        claimed = repository.claim_due(session, now, now + timedelta(seconds=lease),
                                       config.batch, only=only, ids=ids)  # fmt: skip
        rows = repository.deliveries_by_id(session, claimed)
        subs = repository.subscriptions_by_id(session, {r.subscription_id for r in rows})
        return [
            _Job(
                delivery_id=r.id,
                number=r.attempts + 1,
                url=subs[r.subscription_id].url,
                secret=subs[r.subscription_id].secret,
                removed=subs[r.subscription_id].removed_at is not None,
                event_type=r.event_type,
                payload=rules.body(
                    r.id, r.event_type, repository.aware(r.occurred_at).isoformat(), r.payload
                ),
            )
            for r in sorted(
                rows,
                key=lambda r: (
                    repository.aware(r.created_at),
                    repository.aware(r.occurred_at),
                    r.id,
                ),
            )
        ]


def _send(job: _Job, signer: Signer, client: httpx.Client) -> _Answer:
    """POST one delivery, signed; the answer, or why there was none."""
    started = time.perf_counter()
    if job.removed:
        return _Answer(job, None, 0, "subscription removed")
    timestamp = int(time.time())
    headers = rules.headers(
        delivery_id=job.delivery_id, event_type=job.event_type, attempt=job.number,
        timestamp=timestamp, payload=job.payload, secret=job.secret, signer=signer,
        user_agent=USER_AGENT,
    )  # fmt: skip
    status_code: int | None = None
    error: str | None = None
    try:
        response = client.post(job.url, content=job.payload, headers=headers)
        status_code = response.status_code
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}"
    except httpx.HTTPError as exc:
        error = _error(exc)
    return _Answer(job, status_code, int((time.perf_counter() - started) * 1000), error)


def _record(
    uow: UnitOfWork, answers: list[_Answer], config: WorkerConfig, spin: Callable[[], float]
) -> list[Outcome]:
    """Log every attempt of the round and move each delivery on, in one transaction."""
    if not answers:
        return []
    now = clock.now()
    out: list[Outcome] = []
    with uow() as session:
        rows = {
            r.id: r
            for r in repository.deliveries_by_id(
                session, [a.job.delivery_id for a in answers], for_update=True
            )
        }
        for a in answers:
            row = rows[a.job.delivery_id]
            repository.add_attempt(
                session,
                WebhookAttemptRow(delivery_id=row.id, attempt=a.job.number, at=now,
                                  status_code=a.status_code, latency_ms=a.latency_ms,
                                  error=a.error),
            )  # fmt: skip
            row.attempts = a.job.number
            row.round_attempts += 1
            row.last_status_code = a.status_code
            row.last_error = a.error
            if a.error is None:
                row.status = str(DeliveryStatus.DELIVERED)
                row.delivered_at = now
            elif a.job.removed or row.round_attempts >= config.max_attempts:
                row.status = str(DeliveryStatus.FAILED)
            else:
                wait = rules.backoff(row.round_attempts, spin(), config.base_delay,
                                     config.max_delay)  # fmt: skip
                row.status = str(DeliveryStatus.PENDING)
                row.next_attempt_at = now + timedelta(seconds=wait)
            out.append(Outcome(row.id, a.job.number, DeliveryStatus(row.status), a.status_code,
                               a.latency_ms, a.error))  # fmt: skip
    return out


def attempt(
    uow: UnitOfWork,
    delivery_id: str,
    signer: Signer,
    client: httpx.Client,
    config: WorkerConfig,
    spin: Callable[[], float] = random.random,
) -> Outcome | None:
    """One attempt of one delivery, if it is due and no other worker took it (else None)."""
    jobs = _claim(uow, config, ids=[delivery_id])
    if not jobs:
        return None
    return _record(uow, [_send(jobs[0], signer, client)], config, spin)[0]


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
    jobs = _claim(uow, config, only=only)
    if not jobs:
        return []
    own = client is None
    http = client or httpx.Client(timeout=config.timeout, follow_redirects=False)
    try:
        answers = [_send(job, signer, http) for job in jobs]
    finally:
        if own:
            http.close()
    return _record(uow, answers, config, random.random)


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
