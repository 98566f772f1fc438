"""Imports: the runs, the rejected rows kept for correction, and the admins' unit mappings.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 20:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('import_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('file_name', sa.String(length=300), nullable=False),
    sa.Column('profile', sa.String(length=40), nullable=False),
    sa.Column('read', sa.Integer(), nullable=False),
    sa.Column('inserted', sa.Integer(), nullable=False),
    sa.Column('duplicates', sa.Integer(), nullable=False),
    sa.Column('conflicts', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('redacted', sa.Integer(), nullable=False),
    sa.Column('notes', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_run'))
    )
    with op.batch_alter_table('import_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_run_started_at'), ['started_at'], unique=False)

    op.create_table('import_reject',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=False),
    sa.Column('column', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.String(length=60), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('resolved_by', sa.String(length=200), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['import_run.id'], name=op.f('fk_import_reject_run_id_import_run')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_reject'))
    )
    with op.batch_alter_table('import_reject', schema=None) as batch_op:
        batch_op.create_index('ix_import_reject_run_row', ['run_id', 'row_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_import_reject_resolved_at'), ['resolved_at'], unique=False)

    op.create_table('unit_mapping',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('source_name', sa.String(length=200), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_unit_mapping_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_mapping')),
    sa.UniqueConstraint('source', 'source_name', name='uq_unit_mapping_source_source_name')
    )


def downgrade() -> None:
    op.drop_table('unit_mapping')
    with op.batch_alter_table('import_reject', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_reject_resolved_at'))
        batch_op.drop_index('ix_import_reject_run_row')
    op.drop_table('import_reject')
    with op.batch_alter_table('import_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_run_started_at'))
    op.drop_table('import_run')
