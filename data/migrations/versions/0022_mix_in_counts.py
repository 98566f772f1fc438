"""The volume by channel and by collection as columns of feedback_day and feedback_month (issue 16), not rows of
feedback_day_mix / feedback_month_mix: an import upserts one row per unit and day instead of three, and a
county of 5 000 000 answers keeps ~1 000 000 daily rows instead of ~6 000 000

Upgrading counts the feedback already stored (as 0015 and 0020 left it to do) with the code of
`python -m data aggregates rebuild`, which counts into the tables as they are at the head: a later migration
that changes them takes this count over, as this one took it over from 0020.

Revision ID: 0022_mix_in_counts
Revises: 0021_board_revision_indexes
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.orm import Session

revision = '0022_mix_in_counts'
down_revision = '0021_board_revision_indexes'
branch_labels = None
depends_on = None

# The national lists of data/models.py as they were when this migration was written, then "not said".
CHANNELS = ("toimipiste", "verkko", "chat_video", "puhelin", "kotikaynti")
COLLECTIONS = ("web", "kiosk", "sms", "tablet", "email", "phone", "paper", "social")
MIX_COLUMNS = (*(f"channel_{value}" for value in (*CHANNELS, "none")),
               *(f"collection_{value}" for value in (*COLLECTIONS, "none")))


def upgrade() -> None:
    for grain in ("day", "month"):
        op.drop_index(f'ix_feedback_{grain}_mix_{grain}_unit', table_name=f'feedback_{grain}_mix')
        op.drop_table(f'feedback_{grain}_mix')
        for name in MIX_COLUMNS:
            op.add_column(f'feedback_{grain}', sa.Column(name, sa.Integer(), server_default="0", nullable=False))
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT 1 FROM feedback LIMIT 1")).first() is not None:
        from data.aggregates import rebuild
        rebuild(Session(bind=bind))


def downgrade() -> None:
    for grain in ("day", "month"):
        op.create_table(f'feedback_{grain}_mix',
                        sa.Column('unit_id', sa.Integer(), nullable=False),
                        sa.Column(grain, sa.Date(), nullable=False),
                        sa.Column('dimension', sa.String(length=10), nullable=False),
                        sa.Column('value', sa.String(length=20), nullable=False),
                        sa.Column('count', sa.Integer(), server_default="0", nullable=False),
                        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'],
                                                name=op.f(f'fk_feedback_{grain}_mix_unit_id_unit')),
                        sa.PrimaryKeyConstraint('unit_id', grain, 'dimension', 'value',
                                                name=op.f(f'pk_feedback_{grain}_mix')))
        op.create_index(f'ix_feedback_{grain}_mix_{grain}_unit', f'feedback_{grain}_mix', [grain, 'unit_id'],
                        unique=False)
        # The columns' counts become the rows they were, "none" the value "" (not said).
        for name in MIX_COLUMNS:
            dimension, value = name.split("_", 1)
            op.execute(sa.text(f"INSERT INTO feedback_{grain}_mix (unit_id, {grain}, dimension, value, count) "
                               f"SELECT unit_id, {grain}, :dimension, :value, {name} FROM feedback_{grain} "
                               f"WHERE {name} <> 0").bindparams(dimension=dimension,
                                                                value="" if value == "none" else value))
        with op.batch_alter_table(f'feedback_{grain}') as batch:
            for name in MIX_COLUMNS:
                batch.drop_column(name)
