"""Pairwise duels (issue 20): duel, duel_participant (token hashed), duel_item, duel_vote

Revision ID: 0008_duel20
Revises: 0007_sessions
Create Date: 2026-12-02 05:19:37.874238
"""
from alembic import op
import sqlalchemy as sa


revision = '0011_duels'
down_revision = '0010_drop_folder'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('duel',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('question', sa.String(length=200), nullable=False),
    sa.Column('closes_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('closed_by', sa.String(length=200), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_duel_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duel')),
    sa.UniqueConstraint('code', name=op.f('uq_duel_code'))
    )
    with op.batch_alter_table('duel', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duel_unit_id'), ['unit_id'], unique=False)

    op.create_table('duel_participant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('duel_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('joined_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['duel_id'], ['duel.id'], name=op.f('fk_duel_participant_duel_id_duel')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duel_participant'))
    )
    with op.batch_alter_table('duel_participant', schema=None) as batch_op:
        batch_op.create_index('ix_duel_participant_duel_token', ['duel_id', 'token_hash'], unique=True)

    op.create_table('duel_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('duel_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=200), nullable=False),
    sa.Column('origin', sa.String(length=20), nullable=False),
    sa.Column('source_theme_id', sa.Integer(), nullable=True),
    sa.Column('participant_id', sa.Integer(), nullable=True),
    sa.Column('hidden_at', sa.DateTime(), nullable=True),
    sa.Column('hidden_by', sa.String(length=200), nullable=True),
    sa.Column('made_theme_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['duel_id'], ['duel.id'], name=op.f('fk_duel_item_duel_id_duel')),
    sa.ForeignKeyConstraint(['made_theme_id'], ['theme.id'], name=op.f('fk_duel_item_made_theme_id_theme')),
    sa.ForeignKeyConstraint(['participant_id'], ['duel_participant.id'], name=op.f('fk_duel_item_participant_id_duel_participant')),
    sa.ForeignKeyConstraint(['source_theme_id'], ['theme.id'], name=op.f('fk_duel_item_source_theme_id_theme')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duel_item'))
    )
    with op.batch_alter_table('duel_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duel_item_duel_id'), ['duel_id'], unique=False)

    op.create_table('duel_vote',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('duel_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('left_item_id', sa.Integer(), nullable=False),
    sa.Column('right_item_id', sa.Integer(), nullable=False),
    sa.Column('winner_item_id', sa.Integer(), nullable=True),
    sa.Column('voted_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['duel_id'], ['duel.id'], name=op.f('fk_duel_vote_duel_id_duel')),
    sa.ForeignKeyConstraint(['left_item_id'], ['duel_item.id'], name=op.f('fk_duel_vote_left_item_id_duel_item')),
    sa.ForeignKeyConstraint(['participant_id'], ['duel_participant.id'], name=op.f('fk_duel_vote_participant_id_duel_participant')),
    sa.ForeignKeyConstraint(['right_item_id'], ['duel_item.id'], name=op.f('fk_duel_vote_right_item_id_duel_item')),
    sa.ForeignKeyConstraint(['winner_item_id'], ['duel_item.id'], name=op.f('fk_duel_vote_winner_item_id_duel_item')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duel_vote'))
    )
    with op.batch_alter_table('duel_vote', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duel_vote_duel_id'), ['duel_id'], unique=False)
        batch_op.create_index('ix_duel_vote_participant_at', ['participant_id', 'voted_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('duel_vote', schema=None) as batch_op:
        batch_op.drop_index('ix_duel_vote_participant_at')
        batch_op.drop_index(batch_op.f('ix_duel_vote_duel_id'))

    op.drop_table('duel_vote')
    with op.batch_alter_table('duel_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duel_item_duel_id'))

    op.drop_table('duel_item')
    with op.batch_alter_table('duel_participant', schema=None) as batch_op:
        batch_op.drop_index('ix_duel_participant_duel_token')

    op.drop_table('duel_participant')
    with op.batch_alter_table('duel', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duel_unit_id'))

    op.drop_table('duel')
