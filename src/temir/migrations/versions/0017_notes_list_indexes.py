"""notes: list indexes in the list's order (newest first, id as the tie-break)

Why: the notes list is ``ORDER BY created_at DESC, id`` over the notes a party may see
(consignor or consignee organisation, or carrier railway). With an index per visibility branch
in that order the page is read from the index and stops after ``offset + limit`` rows instead
of sorting every visible note. Each new index starts with the column of the single-column
index it replaces, so equality look-ups on that column are served as before.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 13:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEWEST = sa.text("created_at DESC")
REPLACED = {
    "ix_notes_consignor_org_id": "consignor_org_id",
    "ix_notes_consignee_org_id": "consignee_org_id",
    "ix_notes_created_at": "created_at",
}


def upgrade() -> None:
    op.create_index("ix_notes_consignor_newest", "notes", ["consignor_org_id", NEWEST, "id"])
    op.create_index("ix_notes_consignee_newest", "notes", ["consignee_org_id", NEWEST, "id"])
    op.create_index("ix_notes_newest", "notes", [NEWEST, "id"])
    for name in REPLACED:
        op.drop_index(name, table_name="notes")


def downgrade() -> None:
    for name, column in REPLACED.items():
        op.create_index(name, "notes", [column])
    op.drop_index("ix_notes_newest", table_name="notes")
    op.drop_index("ix_notes_consignee_newest", table_name="notes")
    op.drop_index("ix_notes_consignor_newest", table_name="notes")
