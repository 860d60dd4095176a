"""national portal syncs: attempts, raw answers, units' portal type and level

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'portal_syncs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('scope', sa.String(length=20), nullable=False),
        sa.Column('period_key', sa.String(length=20), nullable=False),
        sa.Column('as_of', sa.Date(), nullable=False),
        sa.Column('root_department_id', sa.String(length=64), nullable=True),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('complete', sa.Boolean(), nullable=False),
        sa.Column('problem', sa.Text(), nullable=True),
        sa.Column('import_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ['import_id'],
            ['import_files.id'],
            name=op.f('fk_portal_syncs_import_id_import_files'),
            ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_portal_syncs')),
    )
    with op.batch_alter_table('portal_syncs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_portal_syncs_complete'), ['complete'], unique=False)
        batch_op.create_index(
            batch_op.f('ix_portal_syncs_period_key'), ['period_key'], unique=False
        )
    op.create_table(
        'portal_responses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('sync_id', sa.Integer(), nullable=False),
        sa.Column('endpoint', sa.String(length=60), nullable=False),
        sa.Column('request', sa.JSON(), nullable=False),
        sa.Column('http_status', sa.Integer(), nullable=True),
        sa.Column('content_type', sa.String(length=120), nullable=True),
        sa.Column('sha256', sa.String(length=64), nullable=True),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('body', sa.LargeBinary(), nullable=True),
        sa.Column('fetched_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['sync_id'],
            ['portal_syncs.id'],
            name=op.f('fk_portal_responses_sync_id_portal_syncs'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_portal_responses')),
    )
    with op.batch_alter_table('portal_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_portal_responses_sync_id'), ['sync_id'], unique=False)
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('portal_type', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('portal_level', sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_column('portal_level')
        batch_op.drop_column('portal_type')
    with op.batch_alter_table('portal_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_portal_responses_sync_id'))
    op.drop_table('portal_responses')
    with op.batch_alter_table('portal_syncs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_portal_syncs_period_key'))
        batch_op.drop_index(batch_op.f('ix_portal_syncs_complete'))
    op.drop_table('portal_syncs')
