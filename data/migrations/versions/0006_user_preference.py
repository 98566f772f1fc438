"""A signed-in person's own preferences: the interface language

Revision ID: 0006
Revises: 0003
Create Date: 2026-11-30 21:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'user_preference',
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('language', sa.String(length=2), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('subject', name=op.f('pk_user_preference')),
    )


def downgrade() -> None:
    op.drop_table('user_preference')
