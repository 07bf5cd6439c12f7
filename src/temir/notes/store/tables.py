"""Stored notes: the note, its append-only versions, signatures and events, wagons.

Why this shape: a note's *versions* and *events* are evidence — rows are only ever added, never
updated or deleted by Temir — while the ``notes`` row is the current summary that lists and
filters read (status, stations, cargo codes, carriers). Wagons go to a side table so that
"where is wagon 95120341" is an indexed equality on SQLite and PostgreSQL alike, with no JSON
operators that differ between the two.
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


class NoteRow(Base):
    __tablename__ = "notes"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # UUID
    number: Mapped[str | None] = mapped_column(String(40), index=True)  # box 29, at acceptance
    status: Mapped[str] = mapped_column(String(16), index=True)
    current_version: Mapped[int] = mapped_column(Integer)
    consignor_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    consignee_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    """The organisation box 4 names by its client code: it sees the note and its tracking."""
    departure_esr: Mapped[str | None] = mapped_column(String(20), index=True)
    destination_esr: Mapped[str | None] = mapped_column(String(20), index=True)
    cargo_etsng: Mapped[str | None] = mapped_column(String(20), index=True)
    cargo_gng: Mapped[str | None] = mapped_column(String(20), index=True)
    carriers: Mapped[str] = mapped_column(String(200), default="")
    """Box 22 carriers as ``|KZH|UTI|TDZ|`` (route order), for visibility and display."""
    custody: Mapped[str | None] = mapped_column(String(20))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# The list's order (newest first, id breaking ties) per visibility branch: a page is read from
# the index and stops after offset + limit rows instead of sorting every visible note.
Index("ix_notes_consignor_newest", NoteRow.consignor_org_id, NoteRow.created_at.desc(), NoteRow.id)
Index("ix_notes_consignee_newest", NoteRow.consignee_org_id, NoteRow.created_at.desc(), NoteRow.id)
Index("ix_notes_newest", NoteRow.created_at.desc(), NoteRow.id)


class NoteVersionRow(Base):
    """Append-only: one row per version of a note, with the digest of its canonical form."""

    __tablename__ = "note_versions"
    __table_args__ = (UniqueConstraint("note_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    note_id: Mapped[str] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    digest: Mapped[str] = mapped_column(String(64))
    previous_digest: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str] = mapped_column(String(400))


class NoteSignatureRow(Base):
    __tablename__ = "note_signatures"
    __table_args__ = (UniqueConstraint("note_id", "version", "key_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    note_id: Mapped[str] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    organisation: Mapped[str] = mapped_column(String(64))  # slug, as shown and signed
    role: Mapped[str] = mapped_column(String(40))  # consignor | carrier
    key_id: Mapped[str] = mapped_column(ForeignKey("org_keys.key_id"))
    algorithm: Mapped[str] = mapped_column(String(40))
    signer_user: Mapped[str] = mapped_column(String(120))
    digest: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(Text)  # base64
    signed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class NoteEventRow(Base):
    """Append-only history: every step taken on a note, by whom, when, with its marks."""

    __tablename__ = "note_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    note_id: Mapped[str] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(120))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class NoteWagonRow(Base):
    """Box 7 wagons and box 15 containers of the current version: the index behind ``?wagon=``
    and behind linking a reported wagon or container to its note."""

    __tablename__ = "note_wagons"

    note_id: Mapped[str] = mapped_column(
        ForeignKey("notes.id", ondelete="CASCADE"), primary_key=True
    )
    wagon: Mapped[str] = mapped_column(String(20), primary_key=True)


Index("ix_note_wagons_wagon", NoteWagonRow.wagon)
