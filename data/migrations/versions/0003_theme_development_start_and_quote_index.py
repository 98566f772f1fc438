"""Theme development start for before/after figures; index for picked quotes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 07:06:49.646213
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index('ix_feedback_quote_picked', ['quote_picked_at'], unique=False)

    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('development_started_at', sa.DateTime(), nullable=True))

    # A theme now with the development group entered it at stage_since; for themes further on the
    # moment is unknown, so they get no before/after split.
    op.execute("UPDATE theme SET development_started_at = stage_since WHERE stage = 'kehittamisryhmalla'")


def downgrade() -> None:
    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.drop_column('development_started_at')

    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index('ix_feedback_quote_picked')
