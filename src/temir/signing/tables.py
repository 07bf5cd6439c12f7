"""Stored organisation keys (table ``org_keys``, made by migration 0005).

Why one table for every kind of document: an organisation has one current key whatever it signs
(notes, protocols, later envelopes and acts), and a verifier finds any signature's key by its id.
Public keys are never deleted: after a rotation the old key is *retired* (no longer used to
sign) but still verifies every signature it made.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from temir.kit.db import Base


class OrgKeyRow(Base):
    """An organisation's signing key; the private key is sealed (:mod:`temir.signing.sealing`)."""

    __tablename__ = "org_keys"

    key_id: Mapped[str] = mapped_column(String(100), primary_key=True)  # algorithm:fingerprint
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    algorithm: Mapped[str] = mapped_column(String(40))
    public_key: Mapped[str] = mapped_column(String(200))  # base64 raw
    private_key_sealed: Mapped[str] = mapped_column(Text)  # Fernet token, never the raw key
    salt: Mapped[str] = mapped_column(String(64))  # base64, per key
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(120))
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
