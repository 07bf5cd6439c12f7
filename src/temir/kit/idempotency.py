"""``Idempotency-Key``: a client may send a write again without it being done twice.

Why: a connection can close after the server has committed a create but before the answer
arrives (a proxy timeout, a restart, a dropped link). Retrying blindly makes a second note;
not retrying may lose the first. A client that sends ``Idempotency-Key: <its own unique value>``
can retry with the same key and body and gets the first answer back, with nothing new written.

How, for every unsafe request that carries the header (:mod:`temir.web.idempotency` sets up a
:class:`Claim` per request and keeps the answer):

* the first write unit of work of the request (``uow_of(request)()``) starts by *claiming* the
  key for its caller: it inserts a row (caller, key, fingerprint of method, path, query and
  body) in its own transaction, so the claim is committed together with the write or not at
  all — a failed request leaves no claim and may simply be retried;
* if the caller already holds the key: same fingerprint → the kept answer is replayed
  (:class:`Replay`), the write is not run; another fingerprint → 422
  ``idempotency_key_reused``; claimed but no answer kept yet (the first request is still
  running, or the process died between commit and answer) → 409 ``idempotency_in_progress``
  with ``Retry-After``;
* two requests with one key at the same moment: the unique (caller, key) index lets one
  commit; the other waits for it (PostgreSQL) and answers 409 ``idempotency_in_progress``.

Keys are per caller (``user:<id>``; set by the accounts layer from the session or token), kept
for :data:`KEEP_FOR`; requests without a caller (anonymous) ignore the header.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from temir.kit import clock
from temir.kit.db import UnitOfWork
from temir.kit.errors import Conflict, ValidationFailed
from temir.kit.i18n import N_
from temir.kit.tables import IdempotencyRow

HEADER = "idempotency-key"
FIELD = "Idempotency-Key"
KEY_MAX_LENGTH = 255
KEEP_FOR = timedelta(hours=24)
MAX_KEPT_BODY = 1024 * 1024
STATE = "idempotency"  # request.state attribute holding the Claim
OWNER_STATE = "idempotency_owner"  # request.state attribute naming the caller


def check_key(value: str) -> str:
    """A key is 1 to 255 visible ASCII characters (a UUID is a good choice)."""
    if not 1 <= len(value) <= KEY_MAX_LENGTH or not all(33 <= ord(ch) <= 126 for ch in value):
        raise ValidationFailed(
            N_("An Idempotency-Key has 1 to {max} visible ASCII characters, e.g. a UUID."),
            code="invalid_idempotency_key",
            field=FIELD,
            max=KEY_MAX_LENGTH,
        )
    return value


@dataclass
class Claim:
    """One request's key, the digest of its body as it is read, and whether it was claimed."""

    key: str
    method: str
    target: str  # path and query
    body: Any = field(default_factory=hashlib.sha256)
    row_id: int | None = None  # the claim row, once its transaction has committed
    keep_body: bool = True  # False: the answer holds a secret and is not stored

    def fingerprint(self) -> str:
        text = f"{self.method} {self.target}\n{self.body.hexdigest()}"
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Replay(Exception):
    """The request was done before: answer with what it answered then."""

    def __init__(self, status: int, content_type: str | None, body: bytes) -> None:
        super().__init__(status)
        self.status = status
        self.content_type = content_type
        self.body = body


class InProgress(Conflict):
    def headers(self) -> dict[str, str]:
        return {"Retry-After": "1"}


def _in_progress() -> InProgress:
    return InProgress(
        N_(
            "A request with this Idempotency-Key is still being processed, or its answer was "
            "lost. Try again in a moment."
        ),
        code="idempotency_in_progress",
        field=FIELD,
    )


def _answer_of(row: IdempotencyRow, fingerprint: str) -> Exception:
    if row.fingerprint != fingerprint:
        return ValidationFailed(
            N_(
                "This Idempotency-Key was already used for a different request (another "
                "address or body). Use a new key for a new request."
            ),
            code="idempotency_key_reused",
            field=FIELD,
        )
    if row.completed_at is None or row.status is None:
        return _in_progress()
    if row.body is None:
        return Conflict(
            N_(
                "This request was already carried out; its answer was not kept (it was too "
                "large, or it held a secret shown only once)."
            ),
            code="idempotency_answer_not_kept",
            field=FIELD,
        )
    return Replay(row.status, row.content_type, row.body)


