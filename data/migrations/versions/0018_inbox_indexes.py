"""The inbox's filters served by indexes at millions of rows (issue 16): newest first, replies awaiting,
detractors, and on PostgreSQL a trigram index for the text search

Revision ID: 0018_inbox_indexes
Revises: 0017_public_loop
"""
import logging

from alembic import op
import sqlalchemy as sa


revision = '0018_inbox_indexes'
down_revision = '0017_public_loop'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
AWAITING = "reply_requested AND replied_at IS NULL AND no_reply_reason IS NULL"
TRIGRAM_INDEXES = (("ix_feedback_trgm_open_answer", "open_answer"), ("ix_feedback_trgm_free_text", "free_text"))


def _trigram_schema(bind) -> str | None:
    """The schema of pg_trgm, installed now in `public` when it is not yet (so dropping some other schema
    never takes it and its indexes away); None when a missing privilege refuses it: the search then
    runs on plain ILIKE."""
    found = bind.execute(sa.text("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                                 "WHERE e.extname = 'pg_trgm'")).scalar()
    if found:
        return found
    savepoint = bind.begin_nested()
    try:
        bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
    except sa.exc.DBAPIError as refused:
        savepoint.rollback()
        log.warning("pg_trgm could not be installed (%s); the inbox's text search runs without its index",
                    refused.orig)
        return None
    savepoint.commit()
    return "public"


def upgrade() -> None:
    with op.batch_alter_table('feedback') as batch:
        batch.create_index('ix_feedback_received_id', ['received_at', 'id'])
        batch.create_index('ix_feedback_unit_nps', ['unit_id', 'nps', 'received_at'])
    op.create_index('ix_feedback_awaiting', 'feedback', ['unit_id', 'received_at'],
                    sqlite_where=sa.text(AWAITING), postgresql_where=sa.text(AWAITING))
    bind = op.get_bind()
    schema = _trigram_schema(bind) if bind.dialect.name == "postgresql" else None
    if schema:
        operators = f'"{schema}".gin_trgm_ops'  # named with its schema: it need not be on the search path
        for name, column in TRIGRAM_INDEXES:
            op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON feedback USING gin ({column} {operators})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, _ in TRIGRAM_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    op.drop_index('ix_feedback_awaiting', table_name='feedback')
    with op.batch_alter_table('feedback') as batch:
        batch.drop_index('ix_feedback_unit_nps')
        batch.drop_index('ix_feedback_received_id')
