"""The drop folder: an import run remembers its file's content hash, so a file is never imported twice

Revision ID: 0008_dropfolder15
Revises: 0007_sessions
Create Date: 2026-12-02 05:30:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0010_drop_folder'
down_revision = '0009_huddle_itself'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('import_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('content_hash', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_import_run_content_hash'), ['content_hash'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('import_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_run_content_hash'))
        batch_op.drop_column('content_hash')