def claim(session: Session, request_claim: Claim, owner: str) -> int:
    """Claim the key for ``owner`` in ``session``'s transaction, or raise what to answer."""
    now = clock.now()
    session.execute(  # an expired key of this caller may be used again
        delete(IdempotencyRow).where(
            IdempotencyRow.owner == owner, IdempotencyRow.created_at < now - KEEP_FOR
        )
    )
    fingerprint = request_claim.fingerprint()
    existing = _held(session, owner, request_claim.key)
    if existing is not None:
        raise _answer_of(existing, fingerprint)
    row = IdempotencyRow(
        owner=owner, key=request_claim.key, fingerprint=fingerprint, created_at=now
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError:  # claimed by a concurrent request that has just committed
        raise _in_progress() from None
    return row.id


def _held(session: Session, owner: str, key: str) -> IdempotencyRow | None:
    """The caller's claim of ``key``, unless it is past :data:`KEEP_FOR` (then it may be
    used again: :func:`claim` deletes it)."""
    return session.scalars(
        select(IdempotencyRow).where(
            IdempotencyRow.owner == owner,
            IdempotencyRow.key == key,
            IdempotencyRow.created_at >= clock.now() - KEEP_FOR,
        )
    ).first()


def answer_not_kept(state: Any) -> None:
    """For a route whose answer holds a secret shown once (a new API token): a retry hears
    that the request was carried out, but the answer is never stored."""
    request_claim: Claim | None = getattr(state, STATE, None)
    if request_claim is not None:
        request_claim.keep_body = False


def keep_answer(
    uow: UnitOfWork, row_id: int, status: int, content_type: str | None, body: bytes | None
) -> None:
    """Keep the answer of a claimed request, for its retries (and forget expired keys)."""
    with uow() as session:
        session.execute(
            delete(IdempotencyRow).where(IdempotencyRow.created_at < clock.now() - KEEP_FOR)
        )
        session.execute(
            update(IdempotencyRow)
            .where(IdempotencyRow.id == row_id)
            .values(
                status=status,
                content_type=content_type,
                body=body if body is not None and len(body) <= MAX_KEPT_BODY else None,
                completed_at=clock.now(),
            )
        )


class ClaimingUnitOfWork(UnitOfWork):
    """The request's unit of work that claims its Idempotency-Key first (once per request)."""

    def __init__(self, base: UnitOfWork, request_claim: Claim, owner: str) -> None:
        self._base = base
        self.engine = base.engine
        self._claim = request_claim
        self._owner = owner

    @contextmanager
    def __call__(self) -> Iterator[Session]:
        if self._claim.row_id is not None:  # an earlier unit of work of the request claimed it
            with self._base() as session:
                yield session
            return
        with self._base() as session:
            row_id = claim(session, self._claim, self._owner)
            yield session
        self._claim.row_id = row_id

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._base.read() as session:
            yield session

    def check_answered(self, session: Session) -> None:
        """Raise what the request's retry is answered (the kept answer, or 422 for a key used
        with another request) when its key is already held: a use case that works before its
        unit of work (:mod:`temir.notes.store.new_draft`) asks first, so a retry hears what it
        heard before the work was split. The claim itself is still made, race-free, by the
        write."""
        if self._claim.row_id is not None:
            return
        existing = _held(session, self._owner, self._claim.key)
        if existing is not None:
            raise _answer_of(existing, self._claim.fingerprint())


def bind(base: UnitOfWork, state: Any) -> UnitOfWork:
    """``base``, or a claiming unit of work when the request carries a key and has a caller."""
    request_claim: Claim | None = getattr(state, STATE, None)
    owner: str | None = getattr(state, OWNER_STATE, None)
    if request_claim is None or owner is None or request_claim.row_id is not None:
        return base
    return ClaimingUnitOfWork(base, request_claim, owner)
