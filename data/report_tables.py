"""The table of issue 18 (report18): the director's comment kept with a report's unit and period."""
from __future__ import annotations

from pydantic import NaiveDatetime
from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class ReportComment(SQLModel, table=True):
    """A director's free text on a unit's report of one period (`kind` + `period_key`, e.g. quarter 2026-Q4)."""

    __tablename__ = "report_comment"
    __table_args__ = (UniqueConstraint("unit_id", "kind", "period_key", name="uq_report_comment_unit_period"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id")
    kind: str = Field(max_length=10)
    period_key: str = Field(max_length=30)
    text: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: NaiveDatetime
    updated_by: str = Field(max_length=200)
    version: int = 1
