"""All SQL of protocols: the stored protocol rows and the parties' signatures."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from temir.stats.tables import StatsProtocolRow, StatsProtocolSignatureRow


def protocol_row(
    session: Session, protocol_id: str, *, for_update: bool = False
) -> StatsProtocolRow | None:
    query = select(StatsProtocolRow).where(StatsProtocolRow.protocol_id == protocol_id)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def protocol_rows(session: Session, year: int | None = None) -> list[StatsProtocolRow]:
    query = select(StatsProtocolRow).order_by(StatsProtocolRow.year, StatsProtocolRow.protocol_id)
    if year is not None:
        query = query.where(StatsProtocolRow.year == year)
    return list(session.scalars(query))


def protocol_signature_rows(session: Session, row_id: int) -> list[StatsProtocolSignatureRow]:
    return list(
        session.scalars(
            select(StatsProtocolSignatureRow)
            .where(StatsProtocolSignatureRow.protocol_id == row_id)
            .order_by(StatsProtocolSignatureRow.party)
        )
    )


def delete_protocol(session: Session, row: StatsProtocolRow) -> None:
    session.execute(
        delete(StatsProtocolSignatureRow).where(StatsProtocolSignatureRow.protocol_id == row.id)
    )
    session.delete(row)
    session.flush()


def put_protocol_signature(session: Session, row: StatsProtocolSignatureRow) -> None:
    """Store a party's signature, replacing that party's earlier one."""
    session.execute(
        delete(StatsProtocolSignatureRow).where(
            StatsProtocolSignatureRow.protocol_id == row.protocol_id,
            StatsProtocolSignatureRow.party == row.party,
        )
    )
    session.add(row)
    session.flush()
