"""All SQL of tariffs: the official rate tables loaded into the database.

The network the quotes price is read by :mod:`temir.network.repository`.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from temir.tariff.tables import RateRow, RateTableRow


def rate_table_versions(session: Session) -> tuple[tuple[str, str], ...]:
    """(id, loaded at) of every loaded table: changes whenever a table is loaded or replaced."""
    rows = session.execute(
        select(RateTableRow.id, RateTableRow.loaded_at).order_by(RateTableRow.id)
    )
    return tuple((str(i), str(at)) for i, at in rows)


def loaded_rate_rows(session: Session) -> tuple[list[RateTableRow], list[RateRow]]:
    return list(session.scalars(select(RateTableRow))), list(session.scalars(select(RateRow)))


def replace_rate_table(session: Session, table: RateTableRow, rows: list[RateRow]) -> None:
    """A table id is one version: loading it again replaces its rows."""
    session.execute(delete(RateRow).where(RateRow.table_id == table.id))
    session.execute(delete(RateTableRow).where(RateTableRow.id == table.id))
    session.flush()
    session.add(table)
    session.flush()
    session.add_all(rows)
