"""Feedback handlers of a unit, and what `notify` sent to them (wake-ups, daily digests) in which run

Revision ID: 0008_notify15
Revises: 0007_sessions
Create Date: 2026-12-03 09:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0008_notify15'
down_revision = '0007_sessions'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'feedback_handler',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('address', sa.String(length=254), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_feedback_handler_unit_id_unit')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_handler')),
        sa.UniqueConstraint('unit_id', 'address', name='uq_feedback_handler_unit_id'),
    )
    with op.batch_alter_table('feedback_handler', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_handler_unit_id'), ['unit_id'], unique=False)
    op.create_table(
        'notify_run',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('sent', sa.Integer(), nullable=False),
        sa.Column('failed', sa.Integer(), nullable=False),
        sa.Column('problem', sa.Text(), nullable=True),
        sa.Column('failures', sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notify_run')),
    )
    with op.batch_alter_table('notify_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notify_run_started_at'), ['started_at'], unique=False)
    op.create_table(
        'wake_sent',
        sa.Column('feedback_id', sa.Integer(), nullable=False),
        sa.Column('address', sa.String(length=254), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=False),
        sa.Column('run_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['feedback_id'], ['feedback.id'], name=op.f('fk_wake_sent_feedback_id_feedback')),
        sa.ForeignKeyConstraint(['run_id'], ['notify_run.id'], name=op.f('fk_wake_sent_run_id_notify_run')),
        sa.PrimaryKeyConstraint('feedback_id', 'address', name=op.f('pk_wake_sent')),
    )
    op.create_table(
        'digest_sent',
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('address', sa.String(length=254), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=False),
        sa.Column('run_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_digest_sent_unit_id_unit')),
        sa.ForeignKeyConstraint(['run_id'], ['notify_run.id'], name=op.f('fk_digest_sent_run_id_notify_run')),
        sa.PrimaryKeyConstraint('unit_id', 'address', 'day', name=op.f('pk_digest_sent')),
    )


def downgrade() -> None:
    op.drop_table('digest_sent')
    op.drop_table('wake_sent')
    with op.batch_alter_table('notify_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notify_run_started_at'))
    op.drop_table('notify_run')
    with op.batch_alter_table('feedback_handler', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_handler_unit_id'))
    op.drop_table('feedback_handler')
