"""Which node and period the roll-up and the report show, read from the link (`?unit=…&kind=…&period=…`)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import streamlit as st

from board.periods import PERIOD_KINDS, Period, parse_period_key, period_key
from board.report_periods import last_complete, up_to
from data.rollup_words import comparison_label, period_name, short_range, shown_name  # noqa: F401

DEFAULT_KIND = "quarter"
CUSTOM_DEFAULT_DAYS = 90
# A period from a link must lie in these years: the comparison periods (the one before, a year earlier)
# of anything wider would leave the calendar and crash (OverflowError).
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)


@dataclass(frozen=True)
class Selection:
    unit_code: str | None
    kind: str
    period: Period
    refused: str | None = None  # the link's period when it could not be shown

    def query(self) -> dict[str, str]:
        """The link's query for this selection."""
        query = {"kind": self.kind, "period": period_key(self.kind, self.period)}
        if self.unit_code:
            query["unit"] = self.unit_code
        return query


def default_period(kind: str, today: date) -> Period:
    """The last complete calendar period of a kind (report18); a custom range defaults to the last 90 days."""
    if kind == "custom":
        return Period(today - timedelta(days=CUSTOM_DEFAULT_DAYS - 1), today)
    return last_complete(kind, today)


def from_query(today: date) -> Selection:
    """The selection in the link; a missing or unreadable part falls back to the last complete quarter.

    A period that has not ended is cut at today: the running period's days so far."""
    kind = st.query_params.get("kind") or DEFAULT_KIND
    if kind not in PERIOD_KINDS:
        kind = DEFAULT_KIND
    asked = (st.query_params.get("period") or "").strip()
    refused = None
    try:
        period = up_to(parse_period_key(kind, asked), today)
        if period.first < FIRST_DAY or period.last > LAST_DAY:
            raise ValueError(f"period {asked!r} is outside {FIRST_DAY.year}–{LAST_DAY.year}")
    except (ValueError, OverflowError):
        period = default_period(kind, today)
        refused = asked or None
    unit = (st.query_params.get("unit") or "").strip() or None
    return Selection(unit, kind, period, refused)
