"""station code kind

Revision ID: 0008
Revises: 0006
Create Date: 2026-11-25 12:00:00.000000

Why: the route engine built from the database must know each code's own kind (border, port,
...) as the shipped node list gives it, so that the note rules see the same network whether
the engine comes from the database or the CSVs. ``temir db upgrade`` reloads the stations
dataset afterwards (its digest is salted with the row layout), which fills the column.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ref_station_codes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ref_station_codes", schema=None) as batch_op:
        batch_op.drop_column("kind")
