"""The audit log: every write records who did what, when, and from where, in a hash chain.

Called by services inside their unit of work, so the record is committed with the change or
not at all. :func:`record` only notes the row on the session; just before the commit the
session's rows are chained (see :mod:`temir.accounts.chain`) and inserted:

1. everything else the transaction changed is flushed first;
2. the chain head is locked and the positions reserved (one UPDATE; PostgreSQL makes a
   concurrent writer wait there until this transaction ends, SQLite has one writer at a time);
3. the rows get their positions and digests, are inserted, and the head is moved past them.

Why at commit rather than at :func:`record`: the head lock is held from there to the end of the
transaction, so taking it last keeps it short and means a transaction holding it never waits
for another lock — two writers cannot deadlock over it — and chain order is commit order.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from temir.accounts import chain, repository
from temir.accounts.model import Actor
from temir.kit import clock
from temir.kit.errors import Conflict
from temir.kit.i18n import N_

PENDING = "temir.audit.pending"


def record(
    session: Session,
    actor: Actor,
    action: str,
    target_type: str | None = None,
    target_id: str | int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    pending: list[dict[str, Any]] = session.info.setdefault(PENDING, [])
    pending.append(
        {
            "at": clock.now(),
            "actor_user_id": actor.user_id,
            "actor": actor.label,
            "action": action,
            "target_type": target_type,
            "target_id": None if target_id is None else str(target_id),
            "via": str(actor.via),
            "remote_addr": actor.remote_addr,
            "details": chain.storable_details(details),
        }
    )


@event.listens_for(Session, "before_commit")
def _chain_pending(session: Session) -> None:
    pending: list[dict[str, Any]] | None = session.info.pop(PENDING, None)
    if not pending:
        return
    session.flush()
    head = repository.reserve_chain_positions(session, len(pending))
    if head is None:
        if repository.has_audit_rows(session):
            raise Conflict(N_("The audit chain head is missing."), code="audit_chain_head_missing")
        head = chain.ChainHead(length=0, last_digest=chain.GENESIS, last_id=None)
        repository.create_chain_head(session, head)
    rows, new_head = chain.link(head, pending)
    last_id = repository.add_chained_rows(session, rows)
    repository.set_chain_head(
        session,
        chain.ChainHead(length=new_head.length, last_digest=new_head.last_digest, last_id=last_id),
    )


@event.listens_for(Session, "after_soft_rollback")
def _forget_pending(session: Session, previous_transaction: SessionTransaction) -> None:
    """A rolled-back unit of work records nothing."""
    if previous_transaction.parent is None:
        session.info.pop(PENDING, None)
