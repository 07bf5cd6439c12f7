"""Loaded (official) rate tables, versioned by validity dates (demo tables stay in data files)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from temir.kit.db import Base


class RateTableRow(Base):
    __tablename__ = "tariff_rate_tables"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    consignment: Mapped[str] = mapped_column(String(16))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    mode: Mapped[str] = mapped_column(String(16))  # band | interpolate
    demo: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    loaded_by: Mapped[str] = mapped_column(String(200))


class RateRow(Base):
    __tablename__ = "tariff_rates"

    table_id: Mapped[str] = mapped_column(
        ForeignKey("tariff_rate_tables.id", ondelete="CASCADE"), primary_key=True
    )
    railway: Mapped[str] = mapped_column(String(8), primary_key=True)
    category: Mapped[str] = mapped_column(String(16), primary_key=True)
    km_to: Mapped[int] = mapped_column(Integer, primary_key=True)
    rate_chf: Mapped[Decimal] = mapped_column(Numeric(14, 4))
