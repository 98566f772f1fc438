"""The tables of pairwise duels (issue 20): a duel of a unit, its items, its anonymous participants and their votes.

Imported at the end of data/models.py so that they share its metadata (and its naming convention).
"""
from __future__ import annotations

from sqlalchemy import Index
from pydantic import NaiveDatetime
from sqlmodel import Field, SQLModel


class Duel(SQLModel, table=True):
    """A question put to anyone holding the join code: answers compared two at a time until it closes."""

    __tablename__ = "duel"

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    # The short code of the join link /duel?d=CODE, shown on the wall screen as a QR code: it opens the
    # duel to anyone, like a poster does, so it is kept as is (a participant's own token is hashed).
    code: str = Field(max_length=16, unique=True)
    question: str = Field(max_length=200)
    closes_at: NaiveDatetime | None = None
    closed_at: NaiveDatetime | None = None
    closed_by: str | None = Field(default=None, max_length=200)
    published_at: NaiveDatetime | None = None
    created_at: NaiveDatetime
    created_by: str = Field(max_length=200)
    version: int = 1


class DuelParticipant(SQLModel, table=True):
    """One device in one duel, known only by a hash of the random token its browser holds."""

    __tablename__ = "duel_participant"
    __table_args__ = (Index("ix_duel_participant_duel_token", "duel_id", "token_hash", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    duel_id: int = Field(foreign_key="duel.id")
    token_hash: str = Field(max_length=64)
    joined_at: NaiveDatetime


class DuelItem(SQLModel, table=True):
    """An answer in a duel: typed by the supervisor, taken from a theme, or added by a participant (screened)."""

    __tablename__ = "duel_item"

    id: int | None = Field(default=None, primary_key=True)
    duel_id: int = Field(foreign_key="duel.id", index=True)
    text: str = Field(max_length=200)
    origin: str = Field(max_length=20)  # "typed", "theme" or "participant"
    source_theme_id: int | None = Field(default=None, foreign_key="theme.id")
    participant_id: int | None = Field(default=None, foreign_key="duel_participant.id")
    hidden_at: NaiveDatetime | None = None
    hidden_by: str | None = Field(default=None, max_length=200)
    # The theme made of this item when the duel's result went to the kanban: the theme's origin.
    made_theme_id: int | None = Field(default=None, foreign_key="theme.id")
    created_at: NaiveDatetime
    version: int = 1


class DuelVote(SQLModel, table=True):
    """One comparison: the pair shown and the choice; no winner is "en osaa sanoa"."""

    __tablename__ = "duel_vote"
    __table_args__ = (Index("ix_duel_vote_participant_at", "participant_id", "voted_at"),)

    id: int | None = Field(default=None, primary_key=True)
    duel_id: int = Field(foreign_key="duel.id", index=True)
    participant_id: int = Field(foreign_key="duel_participant.id")
    left_item_id: int = Field(foreign_key="duel_item.id")
    right_item_id: int = Field(foreign_key="duel_item.id")
    winner_item_id: int | None = Field(default=None, foreign_key="duel_item.id")
    voted_at: NaiveDatetime
