"""A reply assigned to a colleague (issue 15), and the e-mail a sign-in was made with (handlers' languages)

Revision ID: 0019_reply_assignment
Revises: 0018_inbox_indexes
"""
from alembic import op
import sqlalchemy as sa


revision = '0019_reply_assignment'
down_revision = '0018_inbox_indexes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('feedback') as batch:
        batch.add_column(sa.Column('assigned_to', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('assigned_name', sa.String(length=200), nullable=True))
        batch.create_index('ix_feedback_assigned_to', ['assigned_to'])
    with op.batch_alter_table('sign_in_session') as batch:
        batch.add_column(sa.Column('email', sa.String(length=200), nullable=True))
        batch.create_index('ix_sign_in_session_email', ['email'])


def downgrade() -> None:
    with op.batch_alter_table('sign_in_session') as batch:
        batch.drop_index('ix_sign_in_session_email')
        batch.drop_column('email')
    with op.batch_alter_table('feedback') as batch:
        batch.drop_index('ix_feedback_assigned_to')
        batch.drop_column('assigned_name')
        batch.drop_column('assigned_to')
