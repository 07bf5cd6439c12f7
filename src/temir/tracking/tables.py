"""Stored tracking: events, handover acts with their units and signatures.

Why this shape: events and acts are evidence, so rows are only added (an act's decision fills
its empty half once). ``tracking_events.key`` is unique — the database itself keeps an event
from being recorded twice — and the digest of each event's canonical document is stored beside
it, so a repeated key is told apart from a reused one by one comparison. Lookups are indexed
equalities on both SQLite and PostgreSQL: a unit's timeline (``unit, at``), a note's
(``note_id, at``), a border point's arrivals (``station_esr, at``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
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


class HandoverActRow(Base):
    """A handover act: the outgoing railway's offer and, once made, the incoming one's decision."""

    __tablename__ = "handover_acts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # act id (UUID)
    note_id: Mapped[str] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"), index=True)
    note_version: Mapped[int] = mapped_column(Integer)
    from_railway: Mapped[str] = mapped_column(String(8))
    to_railway: Mapped[str] = mapped_column(String(8))
    station_esr: Mapped[str] = mapped_column(String(6), index=True)
    entry_esr: Mapped[str | None] = mapped_column(String(6))
    status: Mapped[str] = mapped_column(String(12), index=True)
    offered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    offered_by: Mapped[str] = mapped_column(String(120))
    offer_document: Mapped[dict[str, Any]] = mapped_column(JSON)
    offer_digest: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decision_document: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    decision_digest: Mapped[str | None] = mapped_column(String(64))
    paper_reference: Mapped[str | None] = mapped_column(String(100))
    commercial_act: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class HandoverActUnitRow(Base):
    """The wagons and containers of an act: the index behind "acts of wagon 95120341"."""

    __tablename__ = "handover_act_units"

    act_id: Mapped[str] = mapped_column(
        ForeignKey("handover_acts.id", ondelete="CASCADE"), primary_key=True
    )
    unit: Mapped[str] = mapped_column(String(12), primary_key=True)


Index("ix_handover_act_units_unit", HandoverActUnitRow.unit)


class HandoverActSignatureRow(Base):
    """A signature of one half of an act: ``offer`` by the outgoing railway, ``decision`` by
    the incoming one."""

    __tablename__ = "handover_act_signatures"
    __table_args__ = (UniqueConstraint("act_id", "stage", "key_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    act_id: Mapped[str] = mapped_column(
        ForeignKey("handover_acts.id", ondelete="CASCADE"), index=True
    )
    stage: Mapped[str] = mapped_column(String(12))  # offer | decision
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    organisation: Mapped[str] = mapped_column(String(64))
    railway: Mapped[str] = mapped_column(String(8))
    key_id: Mapped[str] = mapped_column(ForeignKey("org_keys.key_id"))
    algorithm: Mapped[str] = mapped_column(String(40))
    digest: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(Text)  # base64
    signer_user: Mapped[str] = mapped_column(String(120))
    signed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TrackingEventRow(Base):
    """One reported event. Append-only; ``key`` makes a repeated report change nothing."""

    __tablename__ = "tracking_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(24))
    unit: Mapped[str] = mapped_column(String(12))
    unit_kind: Mapped[str] = mapped_column(String(12))
    station_esr: Mapped[str] = mapped_column(String(6))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reporter: Mapped[str] = mapped_column(String(8))
    note_id: Mapped[str | None] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"))
    hold: Mapped[str | None] = mapped_column(String(16))
    remarks: Mapped[str | None] = mapped_column(String(400))
    act_id: Mapped[str | None] = mapped_column(ForeignKey("handover_acts.id"))
    digest: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str] = mapped_column(String(120))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))


Index("ix_tracking_events_unit_at", TrackingEventRow.unit, TrackingEventRow.at)
Index("ix_tracking_events_note_id_at", TrackingEventRow.note_id, TrackingEventRow.at)
Index("ix_tracking_events_station_esr_at", TrackingEventRow.station_esr, TrackingEventRow.at)
