"""Schema versions through Alembic: upgrade, and tell whether a database is current."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).with_name("migrations")


@dataclass(frozen=True)
class SchemaState:
    current: str | None
    head: str

    @property
    def is_current(self) -> bool:
        return self.current == self.head


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine) -> None:
    """Create or upgrade the schema to the newest migration."""
    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def schema_state(engine: Engine) -> SchemaState:
    """The database's migration revision against the newest one the code knows."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return SchemaState(current=current, head=head)
