"""stats: volume cells, the facts summed by report key (maintained with the facts)

The table is filled from the facts already stored, so an upgraded database reports the same
figures at once.

Revision ID: 0016
Revises: 0012
Create Date: 2026-12-02 17:55:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = (
    "year, month, commodity_group, origin_country, destination_country, route_countries,"
    " route_railways, border_crossings"
)


def upgrade() -> None:
    op.create_table(
        "stats_volume_cells",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("commodity_group", sa.String(length=32), nullable=False),
        sa.Column("origin_country", sa.String(length=2), nullable=False),
        sa.Column("destination_country", sa.String(length=2), nullable=False),
        sa.Column("route_countries", sa.String(length=60), nullable=False),
        sa.Column("route_railways", sa.String(length=80), nullable=False),
        sa.Column("border_crossings", sa.Text(), nullable=False),
        sa.Column("mass_kg", sa.BigInteger(), nullable=False),
        sa.Column("wagons", sa.BigInteger(), nullable=False),
        sa.Column("facts", sa.BigInteger(), nullable=False),
        sa.Column("synthetic_facts", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_volume_cells")),
    )
    with op.batch_alter_table("stats_volume_cells", schema=None) as batch_op:
        batch_op.create_index(
            "uq_stats_volume_cells_key",
            [
                "year",
                "month",
                "commodity_group",
                "origin_country",
                "destination_country",
                "route_countries",
                "route_railways",
                "border_crossings",
            ],
            unique=True,
        )
    op.execute(
        f"INSERT INTO stats_volume_cells ({KEY}, mass_kg, wagons, facts, synthetic_facts)"  # noqa: S608
        f" SELECT {KEY}, SUM(mass_kg), SUM(wagons), COUNT(*),"
        " SUM(CASE WHEN synthetic THEN 1 ELSE 0 END)"
        f" FROM stats_shipment_facts GROUP BY {KEY}"
    )


def downgrade() -> None:
    with op.batch_alter_table("stats_volume_cells", schema=None) as batch_op:
        batch_op.drop_index("uq_stats_volume_cells_key")
    op.drop_table("stats_volume_cells")
