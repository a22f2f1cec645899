"""Join the revisions written side by side on top of 0006: timer incidents, evidence,
campaigns and document withdrawal (one head again).

Revision ID: 0011
Revises: 0007, 0008, 0009, 0010
Create Date: 2026-12-01 04:25:00
"""

from __future__ import annotations

revision = "0011"
down_revision = ("0007", "0008", "0009", "0010")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
