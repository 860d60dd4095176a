"""a partial index of the unfinished dossiers

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        'ix_dossiers_unfinished',
        'dossiers',
        ['unit_id', 'due_at', 'state'],
        unique=False,
        sqlite_where=sa.text('finished_at IS NULL'),
        postgresql_where=sa.text('finished_at IS NULL'),
    )


def downgrade() -> None:
    op.drop_index('ix_dossiers_unfinished', table_name='dossiers')
