"""The tables of topic suggestions (issue 19): the county's topics, topics on feedback, trained models."""
from __future__ import annotations

from typing import Any

from pydantic import NaiveDatetime
from sqlalchemy import JSON, Column, Index, LargeBinary, Text
from sqlmodel import Field, SQLModel


class Topic(SQLModel, table=True):
    """A county-wide feedback topic, named in three languages; admins edit the list."""

    __tablename__ = "topic"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=60, unique=True)
    name_fi: str = Field(max_length=200)
    name_sv: str = Field(default="", max_length=200)
    name_en: str = Field(default="", max_length=200)
    active: bool = True
    position: int = 0
    version: int = 1

    def name(self, language: str = "fi") -> str:
        return getattr(self, f"name_{language}", "") or self.name_fi


class FeedbackTopic(SQLModel, table=True):
    """A topic on a feedback: suggested by the model, or decided by a person (accepted, added, rejected)."""

    __tablename__ = "feedback_topic"
    __table_args__ = (Index("ix_feedback_topic_topic_source", "topic_id", "source"),)

    feedback_id: int = Field(foreign_key="feedback.id", primary_key=True)
    topic_id: int = Field(foreign_key="topic.id", primary_key=True)
    # suggested (not applied) · accepted (a suggestion a person kept) · added (a person's own) ·
    # rejected (a suggestion a person removed: a "not this topic" for training)
    source: str = Field(max_length=20)
    confidence: float | None = None
    suggested_at: NaiveDatetime | None = None
    decided_by: str | None = Field(default=None, max_length=200)
    decided_at: NaiveDatetime | None = None


class TopicModelRow(SQLModel, table=True):
    """A trained suggestion model as plain data: JSON metadata and an .npz of arrays (never a pickle)."""

    __tablename__ = "topic_model"

    id: int | None = Field(default=None, primary_key=True)
    trained_at: NaiveDatetime
    trained_by: str = Field(max_length=200)
    examples: int
    meta: str = Field(sa_column=Column(Text, nullable=False))
    arrays: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    # Each topic's cross-validated precision, recall and number of tags on the staff's own tags.
    scores: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
