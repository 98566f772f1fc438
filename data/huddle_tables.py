"""The tables of the huddle itself (issue 14): the huddle log, a unit's prompts, capture links, escalations."""
from __future__ import annotations

from pydantic import NaiveDatetime
from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel


class Huddle(SQLModel, table=True):
    """One huddle held at a unit's board: when, how long, how many were present (a count, never names)."""

    __tablename__ = "huddle"
    __table_args__ = (Index("ix_huddle_unit_started", "unit_id", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id")
    started_at: NaiveDatetime
    planned_minutes: int
    ended_at: NaiveDatetime | None = None
    present: int | None = None
    started_by: str = Field(max_length=200)
    version: int = 1


class HuddlePrompt(SQLModel, table=True):
    """A unit's own prompt for one section of the huddle (board.huddle.SECTIONS); none: the default text."""

    __tablename__ = "huddle_prompt"
    __table_args__ = (UniqueConstraint("unit_id", "section", name="uq_huddle_prompt_unit_id_section"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id")
    section: str = Field(max_length=20)
    text: str = Field(max_length=300)
    # The prompt in Swedish and English (optional, issue 17); `text` is the Finnish one.
    text_sv: str | None = Field(default=None, max_length=300)
    text_en: str | None = Field(default=None, max_length=300)
    updated_at: NaiveDatetime
    updated_by: str = Field(max_length=200)
    version: int = 1


class CaptureLink(SQLModel, table=True):
    """A short-lived link (QR code) that adds ideas to one unit's "Tunnistettu"; only the token's hash is kept."""

    __tablename__ = "capture_link"

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: NaiveDatetime
    created_by: str = Field(max_length=200)
    expires_at: NaiveDatetime
    uses: int = 0
    last_used_at: NaiveDatetime | None = None
    version: int = 1


class Escalation(SQLModel, table=True):
    """A theme a unit could not solve, sent to the parent unit (the next tier) with a reason, and its answer."""

    __tablename__ = "escalation"
    __table_args__ = (Index("ix_escalation_to_state", "to_unit_id", "state"),)

    id: int | None = Field(default=None, primary_key=True)
    theme_id: int = Field(foreign_key="theme.id", index=True)
    from_unit_id: int = Field(foreign_key="unit.id")
    to_unit_id: int = Field(foreign_key="unit.id")
    reason: str = Field(max_length=400)
    state: str = Field(max_length=20)   # open, taken, returned, forwarded
    answer_note: str | None = Field(default=None, max_length=400)
    taken_theme_id: int | None = Field(default=None, foreign_key="theme.id")
    created_at: NaiveDatetime
    created_by: str = Field(max_length=200)
    answered_at: NaiveDatetime | None = None
    answered_by: str | None = Field(default=None, max_length=200)
    version: int = 1
