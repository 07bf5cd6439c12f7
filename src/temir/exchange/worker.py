"""The delivery worker: sends due envelopes to each peer, marks them delivered on a valid
signed receipt, retries the others with exponential backoff and jitter, and asks peers to
resend what is missing before a waiting envelope.

Why outside any transaction while sending: an HTTP call must not hold database locks. The
worker reads what is due, sends it, then records the outcome in a new unit of work. Killed
between a send and that record, it sends the same envelopes again later; the receiver answers
``duplicate`` (dedup by id) and they are marked delivered — at least once on the wire, exactly
once in effect. Two workers (``temir serve``'s thread and ``temir exchange worker``) may run
together for the same reason.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Final

import httpx

from temir.exchange import inbox, repository, rules, service
from temir.exchange.rules import KeyView
from temir.kit import clock
from temir.kit.db import UnitOfWork

log = logging.getLogger("temir.exchange")

BATCH: Final = 500
DUE_LIMIT: Final = 2000
TIMEOUT: Final = 10.0
ENVELOPES_PATH: Final = "/api/v1/exchange/envelopes"
RESEND_PATH: Final = "/api/v1/exchange/resend"


@dataclass
class Round:
    """What one pass of the worker did."""

    sent: int = 0
    delivered: int = 0
    failed: int = 0
    resend_requests: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def busy(self) -> bool:
        return self.sent > 0 or self.resend_requests > 0


def _post(client: httpx.Client, url: str, body: Any) -> tuple[int, Any]:
    answer = client.post(url, json=body, timeout=TIMEOUT)
    try:
        return answer.status_code, answer.json()
    except ValueError:
        return answer.status_code, None


def deliver_once(
    uow: UnitOfWork, secret: str, client: httpx.Client, rng: random.Random | None = None
) -> Round:
    """One pass: every due envelope sent (in batches per peer), outcomes recorded."""
    done = Round()
    now = clock.now()
    with uow.read() as session:
        rows = repository.due(session, now, DUE_LIMIT)
        peers = {p.railway: p.base_url for p in repository.peer_rows(session)}
        keys = {r: service.key_view(session, r) for r in peers}
        work: dict[str, list[dict[str, Any]]] = {}
        for receiver, envelope in rows:
            if receiver in peers:
                work.setdefault(receiver, []).append(envelope)
    for peer, envelopes in work.items():
        for start in range(0, len(envelopes), BATCH):
            batch = envelopes[start : start + BATCH]
            done.sent += len(batch)
            outcome = _send(client, peers[peer], batch, keys[peer], peer)
            _record(uow, peer, batch, outcome, rng)
            delivered = sum(1 for ok in outcome[0].values() if ok is None)
            done.delivered += delivered
            done.failed += len(batch) - delivered
            if outcome[1]:
                done.errors.append(f"{peer}: {outcome[1]}")
                break  # the link is down: the rest waits for its backoff too
    done.resend_requests = heal_gaps(uow, secret, client)
    return done


def _send(
    client: httpx.Client,
    base_url: str,
    batch: list[dict[str, Any]],
    keys: KeyView,
    receiver: str,
) -> tuple[dict[str, str | None], str | None]:
    """Per envelope id: ``None`` if delivered, else why not; and a link error if any."""
    ids = [e["id"] for e in batch]
    try:
        status, body = _post(client, base_url + ENVELOPES_PATH, {"envelopes": batch})
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:300]
        return dict.fromkeys(ids, error), error
    if status != 200 or not isinstance(body, dict) or not isinstance(body.get("receipts"), list):
        code = body.get("error", {}).get("code") if isinstance(body, dict) else None
        error = f"HTTP {status} {code or ''}".strip()
        return dict.fromkeys(ids, error), error
    signed = inbox.check_receipts(body, receiver, keys, clock.now())
    if signed is None:
        return dict.fromkeys(ids, "receipt not signed by the receiver"), "receipt not signed"
    errors = {
        str(r.get("envelope_id")): str((r.get("error") or {}).get("code", r.get("status")))
        for r in body["receipts"]
        if isinstance(r, dict)
    }
    digests = {str(e["id"]): e["payload_digest"] for e in batch}
    out: dict[str, str | None] = {}
    for envelope_id in ids:
        said, digest = signed.get(envelope_id, ("", ""))
        if said in inbox.HELD and digest == digests[envelope_id]:
            out[envelope_id] = None
        else:
            out[envelope_id] = errors.get(envelope_id, "no receipt")[:300]
    for envelope_id in ids:
        out.setdefault(envelope_id, "no receipt")
    return out, None


def _record(
    uow: UnitOfWork,
    peer: str,
    batch: list[dict[str, Any]],
    outcome: tuple[dict[str, str | None], str | None],
    rng: random.Random | None,
) -> None:
    results, link_error = outcome
    now = clock.now()
    with uow() as session:
        repository.mark_delivered(session, [i for i, e in results.items() if e is None], now)
        failed = [i for i, e in results.items() if e is not None]
        for row in repository.outbox_rows(session, failed) if failed else ():
            error = results[row.id] or ""
            row.attempts += 1
            row.last_error = error[:400]
            row.next_attempt_at = now + timedelta(seconds=rules.backoff(row.attempts, rng))
        link = repository.link(session, peer)
        first_error = link_error or next((e for e in results.values() if e), None)
        if any(e is None for e in results.values()):
            link.last_success_at = now
        if first_error:
            link.last_error, link.last_error_at = first_error, now


def heal_gaps(uow: UnitOfWork, secret: str, client: httpx.Client) -> int:
    """Ask each peer to resend what is missing before envelopes that wait in the inbox."""
    with uow() as session:
        gaps = inbox.gaps_to_heal(session, clock.now())
        peers = {p.railway: p.base_url for p in repository.peer_rows(session)}
        requests = [
            (peers[g[0]], inbox.resend_request(session, *g, secret=secret))
            for g in gaps
            if g[0] in peers
        ]
    sent = 0
    for url, body in requests:
        try:
            status, _ = _post(client, url + RESEND_PATH, body)
            sent += status == 200
        except httpx.HTTPError as exc:
            log.info("resend request to %s failed: %s", url, exc)
    return sent


def run(
    uow: UnitOfWork,
    secret: str,
    stop: threading.Event,
    *,
    interval: float = 0.5,
    on_round: Callable[[Round], None] | None = None,
) -> None:
    """Deliver until ``stop`` is set: again at once while busy, else every ``interval`` s."""
    with httpx.Client() as client:
        while not stop.is_set():
            try:
                done = deliver_once(uow, secret, client)
            except Exception:  # a bad round must not end the worker; it is logged
                log.exception("exchange delivery round failed")
                done = Round()
            if on_round is not None:
                on_round(done)
            if not done.busy:
                stop.wait(interval)


def has_peers(uow: UnitOfWork) -> bool:
    with uow.read() as session:
        return bool(repository.peer_rows(session)) and repository.node(session) is not None


def start_thread(uow: UnitOfWork, secret: str, interval: float = 0.5) -> threading.Event:
    """The worker in a daemon thread (inside ``temir serve``); set the event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run,
        args=(uow, secret, stop),
        kwargs={"interval": interval},
        name="temir-exchange-worker",
        daemon=True,
    )
    thread.start()
    return stop
