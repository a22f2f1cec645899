"""Join the two revisions written side by side on top of 0002 (documents, sign-in).

Revision ID: 0006
Revises: 0003, 0005
Create Date: 2026-12-01 02:15:00
"""

from __future__ import annotations

revision = '0006'
down_revision = ('0003', '0005')
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
