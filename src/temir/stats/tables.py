"""Shipment facts (one row per consignment) and freight plans.

Why a wide, denormalised fact row: volume reports group tens of millions of rows by year,
month, countries, railway and commodity group; copying those attributes into the fact (instead
of joining stations each time) keeps every report a single scan, in SQLite, PostgreSQL
(partitionable by ``year``) and DuckDB alike. ``route_countries`` / ``route_railways`` are
comma-separated codes in route order, so direction rules can be said in SQL with ``LIKE``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from temir.kit.db import Base


class ShipmentFactRow(Base):
    __tablename__ = "stats_shipment_facts"
    __table_args__ = (
        UniqueConstraint("source", "consignment_no"),
        Index("ix_stats_facts_year_month", "year", "month"),
        Index("ix_stats_facts_countries", "origin_country", "destination_country"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consignment_no: Mapped[str] = mapped_column(String(40))
    departure_date: Mapped[date] = mapped_column(Date)
    arrival_date: Mapped[date | None] = mapped_column(Date)
    # The statistical period is the departure (loading) date; copied for grouping/partitioning.
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    origin_esr: Mapped[str] = mapped_column(String(6))
    origin_railway: Mapped[str] = mapped_column(String(8))
    origin_country: Mapped[str] = mapped_column(String(2))
    destination_esr: Mapped[str] = mapped_column(String(6))
    destination_railway: Mapped[str] = mapped_column(String(8))
    destination_country: Mapped[str] = mapped_column(String(2))
    route_countries: Mapped[str] = mapped_column(String(60))  # "RU,KZ,UZ,TJ"
    route_railways: Mapped[str] = mapped_column(String(80))  # "RZD,KZH,UTI,TDZ"
    border_crossings: Mapped[str] = mapped_column(Text)  # "704101/720602 736206/746000"
    commodity_group: Mapped[str] = mapped_column(String(32), index=True)
    etsng: Mapped[str | None] = mapped_column(String(6))
    gng: Mapped[str | None] = mapped_column(String(8))
    wagons: Mapped[int] = mapped_column(Integer)
    containers_teu: Mapped[int] = mapped_column(Integer, default=0)
    mass_kg: Mapped[int] = mapped_column(BigInteger)
    tariff_km: Mapped[int | None] = mapped_column(Integer)
    tonne_km: Mapped[int | None] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(200), index=True)  # synthetic|import:<f>|note:<id>
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class VolumeCellRow(Base):
    """Facts summed by everything a volume report groups or filters on (a maintained aggregate).

    Why: a report scans a year's facts (a million rows per year at full history), ~5 s on
    SQLite; the same report over these cells reads a few thousand rows. The cells are written
    in the same transaction as the facts (:mod:`temir.stats.volumes.repository` adds on insert
    and subtracts on delete), so they never disagree with them; ``temir stats rebuild`` sums
    them again from the facts (after a bulk load that bypassed Temir, e.g. COPY).
    """

    __tablename__ = "stats_volume_cells"
    __table_args__ = (
        Index(
            "uq_stats_volume_cells_key",
            "year",
            "month",
            "commodity_group",
            "origin_country",
            "destination_country",
            "route_countries",
            "route_railways",
            "border_crossings",
            unique=True,
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    commodity_group: Mapped[str] = mapped_column(String(32))
    origin_country: Mapped[str] = mapped_column(String(2))
    destination_country: Mapped[str] = mapped_column(String(2))
    route_countries: Mapped[str] = mapped_column(String(60))
    route_railways: Mapped[str] = mapped_column(String(80))
    border_crossings: Mapped[str] = mapped_column(Text)
    mass_kg: Mapped[int] = mapped_column(BigInteger)
    wagons: Mapped[int] = mapped_column(BigInteger)
    facts: Mapped[int] = mapped_column(BigInteger)
    synthetic_facts: Mapped[int] = mapped_column(BigInteger)


class StatsPlanRow(Base):
    """A plan in tonnes: year × direction (relative to a country pair) × commodity × month."""

    __tablename__ = "stats_plans"
    __table_args__ = (
        # A unique index with a short name: the "uq" convention's name exceeds 63 characters.
        Index(
            "uq_stats_plans_cell",
            "year",
            "country_a",
            "country_b",
            "direction",
            "commodity_group",
            "month",
            unique=True,
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    country_a: Mapped[str] = mapped_column(String(2))
    country_b: Mapped[str] = mapped_column(String(2))
    direction: Mapped[str] = mapped_column(String(16))  # export | import | transit
    commodity_group: Mapped[str] = mapped_column(String(32))
    month: Mapped[int] = mapped_column(Integer)  # 1..12
    tonnes: Mapped[int] = mapped_column(BigInteger)
    basis: Mapped[str] = mapped_column(String(40))  # entered | imported | forecast
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StatsProtocolRow(Base):
    """A protocol "results of year N and plans for N+1" between two railways.

    ``content`` is the protocol exactly as signed (JSON: figures, plan, notes); the digest of
    its canonical form is what both parties sign, so the figures are stored, not recomputed.
    """

    __tablename__ = "stats_protocols"
    __table_args__ = (UniqueConstraint("protocol_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    protocol_id: Mapped[str] = mapped_column(String(40))  # "2025-KZ-TJ"
    year: Mapped[int] = mapped_column(Integer, index=True)
    plan_year: Mapped[int] = mapped_column(Integer, index=True)
    country_a: Mapped[str] = mapped_column(String(2))
    country_b: Mapped[str] = mapped_column(String(2))
    party_a: Mapped[str] = mapped_column(String(8))
    party_b: Mapped[str] = mapped_column(String(8))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    digest: Mapped[str] = mapped_column(String(64))
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StatsProtocolSignatureRow(Base):
    """One party's signature of a protocol (one per party; signing again replaces it)."""

    __tablename__ = "stats_protocol_signatures"
    __table_args__ = (UniqueConstraint("protocol_id", "party"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    protocol_id: Mapped[int] = mapped_column(
        ForeignKey("stats_protocols.id", ondelete="CASCADE"), index=True
    )
    party: Mapped[str] = mapped_column(String(8))
    signer: Mapped[str] = mapped_column(String(300))
    key_id: Mapped[str] = mapped_column(String(100))
    algorithm: Mapped[str] = mapped_column(String(40))
    public_key: Mapped[str] = mapped_column(String(2000))  # as presented when signing
    digest: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(String(2000))
    signed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
