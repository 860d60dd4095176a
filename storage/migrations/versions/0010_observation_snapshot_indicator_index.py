"""an index of observations by snapshot and indicator

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        'ix_observations_snapshot_indicator',
        'observations',
        ['snapshot_id', 'indicator_id'],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index('ix_observations_snapshot_indicator', table_name='observations')
