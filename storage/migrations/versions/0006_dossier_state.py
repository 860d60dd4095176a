"""dossier state and closing

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('state', sa.String(length=12), nullable=False, server_default='processing')
        )
        batch_op.add_column(sa.Column('closed_at', sa.Date(), nullable=True))
    # Dossiers stored before the state existed: a finish date means finished.
    op.execute("UPDATE dossiers SET state = 'finished' WHERE finished_at IS NOT NULL")
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.alter_column('state', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_column('closed_at')
        batch_op.drop_column('state')
