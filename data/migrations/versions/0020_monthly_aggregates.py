"""Monthly aggregates per unit and Helsinki calendar month (issue 16): feedback_month, feedback_month_mix,
feedback_month_reply_hours, the same counts as the daily tables with `month` (the month's first day) for `day`

The feedback already stored is counted into them by 0022.

Revision ID: 0020_monthly_aggregates
Revises: 0019_reply_assignment
"""
from alembic import op
import sqlalchemy as sa

revision = '0020_monthly_aggregates'
down_revision = '0019_reply_assignment'
branch_labels = None
depends_on = None

STATEMENT_KEYS = ("saatavuus", "kohtaaminen", "osallistuminen", "turvallisuus", "tiedon_saanti",
                  "ymmarrettavyys", "hyodyllisyys")
DAY_COLUMNS = ("volume", "promoters", "passives", "detractors",
               *(f"{key}_{part}" for key in STATEMENT_KEYS for part in ("n", "sum", "agree")),
               "replies_requested", "replies_sent", "replies_not_needed")


def _counts(names):
    return [sa.Column(name, sa.Integer(), server_default="0", nullable=False) for name in names]


def _keys(table):
    return [sa.Column('unit_id', sa.Integer(), nullable=False), sa.Column('month', sa.Date(), nullable=False),
            sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f(f'fk_{table}_unit_id_unit'))]


def upgrade() -> None:
    op.create_table('feedback_month', *_keys('feedback_month'), *_counts(DAY_COLUMNS),
                    sa.PrimaryKeyConstraint('unit_id', 'month', name=op.f('pk_feedback_month')))
    op.create_index('ix_feedback_month_month_unit', 'feedback_month', ['month', 'unit_id'], unique=False)
    op.create_table('feedback_month_mix', *_keys('feedback_month_mix'),
                    sa.Column('dimension', sa.String(length=10), nullable=False),
                    sa.Column('value', sa.String(length=20), nullable=False),
                    *_counts(["count"]),
                    sa.PrimaryKeyConstraint('unit_id', 'month', 'dimension', 'value',
                                            name=op.f('pk_feedback_month_mix')))
    op.create_index('ix_feedback_month_mix_month_unit', 'feedback_month_mix', ['month', 'unit_id'], unique=False)
    op.create_table('feedback_month_reply_hours', *_keys('feedback_month_reply_hours'),
                    sa.Column('hours', sa.Integer(), nullable=False),
                    *_counts(["count"]),
                    sa.PrimaryKeyConstraint('unit_id', 'month', 'hours', name=op.f('pk_feedback_month_reply_hours')))
    op.create_index('ix_feedback_month_reply_hours_month_unit', 'feedback_month_reply_hours', ['month', 'unit_id'],
                    unique=False)
    # The feedback already stored is counted in 0022, by day and by month, once the tables have their final
    # columns (the code of `python -m data aggregates rebuild` counts into the tables as they are at the head).


def downgrade() -> None:
    for table in ('feedback_month_reply_hours', 'feedback_month_mix', 'feedback_month'):
        op.drop_index(f'ix_{table}_month_unit', table_name=table)
        op.drop_table(table)
