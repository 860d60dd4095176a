"""alerts keep their audience (who may receive them), so that access changes can withdraw
the queued deliveries a person or group is no longer allowed

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

#: The audience each rule gave its alerts when this migration was written; rules whose
#: audience depends on the unit (drops, the roadmap, corrections) are filled in after.
FIXED = {
    'overdue': 'unit',
    'overdue_count': 'unit',
    'deadline': 'deadline',
    'rank': 'leaders',
    'escalation': 'leaders',
    'source': 'admins',
    'stale': 'admins',
    'summary': 'groups',
}


def upgrade() -> None:
    with op.batch_alter_table('alerts') as batch:
        batch.add_column(
            sa.Column('audience', sa.String(16), nullable=False, server_default='unit')
        )
    alerts = sa.table('alerts', sa.column('rule'), sa.column('audience'), sa.column('unit_id'))
    units = sa.table('units', sa.column('id'), sa.column('kind'))
    for rule, audience in FIXED.items():
        op.execute(alerts.update().where(alerts.c.rule == rule).values(audience=audience))
    province = sa.select(units.c.id).where(units.c.kind == 'province')
    op.execute(
        alerts.update()
        .where(
            alerts.c.rule.in_(['drop', 'roadmap', 'correction']),
            sa.or_(alerts.c.unit_id.is_(None), alerts.c.unit_id.in_(province)),
        )
        .values(audience='leaders')
    )


def downgrade() -> None:
    with op.batch_alter_table('alerts') as batch:
        batch.drop_column('audience')
