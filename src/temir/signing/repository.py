"""All SQL of stored organisation keys. Functions take the caller's session and never commit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from temir.kit.db import read_apart
from temir.signing.tables import OrgKeyRow

_T = TypeVar("_T")


def current_key(session: Session, organisation_id: int) -> OrgKeyRow | None:
    """The organisation's key that signs now. Read apart from the caller's pending rows (a
    step signs the version it has just added; flushing it here would only split the write)."""
    with read_apart(session, OrgKeyRow):
        return session.scalars(_signing_now(select(OrgKeyRow), organisation_id)).one_or_none()


def current_key_id(session: Session, organisation_id: int) -> str | None:
    """The id of :func:`current_key` alone (a check that a key used ahead is still current)."""
    with read_apart(session, OrgKeyRow):
        return session.scalar(_signing_now(select(OrgKeyRow.key_id), organisation_id))


def _signing_now(query: Select[_T], organisation_id: int) -> Select[_T]:
    return (
        query.where(
            OrgKeyRow.organisation_id == organisation_id,
            OrgKeyRow.retired_at.is_(None),
            OrgKeyRow.private_key_sealed != "",  # a peer's public key: never this node's
        )
        .order_by(OrgKeyRow.created_at.desc())
        .limit(1)
    )


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
