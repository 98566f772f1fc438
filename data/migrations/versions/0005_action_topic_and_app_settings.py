"""Topic (national statement) of an action; app settings such as staff names on the public page

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-30 21:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.add_column(sa.Column('topic', sa.String(length=40), nullable=True))

    op.create_table(
        'app_setting',
        sa.Column('key', sa.String(length=60), nullable=False),
        sa.Column('value', sa.String(length=400), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by', sa.String(length=200), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_app_setting')),
    )


def downgrade() -> None:
    op.drop_table('app_setting')
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.drop_column('topic')
