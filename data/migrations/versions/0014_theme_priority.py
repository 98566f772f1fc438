"""Issue 20: the place of an identified theme in its column, set by a duel's result: theme.priority

Revision ID: 0014_theme_priority
Revises: 0013_report_comment (the merger re-chains)
"""
from alembic import op
import sqlalchemy as sa


revision = '0014_theme_priority'
down_revision = '0013_report_comment'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('theme') as batch:
        batch.add_column(sa.Column('priority', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('theme') as batch:
        batch.drop_column('priority')
