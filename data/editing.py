"""Optimistic edits shared by every editing service.

Every write is optimistic: the caller passes the `version` it read, the row is updated with
`WHERE id = :id AND version = :seen` and `version = version + 1`, and when no row matched the
service raises StaleEdit with the row as it stands now. Input is checked before anything is
written; a write that would change nothing is not made (no new version, no audit row)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, select

from board.handling import InvalidHandling, screened_text
from data.models import Unit


OWNER_MAX = 200          # theme.owner, feedback.replied_by


class UnknownItem(LookupError):
    """No feedback, theme or action has this id."""

    def __init__(self, entity: str, item_id: int) -> None:
        super().__init__(f"{entity} {item_id} does not exist")
        self.entity = entity
        self.id = item_id


@dataclass(frozen=True)
class RowState:
    """A row as it stands in the database now; `version` is None when the row is gone."""

    entity: str
    id: int
    version: int | None
    values: dict[str, Any]


class StaleEdit(Exception):
    """Someone else changed the row after the user read it; nothing was written.

    `current` is the (first) row as it stands now, `states` every stale row of a batch and
    `stale_ids` their ids: what the UI shows under "changed by someone else".
    """

    def __init__(self, states: list[RowState]) -> None:
        self.states = tuple(states)
        super().__init__("changed by someone else: " + ", ".join(f"{s.entity} {s.id}" for s in self.states))

    @property
    def current(self) -> RowState:
        return self.states[0]

    @property
    def stale_ids(self) -> tuple[int, ...]:
        return tuple(state.id for state in self.states)


def row_state(row: Any, entity: str, fields: tuple[str, ...]) -> RowState:
    return RowState(entity, row.id, row.version, {name: getattr(row, name) for name in fields})


def _stale(session: Session, model: type, entity: str, fields: tuple[str, ...], row_id: int) -> StaleEdit:
    row = session.exec(select(model).where(model.id == row_id).execution_options(populate_existing=True)).first()
    return StaleEdit([row_state(row, entity, fields) if row else RowState(entity, row_id, None, {})])


def check_seen(row: Any, entity: str, fields: tuple[str, ...], seen_version: int) -> None:
    if row.version != seen_version:
        raise StaleEdit([row_state(row, entity, fields)])


def versioned_update(session: Session, row: Any, entity: str, fields: tuple[str, ...], seen_version: int,
                      values: dict[str, Any]) -> None:
    """UPDATE … WHERE id = :id AND version = :seen; StaleEdit with the current row when none matched."""
    table = type(row).__table__
    result = session.execute(
        update(table)
        .where(table.c.id == row.id, table.c.version == seen_version)
        .values(**values, version=table.c.version + 1)
    )
    if result.rowcount != 1:
        raise _stale(session, type(row), entity, fields, row.id)
    session.refresh(row)


def changes(row: Any, wanted: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields that would change: (before, after); both empty when nothing changes."""
    changed = [name for name, value in wanted.items() if getattr(row, name) != value]
    return {n: getattr(row, n) for n in changed}, {n: wanted[n] for n in changed}


def load_with_unit(session: Session, model: type, entity: str, item_id: int) -> tuple[Any, Unit]:
    """A row with its unit, read fresh from the database (never a stale copy in the session)."""
    row = session.exec(select(model, Unit).join(Unit, Unit.id == model.unit_id).where(model.id == item_id)
                       .execution_options(populate_existing=True)).first()
    if row is None:
        raise UnknownItem(entity, item_id)
    return row


def checked_text(value: str | None, *, most: int, missing: str | None, what: str) -> str | None:
    """Stripped, screened text of at most `most` characters.

    Empty text is refused when `missing` names the reason, else it is None.
    """
    value = screened_text(value)
    if not value:
        if missing:
            raise InvalidHandling(missing, f"{what} is empty")
        return None
    if len(value) > most:
        raise InvalidHandling("too_long", f"{what} has {len(value)} characters, more than {most}")
    return value


def bump_version(session: Session, model: type, entity: str, row_id: int, seen_version: int, values: dict) -> None:
    """UPDATE … WHERE id = :id AND version = :seen by the row's id; StaleEdit when someone else got there first."""
    table = model.__table__
    result = session.execute(update(table).where(table.c.id == row_id, table.c.version == seen_version)
                             .values(**values, version=table.c.version + 1))
    if result.rowcount != 1:
        current = session.exec(select(model.version).where(model.id == row_id)).first()
        raise StaleEdit([RowState(entity, row_id, current, {})])
