"""All SQL of stored organisation keys. Functions take the caller's session and never commit."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from temir.kit.db import read_apart
from temir.signing.tables import OrgKeyRow


def current_key(session: Session, organisation_id: int) -> OrgKeyRow | None:
    """The organisation's key that signs now. Read apart from the caller's pending rows (a
    step signs the version it has just added; flushing it here would only split the write)."""
    with read_apart(session, OrgKeyRow):
        return session.scalars(
            select(OrgKeyRow)
            .where(
                OrgKeyRow.organisation_id == organisation_id,
                OrgKeyRow.retired_at.is_(None),
                OrgKeyRow.private_key_sealed != "",  # a peer's public key: never this node's
            )
            .order_by(OrgKeyRow.created_at.desc())
            .limit(1)
        ).one_or_none()


def key_row(session: Session, key_id: str) -> OrgKeyRow | None:
    return session.get(OrgKeyRow, key_id)


def key_rows(
    session: Session, organisation_id: int | None = None, key_ids: set[str] | None = None
) -> Sequence[OrgKeyRow]:
    query = select(OrgKeyRow)
    if organisation_id is not None:
        query = query.where(OrgKeyRow.organisation_id == organisation_id)
    if key_ids is not None:
        if not key_ids:
            return []
        query = query.where(OrgKeyRow.key_id.in_(key_ids))
    return session.scalars(query.order_by(OrgKeyRow.organisation_id, OrgKeyRow.created_at)).all()


def add_key(session: Session, row: OrgKeyRow) -> None:
    session.add(row)
    session.flush()
