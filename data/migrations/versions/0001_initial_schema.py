"""Initial schema: organisation tree, feedback, themes, actions, audit events.

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 06:13:21.914723
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('path', sa.String(length=400), nullable=False),
    sa.Column('name_fi', sa.String(length=200), nullable=False),
    sa.Column('name_sv', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['unit.id'], name=op.f('fk_unit_parent_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit')),
    sa.UniqueConstraint('code', name=op.f('uq_unit_code'))
    )
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_path'), ['path'], unique=False)

    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.String(length=80), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_audit_event_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_at'), ['at'], unique=False)
        batch_op.create_index('ix_audit_event_entity', ['entity', 'entity_id'], unique=False)

    op.create_table('feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('source_id', sa.String(length=200), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('service_date', sa.Date(), nullable=True),
    sa.Column('channel', sa.String(length=20), nullable=True),
    sa.Column('collection', sa.String(length=20), nullable=True),
    sa.Column('nps', sa.Integer(), nullable=True),
    sa.Column('saatavuus', sa.Integer(), nullable=True),
    sa.Column('kohtaaminen', sa.Integer(), nullable=True),
    sa.Column('osallistuminen', sa.Integer(), nullable=True),
    sa.Column('turvallisuus', sa.Integer(), nullable=True),
    sa.Column('tiedon_saanti', sa.Integer(), nullable=True),
    sa.Column('ymmarrettavyys', sa.Integer(), nullable=True),
    sa.Column('hyodyllisyys', sa.Integer(), nullable=True),
    sa.Column('open_answer', sa.Text(), nullable=True),
    sa.Column('free_text', sa.Text(), nullable=True),
    sa.Column('reply_requested', sa.Boolean(), nullable=False),
    sa.Column('replied_at', sa.DateTime(), nullable=True),
    sa.Column('replied_by', sa.String(length=200), nullable=True),
    sa.Column('no_reply_reason', sa.String(length=400), nullable=True),
    sa.Column('service_code', sa.String(length=40), nullable=True),
    sa.Column('language', sa.String(length=2), nullable=True),
    sa.Column('quote_picked_at', sa.DateTime(), nullable=True),
    sa.Column('redacted', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_feedback_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback')),
    sa.UniqueConstraint('source', 'source_id', name='uq_feedback_source_source_id')
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index('ix_feedback_unit_received', ['unit_id', 'received_at'], unique=False)
        batch_op.create_index('ix_feedback_unit_reply', ['unit_id', 'reply_requested', 'replied_at', 'received_at'], unique=False)

    op.create_table('theme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('stage', sa.String(length=30), nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=True),
    sa.Column('stage_since', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('escalated_to', sa.String(length=400), nullable=True),
    sa.Column('not_pursued_reason', sa.String(length=400), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_theme_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_theme'))
    )
    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.create_index('ix_theme_unit_stage', ['unit_id', 'stage'], unique=False)

    op.create_table('action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.Column('taken_on', sa.Date(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('public_text', sa.Text(), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_action_theme_id_theme')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action'))
    )
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_taken_on'), ['taken_on'], unique=False)
        batch_op.create_index('ix_action_theme_taken', ['theme_id', 'taken_on'], unique=False)

    op.create_table('theme_feedback',
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.Column('feedback_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['feedback_id'], ['feedback.id'], name=op.f('fk_theme_feedback_feedback_id_feedback')),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_theme_feedback_theme_id_theme')),
    sa.PrimaryKeyConstraint('theme_id', 'feedback_id', name=op.f('pk_theme_feedback'))
    )
    with op.batch_alter_table('theme_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_feedback_feedback_id'), ['feedback_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('theme_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_theme_feedback_feedback_id'))

    op.drop_table('theme_feedback')
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.drop_index('ix_action_theme_taken')
        batch_op.drop_index(batch_op.f('ix_action_taken_on'))

    op.drop_table('action')
    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.drop_index('ix_theme_unit_stage')

    op.drop_table('theme')
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index('ix_feedback_unit_reply')
        batch_op.drop_index('ix_feedback_unit_received')

    op.drop_table('feedback')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_entity')
        batch_op.drop_index(batch_op.f('ix_audit_event_at'))

    op.drop_table('audit_event')
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_path'))

    op.drop_table('unit')
