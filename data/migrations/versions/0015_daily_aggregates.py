"""Daily aggregates per unit and Helsinki day (issue 16): feedback_day, feedback_day_mix, feedback_day_reply_hours

The tables are filled from the feedback already stored, so an upgraded database shows the same figures.

Revision ID: 0015_daily_aggregates
Revises: 0014_theme_priority
"""
from alembic import op
import sqlalchemy as sa

revision = '0015_daily_aggregates'
down_revision = '0014_theme_priority'
branch_labels = None
depends_on = None

STATEMENT_KEYS = ("saatavuus", "kohtaaminen", "osallistuminen", "turvallisuus", "tiedon_saanti",
                  "ymmarrettavyys", "hyodyllisyys")
DAY_COLUMNS = ("volume", "promoters", "passives", "detractors",
               *(f"{key}_{part}" for key in STATEMENT_KEYS for part in ("n", "sum", "agree")),
               "replies_requested", "replies_sent", "replies_not_needed")


def _counts(names):
    return [sa.Column(name, sa.Integer(), server_default="0", nullable=False) for name in names]


def upgrade() -> None:
    op.create_table('feedback_day',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    *_counts(DAY_COLUMNS),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_feedback_day_unit_id_unit')),
    sa.PrimaryKeyConstraint('unit_id', 'day', name=op.f('pk_feedback_day'))
    )
    op.create_index('ix_feedback_day_day_unit', 'feedback_day', ['day', 'unit_id'], unique=False)
    op.create_table('feedback_day_mix',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('dimension', sa.String(length=10), nullable=False),
    sa.Column('value', sa.String(length=20), nullable=False),
    *_counts(["count"]),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_feedback_day_mix_unit_id_unit')),
    sa.PrimaryKeyConstraint('unit_id', 'day', 'dimension', 'value', name=op.f('pk_feedback_day_mix'))
    )
    op.create_index('ix_feedback_day_mix_day_unit', 'feedback_day_mix', ['day', 'unit_id'], unique=False)
    op.create_table('feedback_day_reply_hours',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('hours', sa.Integer(), nullable=False),
    *_counts(["count"]),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_feedback_day_reply_hours_unit_id_unit')),
    sa.PrimaryKeyConstraint('unit_id', 'day', 'hours', name=op.f('pk_feedback_day_reply_hours'))
    )
    op.create_index('ix_feedback_day_reply_hours_day_unit', 'feedback_day_reply_hours', ['day', 'unit_id'],
                    unique=False)
    # The feedback already stored is counted in 0022, once the tables have their final columns: the count is the
    # code of `python -m data aggregates rebuild`, which fills them all.


def downgrade() -> None:
    op.drop_index('ix_feedback_day_reply_hours_day_unit', table_name='feedback_day_reply_hours')
    op.drop_table('feedback_day_reply_hours')
    op.drop_index('ix_feedback_day_mix_day_unit', table_name='feedback_day_mix')
    op.drop_table('feedback_day_mix')
    op.drop_index('ix_feedback_day_day_unit', table_name='feedback_day')
    op.drop_table('feedback_day')
