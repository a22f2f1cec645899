"""Campaigns (专项行动) and the ledger projection (one row per case), filled from the cases.

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-01 03:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0006'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('campaigns',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('districts', sa.JSON(), nullable=False),
    sa.Column('villages', sa.JSON(), nullable=False),
    sa.Column('units', sa.JSON(), nullable=False),
    sa.Column('targets', sa.JSON(), nullable=False),
    sa.Column('phases', sa.JSON(), nullable=False),
    sa.Column('reinspection_on', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns'))
    )
    op.create_table('ledger_entries',
    sa.Column('case_id', BigId, autoincrement=False, nullable=False),
    sa.Column('case_no', sa.String(length=32), nullable=False),
    sa.Column('parent_case_id', BigId, nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('stage', sa.String(length=32), nullable=False),
    sa.Column('district', sa.String(length=200), nullable=False),
    sa.Column('village', sa.String(length=200), nullable=True),
    sa.Column('source', sa.String(length=32), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('party', sa.String(length=200), nullable=True),
    sa.Column('officer', sa.String(length=64), nullable=True),
    sa.Column('area_m2', sa.Float(), nullable=False),
    sa.Column('demolished_m2', sa.Float(), nullable=False),
    sa.Column('mode', sa.String(length=32), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('found_on', sa.Date(), nullable=True),
    sa.Column('filed_on', sa.Date(), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('demolished_on', sa.Date(), nullable=True),
    sa.Column('closed_out_on', sa.Date(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('next_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_ledger_entries_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_ledger_entries'))
    )
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index('ix_ledger_entries_district_opened', [
            'district', 'opened_at', 'village', 'status', 'stage', 'mode', 'area_m2',
            'demolished_m2', 'next_due_at', 'parent_case_id', 'found_on', 'closed_on',
            'demolished_on'], unique=False)
        batch_op.create_index('ix_ledger_entries_opened_at', ['opened_at'], unique=False)
        batch_op.create_index('ix_ledger_entries_parent_case_id', ['parent_case_id'], unique=False)
        batch_op.create_index('ix_ledger_entries_status_stage', ['status', 'stage'], unique=False)
    with op.batch_alter_table('ready_tasks', schema=None) as batch_op:
        batch_op.create_index('ix_ready_tasks_due_provisional', ['due_provisional', 'case_id'], unique=False)
    _backfill()


def _backfill() -> None:
    """One ledger row per existing case, derived exactly as a step would write it."""
    from engine.store.ledger_repo import entry_values
    from engine.store.models import UtcDateTime

    bind = op.get_bind()
    dt = UtcDateTime()
    cases = sa.table(
        'cases',
        sa.column('id'), sa.column('case_no'), sa.column('parent_case_id'), sa.column('status'),
        sa.column('stage'), sa.column('created_by'), sa.column('data', sa.JSON()), sa.column('created_at', dt),
        sa.column('updated_at', dt),
    )
    ledger = sa.table('ledger_entries', *(sa.column(c) for c in (
        'case_id', 'case_no', 'parent_case_id', 'status', 'stage', 'district', 'village', 'source',
        'address', 'party', 'officer', 'area_m2', 'demolished_m2', 'mode', 'found_on', 'filed_on',
        'decided_on', 'demolished_on', 'closed_out_on', 'closed_on')),
        sa.column('opened_at', dt), sa.column('updated_at', dt))
    after = 0
    while True:
        rows = bind.execute(
            sa.select(cases).where(cases.c.id > after).order_by(cases.c.id).limit(1000)
        ).all()
        if not rows:
            break
        bind.execute(sa.insert(ledger), [
            entry_values(
                case_id=r.id, case_no=r.case_no, parent_case_id=r.parent_case_id,
                status=r.status, stage=r.stage, data=r.data or {}, officer=r.created_by,
                created_at=r.created_at, updated_at=r.updated_at,
            )
            for r in rows
        ])
        after = rows[-1].id
    # The earliest pending deadline of each case: its timers and its tasks' due dates.
    bind.execute(sa.text(
        "UPDATE ledger_entries SET next_due_at = (SELECT MIN(d) FROM ("
        " SELECT due_at AS d FROM timers WHERE timers.case_id = ledger_entries.case_id"
        " UNION ALL SELECT due_at FROM ready_tasks"
        " WHERE ready_tasks.case_id = ledger_entries.case_id) AS pending)"
    ))


def downgrade() -> None:
    with op.batch_alter_table('ready_tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_ready_tasks_due_provisional')
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_entries_status_stage')
        batch_op.drop_index('ix_ledger_entries_parent_case_id')
        batch_op.drop_index('ix_ledger_entries_opened_at')
        batch_op.drop_index('ix_ledger_entries_district_opened')
    op.drop_table('ledger_entries')
    op.drop_table('campaigns')
