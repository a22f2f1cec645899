"""Timers: when the attempt under way started (issue 14: a step that kills its own worker).

The worker commits `attempt_started_at` on the timer's row before it runs the step and clears it
with the step's outcome. A row found with the mark set and nobody holding it is an attempt whose
worker died inside the step (SIGKILL, the OOM killer, a crash): it counts as a failed attempt.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 06:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("timers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("attempt_started_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("timers", schema=None) as batch_op:
        batch_op.drop_column("attempt_started_at")
