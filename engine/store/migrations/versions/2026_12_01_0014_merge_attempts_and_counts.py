"""Join the timer attempt mark (0012) and the kept ledger counts (0013), both written on top of
0011 (one head again).

Revision ID: 0014
Revises: 0012, 0013
Create Date: 2026-12-01 08:30:00
"""

from __future__ import annotations

revision = "0014"
down_revision = ("0012", "0013")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
