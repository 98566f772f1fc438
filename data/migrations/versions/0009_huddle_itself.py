"""The huddle itself: huddle log, prompts per unit, capture links (QR) and escalations between tiers

Revision ID: 0008_ritual14
Revises: 0007_sessions
Create Date: 2026-12-02 05:20:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_huddle_itself'
down_revision = '0008_notify15'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'huddle',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('planned_minutes', sa.Integer(), nullable=False),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.Column('present', sa.Integer(), nullable=True),
        sa.Column('started_by', sa.String(length=200), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_huddle_unit_id_unit')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_huddle')),
    )
    with op.batch_alter_table('huddle', schema=None) as batch_op:
        batch_op.create_index('ix_huddle_unit_started', ['unit_id', 'started_at'], unique=False)
    op.create_table(
        'huddle_prompt',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('section', sa.String(length=20), nullable=False),
        sa.Column('text', sa.String(length=300), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by', sa.String(length=200), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_huddle_prompt_unit_id_unit')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_huddle_prompt')),
        sa.UniqueConstraint('unit_id', 'section', name='uq_huddle_prompt_unit_id_section'),
    )
    op.create_table(
        'capture_link',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by', sa.String(length=200), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('uses', sa.Integer(), nullable=False),
        sa.Column('last_used_at', sa.DateTime(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_capture_link_unit_id_unit')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_capture_link')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_capture_link_token_hash')),
    )
    with op.batch_alter_table('capture_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_capture_link_unit_id'), ['unit_id'], unique=False)
    op.create_table(
        'escalation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('theme_id', sa.Integer(), nullable=False),
        sa.Column('from_unit_id', sa.Integer(), nullable=False),
        sa.Column('to_unit_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=400), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('answer_note', sa.String(length=400), nullable=True),
        sa.Column('taken_theme_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by', sa.String(length=200), nullable=False),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        sa.Column('answered_by', sa.String(length=200), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_escalation_theme_id_theme')),
        sa.ForeignKeyConstraint(['from_unit_id'], ['unit.id'], name=op.f('fk_escalation_from_unit_id_unit')),
        sa.ForeignKeyConstraint(['to_unit_id'], ['unit.id'], name=op.f('fk_escalation_to_unit_id_unit')),
        sa.ForeignKeyConstraint(['taken_theme_id'], ['theme.id'], name=op.f('fk_escalation_taken_theme_id_theme')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_escalation')),
    )
    with op.batch_alter_table('escalation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalation_theme_id'), ['theme_id'], unique=False)
        batch_op.create_index('ix_escalation_to_state', ['to_unit_id', 'state'], unique=False)


def downgrade() -> None:
    op.drop_table('escalation')
    op.drop_table('capture_link')
    op.drop_table('huddle_prompt')
    op.drop_table('huddle')
