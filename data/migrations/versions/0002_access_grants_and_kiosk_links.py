"""Access grants (role on a unit subtree) and kiosk links for wall screens.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 06:35:15.833270
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('access_grant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('principal', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_access_grant_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_grant')),
    sa.UniqueConstraint('principal', 'role', 'unit_id', name='uq_access_grant_principal_role_unit')
    )
    with op.batch_alter_table('access_grant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_grant_principal'), ['principal'], unique=False)

    op.create_table('kiosk_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_by', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_kiosk_link_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kiosk_link')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_kiosk_link_token_hash'))
    )
    with op.batch_alter_table('kiosk_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kiosk_link_unit_id'), ['unit_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('kiosk_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kiosk_link_unit_id'))

    op.drop_table('kiosk_link')
    with op.batch_alter_table('access_grant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_grant_principal'))

    op.drop_table('access_grant')
