"""job runs record failures and attempts (a failed run is retried, not lost)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('job_runs') as batch:
        batch.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='1'))
        batch.add_column(sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('error', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('job_runs') as batch:
        batch.drop_column('error')
        batch.drop_column('failed_at')
        batch.drop_column('attempts')
