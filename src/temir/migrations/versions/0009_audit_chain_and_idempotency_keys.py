"""audit log hash chain, idempotency keys, log-in throttle index

The audit rows that exist are chained in id order (the order they were written), and the chain
head is created after them, so ``temir audit verify`` holds from the first row on. The digests
come from :mod:`temir.accounts.chain`, the code that verifies them, so both agree by
construction.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 12:49:27.803606
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from temir.accounts import chain

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2000

_audit = sa.table(
    "audit_log",
    sa.column("id", sa.Integer()),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("actor_user_id", sa.Integer()),
    sa.column("actor", sa.String()),
    sa.column("action", sa.String()),
    sa.column("target_type", sa.String()),
    sa.column("target_id", sa.String()),
    sa.column("via", sa.String()),
    sa.column("remote_addr", sa.String()),
    sa.column("details", sa.JSON()),
    sa.column("seq", sa.Integer()),
    sa.column("prev_digest", sa.String()),
    sa.column("digest", sa.String()),
)
_head = sa.table(
    "audit_chain_head",
    sa.column("id", sa.Integer()),
    sa.column("length", sa.Integer()),
    sa.column("last_digest", sa.String()),
    sa.column("last_id", sa.Integer()),
)


def _chain_existing_rows(connection: sa.Connection) -> chain.ChainHead:
    head = chain.ChainHead(length=0, last_digest=chain.GENESIS, last_id=None)
    fill = (
        sa.update(_audit)
        .where(_audit.c.id == sa.bindparam("row_id"))
        .values(
            seq=sa.bindparam("new_seq"),
            prev_digest=sa.bindparam("new_prev"),
            digest=sa.bindparam("new_digest"),
        )
    )
    after = 0
    while True:
        rows = connection.execute(
            sa.select(_audit.c.id, *(_audit.c[name] for name in chain.CONTENT))
            .where(_audit.c.id > after)
            .order_by(_audit.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return head
        contents: list[dict[str, Any]] = [
            {name: row._mapping[name] for name in chain.CONTENT} for row in rows
        ]
        chained, head = chain.link(head, contents)
        connection.execute(
            fill,
            [
                {
                    "row_id": row.id,
                    "new_seq": c["seq"],
                    "new_prev": c["prev_digest"],
                    "new_digest": c["digest"],
                }
                for row, c in zip(rows, chained, strict=True)
            ],
        )
        after = rows[-1].id
        head = chain.ChainHead(head.length, head.last_digest, after)


def upgrade() -> None:
    op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.Column("last_digest", sa.String(length=64), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=80), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("content_type", sa.String(length=200), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint("owner", "key", name=op.f("uq_idempotency_keys_owner_key")),
    )
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idempotency_keys_created_at"), ["created_at"], unique=False
        )

    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("prev_digest", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("digest", sa.String(length=64), nullable=True))
    connection = op.get_bind()
    head = _chain_existing_rows(connection)
    connection.execute(
        sa.insert(_head).values(
            id=1, length=head.length, last_digest=head.last_digest, last_id=head.last_id
        )
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.alter_column("seq", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("prev_digest", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("digest", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index(
            "ix_audit_log_action_remote_addr_at", ["action", "remote_addr", "at"], unique=False
        )
        batch_op.create_unique_constraint(batch_op.f("uq_audit_log_seq"), ["seq"])


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_log_seq"), type_="unique")
        batch_op.drop_index("ix_audit_log_action_remote_addr_at")
        batch_op.drop_column("digest")
        batch_op.drop_column("prev_digest")
        batch_op.drop_column("seq")

    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_keys_created_at"))

    op.drop_table("idempotency_keys")
    op.drop_table("audit_chain_head")
