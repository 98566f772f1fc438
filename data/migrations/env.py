"""Alembic environment: runs on the connection handed over by data.schema."""
from alembic import context

from data import models

config = context.config
target_metadata = models.metadata


def run_migrations(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations(config.attributes["connection"])
