"""Timer incidents: a timer whose step failed, its attempts, backoff and resolution.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 03:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "timer_incidents",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("timer_id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("element_id", sa.String(length=128), nullable=False),
        sa.Column("timer_name", sa.String(length=256), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error_kind", sa.String(length=64), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(length=64), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_timer_incidents_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timer_incidents")),
    )
    with op.batch_alter_table("timer_incidents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_timer_incidents_status_next", ["status", "next_attempt_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_timer_incidents_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_timer_incidents_timer_id"), ["timer_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("timer_incidents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_timer_incidents_timer_id"))
        batch_op.drop_index(batch_op.f("ix_timer_incidents_case_id"))
        batch_op.drop_index("ix_timer_incidents_status_next")
    op.drop_table("timer_incidents")
