"""partial indexes on unfinished instances and open incidents

The admin pages count and list a version's unfinished instances and open incidents; with
millions of finished instances only partial indexes keep that proportional to what is open.

A migration must work while the previous release still runs: add before you remove.

Revision ID: b12a95218164
Revises: cf2125926bb8
Create Date: 2026-11-25 14:21:08.460718
"""
from alembic import op
import sqlalchemy as sa


revision = 'b12a95218164'
down_revision = 'cf2125926bb8'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('engine_incident', schema=None) as batch_op:
        batch_op.create_index('ix_engine_incident_open', ['instance_id'], unique=False, postgresql_where=sa.text('resolved_at IS NULL'), sqlite_where=sa.text('resolved_at IS NULL'))

    with op.batch_alter_table('engine_instance', schema=None) as batch_op:
        batch_op.create_index('ix_engine_instance_open', ['version_id', 'id'], unique=False, postgresql_where=sa.text("status <> 'completed'"), sqlite_where=sa.text("status <> 'completed'"))


def downgrade() -> None:
    with op.batch_alter_table('engine_instance', schema=None) as batch_op:
        batch_op.drop_index('ix_engine_instance_open', postgresql_where=sa.text("status <> 'completed'"), sqlite_where=sa.text("status <> 'completed'"))

    with op.batch_alter_table('engine_incident', schema=None) as batch_op:
        batch_op.drop_index('ix_engine_incident_open', postgresql_where=sa.text('resolved_at IS NULL'), sqlite_where=sa.text('resolved_at IS NULL'))
