"""Topics (aiheet), topics on feedback (suggested or decided by a person), trained suggestion models

Revision ID: 0008_suggest19
Revises: 0007_sessions
Create Date: 2026-12-02 06:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0012_topics'
down_revision = '0011_duels'
branch_labels = None
depends_on = None


# The default list: the seven national statement areas, then the recurring subjects of health and
# social care feedback. Admins rename, add and deactivate topics on /admin.
DEFAULT_TOPICS = (
    ("saatavuus", "Palvelun saatavuus", "Tillgång till tjänster", "Access to services"),
    ("kohtaaminen", "Kohtaaminen", "Bemötande", "How I was treated"),
    ("osallistuminen", "Osallistuminen", "Delaktighet", "Being involved"),
    ("turvallisuus", "Turvallisuus", "Trygghet", "Safety"),
    ("tiedon_saanti", "Tiedon saanti", "Tillgång till information", "Getting information"),
    ("ymmarrettavyys", "Ymmärrettävyys", "Begriplighet", "Being understood"),
    ("hyodyllisyys", "Hyödyllisyys", "Nytta", "Usefulness"),
    ("odotus", "Odotus ja jonot", "Väntan och köer", "Waiting and queues"),
    ("puhelin", "Puhelinpalvelu", "Telefonservice", "Phone service"),
    ("ajanvaraus", "Ajanvaraus", "Tidsbokning", "Appointment booking"),
    ("pysakointi", "Pysäköinti ja kulku", "Parkering och tillgänglighet", "Parking and access"),
    ("siisteys", "Siisteys", "Renlighet", "Cleanliness"),
    ("ruoka", "Ruoka", "Mat", "Food"),
    ("tiedotus", "Tiedotus ja ohjeet", "Information och anvisningar", "Information and instructions"),
    ("henkilokunta", "Henkilökunnan käytös", "Personalens bemötande", "Staff manner"),
    ("ammattitaito", "Ammattitaito", "Yrkeskunnande", "Competence"),
    ("jatkuvuus", "Hoidon jatkuvuus", "Vårdens kontinuitet", "Continuity of care"),
    ("tilat", "Tilat ja ympäristö", "Lokaler och miljö", "Premises"),
    ("kiitos", "Kiitos ja tyytyväisyys", "Tack och nöjdhet", "Thanks and satisfaction"),
)


def upgrade() -> None:
    topic = op.create_table(
        'topic',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=60), nullable=False),
        sa.Column('name_fi', sa.String(length=200), nullable=False),
        sa.Column('name_sv', sa.String(length=200), nullable=False),
        sa.Column('name_en', sa.String(length=200), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_topic')),
        sa.UniqueConstraint('key', name=op.f('uq_topic_key')),
    )
    op.bulk_insert(topic, [{"key": key, "name_fi": fi, "name_sv": sv, "name_en": en, "active": True,
                            "position": position, "version": 1}
                           for position, (key, fi, sv, en) in enumerate(DEFAULT_TOPICS)])
    op.create_table(
        'feedback_topic',
        sa.Column('feedback_id', sa.Integer(), nullable=False),
        sa.Column('topic_id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=20), nullable=False),
        sa.Column('confidence', sa.Float(), nullable=True),
        sa.Column('suggested_at', sa.DateTime(), nullable=True),
        sa.Column('decided_by', sa.String(length=200), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['feedback_id'], ['feedback.id'], name=op.f('fk_feedback_topic_feedback_id_feedback')),
        sa.ForeignKeyConstraint(['topic_id'], ['topic.id'], name=op.f('fk_feedback_topic_topic_id_topic')),
        sa.PrimaryKeyConstraint('feedback_id', 'topic_id', name=op.f('pk_feedback_topic')),
    )
    with op.batch_alter_table('feedback_topic', schema=None) as batch_op:
        batch_op.create_index('ix_feedback_topic_topic_source', ['topic_id', 'source'], unique=False)
    op.create_table(
        'topic_model',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('trained_at', sa.DateTime(), nullable=False),
        sa.Column('trained_by', sa.String(length=200), nullable=False),
        sa.Column('examples', sa.Integer(), nullable=False),
        sa.Column('meta', sa.Text(), nullable=False),
        sa.Column('arrays', sa.LargeBinary(), nullable=False),
        sa.Column('scores', sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_topic_model')),
    )


def downgrade() -> None:
    op.drop_table('topic_model')
    with op.batch_alter_table('feedback_topic', schema=None) as batch_op:
        batch_op.drop_index('ix_feedback_topic_topic_source')
    op.drop_table('feedback_topic')
    op.drop_table('topic')
