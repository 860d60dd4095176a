"""the snapshot an alert is about

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# Rules whose period_key was the snapshot id; the roadmap's identity ends with it.
_BY_PERIOD_KEY = ('rank', 'drop', 'overdue_count')


def upgrade() -> None:
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('snapshot_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_alerts_snapshot_id'), ['snapshot_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_alerts_snapshot_id_snapshots'),
            'snapshots',
            ['snapshot_id'],
            ['id'],
            ondelete='SET NULL',
        )
    connection = op.get_bind()
    alerts = sa.table(
        'alerts',
        sa.column('id', sa.Integer),
        sa.column('rule', sa.String),
        sa.column('identity', sa.String),
        sa.column('period_key', sa.String),
        sa.column('snapshot_id', sa.Integer),
    )
    snapshots = set(connection.scalars(sa.text('SELECT id FROM snapshots')))
    rows = connection.execute(
        sa.select(alerts.c.id, alerts.c.rule, alerts.c.identity, alerts.c.period_key).where(
            alerts.c.rule.in_([*_BY_PERIOD_KEY, 'roadmap'])
        )
    ).all()
    for alert_id, rule, identity, period_key in rows:
        text = period_key if rule in _BY_PERIOD_KEY else identity.split('~')[0].rsplit(':', 1)[-1]
        if text and text.isdigit() and int(text) in snapshots:
            connection.execute(
                alerts.update().where(alerts.c.id == alert_id).values(snapshot_id=int(text))
            )


def downgrade() -> None:
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_alerts_snapshot_id_snapshots'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_alerts_snapshot_id'))
        batch_op.drop_column('snapshot_id')
