"""The director's comment on a report, kept per unit and period (issue 18): report_comment

Revision ID: 0008_report18
Revises: 0011_duels (the merger re-chains)
"""
from alembic import op
import sqlalchemy as sa


revision = '0013_report_comment'
down_revision = '0012_topics'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('report_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('period_key', sa.String(length=30), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_report_comment_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_comment')),
    sa.UniqueConstraint('unit_id', 'kind', 'period_key', name='uq_report_comment_unit_period')
    )


def downgrade() -> None:
    op.drop_table('report_comment')
