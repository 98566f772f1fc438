"""A wall board's data revision scoped to its unit (issue 16): the newest audit row of a unit by an index
probe, and the newest audit row with no unit that may change any board by a partial index

Revision ID: 0021_board_revision_indexes
Revises: 0020_monthly_aggregates
"""
from alembic import op
import sqlalchemy as sa


revision = '0021_board_revision_indexes'
down_revision = '0020_monthly_aggregates'
branch_labels = None
depends_on = None

# The words of data/models.py BOARD_WIDE_AUDIT, as they were when this migration was written.
BOARD_WIDE = "coalesce(unit_id, 0) = 0 AND entity NOT IN ('user', 'access', 'sign_in_session', 'user_preference')"


def upgrade() -> None:
    op.create_index('ix_audit_event_unit_id', 'audit_event', ['unit_id', 'id'], unique=False)
    op.create_index('ix_audit_event_board_wide', 'audit_event', ['id'], unique=False,
                    sqlite_where=sa.text(BOARD_WIDE), postgresql_where=sa.text(BOARD_WIDE))


def downgrade() -> None:
    op.drop_index('ix_audit_event_board_wide', table_name='audit_event')
    op.drop_index('ix_audit_event_unit_id', table_name='audit_event')
