"""The public page shows the whole loop (issue 17): a theme's reason for leaving the flow may be published

Revision ID: 0017_public_loop
Revises: 0016_content_languages
"""
from alembic import op
import sqlalchemy as sa


revision = '0017_public_loop'
down_revision = '0016_content_languages'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason_published_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.drop_column('reason_published_at')
