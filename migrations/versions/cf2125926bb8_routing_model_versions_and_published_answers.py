"""routing model versions and published answers

A migration must work while the previous release still runs: add before you remove.

Revision ID: cf2125926bb8
Revises: 9b8e92ba2f94
Create Date: 2026-11-25 14:09:13.650789
"""
from alembic import op
import sqlalchemy as sa
import app.db


revision = 'cf2125926bb8'
down_revision = '9b8e92ba2f94'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('routing_model_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('training_size', sa.Integer(), nullable=False),
    sa.Column('public_size', sa.Integer(), nullable=False),
    sa.Column('metrics', sa.Text(), nullable=False),
    sa.Column('blob', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_routing_model_version')),
    sa.UniqueConstraint('version', name=op.f('uq_routing_model_version_version'))
    )
    with op.batch_alter_table('petitions_petition', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answer_public', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_petitions_petition_merged_into_id_petitions_petition'), 'petitions_petition', ['merged_into_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('petitions_petition', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_petitions_petition_merged_into_id_petitions_petition'), type_='foreignkey')
        batch_op.drop_column('merged_into_id')
        batch_op.drop_column('answer_public')

    op.drop_table('routing_model_version')
