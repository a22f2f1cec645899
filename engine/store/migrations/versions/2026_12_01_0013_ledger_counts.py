"""The ledger's counts kept as cases change (ledger_counts, ledger_week_counts), back-filled
from the existing ledger rows; the indexes a campaign reads by event day and by overdue.

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-01 06:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_counts",
        sa.Column("district", sa.String(length=200), nullable=False),
        sa.Column("grain", sa.String(length=1), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("dim", sa.String(length=8), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("cases", sa.BigInteger(), nullable=False),
        sa.Column("closed", sa.BigInteger(), nullable=False),
        sa.Column("rebuilt", sa.BigInteger(), nullable=False),
        sa.Column("found_m2", sa.Float(), nullable=False),
        sa.Column("demolished_m2", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint(
            "district", "grain", "opened_on", "dim", "value", name=op.f("pk_ledger_counts")
        ),
    )
    op.create_table(
        "ledger_week_counts",
        sa.Column("district", sa.String(length=200), nullable=False),
        sa.Column("grain", sa.String(length=1), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("series", sa.String(length=16), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("cases", sa.BigInteger(), nullable=False),
        sa.Column("m2", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint(
            "district", "grain", "opened_on", "series", "week", name=op.f("pk_ledger_week_counts")
        ),
    )
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ledger_entries_district_closed", ["district", "closed_on", "opened_at"]
        )
        batch_op.create_index(
            "ix_ledger_entries_district_demolished",
            ["district", "demolished_on", "opened_at", "demolished_m2"],
        )
        batch_op.create_index(
            "ix_ledger_entries_district_found", ["district", "found_on", "opened_at"]
        )
        batch_op.create_index(
            "ix_ledger_entries_open_opened",
            ["opened_at", "case_id"],
            postgresql_where=sa.text("closed_on IS NULL"),
            sqlite_where=sa.text("closed_on IS NULL"),
        )
        batch_op.create_index(
            "ix_ledger_entries_district_due",
            ["district", "next_due_at", "opened_at"],
            postgresql_where=sa.text("next_due_at IS NOT NULL"),
            sqlite_where=sa.text("next_due_at IS NOT NULL"),
        )
    # Back-fill: the same per-row contribution a step applies, summed over every ledger row.
    from engine.store.ledger_repo import rebuild_counts

    rebuild_counts(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_entries_district_due")
        batch_op.drop_index("ix_ledger_entries_open_opened")
        batch_op.drop_index("ix_ledger_entries_district_found")
        batch_op.drop_index("ix_ledger_entries_district_demolished")
        batch_op.drop_index("ix_ledger_entries_district_closed")
    op.drop_table("ledger_week_counts")
    op.drop_table("ledger_counts")
