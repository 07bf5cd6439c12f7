"""shipment facts and plans

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-25 08:25:06.557070
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stats_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("country_a", sa.String(length=2), nullable=False),
        sa.Column("country_b", sa.String(length=2), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("commodity_group", sa.String(length=32), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("tonnes", sa.BigInteger(), nullable=False),
        sa.Column("basis", sa.String(length=40), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_plans")),
    )
    with op.batch_alter_table("stats_plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stats_plans_year"), ["year"], unique=False)
        batch_op.create_index(
            "uq_stats_plans_cell",
            ["year", "country_a", "country_b", "direction", "commodity_group", "month"],
            unique=True,
        )

    op.create_table(
        "stats_shipment_facts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consignment_no", sa.String(length=40), nullable=False),
        sa.Column("departure_date", sa.Date(), nullable=False),
        sa.Column("arrival_date", sa.Date(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("origin_esr", sa.String(length=6), nullable=False),
        sa.Column("origin_railway", sa.String(length=8), nullable=False),
        sa.Column("origin_country", sa.String(length=2), nullable=False),
        sa.Column("destination_esr", sa.String(length=6), nullable=False),
        sa.Column("destination_railway", sa.String(length=8), nullable=False),
        sa.Column("destination_country", sa.String(length=2), nullable=False),
        sa.Column("route_countries", sa.String(length=60), nullable=False),
        sa.Column("route_railways", sa.String(length=80), nullable=False),
        sa.Column("border_crossings", sa.Text(), nullable=False),
        sa.Column("commodity_group", sa.String(length=32), nullable=False),
        sa.Column("etsng", sa.String(length=6), nullable=True),
        sa.Column("gng", sa.String(length=8), nullable=True),
        sa.Column("wagons", sa.Integer(), nullable=False),
        sa.Column("containers_teu", sa.Integer(), nullable=False),
        sa.Column("mass_kg", sa.BigInteger(), nullable=False),
        sa.Column("tariff_km", sa.Integer(), nullable=True),
        sa.Column("tonne_km", sa.BigInteger(), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_shipment_facts")),
        sa.UniqueConstraint(
            "source", "consignment_no", name=op.f("uq_stats_shipment_facts_source_consignment_no")
        ),
    )
    with op.batch_alter_table("stats_shipment_facts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_stats_facts_countries", ["origin_country", "destination_country"], unique=False
        )
        batch_op.create_index("ix_stats_facts_year_month", ["year", "month"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_stats_shipment_facts_commodity_group"), ["commodity_group"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_stats_shipment_facts_source"), ["source"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("stats_shipment_facts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stats_shipment_facts_source"))
        batch_op.drop_index(batch_op.f("ix_stats_shipment_facts_commodity_group"))
        batch_op.drop_index("ix_stats_facts_year_month")
        batch_op.drop_index("ix_stats_facts_countries")

    op.drop_table("stats_shipment_facts")
    with op.batch_alter_table("stats_plans", schema=None) as batch_op:
        batch_op.drop_index("uq_stats_plans_cell")
        batch_op.drop_index(batch_op.f("ix_stats_plans_year"))

    op.drop_table("stats_plans")
