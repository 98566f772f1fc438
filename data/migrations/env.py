"""Alembic environment: runs on the connection handed over by data.schema (or a URL from alembic.ini)."""
from alembic import context
from sqlalchemy import create_engine

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


connection = config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    with create_engine(config.get_main_option("sqlalchemy.url")).connect() as fresh:
        run_migrations(fresh)
