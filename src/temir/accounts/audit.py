"""The audit log: every write records who did what, when, and from where.

Called by services inside their unit of work, so the record is committed with the change or
not at all.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from temir.accounts.model import Actor
from temir.accounts.tables import AuditRow
from temir.kit import clock


def record(
    session: Session,
    actor: Actor,
    action: str,
    target_type: str | None = None,
    target_id: str | int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditRow(
            at=clock.now(),
            actor_user_id=actor.user_id,
            actor=actor.label,
            action=action,
            target_type=target_type,
            target_id=None if target_id is None else str(target_id),
            via=str(actor.via),
            remote_addr=actor.remote_addr,
            details=details,
        )
    )
