"""The tables of waking the feedback handlers (issue 15): who the handlers are, what was sent, each run."""
from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import NaiveDatetime
from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class FeedbackHandler(SQLModel, table=True):
    """A unit's feedback handler (palautteenkäsittelijä): an e-mail address woken for its new feedback."""

    __tablename__ = "feedback_handler"
    __table_args__ = (UniqueConstraint("unit_id", "address", name="uq_feedback_handler_unit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    address: str = Field(max_length=254)
    created_at: NaiveDatetime
    created_by: str = Field(max_length=200)


class WakeSent(SQLModel, table=True):
    """A wake-up about one feedback item reached one address: it is never announced to it again."""

    __tablename__ = "wake_sent"

    feedback_id: int = Field(foreign_key="feedback.id", primary_key=True)
    address: str = Field(max_length=254, primary_key=True)
    sent_at: NaiveDatetime
    run_id: int = Field(foreign_key="notify_run.id")


class DigestSent(SQLModel, table=True):
    """One address had its digest of one unit for one Helsinki day."""

    __tablename__ = "digest_sent"

    unit_id: int = Field(foreign_key="unit.id", primary_key=True)
    address: str = Field(max_length=254, primary_key=True)
    day: date = Field(primary_key=True)
    sent_at: NaiveDatetime
    run_id: int = Field(foreign_key="notify_run.id")


class NotifyRun(SQLModel, table=True):
    """One `python -m data notify`: when, how many sent and failed, and each failure in words (for /admin)."""

    __tablename__ = "notify_run"

    id: int | None = Field(default=None, primary_key=True)
    started_at: NaiveDatetime = Field(index=True)
    sent: int = 0
    failed: int = 0
    # A problem of the whole run (a bad setting, no token): nothing could be sent.
    problem: str | None = Field(default=None, sa_column=Column(Text))
    # [{"unit": CODE, "kind": …, "to": [...], "error": …}]: addresses of staff, never customers' text.
    failures: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON))
