"""Content in the reader's language (issue 17): an action's public text, a theme's title and a huddle prompt in sv, en

The Finnish texts stay where they were (action.public_text, theme.title); Swedish and English are optional.

Revision ID: 0016_content_languages
Revises: 0015_daily_aggregates
"""
from alembic import op
import sqlalchemy as sa


revision = '0016_content_languages'
down_revision = '0015_daily_aggregates'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_text_sv', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('public_text_en', sa.Text(), nullable=True))
    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title_sv', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('title_en', sa.String(length=200), nullable=True))
    with op.batch_alter_table('huddle_prompt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('text_sv', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('text_en', sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('huddle_prompt', schema=None) as batch_op:
        batch_op.drop_column('text_en')
        batch_op.drop_column('text_sv')
    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.drop_column('title_en')
        batch_op.drop_column('title_sv')
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.drop_column('public_text_en')
        batch_op.drop_column('public_text_sv')
