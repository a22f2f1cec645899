"""Holiday schedules as data, the system trail, recorded deadline starts and task due dates.

`holiday_years` is seeded with the official schedules the chinesecalendar package ships (source
"chinesecalendar"), so a fresh database knows the same years the engine knew before. On
PostgreSQL the system trail is append-only like the case trail.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 00:01:07.473531
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('holiday_years',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('rest_days', sa.JSON(), nullable=False),
    sa.Column('work_days', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=256), nullable=False),
    sa.Column('loaded_by', sa.String(length=64), nullable=False),
    sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_holiday_years'))
    )
    op.create_table('system_audit_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('roles', sa.JSON(), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('element_id', sa.String(length=128), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('basis', sa.String(length=128), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_system_audit_events')),
    sa.UniqueConstraint('seq', name=op.f('uq_system_audit_events_seq'))
    )
    op.create_table('trail_heads',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_trail_heads'))
    )
    with op.batch_alter_table('ready_tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_name', sa.String(length=256), nullable=True))
        batch_op.add_column(sa.Column('due_basis', sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column('due_provisional', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index(batch_op.f('ix_ready_tasks_due_at'), ['due_at'], unique=False)

    with op.batch_alter_table('timers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('start_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('holder', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('years', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('provisional_years', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('provisional', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index(batch_op.f('ix_timers_provisional'), ['provisional'], unique=False)

    _seed_packaged_years()
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE TRIGGER system_audit_events_append_only
            BEFORE UPDATE OR DELETE ON system_audit_events
            FOR EACH ROW EXECUTE FUNCTION qingwei_audit_append_only()
            """
        )
        op.execute(
            """
            CREATE TRIGGER system_audit_events_no_truncate
            BEFORE TRUNCATE ON system_audit_events
            FOR EACH STATEMENT EXECUTE FUNCTION qingwei_audit_append_only()
            """
        )


def _seed_packaged_years() -> None:
    from datetime import UTC, datetime

    from engine.calendar import packaged_schedules

    holidays, workdays, years = packaged_schedules()
    table = sa.table(
        "holiday_years",
        sa.column("year", sa.Integer()),
        sa.column("rest_days", sa.JSON()),
        sa.column("work_days", sa.JSON()),
        sa.column("source", sa.String()),
        sa.column("loaded_by", sa.String()),
        sa.column("loaded_at", sa.DateTime(timezone=True)),
    )
    now = datetime.now(UTC)
    rows = [
        {
            "year": year,
            "rest_days": {d.isoformat(): n for d, n in sorted(holidays.items()) if d.year == year},
            "work_days": {d.isoformat(): n for d, n in sorted(workdays.items()) if d.year == year},
            "source": "chinesecalendar (packaged State Council schedules)",
            "loaded_by": "migration",
            "loaded_at": now,
        }
        for year in sorted(years)
    ]
    op.bulk_insert(table, rows)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS system_audit_events_no_truncate ON system_audit_events")
        op.execute("DROP TRIGGER IF EXISTS system_audit_events_append_only ON system_audit_events")
    with op.batch_alter_table('timers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_timers_provisional'))
        batch_op.drop_column('provisional')
        batch_op.drop_column('provisional_years')
        batch_op.drop_column('years')
        batch_op.drop_column('holder')
        batch_op.drop_column('start_at')

    with op.batch_alter_table('ready_tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ready_tasks_due_at'))
        batch_op.drop_column('due_provisional')
        batch_op.drop_column('due_basis')
        batch_op.drop_column('due_name')

    op.drop_table('trail_heads')
    op.drop_table('system_audit_events')
    op.drop_table('holiday_years')
